"""Geometry of stamp scans: coarse places, geodesic distances, distance to where a batch was sold.

Used by tracing's clone detection (tracing/stamps/clone_rules.py, tracing/stamps/scans.py). Every spatial
expression of that feature is here; callers speak (lat, lng) and kilometres.

Privacy: a shared browser location is kept only rounded (:data:`STORED_DECIMALS`), and what the public
sees of a scan is the name of its commune and province (:func:`place_of`), never the point.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db import connection
from geopy.distance import geodesic

from geo.containment import units_containing
from geo.coordinates import point as make_point
from geo.models import AdminUnit

#: A shared location is stored rounded to 3 decimals of a degree (~110 m): enough to tell towns apart.
STORED_DECIMALS = 3


@dataclass(frozen=True, slots=True)
class Place:
    province: AdminUnit | None
    name: str  # "Phường Hà Giang 1, Hà Giang" — the coarse name shown to the public


def lat_lng(location: Point) -> tuple[float, float]:
    """(lat, lng) of a stored WGS84 point (GEOS is x = longitude, y = latitude)."""
    return location.y, location.x


def rounded_point(lat: float, lng: float) -> Point:
    """A WGS84 point for storage, rounded so that no exact position of a consumer is kept."""
    return make_point(round(float(lat), STORED_DECIMALS), round(float(lng), STORED_DECIMALS))


def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance in km between two (lat, lng) pairs on the WGS84 ellipsoid (Karney's algorithm)."""
    return geodesic(a, b).km


def place_of(lat: float, lng: float, *, on: datetime.date | None = None) -> Place:
    """The province and a coarse name (commune or district, then province) of a point; empty outside our units."""
    units = list(units_containing(lat, lng, on=on))
    province = next((u for u in units if u.level == AdminUnit.Level.PROVINCE), None)
    local = next((u for u in units if u.level == AdminUnit.Level.COMMUNE), None) or next(
        (u for u in units if u.level == AdminUnit.Level.DISTRICT), None
    )
    name = ", ".join(u.name for u in (local, province) if u is not None)
    return Place(province=province, name=name[:200])


def nearest_distance_km(lat: float, lng: float, *, retail_point_ids: Iterable[int] = (), points=()) -> float | None:
    """Geodesic km from a point to the nearest of some retail points and other (lat, lng) points; None if none.

    PostGIS measures the retail points (geography, ST_Distance on the spheroid) in one query.
    """
    origin = make_point(lat, lng)
    best: float | None = None
    ids = [int(i) for i in retail_point_ids]
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT MIN(ST_Distance(location, ST_GeogFromText(%s))) FROM geo_retailpoint WHERE id = ANY(%s)",
                [origin.ewkt, ids],
            )
            row = cursor.fetchone()
        if row and row[0] is not None:
            best = row[0] / 1000.0
    for other in points:
        distance = geodesic_km((lat, lng), other)
        best = distance if best is None else min(best, distance)
    return best
