"""The scan page with its recording (rate limits, reload check, the Scan row, clone rules) over real HTTP
(gunicorn on 127.0.0.1) beside /healthz in the same run.

    python -m bench.scan_page [--stamps 3000] [--requests 3000] [--concurrency 4] [--json out.json]

Each request opens another activated stamp from another visitor address (as many phones do), so
no rate limit is hit. Target: scan page ≥ 0.5 × /healthz requests/s.

The two are measured in alternating rounds (--rounds, the order swapped every round), so that a
slow spell of this shared machine weighs on both rather than on one: the ratio is the scan page's
requests/s over /healthz's, each over all its rounds; the rounds' own ratios are printed beside it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random

os.environ.setdefault("BENCH_DB_NAME", "hagiang_bench_stamps")

from bench import common
from bench.stamps_issue import bench_records, setup_django


def prepare_stamps(count: int) -> list[str]:
    """An approved producer's product, batch with a journey, and `count` activated stamps (reused between runs)."""
    from decimal import Decimal

    from django.contrib.auth.models import User
    from django.utils import timezone

    from geo.models import ProductKind
    from tracing import services
    from tracing.models import Batch, ProducerMembership, Product, Stamp
    from tracing.stamps.selection import Selection

    official, producer = bench_records()
    staff, _created = User.objects.get_or_create(username="bench-producer")
    ProducerMembership.objects.get_or_create(user=staff, defaults={"producer": producer})
    product = Product.objects.filter(producer=producer).first() or services.product_create(
        by=staff,
        producer=producer,
        kind=ProductKind.objects.get(code="orange"),
        name_vi="Cam sành bench",
        net_quantity=Decimal(1),
    )
    batch = Batch.objects.filter(producer=producer, lot_code="BENCH-01").first()
    if batch is None:
        batch = services.batch_create(
            by=staff,
            product=product,
            lot_code="BENCH-01",
            harvest_started_on=timezone.localdate() - datetime.timedelta(days=10),
            quantity=Decimal(1_000_000),
        )
        for days, step in ((5, "commissioning"), (4, "packing"), (3, "shipping")):
            services.batch_event_add(
                by=staff, batch=batch, event_type=step, occurred_at=timezone.now() - datetime.timedelta(days=days)
            )
    if not product.gtin:  # the GS1 Digital Link form (--form dl) needs one; /t/ pages are the same with it
        from tracing import gs1

        gtin = "893850099999" + gs1.gtin_check_digit("893850099999")
        product = services.product_update(by=staff, product=product, gtin=gtin)
    serials = list(Stamp.objects.filter(batch=batch, status="activated").values_list("serial", flat=True)[:count])
    if len(serials) < count:
        run = services.stamps_issue(by=official, producer=producer, product=product, quantity=count, background=False)
        stamps = Stamp.objects.filter(run=run).order_by("number")
        services.stamps_activate(
            by=staff, batch=batch, selection=Selection(first=stamps.first().serial, last=stamps.last().serial)
        )
        serials = list(Stamp.objects.filter(run=run).values_list("serial", flat=True))
    return serials


def background_history(measured: list[str], scans: int) -> int:
    """`scans` earlier scans of other stamps of the producer (5 each), vacuumed and analysed: a busy table.

    From an empty table, PostgreSQL's statistics (and with them the prepared statements' plans)
    would change in the middle of a run, whenever autovacuum analyses the growing table; a run
    measured on a plan made for a few dozen rows slowed down round after round.
    """
    from django.db import connection

    from bench.stamps_issue import bench_records
    from tracing import services
    from tracing.models import Stamp

    official, producer = bench_records()
    stamps_needed = -(-scans // 5)
    others = Stamp.objects.filter(run__producer=producer).exclude(serial__in=measured)
    missing = stamps_needed - others.count()
    if missing > 0:
        product = producer.products.first()
        services.stamps_issue(by=official, producer=producer, product=product, quantity=missing, background=False)
    ids = list(others.order_by("pk").values_list("pk", flat=True)[:stamps_needed])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tracing_scan "
            "(stamp_id, serial, scanned_at, verdict, channel, device_family, repeat, place_name) "
            "SELECT s.id, s.serial, now() - interval '90 days' * random(), 'genuine', 'web', 'android', false, '' "
            "FROM tracing_stamp s CROSS JOIN generate_series(1, 5) WHERE s.id = ANY(%s) LIMIT %s",
            [ids, scans],
        )
        inserted = cursor.rowcount
        # Now rather than by autovacuum in the middle of the measurement.
        cursor.execute("VACUUM (ANALYZE) tracing_scan, tracing_stamp, backend_rate_counter")
    return inserted


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stamps", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--history", type=int, default=100_000, help="scans of other stamps already recorded")
    parser.add_argument(
        "--form", choices=("t", "dl"), default="t", help="scan /t/{serial} or the GS1 Digital Link /01/…/10/…/21/…"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    url = common.bench_database_url()
    common.ensure_database(url, 0)
    setup_django(url)
    serials = prepare_stamps(args.stamps)
    from django.db import connection

    from tracing.models import Stamp

    gtin = Stamp.objects.select_related("run__product").get(serial=serials[0]).run.product.gtin

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM hg_cache")
        # Earlier runs' scans would push the stamps over the too-many-sightings threshold: each run
        # measures stamps in ordinary circulation (a few scans each), as most are.
        cursor.execute("TRUNCATE tracing_scan, tracing_suspicionflag CASCADE")  # and the cases opened from flags
        cursor.execute("DELETE FROM backend_rate_counter")
    history = background_history(serials, args.history)
    connection.close()
    rng = random.Random(7)
    if args.form == "dl":
        scan_paths = [f"/01/{gtin}/10/BENCH-01/21/{rng.choice(serials)}" for _ in range(args.requests)]
    else:
        scan_paths = [f"/t/{rng.choice(serials)}" for _ in range(args.requests)]
    health_paths = ["/healthz"] * args.requests

    def client_for(port):
        def factory():
            client = common.HttpClient(port)

            def call(path):
                status, _body = client.get(path)
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")

            return call

        return factory

    rounds = max(1, args.rounds)
    per_round = max(1, args.requests // rounds)
    results = {}
    totals = {"healthz": [0.0, []], "scan": [0.0, []]}
    round_ratios = []
    with common.gunicorn(url, workers=args.workers) as port:
        common.run_concurrently(client_for(port), scan_paths[:100] + health_paths[:100], args.concurrency)  # warm up
        for number in range(rounds):
            scans = scan_paths[number * per_round : (number + 1) * per_round]
            health = health_paths[:per_round]
            speed = {}
            for name, paths in sorted({"healthz": health, "scan": scans}.items(), reverse=bool(number % 2)):
                seconds, latencies = common.run_concurrently(client_for(port), paths, args.concurrency)
                totals[name][0] += seconds
                totals[name][1] += latencies
                speed[name] = len(paths) / seconds
            round_ratios.append(speed["scan"] / speed["healthz"])
    results["healthz"] = common.summary("/healthz", *totals["healthz"])
    label = "/01/{gtin}/10/{lot}/21/{serial} (recorded)" if args.form == "dl" else "/t/{serial} (recorded)"
    results["scan"] = common.summary(label, *totals["scan"])
    ratio = results["scan"]["per_second"] / results["healthz"]["per_second"]
    results["ratio"] = round(ratio, 2)
    results["round_ratios"] = [round(r, 2) for r in round_ratios]
    results["history_scans"] = history
    by_round = ", ".join(f"{r:.2f}" for r in round_ratios)
    print(f"ratio scan page / healthz: {ratio:.2f} (target ≥ 0.5); by round: {by_round}")
    common.write_json(args.json, results)
    return results


if __name__ == "__main__":
    main()
