#!/usr/bin/env bash
# Installs what the project needs (only what is missing) and prepares it to run.
#   scripts/bootstrap.sh [--browser]
# --browser also installs Debian's Chromium (for the browser tests) and docker-compose (to
# validate docker-compose.yml). Idempotent: a second run only checks.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

WANT_BROWSER=""
[ "${1:-}" = "--browser" ] && WANT_BROWSER=1

# 1. Debian packages -----------------------------------------------------------------------
missing=()
command -v python3 >/dev/null || missing+=(python3)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
ldconfig -p 2>/dev/null | grep -q 'libgdal\.so' || missing+=(gdal-bin)
ldconfig -p 2>/dev/null | grep -q 'libgeos_c\.so' || missing+=(libgeos-c1v5)
command -v msgfmt >/dev/null || missing+=(gettext)
command -v curl >/dev/null || missing+=(curl)
if [ -z "${DATABASE_URL:-}" ] && [ -z "$(pg_major_with_postgis)" ]; then
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_install postgresql
  fi
  major="$(ls /usr/lib/postgresql | sort -rn | head -1)"
  missing+=("postgresql-$major-postgis-3")
fi
if [ -n "$WANT_BROWSER" ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
fi
# Label PDFs embed DejaVu (Vietnamese diacritics); their tests render pages with poppler.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# 2. Python virtualenv from requirements.txt (rebuilt only when the file changes) -----------
req_hash="$(sha256sum "$ROOT/requirements.txt" | cut -c1-16)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.requirements-hash" 2>/dev/null)" != "$req_hash" ]; then
  say "Creating .venv from requirements.txt"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  # (grep drops the notes pip prints about absent local package mirrors on some machines)
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/requirements.txt" 2>&1 \
    | { grep -v "^WARNING: Location 'file:" || true; }
  [ "${PIPESTATUS[0]}" = 0 ] || die "pip could not install requirements.txt (see the messages above)."
  echo "$req_hash" > "$VENV/.requirements-hash"
fi

# 3. Database: a project-local PostGIS cluster unless DATABASE_URL names another ------------
if [ -z "${DATABASE_URL:-}" ]; then
  "$ROOT/scripts/db.sh" start
  set -a; source "$LOCAL/db.env"; set +a
fi

# 4. Translations (the catalogues are in the repository, the compiled files are not) --------
if [ -d "$ROOT/locale" ]; then
  while read -r po; do
    mo="${po%.po}.mo"
    if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then msgfmt --check-format -o "$mo" "$po"; fi
  done < <(find "$ROOT/locale" -name '*.po')
fi
