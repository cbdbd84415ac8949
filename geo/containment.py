"""Which retail points lie where: in a map viewport, an administrative unit, a growing region; and the
units and regions that cover a point. No visibility filter here: callers decide (e.g. `.public()`).
"""

from __future__ import annotations

import datetime

from django.db.models import Case, F, IntegerField, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from geo.coordinates import point, validate_bbox
from geo.expressions import CoversPoint, bbox_filter
from geo.models import AdminUnit, GrowingRegion, RetailPoint


def retail_points_in_bbox(min_lng, min_lat, max_lng, max_lat, *, queryset: QuerySet | None = None) -> QuerySet:
    """Retail points inside a longitude/latitude rectangle (a map viewport), edges included.

    No visibility filter: the caller decides (e.g. `.public()`). Raises ValueError for a bad box.
    """
    box = validate_bbox(min_lng, min_lat, max_lng, max_lat)
    qs = queryset if queryset is not None else RetailPoint.objects.all()
    return bbox_filter(qs, box)


def inside_boundary(model, instance, queryset: QuerySet | None) -> QuerySet:
    qs = queryset if queryset is not None else RetailPoint.objects.all()
    if instance.boundary is None:
        return qs.none()
    min_lng, min_lat, max_lng, max_lat = instance.boundary.extent
    boundary = Subquery(model.objects.filter(pk=instance.pk).values("boundary")[:1])
    return bbox_filter(qs, (min_lng, min_lat, max_lng, max_lat)).filter(CoversPoint(boundary, F("location")))


def retail_points_in_unit(unit: AdminUnit, *, queryset: QuerySet | None = None) -> QuerySet:
    """Retail points inside an administrative unit's boundary (planar test, as the boundary data is).

    A unit known only by its centre has no inside: then the points whose commune is the unit or lies
    under it are returned.
    """
    if unit.boundary is None:
        qs = queryset if queryset is not None else RetailPoint.objects.all()
        return qs.filter(Q(commune=unit) | Q(commune__parent=unit) | Q(commune__parent__parent=unit))
    return inside_boundary(AdminUnit, unit, queryset)


def retail_points_in_region(region: GrowingRegion, *, queryset: QuerySet | None = None) -> QuerySet:
    """Retail points inside a growing region's boundary."""
    return inside_boundary(GrowingRegion, region, queryset)


_LEVEL_ORDER = Case(
    When(level=AdminUnit.Level.PROVINCE, then=Value(0)),
    When(level=AdminUnit.Level.DISTRICT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def units_containing(lat: float, lng: float, *, on: datetime.date | None = None, level: str | None = None) -> QuerySet:
    """The administrative units whose boundary covers the point on a day (today by default), province first.

    On a 2024 day a point in Bắc Quang gives Hà Giang province and Bắc Quang district; on a 2026 day
    the merged Tuyên Quang province and its commune.
    """
    where = point(lat, lng)
    qs = AdminUnit.objects.valid_on(on or timezone.localdate()).filter(boundary__covers=where)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by(_LEVEL_ORDER, "name")


def regions_containing(lat: float, lng: float) -> QuerySet:
    """The growing regions whose boundary covers the point."""
    return GrowingRegion.objects.filter(boundary__covers=point(lat, lng)).select_related("product_kind")
