#!/usr/bin/env bash
# make bench: every benchmark of docs/benchmarks.md. They create and fill their own databases
# (hagiang_bench*) on the cluster DATABASE_URL points at, and serve the site on 127.0.0.1 only.
#   scripts/bench.sh [--points N]     (default 1,000,000; e.g. --points 100000 for a quick run)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/bootstrap.sh"
[ -f "$LOCAL/db.env" ] && [ -z "${DATABASE_URL:-}" ] && { set -a; source "$LOCAL/db.env"; set +a; }
cd "$ROOT"
POINTS=1000000
while [ $# -gt 0 ]; do
  case "$1" in
    --points) POINTS="$2"; shift 2 ;;
    --points=*) POINTS="${1#*=}"; shift ;;
    *) die "Unknown option $1 (only --points N is accepted)." ;;
  esac
done
[[ "$POINTS" =~ ^[0-9]+$ ]] && [ "$POINTS" -ge 20000 ] || die "--points must be a whole number of at least 20000."
say "Nearest-10 with a product-kind filter ($POINTS retail points)"
"$VENV/bin/python" -m bench.geo_nearest --points "$POINTS"
say "Map viewport GeoJSON with 10,000 points in view"
"$VENV/bin/python" -m bench.geo_bbox --points "$POINTS"
say "Nearest-10 genuine, in stock ($POINTS retail points with stock rows)"
"$VENV/bin/python" -m bench.marketplace_nearest_stock --points "$POINTS"
say "Checkout throughput and oversell count"
"$VENV/bin/python" -m bench.marketplace_checkout
say "Issuing 100,000 stamps beside a raw COPY"
"$VENV/bin/python" -m bench.stamps_issue
say "QR encoding beside the bare libraries"
"$VENV/bin/python" -m bench.stamps_qr
say "A 100,000-label print run on every core"
"$VENV/bin/python" -m bench.stamps_print
say "The scan page with recording beside /healthz"
"$VENV/bin/python" -m bench.scan_page
say "The demo province: seed_demo on an empty database, then again"
"$VENV/bin/python" -m bench.demo_seed
