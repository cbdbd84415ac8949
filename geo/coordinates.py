"""Coordinates, written once: (lat, lng) from callers, checked here, and the one swap to GEOS's (lng, lat).

Axis order is converted here and only here: callers speak (lat, lng) like Leaflet and geopy; GEOS,
PostGIS and GeoJSON speak (lng, lat). Also the checks of a nearest query's radius and limit, and the
directions links of a shop.
"""

from __future__ import annotations

import math

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

MIN_RADIUS_M = 1.0
MAX_RADIUS_M = 500_000.0
MAX_LIMIT = 50


def _finite(value, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(_("%(name)s must be a number.") % {"name": name}) from None
    if not math.isfinite(number):
        raise ValueError(_("%(name)s must be a finite number.") % {"name": name})
    return number


def validate_lat_lng(lat, lng) -> tuple[float, float]:
    """(lat, lng) as floats, or ValueError naming the coordinate that is not a number or out of range."""
    lat = _finite(lat, "lat")
    lng = _finite(lng, "lng")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(_("lat must be between -90 and 90."))
    if not -180.0 <= lng <= 180.0:
        raise ValueError(_("lng must be between -180 and 180."))
    return lat, lng


def point(lat: float, lng: float) -> Point:
    """A WGS84 point from (lat, lng): the one place where the axis order is swapped for GEOS."""
    lat, lng = validate_lat_lng(lat, lng)
    return Point(lng, lat, srid=4326)


def validate_bbox(min_lng, min_lat, max_lng, max_lat) -> tuple[float, float, float, float]:
    """A viewport as floats, or ValueError: out of range, or minimum not below maximum."""
    min_lat, min_lng = validate_lat_lng(min_lat, min_lng)
    max_lat, max_lng = validate_lat_lng(max_lat, max_lng)
    if min_lng >= max_lng or min_lat >= max_lat:
        raise ValueError(_("The box must be min_lng,min_lat,max_lng,max_lat with each minimum below its maximum."))
    return min_lng, min_lat, max_lng, max_lat


def validate_radius_m(radius_m) -> float:
    radius = _finite(radius_m, "radius_m")
    if not MIN_RADIUS_M <= radius <= MAX_RADIUS_M:
        raise ValueError(
            _("radius_m must be between %(min)d m and %(max)d m.") % {"min": MIN_RADIUS_M, "max": MAX_RADIUS_M}
        )
    return radius


def validate_limit(limit) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise ValueError(_("limit must be a whole number."))
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(_("limit must be between 1 and %(max)d.") % {"max": MAX_LIMIT})
    return limit


def directions_urls(lat: float, lng: float) -> dict[str, str]:
    """Links that open turn-by-turn directions to the point in OpenStreetMap and Google Maps (no key)."""
    lat, lng = validate_lat_lng(lat, lng)
    # Formatted numbers hold only digits, "-" and "."; "," and ";" are the only characters to escape
    # (as urlencode would: %2C, %3B), written out because this runs for every shop of every answer.
    destination = f"{lat:.6f}%2C{lng:.6f}"
    return {
        "osm": f"https://www.openstreetmap.org/directions?route=%3B{destination}#map=16/{lat:.6f}/{lng:.6f}",
        "google": f"https://www.google.com/maps/dir/?api=1&destination={destination}",
    }
