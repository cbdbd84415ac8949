#!/usr/bin/env bash
# make backup [TO=folder]: the database, both media folders and the PIN key of `make run` (or of
# the DATABASE_URL, MEDIA_ROOT, PRIVATE_MEDIA_ROOT and STAMP_PIN_KEY given) into one new folder,
# .local/backups/<date-time> by default. See "Backups" in docs/operations.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ -x "$VENV/bin/python" ] || die "Run 'make run' (or scripts/bootstrap.sh) once first."
# The local cluster of make run, started if need be, unless DATABASE_URL names another database.
if [ -z "${DATABASE_URL:-}" ] && [ -f "$LOCAL/db.env" ]; then "$ROOT/scripts/db.sh" start; fi
local_env
[ -n "${DATABASE_URL:-}" ] || die "No database: run 'make run' once, or set DATABASE_URL."
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then die "No DJANGO_SECRET_KEY (and no .local/secret_key)."; fi
TO="${1:-$LOCAL/backups/$(date +%Y%m%d-%H%M%S)}"
cd "$ROOT"
exec "$VENV/bin/python" manage.py backup --to "$TO"
