"""QR encoding speed: our renderers beside the bare libraries, in the same run, on one core.

    .venv/bin/python bench/stamps_qr.py [--seconds 2] [--json]

Every row encodes distinct stamp URLs (GS1 Digital Link form, ~70 characters, error correction M)
for about --seconds and reports codes per second. "bare" rows stop at the library's own module
matrix; our rows include what the product needs (PNG bytes, SVG text, PDF operators).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.conf import settings

if not settings.configured:  # the renderers need no database; translations are not used here
    settings.configure(USE_I18N=False)

import qrcode
import segno
import zxingcpp

from backend import qr
from tracing.digital_link import build_url
from tracing.stamps import printing, serials

SITE = "https://origin.example.vn"


def urls(n: int) -> list[str]:
    return [build_url(SITE, serial=s, gtin14="08938500000010", lot="2025-07") for s in serials.new_serials(n)]


def bare_qrcode(url: str):
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def bare_segno(url: str):
    return segno.make_qr(url, error="m", boost_error=False).matrix


def bare_zxing(url: str):
    return zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image(add_quiet_zones=False)


def ours_pdf_ops(url: str):
    return printing._rect_ops(*qr.qr_bitmap(url))


CASES = [
    ("qrcode (bare matrix)", bare_qrcode),
    ("segno (bare matrix)", bare_segno),
    ("zxing-cpp (bare matrix)", bare_zxing),
    ("ours: qr_matrix", qr.qr_matrix),
    ("ours: PDF label operators", ours_pdf_ops),
    ("ours: qr_svg", qr.qr_svg),
    ("ours: qr_png (8 px/module)", qr.qr_png),
]


def measure(func, pool: list[str], seconds: float) -> tuple[int, float]:
    done = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        for url in pool[done % len(pool) : done % len(pool) + 50]:
            func(url)
            done += 1
        if time.perf_counter() >= deadline:
            break
    return done, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per renderer (default 2)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()

    pool = urls(5000)
    results = {}
    for name, func in CASES:
        func(pool[0])  # warm up imports and caches
        count, elapsed = measure(func, pool, args.seconds)
        results[name] = round(count / elapsed, 1)
    if args.json:
        print(json.dumps({"benchmark": "stamps_qr", "codes_per_second": results, "cpus": os.cpu_count()}))
        return
    zxing = results["zxing-cpp (bare matrix)"]
    print(f"QR encoding, one core, URLs like {pool[0]}")
    print(f"{'renderer':32} {'codes/s':>10} {'× zxing-cpp':>12}")
    for name, rate in results.items():
        print(f"{name:32} {rate:10.1f} {rate / zxing:12.2f}")


if __name__ == "__main__":
    main()
