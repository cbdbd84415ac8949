"""Spatial queries of the officials' pages (oversight), written once here like every spatial query.

These functions take querysets of any model with a geography point field `location` (producers,
scans, …) and an optional `commune` foreign key to AdminUnit; geo never imports the apps above it.
Everything is computed by PostgreSQL/PostGIS in one statement per call:

- points_in_bbox / points_in_unit: the viewport and the administrative-unit filter;
- unit_counts_geojson: the choropleth (points per unit, a point-in-polygon join);
- predecessor_area_counts_geojson: the same over the areas that units without a boundary came from;
- points_geojson_page: map markers as GeoJSON, at most `limit` of them, with "more" when cut;
- points_geojson / unit_of_points: exports and per-area figures;
- (GeodesicDistance, metres between two geography columns, is in geo.expressions.)
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Func, Q, QuerySet, TextField

from geo.containment import inside_boundary
from geo.coordinates import validate_bbox
from geo.expressions import AsGeoJSON, bbox_filter
from geo.geojson import feature_collection, run_feature_page
from geo.models import AdminUnit

#: Property names are interpolated into SQL by geo.geojson.feature_page_sql: only plain identifiers.
_PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class _RoundedPoint(Func):
    """A geography point with its coordinates rounded to `decimals` (for publishing coarse positions)."""

    template = "ST_AsGeoJSON(ST_SnapToGrid(%(expressions)s::geometry, %(grid)s), 5)"
    output_field = TextField()


def points_in_bbox(queryset: QuerySet, bbox) -> QuerySet:
    """Rows whose `location` lies in the (min_lng, min_lat, max_lng, max_lat) viewport (GiST-assisted).

    Raises ValueError for a malformed box.
    """
    return bbox_filter(queryset, validate_bbox(*bbox))


def points_in_unit(queryset: QuerySet, unit: AdminUnit) -> QuerySet:
    """Rows whose `location` lies in the unit's boundary; a unit known only by its centre matches by
    `commune`: the commune itself, a commune under it, or a commune it succeeded (the 2025 merger)."""
    if unit.boundary is None:
        return queryset.filter(
            Q(commune=unit) | Q(commune__parent=unit) | Q(commune__parent__parent=unit) | Q(commune__successors=unit)
        ).distinct()
    return inside_boundary(AdminUnit, unit, queryset)


def _check_properties(properties: dict) -> dict:
    bad = [name for name in properties if not _PROPERTY_NAME.match(name)]
    if bad:
        raise ValueError(f"Invalid GeoJSON property names: {', '.join(bad)}")
    return properties


def points_geojson_page(queryset: QuerySet, *, properties: dict, limit: int) -> tuple[str, bool]:
    """(JSON array of features, whether more rows matched than `limit`), in one query.

    `properties` maps a property name to an expression on the queryset's model (a Q becomes a boolean).
    The queryset should be ordered so that what is cut off is predictable.
    """
    page = queryset[: limit + 1]
    return run_feature_page(page, AsGeoJSON(F("location")), _check_properties(properties), limit)


def points_geojson(queryset: QuerySet, *, properties: dict, coarse_decimals: dict | None = None) -> str:
    """A FeatureCollection (text) of every row, in one query.

    `coarse_decimals` = {"when": Q, "decimals": n}: rows matching `when` are published with their
    coordinates rounded to n decimals (household businesses: about 1 km for n = 2).
    """
    geometry = AsGeoJSON(F("location"))
    if coarse_decimals:
        from django.db.models import Case, When

        grid = 10 ** -int(coarse_decimals["decimals"])
        coarse = _RoundedPoint(F("location"), grid=f"{grid:.10f}")
        geometry = Case(When(coarse_decimals["when"], then=coarse), default=geometry, output_field=TextField())
    features, _more = run_feature_page(queryset, geometry, _check_properties(properties), None)
    return feature_collection(features)


def _counts_sql(queryset: QuerySet) -> tuple[str, tuple]:
    has_commune = any(f.name == "commune" for f in queryset.model._meta.get_fields())
    columns = ("location", "commune_id") if has_commune else ("location",)
    sql, params = queryset.order_by().values(*columns).query.sql_with_params()
    if not has_commune:
        sql = f"SELECT s.location, NULL::bigint AS commune_id FROM ({sql}) s"  # noqa: S608 (ORM SQL)
    return sql, params


# A point belongs to a unit: inside its boundary, or — for a unit known only by its centre — through
# its commune (the unit itself, its parent, grandparent, or a commune the unit succeeded in 2025).
_BELONGS = """
    CASE WHEN u.boundary IS NOT NULL THEN ST_Covers(u.boundary, p.location::geometry)
    ELSE (p.commune_id = u.id
          OR EXISTS (SELECT 1 FROM geo_adminunit c LEFT JOIN geo_adminunit cp ON cp.id = c.parent_id
                     WHERE c.id = p.commune_id AND (c.parent_id = u.id OR cp.parent_id = u.id))
          OR EXISTS (SELECT 1 FROM geo_adminunit_successors s
                     WHERE s.from_adminunit_id = p.commune_id AND s.to_adminunit_id = u.id))
    END
"""


def _units_sql(level: str, valid_on: datetime.date) -> tuple[str, list]:
    units = AdminUnit.objects.valid_on(valid_on).filter(level=level).values("id")
    sql, params = units.query.sql_with_params()
    return sql, list(params)


def unit_counts_geojson(queryset: QuerySet, *, level: str, valid_on: datetime.date) -> str:
    """The choropleth: units of a level in force on a day as GeoJSON, each with `count` of rows inside.

    The geometry is the boundary, or the centre point when no boundary is known. One statement.
    """
    return _counts_geojson(queryset, *_units_sql(level, valid_on))


def predecessor_area_counts_geojson(queryset: QuerySet, *, level: str, valid_on: datetime.date) -> str:
    """The areas with a boundary that the units of a level in force on a day came from, as GeoJSON with
    `count` of rows inside each: for the 2025 communes, which have no boundary, the former districts.

    An area qualifies when it is a predecessor of such a unit, or the parent of one (a former commune
    under the district). The areas may be approximations (see `approximate`). One statement.
    """
    units_sql, units_params = _units_sql(level, valid_on)
    areas_sql = (
        "SELECT a.id FROM geo_adminunit a WHERE a.boundary IS NOT NULL AND ("  # noqa: S608 (ORM SQL)
        "EXISTS (SELECT 1 FROM geo_adminunit_successors s "
        f"WHERE s.from_adminunit_id = a.id AND s.to_adminunit_id IN ({units_sql})) "
        "OR EXISTS (SELECT 1 FROM geo_adminunit c JOIN geo_adminunit_successors s ON s.from_adminunit_id = c.id "
        f"WHERE c.parent_id = a.id AND s.to_adminunit_id IN ({units_sql})))"
    )
    return _counts_geojson(queryset, areas_sql, [*units_params, *units_params])


def _counts_geojson(queryset: QuerySet, units_sql: str, units_params: list) -> str:
    try:
        points_sql, points_params = _counts_sql(queryset)
    except EmptyResultSet:
        points_sql, points_params = "SELECT NULL::geography AS location, NULL::bigint AS commune_id WHERE false", ()
    statement = (
        "SELECT COALESCE(json_agg(json_build_object('type', 'Feature', 'id', t.id, "  # noqa: S608
        "'geometry', COALESCE(ST_AsGeoJSON(t.boundary, 5), ST_AsGeoJSON(t.centre, 5))::json, "
        "'properties', json_build_object('id', t.id, 'name', t.name, 'code', t.code, 'level', t.level, "
        "'count', t.n, 'has_boundary', t.boundary IS NOT NULL, 'approximate', t.boundary_is_approximate)) "
        "ORDER BY t.name), '[]'::json)::text "
        "FROM (SELECT u.id, u.name, u.code, u.level, u.boundary, u.centre, u.boundary_is_approximate, "
        "count(p.location) AS n "
        f"FROM geo_adminunit u LEFT JOIN ({points_sql}) p ON {_BELONGS} "
        f"WHERE u.id IN ({units_sql}) GROUP BY u.id) t"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(statement, [*points_params, *units_params])
        return feature_collection(cursor.fetchone()[0])


def unit_of_points(queryset: QuerySet, *, level: str, valid_on: datetime.date) -> dict[int, tuple[int, str]]:
    """{row pk: (unit id, unit name)} for the unit of a level (in force on a day) each row lies in.

    Rows in no unit are left out; a row in two overlapping units gets the one with the smallest id.
    """
    pk = queryset.model._meta.pk.attname
    has_commune = any(f.name == "commune" for f in queryset.model._meta.get_fields())
    try:
        if has_commune:
            commune_sql, commune_params = (
                queryset.order_by().values(pk, "location", "commune_id").query.sql_with_params()
            )
        else:
            sql, params = queryset.order_by().values(pk, "location").query.sql_with_params()
            commune_sql, commune_params = f"SELECT s.*, NULL::bigint AS commune_id FROM ({sql}) s", params  # noqa: S608
    except EmptyResultSet:
        return {}
    units_sql, units_params = _units_sql(level, valid_on)
    statement = (
        f"SELECT DISTINCT ON (p.{pk}) p.{pk}, u.id, u.name "  # noqa: S608
        f"FROM ({commune_sql}) p JOIN geo_adminunit u ON {_BELONGS} "
        f"WHERE u.id IN ({units_sql}) ORDER BY p.{pk}, u.id"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(statement, [*commune_params, *units_params])
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
