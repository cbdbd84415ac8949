"""Helpers shared by the tracing pages: the user's own producer, map data, history rows."""

from __future__ import annotations

import json

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from backend.formatting import decimal_text
from geo.geojson import regions_geojson
from geo.models import GrowingRegion
from tracing import access, disclosure
from tracing.models import Producer

# Each map of these pages is drawn by static/tracing/producer/maps.js from one JSON object:
# {"layers": [{"style": "<area|region|producer|journey|event>", "geojson": FeatureCollection}], "route": bool}.


def own_producer(request) -> Producer:
    """The organisation the signed-in user works for; 404 for someone who belongs to none."""
    producer_id = access.member_producer_id(request.user)
    if producer_id is None:
        raise Http404(_("You do not belong to a producer organisation."))
    return get_object_or_404(Producer.objects.select_related("commune"), pk=producer_id)


def feature(geometry, **properties) -> dict:
    """A GeoJSON Feature from a GEOS geometry (GEOS and GeoJSON both speak lon, lat)."""
    return {"type": "Feature", "geometry": json.loads(geometry.json), "properties": properties}


def collection(features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def area_features(areas, *, public_for: Producer | None = None) -> list[dict]:
    """Each production area as its polygon, or its point when it has none, with its name and size.

    On a public page (`public_for` = the areas' producer) what may be shown of it (tracing.disclosure):
    a household business's fields appear only as a rounded point.
    """
    features = []
    for area in areas:
        if public_for is not None:
            geometry = disclosure.public_area_geometry(area, public_for)
        else:
            geometry = area.boundary if area.boundary is not None else area.location
        if geometry is None:
            continue
        label = area.name
        if area.area_ha:
            label = _("%(name)s · %(hectares)s ha") % {
                "name": area.name,
                "hectares": decimal_text(area.area_ha, places=2),
            }
        features.append(feature(geometry, name=label, warning=bool(getattr(area, "warnings", None))))
    return features


def producer_feature(producer: Producer, *, public: bool = True) -> dict:
    """The producer as a point: where it may be shown publicly (rounded for a household business), or its
    recorded position for its own staff and officials (`public=False`)."""
    return feature(disclosure.public_location(producer) if public else producer.location, name=producer.name)


def regions_collection(region_ids) -> dict:
    """Growing regions as GeoJSON, built by geo's query (polygons from PostGIS, ~1 m precision)."""
    ids = sorted(set(region_ids))
    if not ids:
        return collection([])
    data = json.loads(regions_geojson(GrowingRegion.objects.filter(pk__in=ids)))
    for item in data["features"]:
        properties = item["properties"]
        properties["name"] = localised_region_name(properties)
    return data


def localised_region_name(properties: dict) -> str:
    if (get_language() or "vi").startswith("en") and properties.get("name_en"):
        return properties["name_en"]
    return properties.get("name", "")


def map_config(*layers: tuple[str, dict], route: bool = False) -> dict:
    return {
        "layers": [{"style": style, "geojson": data} for style, data in layers if data["features"]],
        "route": route,
    }


def with_validity(certificates) -> list:
    """The certificates as a list, each with `valid_now` (in force today): expired ones are shown as expired."""
    today = timezone.localdate()
    certificates = list(certificates)
    for certificate in certificates:
        certificate.valid_now = certificate.is_valid_on(today)
    return certificates
