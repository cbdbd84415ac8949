#!/usr/bin/env bash
# make restore FROM=folder [REPLACE=1]: a backup made by `make backup` into the database and media
# folders of `make run` (or the DATABASE_URL, MEDIA_ROOT and PRIVATE_MEDIA_ROOT given). Without
# REPLACE a database or folder with data is refused. With no STAMP_PIN_KEY given, `make run`'s own
# key file (.local/stamp_pin_key) becomes the backup's key, the old one kept beside it; with one
# given, it must be the backup's. See "Backups" in docs/operations.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] && [ -n "$1" ] || die "Name the backup folder: make restore FROM=.local/backups/<date-time>"
FROM="$(cd "$1" && pwd)" || die "No such folder: $1"
shift
[ -f "$FROM/stamp-pin-key" ] || die "$FROM has no stamp-pin-key: it is not a backup made by 'make backup'."
[ -x "$VENV/bin/python" ] || die "Run 'make run' (or scripts/bootstrap.sh) once first."
INSTALL_KEY=""
if [ -z "${STAMP_PIN_KEY:-}" ]; then
  STAMP_PIN_KEY="$(cat "$FROM/stamp-pin-key")"
  export STAMP_PIN_KEY
  INSTALL_KEY=1
fi
# The local cluster of make run, started if need be, unless DATABASE_URL names another database.
if [ -z "${DATABASE_URL:-}" ] && [ -f "$LOCAL/db.env" ]; then "$ROOT/scripts/db.sh" start; fi
local_env
[ -n "${DATABASE_URL:-}" ] || die "No database: run 'make run' once (or 'make stop' stopped it: scripts/db.sh start), or set DATABASE_URL."
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then die "No DJANGO_SECRET_KEY (and no .local/secret_key)."; fi
cd "$ROOT"
"$VENV/bin/python" manage.py restore "$FROM" "$@"
if [ -n "$INSTALL_KEY" ] && ! cmp -s "$FROM/stamp-pin-key" "$LOCAL/stamp_pin_key" 2>/dev/null; then
  [ -f "$LOCAL/stamp_pin_key" ] && mv "$LOCAL/stamp_pin_key" "$LOCAL/stamp_pin_key.before-restore-$(date +%Y%m%d-%H%M%S)"
  (umask 077; cp "$FROM/stamp-pin-key" "$LOCAL/stamp_pin_key")
  say "make run now uses the backup's PIN key (.local/stamp_pin_key)."
fi
