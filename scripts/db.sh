#!/usr/bin/env bash
# The project-local PostgreSQL + PostGIS cluster.
#   scripts/db.sh start | stop | status | url
# The cluster lives in .local/pg (git-ignored), listens only on a Unix socket in its own folder
# (no TCP port, so it never collides with a server on 5432 or with another checkout), and trusts
# local connections: it is for development and tests, not production.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DBNAME="${HG_DB_NAME:-hagiang}"
PORT=5432   # only names the socket file inside our own socket folder

major="$(pg_major_with_postgis)"
[ -n "$major" ] || die "PostgreSQL with PostGIS is not installed: run scripts/bootstrap.sh (or 'apt-get install postgresql-NN-postgis-3')."
BIN="/usr/lib/postgresql/$major/bin"

# As root the server must run as another user (PostgreSQL refuses root): the 'postgres' user
# that Debian's packages create. Its files go where that user can reach them.
RUN_AS=()
DATA="$LOCAL/pg"
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "The 'postgres' system user is missing: reinstall the postgresql package."
  RUN_AS=(runuser -u postgres --)
  if ! runuser -u postgres -- test -x "$LOCAL"; then
    # The checkout is in a folder the postgres user cannot enter (e.g. under /root).
    DATA="/var/lib/hagiang-origin/$(echo "$ROOT" | sha256sum | cut -c1-12)/pg"
  fi
fi
SOCKDIR="$DATA/run"
if [ ${#SOCKDIR} -gt 90 ]; then SOCKDIR="/tmp/hg-pg-$(echo "$ROOT" | sha256sum | cut -c1-12)"; fi
LOG="$DATA/server.log"

pg() { "${RUN_AS[@]}" "$@"; }
is_running() { pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }
url() { echo "postgis://postgres@${SOCKDIR//\//%2F}:$PORT/$DBNAME"; }

start() {
  if [ ! -f "$DATA/PG_VERSION" ]; then
    say "Creating a PostgreSQL $major cluster in $DATA"
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres: "$DATA" "$(dirname "$DATA")"
    chmod 700 "$DATA"
    pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$DATA/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$SOCKDIR'
port = $PORT
fsync = off                 # a development cluster: speed over crash safety
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 256MB
CONF
  elif [ "$(cat "$DATA/PG_VERSION")" != "$major" ]; then
    die "The cluster in $DATA is PostgreSQL $(cat "$DATA/PG_VERSION") but PostGIS is installed for $major: remove $DATA (its data is lost) or install postgresql-$(cat "$DATA/PG_VERSION")-postgis-3."
  fi
  mkdir -p "$SOCKDIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$SOCKDIR"
  if ! is_running; then
    say "Starting PostgreSQL $major (socket in $SOCKDIR)"
    pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null \
      || { tail -20 "$LOG" >&2; die "PostgreSQL did not start; its log is above."; }
  fi
  if ! pg "$BIN/psql" -h "$SOCKDIR" -p "$PORT" -U postgres -Atqc "SELECT 1 FROM pg_database WHERE datname='$DBNAME'" postgres | grep -q 1; then
    pg "$BIN/createdb" -h "$SOCKDIR" -p "$PORT" -U postgres "$DBNAME"
  fi
  PGOPTIONS="-c client_min_messages=warning" pg "$BIN/psql" -h "$SOCKDIR" -p "$PORT" -U postgres -qc "CREATE EXTENSION IF NOT EXISTS postgis" "$DBNAME" >/dev/null
  echo "DATABASE_URL=$(url)" > "$LOCAL/db.env"
}

stop() {
  if [ -f "$DATA/PG_VERSION" ] && is_running; then
    say "Stopping PostgreSQL"
    pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if is_running; then echo "running: $(url)"; else echo "stopped"; exit 3; fi ;;
  url) url ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
