# Shared helpers for the bootstrap scripts (sourced, not run).
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
VENV="$ROOT/.venv"
mkdir -p "$LOCAL"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31mError: %s\033[0m\n' "$*" >&2; exit 1; }

# Run a command as root: directly, through passwordless sudo, or not at all.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else return 1
  fi
}

APT_UPDATED=""
apt_install() {
  # apt_install PKG... : install Debian packages, or stop with one clear sentence.
  command -v apt-get >/dev/null \
    || die "This needs the Debian packages $* and apt-get is not available: install them by hand, then run again."
  if [ -z "$APT_UPDATED" ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
      || die "Installing $* needs root: run 'sudo apt-get install $*' (or run this as root), then run again."
    APT_UPDATED=1
  fi
  say "Installing Debian packages: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "Could not install $*: run 'sudo apt-get install $*', then run again."
}

# The PostgreSQL major version that has PostGIS installed (highest first), or empty.
pg_major_with_postgis() {
  local f major
  for f in $(ls -d /usr/share/postgresql/*/extension/postgis.control 2>/dev/null | sort -t/ -k5 -rn); do
    major="$(echo "$f" | cut -d/ -f5)"
    if [ -x "/usr/lib/postgresql/$major/bin/postgres" ]; then echo "$major"; return; fi
  done
}

# The keys of `make run`, made once: a secret key, and the PINs' key in a file of its own so that a
# new secret key never invalidates printed PINs (it starts as the secret key, which the PINs were
# hashed with before it existed).
local_keys() {
  [ -f "$LOCAL/secret_key" ] \
    || (umask 077; "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$LOCAL/secret_key")
  [ -f "$LOCAL/stamp_pin_key" ] \
    || (umask 077; printf '%s\n' "${DJANGO_SECRET_KEY:-$(cat "$LOCAL/secret_key")}" > "$LOCAL/stamp_pin_key")
}

# The environment of `make run`, and of `make backup` / `make restore`, which act on its data: the
# local cluster, development keys and folders, unless the caller supplied its own values.
local_env() {
  if [ -f "$LOCAL/db.env" ] && [ -z "${DATABASE_URL:-}" ]; then set -a; source "$LOCAL/db.env"; set +a; fi
  if [ -f "$LOCAL/secret_key" ]; then export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$(cat "$LOCAL/secret_key")}"; fi
  if [ -f "$LOCAL/stamp_pin_key" ]; then export STAMP_PIN_KEY="${STAMP_PIN_KEY:-$(cat "$LOCAL/stamp_pin_key")}"; fi
  export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
  export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}"
  export SITE_URL="${SITE_URL:-http://${HG_HOST:-127.0.0.1}:${HG_PORT:-8000}}"
  export DJANGO_EMAIL_BACKEND="${DJANGO_EMAIL_BACKEND:-file}"
  export EMAIL_FILE_PATH="${EMAIL_FILE_PATH:-$LOCAL/mail}"
  export MEDIA_ROOT="${MEDIA_ROOT:-$LOCAL/media}"
  export PRIVATE_MEDIA_ROOT="${PRIVATE_MEDIA_ROOT:-$MEDIA_ROOT-private}"
  export STATIC_ROOT="${STATIC_ROOT:-$LOCAL/static}"
}
