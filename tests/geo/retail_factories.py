"""Small builders for the geo API and query tests: retail points, opening hours, the 2025 map."""

import datetime

from django.contrib.gis.geos import MultiPolygon, Polygon

from geo import coordinates
from geo.models import AdminUnit, OpeningPeriod, ProductKind, RetailPoint

VERIFIED = RetailPoint.Verification.VERIFIED
PENDING = RetailPoint.Verification.PENDING
SUSPENDED = RetailPoint.Verification.SUSPENDED

# Around Việt Quang (Bắc Quang): a point that every test of the 2025 reorganisation uses.
VIET_QUANG = (22.405, 104.82)


def make_point(
    name: str,
    lat: float,
    lng: float,
    *,
    kinds=("orange",),
    status=VERIFIED,
    active=True,
    staff=(),
    hours=None,
    **extra,
) -> RetailPoint:
    """A retail point; `hours` is a list of (weekday, "07:00", "17:30") or "always" (every day 00:00–23:59)."""
    point = RetailPoint.objects.create(
        name=name,
        address=extra.pop("address", f"{name}, Hà Giang"),
        location=coordinates.point(lat, lng),
        verification_status=status,
        is_active=active,
        **extra,
    )
    point.product_kinds.set(ProductKind.objects.filter(code__in=kinds))
    for user in staff:
        point.staff.add(user)
    if hours == "always":
        hours = [(day, "00:00", "23:59") for day in range(7)]
    for weekday, opens, closes in hours or []:
        OpeningPeriod.objects.create(
            retail_point=point,
            weekday=weekday,
            opens=datetime.time.fromisoformat(opens),
            closes=datetime.time.fromisoformat(closes),
        )
    return point


def box(min_lng, min_lat, max_lng, max_lat) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((min_lng, min_lat, max_lng, max_lat)), srid=4326)


def make_reorganised_map() -> dict[str, AdminUnit]:
    """The old and the new map around Bắc Quang, with simplified (rectangular) boundaries.

    Until 30 June 2025: Tỉnh Hà Giang ⊃ Huyện Bắc Quang. From 1 July 2025: Tỉnh Tuyên Quang ⊃ Xã Bắc Quang.
    """
    end_old = datetime.date(2025, 6, 30)
    start_new = datetime.date(2025, 7, 1)
    ha_giang = AdminUnit.objects.create(
        level="province", code="02", kind="Tỉnh", name="Tỉnh Hà Giang", boundary=box(104.3, 22.1, 105.6, 23.4),
        valid_from=datetime.date(1991, 10, 1), valid_to=end_old,
    )  # fmt: skip
    bac_quang_district = AdminUnit.objects.create(
        level="district", code="034", kind="Huyện", name="Huyện Bắc Quang", parent=ha_giang,
        boundary=box(104.6, 22.2, 105.1, 22.6), valid_from=datetime.date(1991, 10, 1), valid_to=end_old,
    )  # fmt: skip
    tuyen_quang = AdminUnit.objects.create(
        level="province", code="08", kind="Tỉnh", name="Tỉnh Tuyên Quang", boundary=box(104.3, 21.4, 105.8, 23.4),
        valid_from=start_new,
    )  # fmt: skip
    bac_quang_commune = AdminUnit.objects.create(
        level="commune", code="01153", kind="Xã", name="Xã Bắc Quang", parent=tuyen_quang,
        boundary=box(104.75, 22.35, 104.9, 22.45), valid_from=start_new,
    )  # fmt: skip
    bac_quang_district.successors.add(bac_quang_commune)
    return {
        "ha_giang": ha_giang,
        "bac_quang_district": bac_quang_district,
        "tuyen_quang": tuyen_quang,
        "bac_quang_commune": bac_quang_commune,
    }
