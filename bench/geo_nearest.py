"""Nearest-10 with a product-kind filter: the real API over HTTP beside the same SQL through psycopg2.

    python -m bench.geo_nearest [--points 1000000] [--requests 4000] [--concurrency 2]

Prints requests/s and p50/p99 latency of both, and the ratio (target: API ≥ 0.4 × raw SQL, p99 < 20 ms).
"""

from __future__ import annotations

import argparse
import contextlib
import os

from bench import common


def _compile_queries(url: str, origins) -> list[bytes]:
    """The exact SQL the API runs for each origin (compiled by Django, parameters inlined by psycopg2)."""
    os.environ.update(common.django_env(url))
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from geo import queries

    now = timezone.now()
    statements = []
    with connection.cursor() as cursor:
        for lat, lng, kind in origins:
            # The whole statement the API runs (shops, distances, product kinds and opening state).
            sql, params = queries.nearest_retail_points_sql(lat=lat, lng=lng, at=now, limit=10, product_kind=kind)
            statements.append(cursor.mogrify(sql, params))
    connection.close()
    return statements


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=4_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    url = common.bench_database_url()
    common.ensure_database(url, args.points)
    origins = common.random_origins(args.requests, seed=1)
    warmup = common.random_origins(300, seed=2)
    statements = _compile_queries(url, origins)
    warmup_statements = _compile_queries(url, warmup)

    def raw_worker():
        conn = common.connect(url)
        conn.autocommit = True
        cursor = conn.cursor()

        def call(statement):
            cursor.execute(statement)
            rows = cursor.fetchall()
            assert rows, "the nearest query found nothing"

        return call

    print(f"\nNearest-10 with a product-kind filter over {args.points:,} retail points, concurrency {args.concurrency}")
    common.run_concurrently(raw_worker, warmup_statements, args.concurrency)
    raw = common.summary("raw SQL (psycopg2)", *common.run_concurrently(raw_worker, statements, args.concurrency))

    def paths(items):
        return [
            f"/api/v1/retail-points/nearest?lat={lat}&lng={lng}&product_kind={kind}&limit=10"
            for lat, lng, kind in items
        ]

    with common.gunicorn(url, workers=2) as port:

        def api_worker():
            client = common.HttpClient(port)

            def call(path):
                status, body = client.get(path)
                assert status == 200, (status, body[:300])

            return call

        common.run_concurrently(api_worker, paths(warmup), args.concurrency)
        api = common.summary(
            "API over HTTP (gunicorn, 2 workers)",
            *common.run_concurrently(api_worker, paths(origins), args.concurrency),
        )

    ratio = api["per_second"] / raw["per_second"]
    print(f"{'API / raw SQL throughput':<34} {ratio:8.2f} ×   (target ≥ 0.40; API p99 target < 20 ms)")
    result = {"points": args.points, "concurrency": args.concurrency, "raw_sql": raw, "api": api, "ratio": ratio}
    common.write_json(args.json, result)
    return result


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
