"""Demo stamps for `manage.py seed_demo`: a producer with a product, a batch and its journey, a run of
stamps of which some are activated — everything made through the services, as the application does.

    from tracing.demo import stamps_demo
    for stamp in stamps_demo(official=official_user, producer_user=producer_user):
        print(stamp["url"], stamp["pin"])

The PINs come from the run's one-time PIN list, which the demo takes on the official's behalf. A
second call finds the demo run and returns its stamps without PINs (the list is gone by design).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from geo.models import AdminUnit, GrowingRegion, ProductKind, RetailPoint
from tracing import gs1, services
from tracing.identifiers import mst_check_digit
from tracing.models import Batch, Producer, ProducerMembership, Stamp, StampRun
from tracing.services.stamps import Selection, stamp_url

DEMO_NOTE = "demo"
DEMO_LOT = "DEMO-CAM-01"
DEMO_GTIN = "893850000002" + gs1.gtin_check_digit("893850000002")
BAC_QUANG = Point(104.8670, 22.4950, srid=4326)


def _tax_number() -> str:
    for n in range(1, 10_000):
        first_nine = f"029{n:06d}"
        check = mst_check_digit(first_nine)
        if check is not None and not Producer.objects.filter(tax_number=first_nine + check).exists():
            return first_nine + check
    raise RuntimeError("no free demo tax number")


def _demo_producer(*, official, producer_user) -> Producer:
    membership = ProducerMembership.objects.filter(user=producer_user).select_related("producer").first()
    if membership is not None:
        producer = membership.producer
    else:
        commune = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE).order_by("pk").first()
        if commune is None:
            raise ValueError("Load the geography (communes) before the demo stamps.")
        producer = services.producer_apply(
            by=producer_user,
            kind="cooperative",
            name="HTX Cam sành Bắc Quang (demo)",
            tax_number=_tax_number(),
            address="Thôn Tân Thành, xã Vĩnh Tuy, Bắc Quang",
            commune=commune,
            location=BAC_QUANG,
            representative="Nguyễn Văn Demo",
            phone="0912 000 111",
            description_vi="Hợp tác xã trồng cam sành theo VietGAP (dữ liệu minh hoạ).",
            description_en="A cooperative growing cam sành oranges under VietGAP (demo data).",
        )
    if producer.status != Producer.Status.APPROVED:
        today = timezone.localdate()
        if producer.status == Producer.Status.APPLIED:
            services.producer_schedule_survey(by=official, producer=producer, scheduled_for=today)
            producer.refresh_from_db()
        if producer.status == Producer.Status.SURVEY_SCHEDULED:
            services.producer_record_survey(
                by=official,
                producer=producer,
                surveyed_on=today,
                location=producer.location,
                identity_confirmed=True,
                certificates_genuine=True,
                areas_as_declared=True,
                gap_practice_seen=True,
                findings="Vườn cam đúng như khai báo (demo).",
            )
            producer.refresh_from_db()
        services.producer_approve(by=official, producer=producer, reason="Đủ điều kiện (demo).")
        producer.refresh_from_db()
    return producer


def _demo_batch(*, producer, producer_user) -> Batch:
    existing = Batch.objects.filter(producer=producer, lot_code=DEMO_LOT).select_related("product").first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    certificate = services.certificate_add(
        by=producer_user,
        producer=producer,
        scheme="vietgap",
        number="VietGAP-TT-DEMO-01",
        issuer="Trung tâm Chứng nhận (demo)",
        valid_from=today - datetime.timedelta(days=365),
        valid_to=today + datetime.timedelta(days=730),
    )
    orange = ProductKind.objects.get(code="orange")
    gtin_taken = producer.products.model.objects.filter(gtin=DEMO_GTIN.zfill(14)).exists()
    product = services.product_create(
        by=producer_user,
        producer=producer,
        kind=orange,
        name_vi="Cam sành Bắc Quang — hộp 2 kg",
        name_en="Bắc Quang cam sành oranges — 2 kg box",
        description_vi="Cam sành chín cây, hái tay, đóng hộp tại hợp tác xã.",
        description_en="Tree-ripened cam sành oranges, hand-picked and boxed at the cooperative.",
        unit="box",
        net_quantity=Decimal(2),
        gtin="" if gtin_taken else DEMO_GTIN,
        growing_region=GrowingRegion.objects.filter(product_kind=orange).order_by("pk").first(),
        certificates=[certificate],
    )
    batch = services.batch_create(
        by=producer_user,
        product=product,
        lot_code=DEMO_LOT,
        harvest_started_on=today - datetime.timedelta(days=10),
        quantity=Decimal(400),
        unit="box",
    )
    now = timezone.now()
    steps = [("commissioning", 10, None), ("packing", 9, None), ("shipping", 8, None)]
    shop = RetailPoint.objects.filter(is_active=True, product_kinds=orange).order_by("pk").first()
    if shop is not None:
        steps.append(("receiving", 7, shop))
    for event_type, days_ago, retail_point in steps:
        services.batch_event_add(
            by=producer_user,
            batch=batch,
            event_type=event_type,
            occurred_at=now - datetime.timedelta(days=days_ago, hours=-9),
            retail_point=retail_point,
            actor=producer.name,
        )
    return batch


@transaction.atomic
def stamps_demo(*, official, producer_user, count: int = 12, activate: int = 8) -> list[dict]:
    """Create (once) a demo run of `count` stamps, `activate` of them on a demo batch; return them with PINs.

    Each item: ``{"number", "serial", "url", "pin", "status"}``; ``pin`` is None on later calls.
    """
    producer = _demo_producer(official=official, producer_user=producer_user)
    batch = _demo_batch(producer=producer, producer_user=producer_user)
    run = StampRun.objects.filter(producer=producer, note=DEMO_NOTE, status=StampRun.Status.ISSUED).first()
    pins: dict[str, str] = {}
    if run is None:
        run = services.stamps_issue(
            by=official, producer=producer, product=batch.product, quantity=count, note=DEMO_NOTE
        )
        _name, data = services.stamp_run_pins_take(by=official, run=run)
        for line in data.decode().splitlines()[1:]:
            _number, serial, _grouped, pin = line.split(",")
            pins[serial] = pin
        stamps = list(Stamp.objects.filter(run=run).order_by("number")[: max(activate, 0)])
        if stamps:
            services.stamps_activate(
                by=producer_user, batch=batch, selection=Selection(first=stamps[0].serial, last=stamps[-1].serial)
            )
    stamps = Stamp.objects.filter(run=run).select_related("run__product", "batch").order_by("number")
    return [
        {"number": s.number, "serial": s.serial, "url": stamp_url(s), "pin": pins.get(s.serial), "status": s.status}
        for s in stamps
    ]
