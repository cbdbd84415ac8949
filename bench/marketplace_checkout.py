"""Checkout throughput (orders/s) through the checkout service, in threads against PostgreSQL, and the oversell count.

    python -m bench.marketplace_checkout [--orders 1500] [--listings 200] [--concurrency 4] [--contended-stock 500]

Two runs: every checkout buys one of many listings (little lock contention), then every checkout
buys the same listing until its stock is gone (all checkouts queue on one row lock). The oversell
count (units sold beyond the stock, or a negative stock) must be 0. Runs in its own database,
`hagiang_bench_checkout` (BENCH_DB_NAME overrides it), so that the rows it adds never disturb the
million generated points of the nearest-shop benchmarks.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import threading
import time
import uuid

from bench import common


def _setup(url: str) -> None:
    os.environ.update(common.django_env(url, DJANGO_EMAIL_BACKEND="locmem"))
    import django

    django.setup()


def _world(listings: int, stock: int, contended_stock: int):
    import datetime
    from decimal import Decimal

    from django.contrib.gis.geos import Point

    from geo.models import AdminUnit, ProductKind, RetailPoint
    from marketplace.models import Listing
    from tracing.models import Producer, Product

    commune, _created = AdminUnit.objects.get_or_create(
        level="commune", code="B0002", valid_from=datetime.date(2025, 7, 1), defaults={"name": "Xã Bench checkout"}
    )
    tag = uuid.uuid4().hex[:8]
    producer = Producer.objects.create(
        kind="cooperative",
        name=f"HTX checkout {tag}",
        tax_number=f"03{random.randrange(10**8):08d}",
        address="Bench",
        commune=commune,
        location=Point(104.82, 22.40, srid=4326),
        representative="Bench",
        phone="0912345678",
        status="approved",
    )
    shop = RetailPoint.objects.create(
        name=f"Bench shop {tag}",
        address="Bench",
        location=Point(104.82, 22.40, srid=4326),
        verification_status="verified",
    )
    kind = ProductKind.objects.get(code="orange")

    def listing(name: str, units: int) -> Listing:
        product = Product.objects.create(producer=producer, kind=kind, name_vi=name, net_quantity=Decimal(1))
        row = Listing.objects.create(producer=producer, product=product, price_vnd=35_000, stock=units)
        row.pickup_points.add(shop)
        return row

    many = [listing(f"Bench {tag} {index}", stock) for index in range(listings)]
    contended = listing(f"Bench {tag} contended", contended_stock)
    return producer, shop, many, contended


def _carts(listing_ids: list[int]) -> list[int]:
    from marketplace.models import Cart, CartItem

    carts = Cart.objects.bulk_create([Cart() for _ in listing_ids])
    CartItem.objects.bulk_create(
        CartItem(cart=cart, listing_id=listing_id, quantity=1)
        for cart, listing_id in zip(carts, listing_ids, strict=True)
    )
    return [cart.pk for cart in carts]


def _run(label: str, cart_ids: list[int], producer_id: int, shop, concurrency: int) -> dict:
    from django.core.exceptions import ValidationError
    from django.db import connection

    from marketplace.models import Cart
    from marketplace.services import checkout_place

    placed, refused, errors, latencies = [0], [0], [], []
    lock = threading.Lock()
    chunks = [cart_ids[index::concurrency] for index in range(concurrency)]

    def worker(chunk):
        mine = []
        try:
            for cart_id in chunk:
                cart = Cart.objects.get(pk=cart_id)
                started = time.perf_counter()
                try:
                    checkout_place(
                        cart=cart,
                        buyer=None,
                        token=uuid.uuid4(),
                        contact_name="Khách",
                        phone="0987654321",
                        email="khach@example.test",
                        delivery_method="pickup",
                        pickup_points={producer_id: shop},
                        payment_method="cod",
                    )
                    ok = True
                except ValidationError:
                    ok = False
                mine.append(time.perf_counter() - started)
                with lock:
                    (placed if ok else refused)[0] += 1
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    result = {
        "label": label,
        "attempts": len(cart_ids),
        "orders": placed[0],
        "refused": refused[0],
        "orders_per_second": placed[0] / seconds,
        "attempts_per_second": len(cart_ids) / seconds,
        "p50_ms": common.percentile(latencies, 0.5) * 1000,
        "p99_ms": common.percentile(latencies, 0.99) * 1000,
    }
    print(
        f"{label:<40} {result['orders_per_second']:7.0f} orders/s  ({result['attempts_per_second']:.0f} attempts/s, "
        f"{placed[0]} placed, {refused[0]} refused)   p50 {result['p50_ms']:6.1f} ms   p99 {result['p99_ms']:6.1f} ms",
        flush=True,
    )
    return result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_500, help="checkout attempts per run")
    parser.add_argument("--listings", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--contended-stock", type=int, default=500)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    os.environ.setdefault("BENCH_DB_NAME", "hagiang_bench_checkout")
    url = common.bench_database_url()
    common.ensure_database(url, 0)
    _setup(url)
    from django.db.models import Sum

    from marketplace.models import Listing, OrderLine

    producer, shop, many, contended = _world(args.listings, args.orders, args.contended_stock)
    rng = random.Random(5)
    spread = _carts([rng.choice(many).pk for _ in range(args.orders)])
    queued = _carts([contended.pk] * args.orders)

    print(f"\nCheckout (pickup, cash) through marketplace.services.checkout_place, concurrency {args.concurrency}")
    many_run = _run(f"one of {args.listings} listings each", spread, producer.pk, shop, args.concurrency)
    one_run = _run(f"one contended listing (stock {args.contended_stock})", queued, producer.pk, shop, args.concurrency)

    sold = OrderLine.objects.filter(listing=contended).aggregate(units=Sum("quantity"))["units"] or 0
    stock_left = Listing.objects.get(pk=contended.pk).stock
    oversell = max(0, sold - args.contended_stock) + max(0, -stock_left)
    print(f"{'oversell (must be 0)':<40} {oversell:7d}   (sold {sold}, stock left {stock_left})", flush=True)
    result = {"concurrency": args.concurrency, "many_listings": many_run, "one_listing": one_run, "oversell": oversell}
    common.write_json(args.json, result)
    if oversell:
        raise SystemExit("OVERSOLD")
    return result


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
