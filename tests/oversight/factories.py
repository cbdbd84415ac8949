"""Records for oversight tests: a small map with two districts, producers, stamps through tracing's services.

Producers are made directly (fast); stamps, activations, scans and reports go through the services,
as the application makes them.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils import timezone

from backend import roles
from geo.models import AdminUnit, ProductKind, RetailPoint
from tests.conftest import join_staff, make_user
from tracing import services
from tracing.models import Batch, Certificate, Producer, ProductionArea, Stamp
from tracing.stamps.selection import Selection

OLD = datetime.date(2025, 6, 30)
NEW = datetime.date(2025, 7, 1)
_serial = itertools.count(1)

KINDS = {
    "orange": ("Cam sành", "Cam sành orange", "#ef6c00"),
    "tea": ("Chè Shan tuyết", "Shan tuyết tea", "#2e7d32"),
    "honey": ("Mật ong bạc hà", "Mint honey", "#c49000"),
}


def kind(code: str) -> ProductKind:
    name_vi, name_en, colour = KINDS[code]
    found, _created = ProductKind.objects.get_or_create(
        code=code, defaults={"name_vi": name_vi, "name_en": name_en, "colour": colour}
    )
    return found


def square(lon: float, lat: float, size: float) -> Polygon:
    return Polygon(((lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat)), srid=4326)


def point(lat: float, lng: float) -> Point:
    return Point(lng, lat, srid=4326)


def make_map() -> dict:
    """Two old districts with square boundaries (Bắc Quang south, Vị Xuyên north), a commune in each,
    and a 2025 commune known only by its centre that succeeded the Bắc Quang commune."""
    province = AdminUnit.objects.create(level="province", code="02", name="Hà Giang", valid_to=OLD)
    bac_quang = AdminUnit.objects.create(
        level="district",
        code="034",
        name="Bắc Quang",
        parent=province,
        valid_to=OLD,
        boundary=MultiPolygon(square(104.70, 22.30, 0.30), srid=4326),
    )
    vi_xuyen = AdminUnit.objects.create(
        level="district",
        code="030",
        name="Vị Xuyên",
        parent=province,
        valid_to=OLD,
        boundary=MultiPolygon(square(104.70, 22.60, 0.30), srid=4326),
    )
    viet_quang_old = AdminUnit.objects.create(
        level="commune", code="00799", name="Thị trấn Việt Quang", parent=bac_quang, valid_to=OLD
    )
    vi_xuyen_commune = AdminUnit.objects.create(
        level="commune", code="00700", name="Thị trấn Vị Xuyên", parent=vi_xuyen, valid_to=OLD
    )
    new_province = AdminUnit.objects.create(level="province", code="08", name="Tuyên Quang", valid_from=NEW)
    viet_quang_new = AdminUnit.objects.create(
        level="commune",
        code="02635",
        name="Xã Việt Quang",
        parent=new_province,
        valid_from=NEW,
        centre=point(22.41, 104.82),
    )
    viet_quang_old.successors.add(viet_quang_new)
    return {
        "bac_quang": bac_quang,
        "vi_xuyen": vi_xuyen,
        "viet_quang_old": viet_quang_old,
        "vi_xuyen_commune": vi_xuyen_commune,
        "viet_quang_new": viet_quang_new,
    }


def make_producer(
    name: str,
    *,
    commune: AdminUnit,
    lat: float,
    lng: float,
    status: str = "approved",
    kind_of: str = Producer.Kind.COOPERATIVE,
    **extra,
) -> Producer:
    number = next(_serial)
    return Producer.objects.create(
        kind=kind_of,
        name=name,
        tax_number=extra.pop("tax_number", f"7{number:09d}"),
        address=extra.pop("address", "Tổ 3, thị trấn Việt Quang"),
        commune=commune,
        location=point(lat, lng),
        representative="Nguyễn Văn An",
        phone="0912345678",
        email=f"coop{number}@example.test",
        status=status,
        **extra,
    )


def make_staff(username: str, producer: Producer):
    return join_staff(make_user(username), producer)


def make_official(username: str = "inspector"):
    """Another official than the `official` persona (tests/conftest.py)."""
    return make_user(username, roles.OFFICIAL, is_staff=True)


def make_product(staff, producer, code: str = "orange", *, net_kg: str = "1", name: str = "Cam sành Bắc Quang"):
    return services.product_create(
        by=staff, producer=producer, kind=kind(code), name_vi=name, net_quantity=Decimal(net_kg)
    )


def make_batch(staff, product, lot: str = "CAM-01", quantity: str = "100", **extra) -> Batch:
    return services.batch_create(
        by=staff,
        product=product,
        lot_code=lot,
        harvest_started_on=extra.pop("harvest", timezone.localdate() - datetime.timedelta(days=30)),
        quantity=Decimal(quantity),
        **extra,
    )


def issue_and_activate(official, staff, batch: Batch, count: int, *, issue: int | None = None) -> list[Stamp]:
    run = services.stamps_issue(by=official, producer=batch.producer, quantity=issue or count)
    stamps = list(Stamp.objects.filter(run=run).order_by("number"))
    if count:
        services.stamps_activate(
            by=staff, batch=batch, selection=Selection(first=stamps[0].serial, last=stamps[count - 1].serial)
        )
    return list(Stamp.objects.filter(run=run).order_by("number"))


def make_area(staff, producer, *, name: str, hectare_square_at=None, location=None, capacities=()) -> ProductionArea:
    """A production area: a square polygon (side in degrees from `hectare_square_at`=(lon, lat, side)) or a point."""
    boundary = square(*hectare_square_at) if hectare_square_at else None
    return services.production_area_add(
        by=staff, producer=producer, name=name, boundary=boundary, location=location, capacities=capacities
    )


def make_certificate(staff, producer, *, scheme="vietgap", number="VG-1", valid_from=None, valid_to=None, products=()):
    certificate = services.certificate_add(
        by=staff,
        producer=producer,
        scheme=scheme,
        number=number,
        issuer="Chi cục Trồng trọt",
        valid_from=valid_from or timezone.localdate() - datetime.timedelta(days=100),
        valid_to=valid_to,
    )
    for product in products:
        product.certificates.add(certificate)
    return certificate


def make_shop(name: str, lat: float, lng: float, *, verified: bool = True) -> RetailPoint:
    return RetailPoint.objects.create(
        name=name,
        address=f"{name}, Bắc Quang",
        location=point(lat, lng),
        verification_status=RetailPoint.Verification.VERIFIED if verified else RetailPoint.Verification.PENDING,
    )


def expire(certificate: Certificate, on: datetime.date) -> None:
    """What a later correction of the certificate's dates looks like in the data (no service checks it)."""
    Certificate.objects.filter(pk=certificate.pk).update(valid_from=min(certificate.valid_from, on), valid_to=on)
