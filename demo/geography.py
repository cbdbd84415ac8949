"""Where the demo's records lie: communes found by point-in-polygon, production areas drawn around a point.

The loaded map has boundaries for the province and the eleven pre-2025 districts (approximations,
see fixtures/README.md), not for communes. A demo producer's commune is therefore found from its
point: the district polygon that covers the point (PostGIS ST_Covers, through geo.containment), then,
among the 2025 communes that district's communes became, the one the producer names. A point
outside every district, or a commune that district never held, is an error, never a silent
first row.
"""

from __future__ import annotations

import datetime
import math

from django.contrib.gis.geos import Polygon

from geo.containment import units_containing
from geo.models import AdminUnit

#: The last day of the district map (oversight's choropleth uses the same day).
DISTRICT_DAY = datetime.date(2025, 6, 30)


class PlaceError(ValueError):
    """A demo record's point and the commune it names do not agree with the loaded map."""


def district_at(lat: float, lng: float) -> AdminUnit:
    """The pre-2025 district whose (approximate) boundary covers the point."""
    districts = list(units_containing(lat, lng, on=DISTRICT_DAY, level=AdminUnit.Level.DISTRICT))
    if not districts:
        raise PlaceError(f"({lat}, {lng}) lies in no district of the loaded map: load the geography first.")
    return districts[0]


def commune_at(lat: float, lng: float, name: str, *, district_code: str) -> AdminUnit:
    """The 2025 commune `name` that the district covering (lat, lng) became; checks the district's code.

    Raises PlaceError when the point lies in another district than `district_code`, or when the
    named commune did not come from that district.
    """
    district = district_at(lat, lng)
    if district.code != district_code:
        raise PlaceError(
            f"({lat}, {lng}) lies in {district.name} ({district.code}), not in district {district_code}: "
            f"move the point into {name}."
        )
    successors = list(district.successors.filter(level=AdminUnit.Level.COMMUNE, name=name))
    if len(successors) != 1:
        raise PlaceError(f"{name} is not one of the communes that {district.name} became in 2025.")
    return successors[0]


def plot(lat: float, lng: float, width_m: float, height_m: float) -> Polygon:
    """A field of about `width_m` × `height_m` around (lat, lng), drawn as a slightly irregular hexagon."""
    metres_per_degree_lat = 110_574.0
    metres_per_degree_lng = 111_320.0 * math.cos(math.radians(lat))
    dx = width_m / 2 / metres_per_degree_lng
    dy = height_m / 2 / metres_per_degree_lat
    # corners of the rectangle, two of them nudged so the field reads as a real plot on the map
    ring = [
        (lng - dx, lat - dy * 0.9),
        (lng - dx * 0.15, lat - dy * 1.08),
        (lng + dx, lat - dy),
        (lng + dx * 1.04, lat + dy * 0.85),
        (lng + dx * 0.1, lat + dy),
        (lng - dx * 0.96, lat + dy * 1.02),
    ]
    return Polygon([*ring, ring[0]], srid=4326)
