"""Nearest-10 "genuine, in stock" shops for a product: the real API over HTTP beside the same SQL through psycopg2.

    python -m bench.marketplace_nearest_stock [--points 1000000] [--requests 3000] [--concurrency 2]

On top of bench/common.py's generated retail points, six products (two per kind) get stock rows:
each product is declared by ~4 % of the shops, 80 % of those authorised by the producer and 70 %
in stock. Prints requests/s and p50/p99 of both (target: API ≥ 0.4 × raw SQL, p99 < 20 ms).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import time

from bench import common

PRODUCTS_PER_KIND = 2
DECLARED_SHARE = 0.04


def _producer_and_products() -> list[int]:
    """An approved producer and two products per kind, made through the ORM (so they follow the models)."""
    import datetime
    from decimal import Decimal

    from django.contrib.gis.geos import Point

    from geo.models import AdminUnit, ProductKind
    from tracing.models import Producer, Product

    commune, _created = AdminUnit.objects.get_or_create(
        level="commune", code="B0001", valid_from=datetime.date(2025, 7, 1), defaults={"name": "Xã Bench"}
    )
    producer, _created = Producer.objects.update_or_create(
        tax_number="0299999999",
        defaults={
            "kind": "cooperative",
            "name": "HTX Bench",
            "address": "Bench",
            "commune": commune,
            "location": Point(104.82, 22.40, srid=4326),
            "representative": "Bench",
            "phone": "0912345678",
            "status": "approved",
        },
    )
    products = []
    for kind in common.KINDS:
        for number in range(PRODUCTS_PER_KIND):
            product, _created = Product.objects.get_or_create(
                producer=producer,
                name_vi=f"Bench {kind} {number}",
                defaults={"kind": ProductKind.objects.get(code=kind), "net_quantity": Decimal(1)},
            )
            products.append(product.pk)
    return products


def ensure_stock(url: str) -> list[int]:
    """Six products and their stock rows (kept between runs); the product ids."""
    products = _producer_and_products()
    with contextlib.closing(common.connect(url)) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT product_id) FROM marketplace_retailstock WHERE product_id = ANY(%s)", [products]
        )
        if cursor.fetchone()[0] == len(products):
            print(f"reusing the stock rows of {len(products)} products", flush=True)
            return products
        print("generating stock rows…", flush=True)
        started = time.perf_counter()
        cursor.execute("TRUNCATE marketplace_retailstock")
        for product in products:
            cursor.execute(
                """
                INSERT INTO marketplace_retailstock (retail_point_id, product_id, in_stock, updated_at, authorised,
                                                     authorised_at)
                SELECT id, %s, random() < 0.7, now(), random() < 0.8, now()
                FROM geo_retailpoint TABLESAMPLE BERNOULLI (%s)
                """,
                [product, DECLARED_SHARE * 100],
            )
        conn.commit()
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
    with contextlib.closing(common.connect(url)) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE marketplace_retailstock")
            cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE authorised AND in_stock) FROM marketplace_retailstock"
            )
            rows, genuine = cursor.fetchone()
            print(f"  {rows:,} stock rows, {genuine:,} genuine and in stock", flush=True)
    return products


def _setup_django(url: str):
    os.environ.update(common.django_env(url))
    import django

    django.setup()


def _compile(origins, *, show_plan: bool = False) -> list[bytes]:
    """The exact statement the API runs for each (lat, lng, product): shops, distances, product kinds and
    opening state, with the marketplace's filter as the API's own hook turns the request's parameters
    into conditions and candidate source (geo.api.nearest.nearest_extra_conditions), parameters inlined."""
    from django.db import connection
    from django.test import RequestFactory
    from django.utils import timezone
    from rest_framework.request import Request

    from geo.api.nearest import nearest_extra_conditions
    from geo.nearest import nearest_retail_points_sql

    now = timezone.now()
    factory = RequestFactory()
    statements = []
    with connection.cursor() as cursor:
        for lat, lng, product in origins:
            request = Request(factory.get("/", {"lat": lat, "lng": lng, "product": product, "limit": 10}))
            extra_sql, source = nearest_extra_conditions(request)
            sql, params = nearest_retail_points_sql(
                lat=lat, lng=lng, at=now, limit=10, extra_sql=extra_sql, source=source
            )
            statements.append(cursor.mogrify(sql, params))
        if show_plan:
            cursor.execute(b"EXPLAIN " + statements[0])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            print("query plan (first origin):\n  " + plan.replace("\n", "\n  "), flush=True)
    connection.close()
    return statements


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=3_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=common.GUNICORN_WORKERS, help="gunicorn workers (production: 3)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    url = common.bench_database_url()
    common.ensure_database(url, args.points)
    _setup_django(url)
    products = ensure_stock(url)
    rng = random.Random(7)
    origins = [(lat, lng, rng.choice(products)) for lat, lng, _kind in common.random_origins(args.requests, seed=3)]
    warmup = [(lat, lng, rng.choice(products)) for lat, lng, _kind in common.random_origins(300, seed=4)]

    def paths(items):
        return [
            f"/api/v1/retail-points/nearest?lat={lat}&lng={lng}&product={product}&limit=10"
            for lat, lng, product in items
        ]

    return common.compare_raw_and_api(
        url,
        title="Nearest-10 genuine, in stock,",
        statements=_compile(origins, show_plan=True),
        warmup_statements=_compile(warmup),
        paths=paths(origins),
        warmup_paths=paths(warmup),
        concurrency=args.concurrency,
        points=args.points,
        workers=args.workers,
        json_path=args.json,
        empty_body=b'"results":[]',
    )


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
