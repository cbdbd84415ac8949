#!/usr/bin/env bash
# make test: bootstrap (with Chromium), lint and format check, then the whole pytest suite
# against a real PostGIS database. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/bootstrap.sh" --browser
[ -f "$LOCAL/db.env" ] && [ -z "${DATABASE_URL:-}" ] && { set -a; source "$LOCAL/db.env"; set +a; }
cd "$ROOT"
say "ruff check"
"$VENV/bin/ruff" check .
say "ruff format --check"
"$VENV/bin/ruff" format --check .
say "pytest"
exec "$VENV/bin/python" -m pytest "$@"
