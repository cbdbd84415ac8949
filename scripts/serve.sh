#!/usr/bin/env bash
# scripts/serve.sh: the processes of `make run`, each under scripts/supervise.sh (restarted on exit,
# with back-off): gunicorn on HG_HOST:HG_PORT, the background worker (`manage.py worker`, log in
# HG_WORKER_LOG) and a sweep every five minutes that expires unpaid bank-transfer orders. One
# exiting never stops the others. Ctrl+C, TERM or INT stops them all. scripts/run.sh prepares the
# environment (database, keys, media folders) and then runs this.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PY="$VENV/bin/python"
HOST="${HG_HOST:-127.0.0.1}"; PORT="${HG_PORT:-8000}"
WORKER_LOG="${HG_WORKER_LOG:-$LOCAL/worker.log}"
SUPERVISE="$ROOT/scripts/supervise.sh"

pids=()
stop_all() {
  trap - EXIT INT TERM
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM

say "Starting the background worker (log: ${WORKER_LOG#"$ROOT/"})"
"$SUPERVISE" worker "$PY" manage.py worker >>"$WORKER_LOG" 2>&1 &
pids+=($!)
# shellcheck disable=SC2016  # the loop's variables are its own
"$SUPERVISE" sweeper bash -c 'trap "kill \$! 2>/dev/null; exit 0" TERM
  while true; do sleep 300 & wait $!; "$0" manage.py expire_orders; done' "$PY" >>"$WORKER_LOG" 2>&1 &
pids+=($!)
say "Serving http://$HOST:$PORT (Ctrl+C stops; 'make stop' also stops the database)"
"$SUPERVISE" web "$VENV/bin/gunicorn" backend.wsgi:application --bind "$HOST:$PORT" \
  --workers "${WEB_CONCURRENCY:-3}" --access-logfile - --error-logfile - &
pids+=($!)
wait
