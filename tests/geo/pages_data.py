"""A few real places and shops around Bắc Quang and in Hà Nội, for the page and browser tests."""

import datetime

from django.contrib.gis.geos import Point
from django.utils import timezone

from geo.models import OpeningException, OpeningPeriod, Place, ProductKind, RetailPoint

# (name, lat, lng): GeoNames coordinates from ../shared/data/places_ha_giang.csv, and Hà Nội's centre.
PLACES = [
    ("Bắc Quang", 22.48333, 104.86667),
    ("Thị Trấn Việt Quang", 22.41509, 104.80682),
    ("Thị Trấn Vĩnh Tuy", 22.27441, 104.89091),
    ("Hà Giang", 22.82333, 104.98357),
    ("Hà Nội", 21.02850, 105.85420),
]


# As migration geo/0002 creates them; browser tests (transaction=True) flush that data between tests.
PRODUCT_KINDS = [
    ("tea", "Chè Shan tuyết", "Shan tuyết tea", "#2e7d32"),
    ("orange", "Cam sành", "Cam sành orange", "#ef6c00"),
    ("honey", "Mật ong bạc hà", "Mint honey", "#c49000"),
]


def ensure_product_kinds() -> None:
    for code, name_vi, name_en, colour in PRODUCT_KINDS:
        ProductKind.objects.get_or_create(
            code=code, defaults={"name_vi": name_vi, "name_en": name_en, "colour": colour}
        )


def make_places() -> dict[str, Place]:
    return {
        name: Place.objects.create(
            name=name, kind="town", location=Point(lng, lat, srid=4326), source="GeoNames (test)"
        )
        for name, lat, lng in PLACES
    }


def open_all_week(shop: RetailPoint) -> None:
    for weekday in range(7):
        OpeningPeriod.objects.create(
            retail_point=shop, weekday=weekday, opens=datetime.time(0, 0), closes=datetime.time(23, 59, 59)
        )


def closed_today_and_tomorrow(shop: RetailPoint) -> None:
    """Weekly hours that would be open, but exceptions close the shop (a holiday) around now."""
    open_all_week(shop)
    today = timezone.localdate()
    for day in (today - datetime.timedelta(days=1), today, today + datetime.timedelta(days=1)):
        OpeningException.objects.create(retail_point=shop, date=day, closed=True, note="Tết")


def make_shop(name, lat, lng, kinds=("orange",), *, status="verified", kind="shop", **fields) -> RetailPoint:
    shop = RetailPoint.objects.create(
        name=name,
        kind=kind,
        address=fields.pop("address", f"{name}, Hà Giang"),
        location=Point(lng, lat, srid=4326),
        verification_status=status,
        **fields,
    )
    shop.product_kinds.set(ProductKind.objects.filter(code__in=kinds))
    return shop


def make_bac_quang_shops() -> dict[str, RetailPoint]:
    """Three public shops at increasing distance from Bắc Quang, a pending one, and one in Hà Nội."""
    ensure_product_kinds()
    shops = {
        "viet_quang": make_shop(
            "Cam sành Việt Quang",
            22.41509,
            104.80682,
            ("orange",),
            phone="0219 3820 123",
            zalo="0912 345 678",
            address="Tổ 5, thị trấn Việt Quang, Bắc Quang",
        ),
        "vinh_tuy": make_shop(
            "Sạp chợ Vĩnh Tuy", 22.27441, 104.89091, ("orange", "tea"), kind="market_stall", phone="0912000111"
        ),
        "ha_giang": make_shop("Đặc sản Hà Giang", 22.82333, 104.98357, ("tea", "honey"), kind="coop_store"),
        "pending": make_shop("Cửa hàng chưa xác minh", 22.4835, 104.8668, ("orange",), status="pending"),
        "ha_noi": make_shop("Mật ong Hà Giang tại Hà Nội", 21.0285, 105.8542, ("honey",), kind="supermarket"),
    }
    open_all_week(shops["viet_quang"])
    closed_today_and_tomorrow(shops["vinh_tuy"])
    return shops
