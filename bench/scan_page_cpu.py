"""CPU time of one scan in process (Django's handler through the test client, no HTTP), both link forms.

The HTTP benchmark (bench.scan_page) swings by ± 40 % with the load of a shared machine; a thread's
own CPU time (``time.thread_time``) counts only the work of the request, database round trips
excepted, and so tells a few tens of microseconds apart. Each round scans random stamps of the
benchmark's batch as ``/t/{serial}`` and as ``/01/{gtin}/10/{lot}/21/{serial}``, each request from
another visitor address (no cookie, no reload), and prints the median and mean per form.

    .venv/bin/python -m bench.scan_page_cpu --requests 1500 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from bench import common
from bench.stamps_issue import setup_django

os.environ.setdefault("BENCH_DB_NAME", "hagiang_bench_stamps")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stamps", type=int, default=3000)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    url = common.bench_database_url()
    common.ensure_database(url, 0)
    setup_django(url)
    from bench.scan_page import prepare_stamps

    serials = prepare_stamps(args.stamps)
    from django.db import connection
    from django.test import Client

    from tracing.models import Stamp

    gtin = Stamp.objects.select_related("run__product").get(serial=serials[0]).run.product.gtin
    forms = {
        "/t/{serial}": lambda s: f"/t/{s}",
        "/01/{gtin}/10/{lot}/21/{serial}": lambda s: f"/01/{gtin}/10/BENCH-01/21/{s}",
    }
    client = Client(HTTP_HOST="127.0.0.1")
    rng = random.Random(7)

    def run(make, count: int) -> list[float]:
        times = []
        for i in range(count):
            path = make(rng.choice(serials))
            start = time.thread_time()
            response = client.get(
                path,
                RAW_URI=path,
                REMOTE_ADDR=f"10.{i % 250}.{i // 250 % 250}.7",
                HTTP_USER_AGENT="Mozilla/5.0 (iPhone)",
            )
            times.append(time.thread_time() - start)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
            client.cookies.clear()
        return times

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tracing_scan, tracing_suspicionflag CASCADE")
        cursor.execute("DELETE FROM backend_rate_counter")
    for make in forms.values():
        run(make, 200)  # warm up: caches, prepared statements
    results: dict[str, list[float]] = {name: [] for name in forms}
    for number in range(args.rounds):
        for name, make in forms.items():
            times = run(make, args.requests)
            results[name] += times
            print(f"round {number} {name:34} median {statistics.median(times) * 1e3:.3f} ms CPU", flush=True)
    summary = {
        name: {"median_ms": round(statistics.median(t) * 1e3, 3), "mean_ms": round(statistics.mean(t) * 1e3, 3)}
        for name, t in results.items()
    }
    for name, figures in summary.items():
        print(f"{name:34} median {figures['median_ms']:.3f} ms, mean {figures['mean_ms']:.3f} ms CPU per scan")
    with connection.cursor() as cursor:  # the next run starts from stamps in ordinary circulation again
        cursor.execute("TRUNCATE tracing_scan, tracing_suspicionflag CASCADE")
        cursor.execute("DELETE FROM backend_rate_counter")
    common.write_json(args.json, summary)
    return summary


if __name__ == "__main__":
    main()
