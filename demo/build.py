"""Build the demo province (once) and say which stamps to try: `province_build()`.

    from demo.build import province_build
    demo = province_build()          # after geo.loading.load_geography()
    for stamp in demo.stamps:
        print(stamp.url, stamp.pin, stamp.note)

One transaction. Every step finds what an earlier run made by its natural key and makes only what is
missing, so a second call adds nothing and costs a few hundred small queries. Dates count back from
the day of the first build.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from demo import activity, market, producers, stamps
from demo import province as spec
from demo.clock import Clock
from tracing.models import Batch, Producer, Product, Stamp
from tracing.models.stamps import StampStatus
from tracing.stamps.runs import stamp_url

#: Stamps printed per well-behaved producer by `seed_demo`.
PRINTED_PER_PRODUCER = 2


@dataclass(frozen=True)
class DemoStamp:
    producer: str
    url: str
    serial: str
    pin: str | None
    note: str


@dataclass(frozen=True)
class Province:
    producers: list[Producer]
    stamps: list[DemoStamp]
    created: bool  # False when everything was already there


def _producer_world(item: spec.Producer, producer: Producer, users, official, clock: Clock, pins: dict) -> dict:
    user = users[item.username]
    products = {p.key: Product.objects.get(producer=producer, gtin=_gtin14(p)) for p in item.products}
    market.selling_terms_ensure(producer, user, item, clock, producers.approved_day(item) - 1)
    for product in item.products:
        market.listing_ensure(products[product.key], user, product, clock, producers.approved_day(item) - 1)
    batches = {b.lot: stamps.batch_ensure(producer, user, b, products, clock) for b in item.batches}
    for run in item.runs:
        _run, taken = stamps.run_ensure(producer, user, official, run, products, batches, clock)
        pins.update(taken)
    return products


def _gtin14(product: spec.Product) -> str:
    from tracing import gs1

    return (product.gtin12 + gs1.gtin_check_digit(product.gtin12)).zfill(14)


@transaction.atomic
def province_build(*, clock: Clock | None = None) -> Province:
    """Make whatever of the demo province is missing; return its producers and the stamps worth opening."""
    clock = clock or Clock()
    before = Stamp.objects.count(), Producer.objects.count()
    users = producers.accounts_ensure()
    official = users["official"]
    pins: dict[str, str] = {}
    all_products: dict[str, Product] = {}
    made = []
    for item in spec.PRODUCERS:
        producer = producers.producer_ensure(item, users, official, clock)
        made.append(producer)
        if producer.status == Producer.Status.APPROVED:
            all_products.update(_producer_world(item, producer, users, official, clock, pins))
    market.stock_ensure(all_products, users, clock, days=5)
    market.pickups_ensure(all_products, clock, days=3)
    for order in spec.ORDERS:
        market.order_ensure(order, all_products, users, clock)
    by_key = dict(zip((p.key for p in spec.PRODUCERS), made, strict=True))
    for item in spec.PRODUCERS:
        for batch in Batch.objects.filter(producer=by_key[item.key]).order_by("harvest_started_on"):
            activity.batch_scans_ensure(batch, pins, clock, producer_user=users[item.username])
    copied = activity.copied_code_ensure(clock)
    far = activity.far_code_ensure(clock)
    revoked = activity.revoked_code_ensure(clock)
    roadside = activity.roadside_report_ensure(clock)
    activity.cases_ensure(users, clock, copied=copied, far=far, revoked=revoked, roadside=roadside)
    activity.inspection_ensure(users, clock)
    for key, lot, count, days in (("C", "PH-02", 6, 8), ("E", "MV-01", 5, 12), ("A", "CAM-02", 4, 6)):
        batch = Batch.objects.get(producer=by_key[key], lot_code=lot)
        activity.shop_sales_ensure(batch, users[spec.producer(key).username], clock, count=count, days=days)
    printed = _printed(by_key, pins, copied=copied, far=far, revoked=revoked)
    return Province(producers=made, stamps=printed, created=(Stamp.objects.count(), Producer.objects.count()) != before)


def _printed(by_key: dict[str, Producer], pins: dict[str, str], *, copied, far, revoked) -> list[DemoStamp]:
    """Stamps worth opening: each well-behaved producer's genuine ones (with their PIN), then the stories."""
    result = []
    for item in spec.PRODUCERS:
        if not item.well_behaved or item.status != "approved":
            continue
        candidates = (
            Stamp.objects.filter(
                run__producer=by_key[item.key], status=StampStatus.ACTIVATED, confirmed_at__isnull=True
            )
            .select_related("run__product", "batch")
            .order_by("batch__harvest_started_on", "number")
        )
        for stamp in [s for s in candidates[:200] if s.serial in pins][:PRINTED_PER_PRODUCER]:
            result.append(DemoStamp(item.name, stamp_url(stamp), stamp.serial, pins.get(stamp.serial), "genuine"))
    for stamp, note in (
        (copied, "suspicious: scanned too many times (copied code)"),
        (far, "suspicious: scanned in Quản Bạ, then in Thành phố Hồ Chí Minh"),
        (revoked, "revoked"),
    ):
        stamp = Stamp.objects.select_related("run__product", "run__producer", "batch").get(pk=stamp.pk)
        result.append(DemoStamp(stamp.run.producer.name, stamp_url(stamp), stamp.serial, pins.get(stamp.serial), note))
    return result
