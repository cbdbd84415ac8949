"""OpenAPI descriptions of tracing's own field types (registered with drf-spectacular on import)."""

from __future__ import annotations

import re

from drf_spectacular.contrib.rest_framework_gis import (
    build_geo_container_schema,
    build_point_schema,
    build_polygon_schema,
)
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_array_type
from rest_framework import serializers


class ChoiceStringField(serializers.ChoiceField):
    """A choice field documented as a string with a pattern listing its values.

    drf-spectacular turns every `enum` into a component named after the property, so two apps'
    fields called "status" or "kind" with different choices collide; a pattern documents (and
    lets clients validate) the same values without that global naming.
    """


class ChoiceStringFieldExtension(OpenApiSerializerFieldExtension):
    target_class = ChoiceStringField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        choices = self.target.choices
        values = [str(value) for value in choices if value != ""]
        described = "; ".join(f"`{value}`: {label}" for value, label in choices.items() if value != "")
        schema = {"type": "string", "pattern": "^(" + "|".join(re.escape(v) for v in values) + ")$"}
        if self.target.allow_blank:
            schema["pattern"] = "^(" + "|".join(re.escape(v) for v in values) + ")?$"
        schema["description"] = described
        return schema


class GeoJSONGeometryFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "tracing.api.common.GeoJSONGeometryField"
    match_subclasses = True
    priority = 1  # before drf-spectacular's own rest_framework_gis extension

    def map_serializer_field(self, auto_schema, direction):
        schemas = []
        for geometry_type in self.target.geometry_types:
            if geometry_type == "Point":
                schemas.append(build_geo_container_schema("Point", build_point_schema()))
            elif geometry_type == "Polygon":
                schemas.append(build_geo_container_schema("Polygon", build_polygon_schema()))
            else:
                schemas.append(build_geo_container_schema("MultiPolygon", build_array_type(build_polygon_schema())))
        schema = schemas[0] if len(schemas) == 1 else {"oneOf": schemas}
        schema["description"] = "GeoJSON geometry, longitude/latitude (WGS 84)."
        return schema


def disclosure_optional_fields(result, generator, request, public):
    """drf-spectacular hook: what only the producer's staff and officials read is optional in the schema.

    The producer, area and certificate serializers reduce their output to tracing.disclosure's public
    fields for anyone else (tracing/api/producer_serializers.py, holdings.py), so a field outside that list may be
    absent from an answer: the schema must not call it required (schemathesis checks answers against it).
    """
    from tracing import disclosure
    from tracing.api.producer_serializers import PUBLIC_KEYS

    public_fields = {
        "Producer": set(PUBLIC_KEYS),
        "ProductionArea": set(disclosure.AREA_FIELDS),
        "Certificate": set(disclosure.CERTIFICATE_FIELDS),
    }
    schemas = result.get("components", {}).get("schemas", {})
    for name, fields in public_fields.items():
        component = schemas.get(name)
        if not component or "required" not in component:
            continue
        private = [field for field in component["required"] if field not in fields]
        component["required"] = [field for field in component["required"] if field in fields]
        if private:
            note = "Only for the producer's staff and officials: " + ", ".join(f"`{f}`" for f in private) + "."
            component["description"] = (component.get("description", "") + "\n\n" + note).strip()
    return result
