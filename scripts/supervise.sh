#!/usr/bin/env bash
# scripts/supervise.sh NAME COMMAND [ARGS...]
# Runs COMMAND and starts it again whenever it exits, whatever its exit status: after 1 s, then
# 2, 4, … up to 60 s while it keeps failing; back to 1 s once a run lasted a minute. TERM or INT
# stops the supervisor: it passes TERM to COMMAND, waits for it to finish (KILL after
# HG_STOP_TIMEOUT seconds, 30 by default: a job it was running is recovered at the next start),
# then exits 0.
# `make run` keeps the web server and the background worker alive this way, each on its own, so
# that one exiting never takes the other down.
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 NAME COMMAND [ARGS...]" >&2; exit 2; }
name="$1"; shift

MAX_DELAY=60
STEADY_S=60
STOP_TIMEOUT="${HG_STOP_TIMEOUT:-30}"
delay=1
child=""
sleeper=""
timer=""
stopping=""

note() { printf '%s supervise[%s]: %s\n' "$(date '+%F %T')" "$name" "$*" >&2; }

stop() {
  stopping=1
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null
    ( sleep "$STOP_TIMEOUT"; kill -KILL -- "-$child" 2>/dev/null ) &
    timer=$!
  fi
}
trap stop TERM INT

while [ -z "$stopping" ]; do
  started=$SECONDS
  setsid "$@" &  # its own process group: KILL at the stop timeout reaches its children too
  child=$!
  [ -n "$stopping" ] && kill -TERM "$child" 2>/dev/null  # stopped between the fork and now
  wait "$child"
  status=$?
  # A trap interrupts `wait`: wait again until the child has really finished.
  while kill -0 "$child" 2>/dev/null; do
    wait "$child"
    status=$?
  done
  child=""
  if [ -n "$timer" ]; then kill "$timer" 2>/dev/null; timer=""; fi
  [ -n "$stopping" ] && break
  if (( SECONDS - started >= STEADY_S )); then delay=1; fi
  note "exited with status $status; starting it again in ${delay} s"
  sleep "$delay" &
  sleeper=$!
  wait "$sleeper" 2>/dev/null
  sleeper=""
  delay=$(( delay * 2 > MAX_DELAY ? MAX_DELAY : delay * 2 ))
done
note "stopped"
exit 0
