"""Spatial questions other apps ask about a geometry, answered by PostGIS.

Every function takes a GEOS geometry in EPSG:4326 (lon, lat) and runs one query; nothing here is
computed in Python, so the numbers agree with the generated columns (e.g. GrowingRegion.area_ha).
"""

from __future__ import annotations

from django.contrib.gis.db.models.functions import Intersection
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.db import connection

from geo.models import GeographyAreaHectares, GrowingRegion

# A generous outline of Viet Nam (mainland with a margin of roughly 20-40 km, the coastal islands,
# Hoàng Sa and Trường Sa), in lon/lat. It answers "is this obviously somewhere else?" — a typo that
# swapped latitude and longitude, a point in Laos or in the ocean — not a border dispute: a few
# border villages of the neighbours fall inside it on purpose rather than any Vietnamese farm outside.
VIETNAM_OUTLINE = Polygon(
    (
        (101.9, 22.3),
        (102.1, 22.75),
        (103.0, 22.95),
        (103.9, 22.95),
        (104.8, 23.25),
        (105.3, 23.6),
        (106.0, 23.25),
        (106.9, 23.05),
        (107.4, 22.55),
        (108.3, 21.75),
        (109.0, 21.2),
        (112.8, 17.5),
        (118.0, 12.0),
        (118.0, 6.0),
        (104.0, 7.7),
        (102.9, 9.2),
        (103.5, 10.6),
        (104.6, 10.9),
        (105.6, 11.4),
        (106.0, 12.0),
        (107.2, 12.6),
        (107.9, 13.8),
        (107.9, 14.9),
        (107.3, 15.6),
        (106.9, 16.4),
        (106.0, 17.2),
        (105.0, 18.2),
        (103.8, 19.2),
        (104.7, 19.9),
        (104.2, 20.3),
        (103.4, 20.6),
        (102.9, 21.0),
        (102.6, 21.5),
        (101.9, 21.8),
        (101.9, 22.3),
    ),
    srid=4326,
)


def _as_4326(geometry: GEOSGeometry) -> GEOSGeometry:
    if geometry.srid is None:
        geometry = geometry.clone()
        geometry.srid = 4326
    elif geometry.srid != 4326:
        geometry = geometry.transform(4326, clone=True)
    return geometry


def area_hectares(geometry: GEOSGeometry) -> float:
    """Area on the WGS 84 spheroid in hectares (0 for points and lines), as ST_Area(geography)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Area(ST_GeomFromEWKB(%s)::geography) / 10000.0",
            [bytes(_as_4326(geometry).ewkb)],
        )
        return float(cursor.fetchone()[0])


def is_within_vietnam(geometry: GEOSGeometry) -> bool:
    """True when the whole geometry lies inside the generous outline of Viet Nam."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Within(ST_GeomFromEWKB(%s), ST_GeomFromEWKB(%s))",
            [bytes(_as_4326(geometry).ewkb), bytes(VIETNAM_OUTLINE.ewkb)],
        )
        return bool(cursor.fetchone()[0])


def overlap_with_regions(geometry: GEOSGeometry) -> list[tuple[GrowingRegion, float]]:
    """The growing regions a geometry touches, with the share of it inside each (0-1], largest first.

    A point inside a region has share 1. A polygon's share is the area of its intersection with the
    region over its own area, both on the spheroid; regions it merely touches along an edge are left
    out. The GiST index on the region boundaries narrows the candidates (ST_Intersects).
    """
    geometry = _as_4326(geometry)
    candidates = GrowingRegion.objects.filter(boundary__intersects=geometry).select_related("product_kind")
    if geometry.geom_type in ("Point", "MultiPoint", "LineString", "MultiLineString"):
        return [(region, 1.0) for region in candidates.order_by("name")]
    own_area = area_hectares(geometry)
    if own_area <= 0:
        return []
    regions = candidates.annotate(shared_ha=GeographyAreaHectares(Intersection("boundary", geometry)))
    result = [(region, min(region.shared_ha / own_area, 1.0)) for region in regions if region.shared_ha > 0]
    result.sort(key=lambda pair: (-pair[1], pair[0].name))
    return result
