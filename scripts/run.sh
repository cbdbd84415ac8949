#!/usr/bin/env bash
# make run: bootstrap, migrate, load the Hà Giang fixtures and demo records, then serve
# http://127.0.0.1:8000 with gunicorn and run the background worker beside it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/bootstrap.sh"
[ -f "$LOCAL/db.env" ] && [ -z "${DATABASE_URL:-}" ] && { set -a; source "$LOCAL/db.env"; set +a; }

# Development values, unless the caller supplied its own.
[ -f "$LOCAL/secret_key" ] || "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$LOCAL/secret_key"
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$(cat "$LOCAL/secret_key")}"
export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}"
HOST="${HG_HOST:-127.0.0.1}"; PORT="${HG_PORT:-8000}"
export SITE_URL="${SITE_URL:-http://$HOST:$PORT}"
export DJANGO_EMAIL_BACKEND="${DJANGO_EMAIL_BACKEND:-file}"
export EMAIL_FILE_PATH="${EMAIL_FILE_PATH:-$LOCAL/mail}"
export MEDIA_ROOT="${MEDIA_ROOT:-$LOCAL/media}"
export STATIC_ROOT="${STATIC_ROOT:-$LOCAL/static}"

cd "$ROOT"
PY="$VENV/bin/python"
say "Migrating the database"
"$PY" manage.py migrate --no-input -v 0
"$PY" manage.py createcachetable
"$PY" manage.py collectstatic --no-input -v 0
say "Loading the Hà Giang fixtures and demo records"
"$PY" manage.py seed_demo

say "Starting the background worker (log: .local/worker.log)"
"$PY" manage.py db_worker >>"$LOCAL/worker.log" 2>&1 &
WORKER=$!
# Every five minutes: expire unpaid bank-transfer orders (their stock goes back on sale), drop idle carts.
( while sleep 300; do "$PY" manage.py expire_orders >>"$LOCAL/worker.log" 2>&1; done ) &
SWEEPER=$!
say "Serving http://$HOST:$PORT (Ctrl+C stops; 'make stop' also stops the database)"
"$VENV/bin/gunicorn" backend.wsgi:application --bind "$HOST:$PORT" \
  --workers "${WEB_CONCURRENCY:-3}" --access-logfile - --error-logfile - &
WEB=$!
# Whichever stops first (or Ctrl+C), stop the other too.
trap 'kill $WEB $WORKER $SWEEPER 2>/dev/null || true' EXIT INT TERM
wait -n $WEB $WORKER
