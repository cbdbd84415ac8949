"""GeoJSON built by PostgreSQL: json_agg over ST_AsGeoJSON, one statement per collection or page.

Coordinates have GEOJSON_DECIMALS decimals (~1 m). Property names come from whitelists (they are
interpolated into SQL); values stay query parameters.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, Case, F, OuterRef, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Coalesce

from geo.expressions import AsGeoJSON
from geo.models import AdminUnit, GrowingRegion, RetailPoint


def _product_kind_codes():
    through = RetailPoint.product_kinds.through
    return ArraySubquery(
        through.objects.filter(retailpoint_id=OuterRef("pk")).order_by("productkind__code").values("productkind__code")
    )


# property name → expression on RetailPoint (a whitelist: names are interpolated into SQL)
GEOJSON_PROPERTIES = {
    "name": lambda: F("name"),
    "kind": lambda: F("kind"),
    "verified": lambda: Q(verification_status=RetailPoint.Verification.VERIFIED),
    "verification_status": lambda: F("verification_status"),
    "is_active": lambda: F("is_active"),
    "product_kinds": _product_kind_codes,
    "address": lambda: F("address"),
    "phone": lambda: F("phone"),
    "zalo": lambda: F("zalo"),
}
MARKER_FIELDS = ("name", "kind", "verified", "product_kinds")


def feature_page_sql(queryset: QuerySet, geometry, properties: dict, limit: int | None) -> tuple[str, tuple]:
    """SQL (and params) answering one row: (JSON array of features, whether more than `limit` rows came).

    `properties` maps a property name (from our own whitelists: names are interpolated) to an
    expression on the queryset's model; a Q becomes a boolean.
    """
    annotations = {"gj_id": F("pk"), "gj_geometry": geometry}
    for index, expression in enumerate(properties.values()):
        if isinstance(expression, Q):
            expression = Case(When(expression, then=Value(True)), default=Value(False), output_field=BooleanField())
        annotations[f"gj_p{index}"] = expression
    sql, params = queryset.annotate(**annotations).values(*annotations).query.sql_with_params()
    pairs = ", ".join(f"'{name}', t.gj_p{index}" for index, name in enumerate(properties))
    feature = (
        "json_build_object('type', 'Feature', 'id', t.gj_id, 'geometry', t.gj_geometry::json, "
        f"'properties', json_build_object({pairs}))"
    )
    page_size = limit if limit is not None else 2**62
    # Safe: `sql` comes from the ORM (values are parameters) and property names from whitelists.
    statement = (
        f"SELECT COALESCE(json_agg({feature} ORDER BY t.gj_row) FILTER (WHERE t.gj_row <= %s), '[]'::json)::text, "  # noqa: S608
        "count(*) > %s "
        f"FROM (SELECT s.*, row_number() OVER () AS gj_row FROM ({sql}) s) t"
    )
    return statement, (page_size, page_size, *params)


def run_feature_page(queryset: QuerySet, geometry, properties: dict, limit: int | None) -> tuple[str, bool]:
    try:
        statement, params = feature_page_sql(queryset, geometry, properties, limit)
    except EmptyResultSet:  # e.g. .none(): nothing to ask the database
        return "[]", False
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(statement, params)
        features, has_more = cursor.fetchone()
    return features, bool(has_more)


def feature_collection(features: str) -> str:
    return '{"type":"FeatureCollection","features":' + features + "}"


def _retail_point_properties(fields: Iterable[str]) -> dict:
    fields = tuple(fields)
    unknown = [name for name in fields if name not in GEOJSON_PROPERTIES]
    if unknown:
        raise ValueError(f"Unknown GeoJSON properties: {', '.join(unknown)}")
    return {name: GEOJSON_PROPERTIES[name]() for name in fields}


def retail_points_geojson(queryset: QuerySet, *, fields: Iterable[str] = MARKER_FIELDS) -> str:
    """A GeoJSON FeatureCollection (text) of the queryset's points, built by PostgreSQL in one query.

    Coordinates have 5 decimals (~1 m). Properties are chosen from GEOJSON_PROPERTIES.
    """
    features, _more = run_feature_page(queryset, AsGeoJSON(F("location")), _retail_point_properties(fields), None)
    return feature_collection(features)


def retail_points_geojson_page(
    queryset: QuerySet, *, fields: Iterable[str] = MARKER_FIELDS, limit: int, offset: int = 0
) -> tuple[str, bool]:
    """(JSON array of features, whether more rows follow) for one page of the queryset, in one query.

    The queryset should be ordered (e.g. by pk) so that pages neither overlap nor skip.
    """
    page = queryset[offset : offset + limit + 1]
    return run_feature_page(page, AsGeoJSON(F("location")), _retail_point_properties(fields), limit)


def regions_geojson(queryset: QuerySet | None = None) -> str:
    """Growing regions as a GeoJSON FeatureCollection built by PostgreSQL (polygons to ~1 m)."""
    qs = queryset if queryset is not None else GrowingRegion.objects.all()
    properties = {
        "id": F("pk"),
        "name": F("name"),
        "name_en": F("name_en"),
        "product_kind": F("product_kind__code"),
        "colour": F("product_kind__colour"),
        "area_ha": F("area_ha"),
        "designation": F("designation"),
        "boundary_is_approximate": F("boundary_is_approximate"),
        "boundary_source": F("boundary_source"),
    }
    features, _more = run_feature_page(qs, AsGeoJSON(F("boundary")), properties, None)
    return feature_collection(features)


def admin_units_geojson(queryset: QuerySet | None = None) -> str:
    """Administrative units as a GeoJSON FeatureCollection: the boundary, or the centre when none is known."""
    qs = queryset if queryset is not None else AdminUnit.objects.all()
    geometry = Coalesce(AsGeoJSON(F("boundary")), AsGeoJSON(F("centre")), output_field=TextField())
    properties = {
        "id": F("pk"),
        "code": F("code"),
        "level": F("level"),
        "name": F("name"),
        "kind": F("kind"),
        "parent_id": F("parent_id"),
        "valid_from": F("valid_from"),
        "valid_to": F("valid_to"),
        "boundary_is_approximate": F("boundary_is_approximate"),
    }
    features, _more = run_feature_page(qs, geometry, properties, None)
    return feature_collection(features)
