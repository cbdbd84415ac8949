#!/usr/bin/env bash
# make run: bootstrap, migrate, load the Hà Giang fixtures and demo records, then serve
# http://127.0.0.1:8000 with gunicorn and run the background worker beside it, each restarted if
# it exits (scripts/serve.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/bootstrap.sh"
local_keys  # development keys and values (scripts/lib.sh), unless the caller supplied its own
local_env

cd "$ROOT"
PY="$VENV/bin/python"
say "Migrating the database"
"$PY" manage.py migrate --no-input -v 0
"$PY" manage.py createcachetable
"$PY" manage.py collectstatic --no-input -v 0
say "Loading the Hà Giang fixtures and demo records"
"$PY" manage.py seed_demo

exec "$ROOT/scripts/serve.sh"
