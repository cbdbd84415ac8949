"""Records for tracing tests: the cooperative `owner` (tests/conftest.py) applies for, the approved one of
`stranger`, and the official who approves them.

Records are made through the services, as the application makes them.
"""

from __future__ import annotations

import datetime
import io
import itertools
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from backend import roles
from geo.models import AdminUnit, GrowingRegion, ProductKind
from tests.conftest import make_user
from tracing import services
from tracing.identifiers import mst_check_digit

# Hà Giang city and Bắc Quang (lon, lat): both well inside the province.
HA_GIANG = Point(104.9784, 22.8233, srid=4326)
BAC_QUANG = Point(104.8670, 22.4950, srid=4326)

_serial = itertools.count(1)


def valid_tax_number() -> str:
    """A fresh 10-digit tax number with a correct check digit (province code 02: Hà Giang)."""
    while True:
        first_nine = f"02{next(_serial):07d}"
        check = mst_check_digit(first_nine)
        if check is not None:
            return first_nine + check


def square(lon: float, lat: float, size: float) -> Polygon:
    return Polygon(((lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat)), srid=4326)


def png_bytes(size=(40, 30), colour=(200, 120, 40), *, exif_gps: bool = False, fmt: str = "PNG") -> bytes:
    image = Image.new("RGB", size, colour)
    buffer = io.BytesIO()
    options = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (22.0, 49.0, 24.0), 3: "E", 4: (104.0, 58.0, 42.0)}  # GPSInfo
        options["exif"] = exif
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture(autouse=True)
def _sql_and_python_verdicts_agree(caplog):
    """An anonymous scan is judged in SQL when it is recorded (record_query) and again in Python: every
    scan any test makes must get the same verdict from both (a disagreement is corrected and logged)."""
    yield
    disagreements = [
        r.getMessage()
        for phase in ("setup", "call")
        for r in caplog.get_records(phase)
        if r.name == "tracing.stamps.scans" and "in SQL" in r.getMessage()
    ]
    assert not disagreements, disagreements


@pytest.fixture
def commune(db):
    province = AdminUnit.objects.create(
        level="province", code="02", name="Hà Giang", valid_to=datetime.date(2025, 6, 30)
    )
    return AdminUnit.objects.create(level="commune", code="00688", name="Phường Hà Giang 1", parent=province)


@pytest.fixture
def kinds(db):
    return {kind.code: kind for kind in ProductKind.objects.all()}


@pytest.fixture
def orange_region(kinds):
    return GrowingRegion.objects.create(
        name="Vùng cam sành Bắc Quang",
        product_kind=kinds["orange"],
        boundary=MultiPolygon(square(104.80, 22.40, 0.20), srid=4326),
        boundary_source="test",
    )


@pytest.fixture
def tea_region(kinds):
    return GrowingRegion.objects.create(
        name="Vùng chè Shan tuyết",
        product_kind=kinds["tea"],
        boundary=MultiPolygon(square(104.60, 22.60, 0.10), srid=4326),
        boundary_source="test",
    )


def apply_as(user, commune, **overrides):
    data = {
        "kind": "cooperative",
        "name": f"HTX Cam sành {user.username}",
        "tax_number": valid_tax_number(),
        "address": "Tổ 5, phường Hà Giang 1",
        "commune": commune,
        "location": HA_GIANG,
        "representative": "Nguyễn Văn An",
        "phone": "0912 345 678",
        "email": f"{user.username}-coop@example.test",
    }
    data.update(overrides)
    return services.producer_apply(by=user, **data)


def approve(producer, official):
    services.producer_schedule_survey(by=official, producer=producer, scheduled_for=timezone.localdate())
    services.producer_record_survey(
        by=official,
        producer=producer,
        surveyed_on=timezone.localdate(),
        location=HA_GIANG,
        identity_confirmed=True,
        certificates_genuine=True,
        areas_as_declared=True,
        gap_practice_seen=True,
        findings="Vườn cam đúng như khai báo.",
    )
    services.producer_approve(by=official, producer=producer, reason="Đủ điều kiện.")
    producer.refresh_from_db()
    return producer


@pytest.fixture
def producer(owner, commune):
    """The owner's cooperative, just applied."""
    return apply_as(owner, commune)


@pytest.fixture
def approved_producer(producer, official):
    return approve(producer, official)


@pytest.fixture
def other_producer(stranger, commune, official):
    """Another, approved cooperative whose staff is the stranger."""
    return approve(apply_as(stranger, commune, name="HTX Chè Shan tuyết Phìn Hồ"), official)


@pytest.fixture
def product(approved_producer, owner, kinds):
    return services.product_create(
        by=owner,
        producer=approved_producer,
        kind=kinds["orange"],
        name_vi="Cam sành Bắc Quang",
        net_quantity=Decimal(1),
    )


@pytest.fixture
def batch(product, owner):
    return services.batch_create(
        by=owner,
        product=product,
        lot_code="CAM-2025-01",
        harvest_started_on=timezone.localdate() - datetime.timedelta(days=10),
        quantity=Decimal(500),
    )


@pytest.fixture
def mailbox():
    from django.core import mail

    mail.outbox.clear()
    return mail.outbox


@pytest.fixture
def world(approved_producer, owner, other_producer, stranger, product, batch, kinds):
    """The owner's approved cooperative with a certificate, an area, a product with a photo, and a batch."""
    certificate = services.certificate_add(
        by=owner,
        producer=approved_producer,
        scheme="vietgap",
        number="VG-1",
        issuer="TT",
        valid_from=timezone.localdate(),
    )
    area = services.production_area_add(by=owner, producer=approved_producer, name="Vườn 1", location=HA_GIANG)
    photo = services.product_photo_add(by=owner, product=product, image=upload("p.png", png_bytes()))
    colleague = make_user("hoa", roles.CONSUMER)
    services.producer_staff_add(by=owner, producer=approved_producer, user=colleague)
    return {
        "producer": approved_producer,
        "certificate": certificate,
        "area": area,
        "product": product,
        "photo": photo,
        "batch": batch,
        "colleague": colleague,
        "kinds": kinds,
    }


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are asserted in English, the source language; pages still default to Vietnamese
    (LocaleMiddleware picks each request's language itself)."""
    with translation.override("en"):
        yield
