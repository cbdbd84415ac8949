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

    from geo.nearest import nearest_retail_points_sql

    now = timezone.now()
    statements = []
    with connection.cursor() as cursor:
        for lat, lng, kind in origins:
            # The whole statement the API runs (shops, distances, product kinds and opening state).
            sql, params = nearest_retail_points_sql(lat=lat, lng=lng, at=now, limit=10, product_kind=kind)
            statements.append(cursor.mogrify(sql, params))
    connection.close()
    return statements


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=4_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=common.GUNICORN_WORKERS, help="gunicorn workers (production: 3)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    url = common.bench_database_url()
    common.ensure_database(url, args.points)
    origins = common.random_origins(args.requests, seed=1)
    warmup = common.random_origins(300, seed=2)
    statements = _compile_queries(url, origins)
    warmup_statements = _compile_queries(url, warmup)

    return common.compare_raw_and_api(
        url,
        title="Nearest-10 with a product-kind filter",
        statements=statements,
        warmup_statements=warmup_statements,
        paths=_paths(origins),
        warmup_paths=_paths(warmup),
        concurrency=args.concurrency,
        points=args.points,
        workers=args.workers,
        json_path=args.json,
    )


def _paths(origins) -> list[str]:
    return [
        f"/api/v1/retail-points/nearest?lat={lat}&lng={lng}&product_kind={kind}&limit=10" for lat, lng, kind in origins
    ]


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
