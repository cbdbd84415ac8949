"""Shared API pieces: GeoJSON input, calling a service, the 409 for a refused workflow step."""

from __future__ import annotations

import json
import math

from django.contrib.gis.geos import GEOSException, LinearRing, MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers
from rest_framework_gis.fields import GeometryField

from backend import parsers
from backend.dates import ApiDateField, ApiDateTimeField
from backend.storage import StorageUnavailable
from tracing.api.schema import ChoiceStringField
from tracing.services import TransitionNotAllowed

MAX_VERTICES = 5000


class Conflict(exceptions.APIException):
    status_code = 409
    default_code = "invalid_transition"
    default_detail = gettext_lazy("This step is not allowed in the current status.")


def call_service(function, **kwargs):
    """Run a service; its ValidationError becomes a 400 naming the fields, a refused workflow step a 409.

    A storage failure (disk full or read-only) stays itself: backend.api_errors answers 507 or 503.
    """
    try:
        return function(**kwargs)
    except StorageUnavailable:
        raise
    except TransitionNotAllowed as exc:
        raise Conflict(exc.messages[0]) from exc
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        raise serializers.ValidationError(detail) from exc


def _position(value) -> tuple[float, float]:
    if not isinstance(value, (list, tuple)) or len(value) not in (2, 3):
        raise ValueError
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError
    return lon, lat


def _ring(value) -> LinearRing:
    positions = [_position(p) for p in value]
    if len(positions) < 4 or positions[0] != positions[-1]:
        raise ValueError
    return LinearRing(positions)


def _polygon(value) -> Polygon:
    if not isinstance(value, list) or not value:
        raise ValueError
    return Polygon(*[_ring(ring) for ring in value])


class GeoJSONGeometryField(GeometryField):
    """A GeoJSON geometry in EPSG:4326 (lon, lat) of the allowed types; built from numbers, never parsed by GDAL.

    A "crs" member is refused: coordinates are WGS 84 longitude/latitude, as RFC 7946 says. A JSON
    string is accepted too (multipart forms).
    """

    def __init__(self, *, geometry_types: tuple[str, ...], **kwargs):
        self.geometry_types = geometry_types
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                value = parsers.loads(value)
            except ValueError:
                raise serializers.ValidationError(_("Send a GeoJSON geometry.")) from None
        if not isinstance(value, dict) or "crs" in value or value.get("type") not in self.geometry_types:
            raise serializers.ValidationError(
                _("Send a GeoJSON geometry of type %(types)s, in longitude/latitude (WGS 84).")
                % {"types": " or ".join(self.geometry_types)}
            )
        coordinates = value.get("coordinates")
        if len(json.dumps(coordinates)) > MAX_VERTICES * 50:
            raise serializers.ValidationError(_("This shape has too many points."))
        try:
            if value["type"] == "Point":
                geometry = Point(*_position(coordinates))
            elif value["type"] == "Polygon":
                geometry = _polygon(coordinates)
            else:
                if not isinstance(coordinates, list) or not coordinates:
                    raise ValueError
                geometry = MultiPolygon(*[_polygon(polygon) for polygon in coordinates])
        except (ValueError, TypeError, GEOSException):
            raise serializers.ValidationError(
                _("The coordinates are not a valid %(type)s in longitude/latitude.") % {"type": value["type"]}
            ) from None
        if geometry.num_coords > MAX_VERTICES:
            raise serializers.ValidationError(_("This shape has too many points."))
        geometry.srid = 4326
        return geometry


def point_field(**kwargs) -> GeoJSONGeometryField:
    return GeoJSONGeometryField(geometry_types=("Point",), **kwargs)


class PhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    image = serializers.ImageField(read_only=True)
    thumbnail = serializers.ImageField(read_only=True)
    width = serializers.IntegerField(read_only=True, allow_null=True)
    height = serializers.IntegerField(read_only=True, allow_null=True)


class TracingModelSerializer(serializers.ModelSerializer):
    """Model serializers of tracing: choice fields documented without global enum components (see schema.py),
    dates within backend.dates' bounds."""

    serializer_choice_field = ChoiceStringField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: ApiDateField,
        models.DateTimeField: ApiDateTimeField,
    }


class DecisionReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000, required=False, default="")
