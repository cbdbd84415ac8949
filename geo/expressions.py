"""The SQL expressions of geo's spatial queries, each written once (nearest, containment, GeoJSON use them).

The KNN distance `<->` (on geography: metres on a sphere, what the GiST index orders by) lives here
and only here: `sphere_distance` for the ORM, `sphere_distance_sql` for SQL texts. `GeodesicDistance`
is the WGS84 spheroid metres we show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.contrib.gis.db.models.functions import GeometryDistance
from django.contrib.gis.geos import LinearRing, Polygon
from django.db.models import BooleanField, F, FloatField, Func, Q, QuerySet, TextField, Value

GEOJSON_DECIMALS = 5  # 1e-5 degree ≈ 1.1 m


class Geography(Func):
    """A geography literal from EWKT, sent as a query parameter."""

    template = "ST_GeogFromText(%(expressions)s)"
    output_field = TextField()  # never selected: only used inside other expressions


def geography(geom) -> Geography:
    return Geography(Value(geom.ewkt))


class GeodesicDistance(Func):
    """ST_Distance on geography: metres on the WGS84 spheroid, as a float (NULL if one side is NULL)."""

    function = "ST_Distance"
    output_field = FloatField()


class WithinOnSphere(Func):
    """ST_DWithin(geography, geography, metres, use_spheroid => false): index-assisted."""

    template = "ST_DWithin(%(expressions)s, false)"
    output_field = BooleanField()


class InLngLatBox(Func):
    """Exact check that a geography point lies in a longitude/latitude rectangle (inclusive)."""

    template = (
        "(ST_X(%(expressions)s::geometry) BETWEEN %%s AND %%s AND ST_Y(%(expressions)s::geometry) BETWEEN %%s AND %%s)"
    )
    output_field = BooleanField()

    def __init__(self, field, box):
        super().__init__(field)
        self.box = box

    def as_sql(self, compiler, connection, **extra):
        sql, params = super().as_sql(compiler, connection, **extra)
        min_lng, min_lat, max_lng, max_lat = self.box
        # The column appears twice in the template; its own params are empty (a plain column).
        return sql, (*params, *params, min_lng, max_lng, min_lat, max_lat)


class CoversPoint(Func):
    """ST_Covers(polygon geometry, point geography cast to geometry): planar, like the boundary data."""

    template = "ST_Covers(%(expressions)s::geometry)"
    arg_joiner = ", "
    output_field = BooleanField()


def densified_envelope(min_lng, min_lat, max_lng, max_lat, step_deg: float = 0.25) -> Polygon:
    """The rectangle with a vertex every `step_deg` so that its geography edges follow the parallels.

    Slightly enlarged (~100 m) so that the index step is a superset; the exact test follows.
    """
    margin = 0.001
    min_lng, min_lat = max(min_lng - margin, -180.0), max(min_lat - margin, -90.0)
    max_lng, max_lat = min(max_lng + margin, 180.0), min(max_lat + margin, 90.0)
    steps_lng = max(1, math.ceil((max_lng - min_lng) / step_deg))
    steps_lat = max(1, math.ceil((max_lat - min_lat) / step_deg))
    xs = [min_lng + (max_lng - min_lng) * i / steps_lng for i in range(steps_lng + 1)]
    ys = [min_lat + (max_lat - min_lat) * i / steps_lat for i in range(steps_lat + 1)]
    ring = (
        [(x, min_lat) for x in xs]
        + [(max_lng, y) for y in ys[1:]]
        + [(x, max_lat) for x in reversed(xs[:-1])]
        + [(min_lng, y) for y in reversed(ys[:-1])]
    )
    return Polygon(LinearRing(ring), srid=4326)


def bbox_filter(queryset: QuerySet, box: tuple[float, float, float, float]) -> QuerySet:
    """Index step (geography && on the densified rectangle), then the exact longitude/latitude test."""
    envelope = densified_envelope(*box)
    return queryset.filter(location__bboverlaps=envelope).filter(InLngLatBox(F("location"), box))


class SqlCondition(Func):
    """A condition written in SQL by an app above geo, on the retail point whose id column is `{id}`.

    The column is a real expression (F("pk")), so that the ORM names it right wherever the condition
    lands (the outer query or the KNN subquery); the condition's values stay query parameters.
    """

    output_field = BooleanField()

    def __init__(self, sql: str, params: Sequence):
        super().__init__(F("pk"))
        self.sql, self.params = sql, tuple(params)

    def as_sql(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.source_expressions[0])
        if column_params:  # a primary key column has none; refuse anything that would misplace them
            raise ValueError("the retail point's id column must not carry parameters")
        return f"({self.sql.replace('{id}', column)})", self.params


def sql_conditions_q(extra_sql: Sequence[tuple[str, Sequence]]) -> Q | None:
    """The SQL conditions of registered filters (see NearestFilter.sql) as one Q, for the ORM path."""
    conditions = [Q(SqlCondition(sql, params)) for sql, params in extra_sql]
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined &= condition
    return combined


class WithinRadius(Func):
    """ST_DWithin on geography with the spheroid: exact metres, index-assisted."""

    function = "ST_DWithin"
    output_field = BooleanField()


class ConstantSql(Func):
    """A fixed SQL text of geo's own, e.g. a column of one of the statement's CTEs; values are `params`."""

    def __init__(self, sql: str, output_field, params: Sequence = ()):
        super().__init__(output_field=output_field)
        self.sql, self.params = sql, tuple(params)

    def as_sql(self, compiler, connection, **extra):
        return self.sql, self.params


class AsGeoJSON(Func):
    template = f"ST_AsGeoJSON(%(expressions)s, {GEOJSON_DECIMALS})"
    output_field = TextField()


def sphere_distance(field: str, origin) -> GeometryDistance:
    """`field <-> origin` on geography: sphere metres, the order the GiST index walks (KNN)."""
    return GeometryDistance(field, origin)


def sphere_distance_sql(column: str) -> str:
    """The same `<->` in SQL text, from `column` to a geography parameter given as EWKT (`%s`)."""
    return f"{column} <-> ST_GeogFromText(%s)"
