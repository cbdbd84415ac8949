#!/usr/bin/env bash
# The project-local PostgreSQL + PostGIS cluster.
#   scripts/db.sh start | stop | status | url
# The cluster lives in .local/pg (git-ignored), listens only on a Unix socket in its own folder
# (no TCP port, so it never collides with a server on 5432 or with another checkout), and trusts
# local connections. `make run` (the one-machine runner) and `make test` share it, so it is
# crash-safe: fsync, full_page_writes and synchronous_commit on (a cluster made by an older
# version of this script with them off is switched at its next start). HG_PG_DATA=<folder> runs
# another cluster the same way (the crash tests make throw-away ones); HG_DB_NAME names its database.
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
DATA="${HG_PG_DATA:-$LOCAL/pg}"
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "The 'postgres' system user is missing: reinstall the postgresql package."
  RUN_AS=(runuser -u postgres --)
  if [ -z "${HG_PG_DATA:-}" ] && ! runuser -u postgres -- test -x "$LOCAL"; then
    # The checkout is in a folder the postgres user cannot enter (e.g. under /root).
    DATA="/var/lib/hagiang-origin/$(echo "$ROOT" | sha256sum | cut -c1-12)/pg"
  fi
fi
SOCKDIR="$DATA/run"
if [ ${#SOCKDIR} -gt 90 ]; then SOCKDIR="/tmp/hg-pg-$(echo "${HG_PG_DATA:-$ROOT}" | sha256sum | cut -c1-12)"; fi
LOG="$DATA/server.log"

pg() { "${RUN_AS[@]}" "$@"; }
psql_admin() { pg "$BIN/psql" -X -h "$SOCKDIR" -p "$PORT" -U postgres "$@" postgres; }
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
# Crash-safe: fsync, full_page_writes and synchronous_commit keep their defaults (on); see
# "Durability" in docs/operations.md.
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
  durable
  if ! pg "$BIN/psql" -h "$SOCKDIR" -p "$PORT" -U postgres -Atqc "SELECT 1 FROM pg_database WHERE datname='$DBNAME'" postgres | grep -q 1; then
    pg "$BIN/createdb" -h "$SOCKDIR" -p "$PORT" -U postgres "$DBNAME"
  fi
  PGOPTIONS="-c client_min_messages=warning" pg "$BIN/psql" -h "$SOCKDIR" -p "$PORT" -U postgres -qc "CREATE EXTENSION IF NOT EXISTS postgis" "$DBNAME" >/dev/null
  [ -n "${HG_PG_DATA:-}" ] || echo "DATABASE_URL=$(url)" > "$LOCAL/db.env"
}

durable() {
  # An acknowledged commit must survive a crash: WAL flushed before the client hears "committed".
  local want="fsync=on full_page_writes=on synchronous_commit=on" now setting
  now="$(settings)"
  [ "$now" = "$want" ] && return
  say "Making the cluster crash-safe (was: $now)"
  for setting in fsync full_page_writes synchronous_commit; do
    psql_admin -qc "ALTER SYSTEM SET $setting = on"
  done
  psql_admin -qAtc "SELECT pg_reload_conf()" >/dev/null
  for _ in $(seq 50); do [ "$(settings)" = "$want" ] && break; sleep 0.2; done
  [ "$(settings)" = "$want" ] || die "PostgreSQL kept $(settings) after a reload; see $LOG."
  # Pages written while fsync was off may be only in the OS cache: write them out now.
  psql_admin -qc "CHECKPOINT"
  sync
}

settings() {
  psql_admin -qAtc "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings
                    WHERE name IN ('fsync', 'full_page_writes', 'synchronous_commit')"
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
