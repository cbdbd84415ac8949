"""Issuing 100,000 stamps: our run filling (serials, PINs, keyed hashes, COPY in chunks, the PIN file)
beside a raw PostgreSQL COPY of the very same rows into a table of the same shape, in the same run.

    python -m bench.stamps_issue [--stamps 100000] [--json out.json]

Target: ours ≥ 0.5 × raw COPY. Uses its own database (BENCH_DB_NAME, default hagiang_bench_stamps).
"""

from __future__ import annotations

import argparse
import io
import os
import time

os.environ.setdefault("BENCH_DB_NAME", "hagiang_bench_stamps")

from bench import common


def setup_django(url: str) -> None:
    os.environ.update(common.django_env(url, MEDIA_ROOT=str(common.ROOT / ".bench-media")))
    import django

    django.setup()


def bench_records():
    """An official and an approved producer (created directly: only the stamps are measured)."""
    from django.contrib.auth.models import Group, User
    from django.contrib.gis.geos import Point

    from backend import roles
    from geo.models import AdminUnit
    from tracing.models import Producer

    official, created = User.objects.get_or_create(username="bench-official")
    if created:
        official.groups.add(Group.objects.get(name=roles.OFFICIAL))
    commune = AdminUnit.objects.get_or_create(level="commune", code="99999", defaults={"name": "Xã Bench"})[0]
    producer = Producer.objects.get_or_create(
        tax_number="0299999990",
        defaults={
            "kind": "cooperative",
            "name": "HTX Bench",
            "address": "Bench",
            "commune": commune,
            "location": Point(104.98, 22.82, srid=4326),
            "representative": "Bench",
            "phone": "0912000000",
            "status": "approved",
        },
    )[0]
    return official, producer


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stamps", type=int, default=100_000)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    url = common.bench_database_url()
    common.ensure_database(url, 0)
    setup_django(url)
    from django.db import connection

    from tracing.models import Stamp, StampRun
    from tracing.stamps import runs as stamp_services

    official, producer = bench_records()
    run = StampRun.objects.create(producer=producer, quantity=args.stamps, issued_by=official)

    started = time.perf_counter()
    stamp_services.stamp_run_fill(run=run)
    ours_s = time.perf_counter() - started
    assert Stamp.objects.filter(run=run).count() == args.stamps

    # The same rows, as our COPY sent them, loaded again into the same table (same indexes, same
    # foreign key) by one raw COPY: what PostgreSQL alone needs for them.
    rows = list(Stamp.objects.filter(run=run).order_by("number").values_list("serial", "run_id", "number", "pin_hash"))
    buffer = io.StringIO("".join(f"{s}\t{r}\t{n}\t{h}\tissued\t\t\n" for s, r, n, h in rows))
    Stamp.objects.filter(run=run).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tracing_stamp")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.copy_expert(
            "COPY tracing_stamp (serial, run_id, number, pin_hash, status, revoke_reason, confirmed_place) FROM STDIN",
            buffer,
        )
    raw_s = time.perf_counter() - started
    assert Stamp.objects.filter(run=run).count() == args.stamps
    Stamp.objects.filter(run=run).delete()
    run.pins_file.delete(save=False)
    run.events.all().delete()
    run.delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tracing_stamp")

    result = {
        "stamps": args.stamps,
        "ours_s": round(ours_s, 2),
        "ours_per_s": round(args.stamps / ours_s),
        "raw_copy_s": round(raw_s, 2),
        "raw_copy_per_s": round(args.stamps / raw_s),
        "ratio": round(raw_s / ours_s, 2),
    }
    ours_label = f"issuing {args.stamps:,} stamps (serials, PINs, hashes, COPY, PIN file):"
    print(f"{ours_label:<60} {ours_s:6.2f} s  {result['ours_per_s']:>9,} stamps/s")
    raw_label = "raw COPY of the same rows into the same table:"
    print(f"{raw_label:<60} {raw_s:6.2f} s  {result['raw_copy_per_s']:>9,} stamps/s")
    print(f"ratio ours / raw COPY: {result['ratio']:.2f} (target ≥ 0.5)")
    common.write_json(args.json, result)
    return result


if __name__ == "__main__":
    main()
