"""Label printing speed: PDF pages/s on one core, and the wall time of a whole print run on all cores.

    .venv/bin/python bench/stamps_print.py [--labels 100000] [--layout a4-3x8-70x37] [--workers N] [--json]

The run is what an official downloads for a run of stamps: tracing.print_runs.print_run_zip, i.e. the
labels split into parts rendered by a pool of processes (one per core) into a ZIP of PDFs plus a
manifest. The single-core figure (labels_pdf on the first 2,400 labels) is printed beside it so the
parallel speed-up is visible. Target (issue 5): 100,000 labels in at most 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.conf import settings

if not settings.configured:
    settings.configure(USE_I18N=False)

from tracing.digital_link import build_url
from tracing.stamps import layouts, print_runs, printing, serials

SITE = "https://origin.example.vn"


def make_labels(n: int) -> list[layouts.Label]:
    return [
        layouts.Label(
            url=build_url(SITE, serial=s, gtin14="08938500000010", lot="2025-07"),
            serial=s,
            product_name="Cam sành Hà Giang hữu cơ loại đặc biệt",
            subtitle="Lô 2025-07 · HTX Cam Bắc Quang",
        )
        for s in serials.new_serials(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=100_000, help="labels in the print run (default 100000)")
    parser.add_argument("--layout", default="a4-3x8-70x37", choices=sorted(layouts.PRESETS))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    layout = layouts.PRESETS[args.layout]
    caption = "Quét để kiểm tra hàng thật"

    labels = make_labels(args.labels)

    sample = labels[: min(len(labels), max(layout.per_page * 100, 500))]
    started = time.perf_counter()
    pages = printing.labels_pdf(sample, layout=layout, out=io.BytesIO(), caption=caption)
    single = time.perf_counter() - started

    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        result = print_runs.print_run_zip(labels, layout=layout, out=out, caption=caption, workers=args.workers)
        wall = time.perf_counter() - started
        size = out.tell()

    figures = {
        "benchmark": "stamps_print",
        "layout": layout.name,
        "cpus": os.cpu_count(),
        "workers": args.workers,
        "single_core_labels": len(sample),
        "single_core_pages_per_s": round(pages / single, 1),
        "single_core_labels_per_s": round(len(sample) / single, 1),
        "run_labels": result.labels,
        "run_pages": result.pages,
        "run_parts": result.parts,
        "run_wall_s": round(wall, 2),
        "run_labels_per_s": round(result.labels / wall, 1),
        "run_pages_per_s": round(result.pages / wall, 1),
        "zip_mb": round(size / 1e6, 1),
        "target_100k_s": 120,
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"Layout {layout.name} ({layout.per_page} labels per page), {os.cpu_count()} CPUs")
    print(
        f"one core, labels_pdf:   {len(sample):7d} labels  {pages:6d} pages  {single:7.2f} s  "
        f"{figures['single_core_pages_per_s']:8.1f} pages/s  {figures['single_core_labels_per_s']:8.1f} labels/s"
    )
    print(
        f"{args.workers} workers, print run: {result.labels:7d} labels  {result.pages:6d} pages  {wall:7.2f} s  "
        f"{figures['run_pages_per_s']:8.1f} pages/s  {figures['run_labels_per_s']:8.1f} labels/s  "
        f"({result.parts} parts, {figures['zip_mb']} MB zip)"
    )
    if result.labels:
        projected = 100_000 / (result.labels / wall)
        print(f"projected 100,000 labels: {projected:.0f} s (target ≤ 120 s)")


if __name__ == "__main__":
    main()
