"""Records for marketplace tests, made directly (self-contained: no dependence on tracing's services).

Places are around Việt Quang (Bắc Quang), the heart of the cam sành orange area.
"""

from __future__ import annotations

import datetime
import itertools
import uuid
from decimal import Decimal

from django.contrib.gis.geos import Point

from geo.models import AdminUnit, ProductKind, RetailPoint
from marketplace.models import Listing, SellerProfile
from tests.conftest import join_staff, make_user
from tracing.models import Producer, Product

VIET_QUANG = (22.405, 104.82)  # lat, lng
BANK_BIN = "970436"  # Vietcombank
BANK_ACCOUNT = "0123456789"

_serial = itertools.count(1)


def point(lat: float, lng: float) -> Point:
    return Point(lng, lat, srid=4326)


KIND_NAMES = {"orange": ("Cam", "Orange"), "tea": ("Chè", "Tea"), "honey": ("Mật ong", "Honey")}


def product_kind(code: str) -> ProductKind:
    """The kind (a data migration makes them; transactional tests flush them, so they are made again here)."""
    name_vi, name_en = KIND_NAMES[code]
    kind, _created = ProductKind.objects.get_or_create(code=code, defaults={"name_vi": name_vi, "name_en": name_en})
    return kind


def make_map() -> dict[str, AdminUnit]:
    """The current (2025) province of Tuyên Quang and two of its communes, and one of the old districts."""
    new_day = datetime.date(2025, 7, 1)
    province = AdminUnit.objects.create(level="province", code="08", name="Tuyên Quang", valid_from=new_day)
    viet_quang = AdminUnit.objects.create(
        level="commune", code="02635", name="Xã Việt Quang", parent=province, valid_from=new_day
    )
    vinh_tuy = AdminUnit.objects.create(
        level="commune", code="02638", name="Xã Vĩnh Tuy", parent=province, valid_from=new_day
    )
    old_province = AdminUnit.objects.create(
        level="province", code="02", name="Hà Giang", valid_to=datetime.date(2025, 6, 30)
    )
    old_commune = AdminUnit.objects.create(
        level="commune",
        code="00799",
        name="Thị trấn Việt Quang",
        parent=old_province,
        valid_to=datetime.date(2025, 6, 30),
    )
    return {
        "province": province,
        "viet_quang": viet_quang,
        "vinh_tuy": vinh_tuy,
        "old_province": old_province,
        "old_commune": old_commune,
    }


def make_producer(name: str = "HTX Cam sành Việt Quang", *, commune: AdminUnit, status: str = "approved", **extra):
    number = next(_serial)
    return Producer.objects.create(
        kind=Producer.Kind.COOPERATIVE,
        name=name,
        tax_number=f"5{number:09d}",
        address="Tổ 3, xã Việt Quang",
        commune=commune,
        location=point(*VIET_QUANG),
        representative="Nguyễn Văn An",
        phone="0912345678",
        email=extra.pop("email", f"coop{number}@example.test"),
        status=status,
        **extra,
    )


def make_staff(username: str, producer: Producer):
    return join_staff(make_user(username), producer)


def make_product(producer: Producer, name_vi: str = "Cam sành Bắc Quang", *, kind: str = "orange", **extra) -> Product:
    return Product.objects.create(
        producer=producer,
        kind=product_kind(kind),
        name_vi=name_vi,
        name_en=extra.pop("name_en", ""),
        unit=extra.pop("unit", "kg"),
        net_quantity=Decimal("1"),
        **extra,
    )


def make_shop(name: str, lat: float, lng: float, *, staff=(), kinds=("orange",), verified: bool = True) -> RetailPoint:
    shop = RetailPoint.objects.create(
        name=name,
        address=f"{name}, Bắc Quang",
        location=point(lat, lng),
        phone="0219 3820 123",
        verification_status=RetailPoint.Verification.VERIFIED if verified else RetailPoint.Verification.PENDING,
    )
    shop.product_kinds.set([product_kind(code) for code in kinds])
    for user in staff:
        shop.staff.add(user)
    return shop


def make_listing(product: Product, *, price_vnd: int = 35_000, stock: int = 100, pickup_points=(), **extra) -> Listing:
    listing = Listing.objects.create(
        producer=product.producer, product=product, price_vnd=price_vnd, stock=stock, unit=product.unit, **extra
    )
    listing.pickup_points.set(pickup_points)
    return listing


def make_terms(producer: Producer, *, areas=(), fee: int = 30_000, free_from: int | None = None, bank: bool = True):
    profile = SellerProfile.objects.create(
        producer=producer,
        bank_bin=BANK_BIN if bank else "",
        bank_account=BANK_ACCOUNT if bank else "",
        bank_account_name="HTX Cam sanh Viet Quang" if bank else "",
        delivery_fee_vnd=fee,
        free_delivery_from_vnd=free_from,
    )
    profile.delivery_areas.set(areas)
    return profile


def token() -> str:
    return str(uuid.uuid4())


def pickup_checkout(shop: RetailPoint, producer: Producer, **overrides) -> dict:
    """An API checkout body for pickup at `shop`, paid in cash."""
    body = {
        "checkout_token": token(),
        "contact_name": "Trần Thị Bình",
        "phone": "0987 654 321",
        "email": "binh@example.test",
        "delivery_method": "pickup",
        "pickup_points": {str(producer.pk): shop.pk},
        "payment_method": "cod",
    }
    body.update(overrides)
    return body


def home_checkout(commune: AdminUnit, **overrides) -> dict:
    body = {
        "checkout_token": token(),
        "contact_name": "Trần Thị Bình",
        "phone": "0987 654 321",
        "email": "binh@example.test",
        "delivery_method": "home",
        "commune": commune.pk,
        "address": "Số 12, thôn Tân Thành",
        "lat": 22.41,
        "lng": 104.83,
        "payment_method": "transfer",
    }
    body.update(overrides)
    return body
