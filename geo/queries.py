"""Every spatial query of the platform, written once: other modules and apps call these functions.

Axis order is converted here and only here: callers speak (lat, lng) like Leaflet and geopy; GEOS,
PostGIS and GeoJSON speak (lng, lat).

Nearest-N is index-assisted and exact. PostGIS's KNN operator `<->` on geography walks the GiST
index but measures on a sphere, while `ST_Distance` on geography (what we show, `distance_m`) is the
WGS84 geodesic; the two disagree by up to ~0.6 %, enough to swap neighbours that are nearly
equidistant. So the query runs in two index-assisted steps inside one statement: the KNN scan finds
the N-th nearest candidate's sphere distance S; every point whose geodesic rank can be ≤ N lies
within S × 1.02 on the sphere (the ratio geodesic/sphere stays within [0.994, 1.005]); an indexed
`ST_DWithin` fetches that small band and sorts it by the true geodesic distance. The API's statement
(nearest_retail_points_sql) gives the same answer with usually a single walk: its KNN step takes a
few candidates more, which in most searches already hold the whole band (see _nearest_inner_sql).

A filter an app registers may also bring its own candidate source (NearestFilter.source): a table of
the matching shops' ids and locations with its own GiST index, e.g. the marketplace's stock rows of one
product. The API's statement then walks that index, ~limit entries, instead of walking every shop
around the point and dropping those that do not match (40 times more for a product one shop in 40
carries); all the other conditions and the exactness steps stay the same.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import GeometryDistance
from django.contrib.gis.geos import LinearRing, Point, Polygon
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from backend import prepared
from geo.models import AdminUnit, GrowingRegion, ProductKind, RetailPoint

MIN_RADIUS_M = 1.0
MAX_RADIUS_M = 500_000.0
MAX_LIMIT = 50
# Geodesic / sphere distance ratio on WGS84 lies within [0.9944, 1.0045]: 1.0102 covers the worst
# case; 1.02 leaves room for the tolerance of the index's boxes.
_SPHERE_BAND = 1.02
_WHOLE_EARTH_M = 2.1e7  # farther than any two points on Earth: "no bound"
GEOJSON_DECIMALS = 5  # 1e-5 degree ≈ 1.1 m


# ---------------------------------------------------------------------------------------------
# Coordinates
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# SQL building blocks (private)
# ---------------------------------------------------------------------------------------------


class _Geography(Func):
    """A geography literal from EWKT, sent as a query parameter."""

    template = "ST_GeogFromText(%(expressions)s)"
    output_field = TextField()  # never selected: only used inside other expressions


def _geography(geom) -> _Geography:
    return _Geography(Value(geom.ewkt))


class _GeodesicDistance(Func):
    """ST_Distance on geography: metres on the WGS84 spheroid, as a float."""

    function = "ST_Distance"
    output_field = FloatField()


class _WithinOnSphere(Func):
    """ST_DWithin(geography, geography, metres, use_spheroid => false): index-assisted."""

    template = "ST_DWithin(%(expressions)s, false)"
    output_field = BooleanField()


class _InLngLatBox(Func):
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


class _CoversPoint(Func):
    """ST_Covers(polygon geometry, point geography cast to geometry): planar, like the boundary data."""

    template = "ST_Covers(%(expressions)s::geometry)"
    arg_joiner = ", "
    output_field = BooleanField()


def _densified_envelope(min_lng, min_lat, max_lng, max_lat, step_deg: float = 0.25) -> Polygon:
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


def _bbox_filter(queryset: QuerySet, box: tuple[float, float, float, float]) -> QuerySet:
    """Index step (geography && on the densified rectangle), then the exact longitude/latitude test."""
    envelope = _densified_envelope(*box)
    return queryset.filter(location__bboverlaps=envelope).filter(_InLngLatBox(F("location"), box))


class _SqlCondition(Func):
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


def _sql_conditions_q(extra_sql: Sequence[tuple[str, Sequence]]) -> Q | None:
    """The SQL conditions of registered filters (see NearestFilter.sql) as one Q, for the ORM path."""
    conditions = [Q(_SqlCondition(sql, params)) for sql, params in extra_sql]
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined &= condition
    return combined


def _product_kind_q(code: str) -> Q:
    through = RetailPoint.product_kinds.through
    kind_id = Subquery(ProductKind.objects.filter(code=code).values("pk")[:1])  # evaluated once (InitPlan)
    return Q(Exists(through.objects.filter(retailpoint_id=OuterRef("pk"), productkind_id=kind_id)))


# ---------------------------------------------------------------------------------------------
# Extension point for the apps above geo
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NearestFilter:
    """A query parameter of the nearest-shop API that an app above geo contributes.

    `build(value)` returns a Q on RetailPoint, or raises ValueError with a message for the user; with
    `with_params`, `build(value, query_params)` also reads the request's other parameters (e.g. the
    marketplace's `in_stock` needs `product_kind`).

    `sql`, optional, is the same filter written in SQL, which lets the nearest API reuse a compiled and
    prepared statement instead of compiling the query through the ORM on every request. It takes the
    same arguments as `build` and returns `(condition, params)` or None (no condition), or raises the
    same ValueError. `condition` is a boolean SQL expression on the retail point whose id column is
    written `{id}` (e.g. `EXISTS (SELECT 1 FROM t WHERE t.retail_point_id = {id} AND t.x = %s)`); its
    values must be parameters (`%s`, with `%%` for a literal percent sign), never part of the text,
    since each distinct text is a statement kept on every database connection. It must match exactly
    the rows `build`'s Q matches.

    `source`, optional (with `sql`), is the same filter as a candidate source: it takes the same
    arguments and returns `(select, params)` or None (then `sql` is used). `select` is a SELECT whose
    rows are `id`, `location`: each matching retail point's id, at most once, and a copy of its
    location that is always equal to geo_retailpoint.location (e.g. kept by triggers), on which a GiST
    index serves `ORDER BY location <-> point` and `ST_DWithin(location, point, metres)` for the
    source's conditions (see nearest_source_sql). The API's statement then walks that index instead
    of every shop around the point; every other condition still applies to the shops. Same rules for
    the text and its values as `sql`; the rows must be exactly the shops `build`'s Q matches.
    """

    name: str
    build: Callable[..., Q]
    description: str = ""
    with_params: bool = False
    sql: Callable[..., tuple[str, Sequence] | None] | None = None
    source: Callable[..., tuple[str, Sequence] | None] | None = None
    openapi_type: type | dict = str  # how the OpenAPI schema documents it: a type or a schema

    def arguments(self, value, query_params) -> tuple:
        return (value, query_params) if self.with_params else (value,)


_NEAREST_FILTERS: dict[str, NearestFilter] = {}


def register_nearest_filter(
    name: str,
    builder: Callable[..., Q],
    *,
    description: str = "",
    with_params: bool = False,
    sql: Callable[..., tuple[str, Sequence] | None] | None = None,
    source: Callable[..., tuple[str, Sequence] | None] | None = None,
    openapi_type: type | dict = str,
) -> None:
    """Let an app above geo add a filter parameter to the nearest API (call from AppConfig.ready()).

    Example (marketplace): `register_nearest_filter("product", lambda value: Q(...in stock...))`; with
    `sql=` the same filter in SQL (see NearestFilter), for the API's prepared statements, and with
    `source=` the same filter as a candidate source with its own spatial index (see NearestFilter).
    Registering the same name twice replaces the builder (ready() may run more than once in tests).
    """
    if source is not None and sql is None:
        raise ValueError("a nearest filter with a candidate source must also give its condition in SQL")
    _NEAREST_FILTERS[name] = NearestFilter(
        name=name,
        build=builder,
        description=description,
        with_params=with_params,
        sql=sql,
        source=source,
        openapi_type=openapi_type,
    )


def nearest_filters() -> dict[str, NearestFilter]:
    return dict(_NEAREST_FILTERS)


# ---------------------------------------------------------------------------------------------
# Retail points
# ---------------------------------------------------------------------------------------------


def nearest_retail_points(
    *,
    lat: float,
    lng: float,
    limit: int = 10,
    radius_m: float | None = None,
    product_kind: str | None = None,
    verified_only: bool = True,
    open_at: datetime.datetime | None = None,
    extra: Q | None = None,
    queryset: QuerySet | None = None,
) -> QuerySet:
    """The `limit` nearest retail points, nearest first, each annotated with `distance_m` (geodesic metres).

    Filters: within `radius_m`, selling `product_kind` (a code; an unknown code matches nothing),
    public only (active and verified) unless `verified_only=False`, open at `open_at`, and any `extra`
    Q a caller adds. `queryset` may carry select_related/prefetch_related. Ties are broken by id.
    Raises ValueError for bad coordinates, radius or limit.
    """
    limit = validate_limit(limit)
    return _nearest_ordered(
        lat=lat,
        lng=lng,
        limit=limit,
        radius_m=radius_m,
        product_kind=product_kind,
        verified_only=verified_only,
        open_at=open_at,
        extra=extra,
        queryset=queryset,
    )[:limit]


def _nearest_filtered(*, lat, lng, radius_m, product_kind, verified_only, open_at, extra, queryset):
    """(the retail points matching every filter of a nearest query, the origin as a GEOS point)."""
    origin = point(lat, lng)
    qs = queryset if queryset is not None else RetailPoint.objects.all()
    if verified_only:
        qs = qs.filter(is_active=True, verification_status=RetailPoint.Verification.VERIFIED)
    if radius_m is not None:
        qs = qs.filter(_WithinRadius(F("location"), _geography(origin), Value(validate_radius_m(radius_m))))
    if product_kind:
        qs = qs.filter(_product_kind_q(product_kind))
    if open_at is not None:
        from geo.hours import open_at_q  # hours imports nothing spatial; a local import avoids a cycle

        qs = qs.filter(open_at_q(open_at))
    if extra is not None:
        qs = qs.filter(extra)
    return qs, origin


def _nearest_ordered(*, lat, lng, limit, radius_m, product_kind, verified_only, open_at, extra, queryset) -> QuerySet:
    """nearest_retail_points before its final slice (so that callers can still choose the columns)."""
    qs, origin = _nearest_filtered(
        lat=lat,
        lng=lng,
        radius_m=radius_m,
        product_kind=product_kind,
        verified_only=verified_only,
        open_at=open_at,
        extra=extra,
        queryset=queryset,
    )
    # Step 1 (KNN on the GiST index): the sphere distance of the limit-th nearest candidate.
    knn = (
        qs.order_by()
        .annotate(_sphere_m=GeometryDistance("location", origin))
        .order_by("_sphere_m")
        .values("_sphere_m")[limit - 1 : limit]
    )
    bound = Coalesce(Subquery(knn, output_field=FloatField()), Value(_WHOLE_EARTH_M / _SPHERE_BAND)) * Value(
        _SPHERE_BAND
    )
    # Step 2 (index range scan): the band that can hold the true geodesic top-N, sorted exactly.
    return (
        qs.filter(_WithinOnSphere(F("location"), _geography(origin), bound))
        .annotate(distance_m=_GeodesicDistance(F("location"), _geography(origin)))
        .order_by("distance_m", "pk")
    )


# The columns of a nearest-shop row (the API's answer), in the order nearest_retail_point_rows reads them.
_NEAREST_ROW_COLUMNS = ("id", "name", "kind", "address", "phone", "zalo", "distance_m")


def nearest_retail_points_sql(
    *,
    lat: float,
    lng: float,
    at: datetime.datetime,
    limit: int = 10,
    radius_m: float | None = None,
    product_kind: str | None = None,
    open_now: bool = False,
    extra: Q | None = None,
    extra_sql: Sequence[tuple[str, Sequence]] = (),
    source: tuple[str, Sequence] | None = None,
) -> tuple[str, list]:
    """The one statement behind the nearest-shop API (see nearest_retail_point_rows), and its parameters.

    It wraps the nearest_retail_points query (public shops only) and adds, for its ≤ `limit` rows,
    the coordinates, the sorted product-kind codes and the opening state at `at` (geo.hours).
    `extra_sql` holds conditions of registered filters written in SQL (see NearestFilter.sql), and
    `source` a registered filter's candidate source (see NearestFilter.source).
    """
    statement, params, _shape = _nearest_statement(
        lat=lat,
        lng=lng,
        at=at,
        limit=limit,
        radius_m=radius_m,
        product_kind=product_kind,
        open_now=open_now,
        extra=extra,
        extra_sql=extra_sql,
        source=source,
    )
    return statement, params


def _nearest_statement(*, lat, lng, at, limit, radius_m, product_kind, open_now, extra, extra_sql=(), source=None):
    """(statement, params, shape): `shape` is the reusable _NearestShape, or None for a one-off statement."""
    from geo.hours import opening_state_sql

    limit = validate_limit(limit)
    extra_sql = [(sql, list(params)) for sql, params in extra_sql]
    if source is not None:
        source = (source[0], list(source[1]))
    shape = None
    if not open_now and extra is None:
        shape = _NearestShape.get(
            limit,
            radius_m is not None,
            bool(product_kind),
            tuple(sql for sql, _ in extra_sql),
            source[0] if source is not None else None,
        )
    if shape is None:  # rarer shapes: compiled by the ORM each time
        sql_q = _sql_conditions_q(extra_sql)
        if sql_q is not None:
            extra = sql_q if extra is None else extra & sql_q
        inner_sql, inner_params = _nearest_inner_sql(
            lat=lat,
            lng=lng,
            limit=limit,
            radius_m=radius_m,
            product_kind=product_kind,
            open_at=at if open_now else None,
            extra=extra,
            source=source,
        )
    else:
        source_params = source[1] if source is not None else []
        inner_sql, inner_params = shape.bind(
            lat=lat,
            lng=lng,
            radius_m=radius_m,
            product_kind=product_kind,
            extra_params=[*(value for _sql, params in extra_sql for value in params), *source_params],
        )
    state_sql, state_columns, state_params = opening_state_sql("n.id", at)
    # Safe: inner_sql comes from the ORM (values are parameters), the rest are constants of geo.
    statement = (
        "SELECT n.id, n.name, n.kind, n.address, n.phone, n.zalo, n.distance_m, "  # noqa: S608
        "ST_Y(n.location::geometry), ST_X(n.location::geometry), "
        "ARRAY(SELECT k.code FROM geo_retailpoint_product_kinds t JOIN geo_productkind k ON k.id = t.productkind_id "
        "WHERE t.retailpoint_id = n.id ORDER BY k.code), "
        f"{state_columns} "
        f"FROM ({inner_sql}) n LEFT JOIN LATERAL ({state_sql}) state ON true "
        "ORDER BY n.distance_m, n.id"
    )
    return statement, [*inner_params, *state_params], shape


class _ConstantSql(Func):
    """A fixed SQL text of geo's own, e.g. a column of one of the statement's CTEs; values are `params`."""

    def __init__(self, sql: str, output_field, params: Sequence = ()):
        super().__init__(output_field=output_field)
        self.sql, self.params = sql, tuple(params)

    def as_sql(self, compiler, connection, **extra):
        return self.sql, self.params


def nearest_source_sql(source: tuple[str, Sequence], origin: Point, *, radius_m: float | None = None, **band):
    """SQL on a candidate source (see NearestFilter.source): the ids of its rows nearest to `origin` first,
    with their sphere distance `_sphere_m` (a KNN walk of the source's GiST index), or with `band`
    (`bound`, `last`: SQL texts of geo's own) the ids of its rows within `bound` metres on the sphere
    and at or past `last` (an index range scan). `radius_m` bounds both (spheroid metres, as the API's
    radius). Returns (sql, params); the origin is a parameter.
    """
    select, params = source
    # Safe: `select` is a registered filter's SQL (values are parameters); the rest are geo's own texts.
    sql = f"SELECT c.id, c.location <-> ST_GeogFromText(%s) AS _sphere_m FROM ({select}) c"  # noqa: S608
    params = [origin.ewkt, *params]
    conditions = []
    if radius_m is not None:
        conditions.append("ST_DWithin(c.location, ST_GeogFromText(%s), %s)")
        params += [origin.ewkt, validate_radius_m(radius_m)]
    if band:
        conditions.append(f"ST_DWithin(c.location, ST_GeogFromText(%s), {band['bound']}, false)")
        conditions.append(f"c.location <-> ST_GeogFromText(%s) >= {band['last']}")
        params += [origin.ewkt, origin.ewkt]
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    return sql, params


def _nearest_margin(limit: int) -> int:
    """How many candidates past the `limit`-th the KNN step also takes (see _nearest_inner_sql).

    Points lie in the band between the limit-th candidate's sphere distance S and S × 1.02 about
    limit × (1.02² − 1) ≈ limit × 0.04 times on average: a margin of max(2, limit / 10) holds all of
    them in ~95 % of searches (a Poisson tail), so the band scan is rarely needed.
    """
    return max(2, math.ceil(limit / 10))


def _nearest_inner_sql(*, lat, lng, limit, radius_m, product_kind, open_at, extra, source=None) -> tuple[str, list]:
    """The API's nearest query (public shops, the API's columns): nearest_retail_points' exact answer,
    computed with one KNN walk in most cases.

    nearest_retail_points walks the index twice: a KNN scan to the limit-th candidate (its sphere
    distance S), then a range scan of the band within S × 1.02 that re-checks every filter for each
    point in it. Here the KNN scan takes `margin` more candidates (CTE hg_knn). When the last of them
    is already beyond S × 1.02, hg_knn holds every point the band could hold, so the exact geodesic
    top-`limit` is among them and the band scan is skipped (a one-time filter: PostgreSQL does not
    start it). Otherwise (about one search in twenty, see _nearest_margin) the band scan runs, for
    the points at or past the last candidate that hg_knn does not already hold. Fewer candidates
    than asked for means hg_knn holds every matching point.

    With a candidate `source` (see NearestFilter.source) both walks go over the source's index instead
    of all shops': the KNN step takes the source's rows nearest first and keeps those whose shop passes
    every other filter (a primary-key probe each), and the band step reads the source's rows in the
    band. Its locations are the shops' own, so the distances, the band and the answer are the same.
    """
    qs, origin = _nearest_filtered(
        lat=lat,
        lng=lng,
        radius_m=radius_m,
        product_kind=product_kind,
        verified_only=True,
        open_at=open_at,
        extra=extra,
        queryset=RetailPoint.objects.all(),
    )
    take = limit + _nearest_margin(limit)
    if source is None:
        knn_sql, knn_params = (
            qs.order_by()
            .annotate(_sphere_m=GeometryDistance("location", origin))
            .order_by("_sphere_m")
            .values("id", "_sphere_m")[:take]
            .query.sql_with_params()
        )
    else:
        walk_sql, walk_params = nearest_source_sql(source, origin, radius_m=radius_m)
        shops_sql, shops_params = qs.order_by().values("pk").query.sql_with_params()
        # Safe: SQL from nearest_source_sql and the ORM (values are parameters), and a whole number.
        knn_sql = f"SELECT n.id, n._sphere_m FROM ({walk_sql}) n WHERE n.id IN ({shops_sql}) ORDER BY n._sphere_m LIMIT {take}"  # noqa: S608, E501
        knn_params = (*walk_params, *shops_params)
    columns = (*_NEAREST_ROW_COLUMNS, "location")
    distance = _GeodesicDistance(F("location"), _geography(origin))
    candidates_sql, candidates_params = (
        RetailPoint.objects.filter(pk__in=_ConstantSql("SELECT k.id FROM hg_knn k", IntegerField()))
        .annotate(distance_m=distance)
        .values(*columns)
        .order_by()
        .query.sql_with_params()
    )
    needed = _ConstantSql("(SELECT band_needed FROM hg_band)", BooleanField())
    bound = _ConstantSql("(SELECT bound FROM hg_band)", FloatField())
    last = _ConstantSql("(SELECT last FROM hg_band)", FloatField())
    band_qs = qs.filter(needed)
    if source is None:
        band_qs = (
            band_qs.filter(_WithinOnSphere(F("location"), _geography(origin), bound))
            .annotate(_sphere_m=GeometryDistance("location", origin))
            .filter(_sphere_m__gte=last)
        )
    else:
        in_band_sql, in_band_params = nearest_source_sql(
            source, origin, radius_m=radius_m, bound="(SELECT bound FROM hg_band)", last="(SELECT last FROM hg_band)"
        )
        # Safe: SQL from nearest_source_sql (values are parameters).
        in_band = _ConstantSql(f"SELECT b.id FROM ({in_band_sql}) b", IntegerField(), in_band_params)  # noqa: S608
        band_qs = band_qs.filter(pk__in=in_band)
    band_sql, band_params = (
        band_qs.exclude(pk__in=_ConstantSql("SELECT k.id FROM hg_knn k", IntegerField()))
        .annotate(distance_m=distance)
        .values(*columns)
        .order_by()
        .query.sql_with_params()
    )
    # Safe: the three queries come from the ORM (values are parameters); the rest are constants of
    # this module and whole numbers.
    band = f"(SELECT k._sphere_m FROM hg_knn k ORDER BY k._sphere_m OFFSET {limit - 1} LIMIT 1) * {_SPHERE_BAND}"  # noqa: S608
    statement = (
        f"WITH hg_knn AS MATERIALIZED ({knn_sql}), "  # noqa: S608
        f"hg_band AS MATERIALIZED (SELECT {band} AS bound, max(_sphere_m) AS last, "
        f"count(*) = {take} AND max(_sphere_m) <= {band} AS band_needed FROM hg_knn) "
        f"({candidates_sql}) UNION ALL ({band_sql}) ORDER BY distance_m, id LIMIT {limit}"
    )
    return statement, [*knn_params, *candidates_params, *band_params]


def _placeholder_count(sql: str) -> int:
    """How many `%s` parameters an SQL text holds (`%%` is a literal percent sign)."""
    return sum(1 for match in re.finditer(r"%[s%]", sql) if match.group() == "%s")


class _ExtraSlot:
    """Stands for the n-th parameter of the registered filters' SQL conditions while a shape compiles."""

    __slots__ = ("position",)

    def __init__(self, position: int):
        self.position = position


class _NearestShape:
    """The compiled SQL of one shape of the nearest query: limit, radius or not, product kind or not,
    and the SQL conditions of the registered filters in the request (their text; see NearestFilter.sql).

    Building the query with the ORM costs several milliseconds, more than running it. So each shape is
    compiled once, with sentinel values for the origin, radius, product kind and the filters' values,
    and the positions of those values among the parameters are remembered; `bind` puts a request's
    values in their place. Tests check that the result equals a fresh compilation and finds the same rows.
    """

    _LAT, _LNG = 1.2345678, 2.3456789  # valid coordinates no request is expected to send...
    _RADIUS = 123_457.891  # ...and values that nothing else in the query uses (checked below)
    _KIND = "\u241fsentinel-kind"
    # Shapes with filter conditions are few (each registered filter writes a handful of texts); past this
    # many, a new shape is compiled by the ORM each time rather than kept (and prepared) forever.
    _MAX_SHAPES = 400
    _cache: dict = {}

    def __init__(
        self, limit: int, has_radius: bool, has_kind: bool, extra_sql: tuple[str, ...] = (), source: str | None = None
    ):
        self.name = f"hg_nearest_{limit}_{int(has_radius)}_{int(has_kind)}"
        if extra_sql or source is not None:
            texts = (*extra_sql, "\1source", source) if source is not None else extra_sql
            self.name += "_" + hashlib.sha256("\0".join(texts).encode()).hexdigest()[:16]
        # The values of the conditions, then the source's: checked against the slots below.
        self.extra_count = sum(map(_placeholder_count, extra_sql)) + (_placeholder_count(source) if source else 0)
        slots = iter(range(self.extra_count))
        conditions = [(sql, [_ExtraSlot(next(slots)) for _ in range(_placeholder_count(sql))]) for sql in extra_sql]
        if source is not None:
            source = (source, [_ExtraSlot(next(slots)) for _ in range(_placeholder_count(source))])
        sql, params = _nearest_inner_sql(
            lat=self._LAT,
            lng=self._LNG,
            limit=limit,
            radius_m=self._RADIUS if has_radius else None,
            product_kind=self._KIND if has_kind else None,
            open_at=None,
            extra=_sql_conditions_q(conditions),
            source=source,
        )
        origin = point(self._LAT, self._LNG)
        self.sql, self.params, self.slots = sql, params, []
        for index, value in enumerate(params):
            if isinstance(value, _ExtraSlot):
                self.slots.append((index, value.position))
            elif isinstance(value, str) and value == origin.ewkt:
                self.slots.append((index, "ewkt"))
            elif isinstance(value, str) and value == self._KIND:
                self.slots.append((index, "kind"))
            elif isinstance(value, float) and value == self._RADIUS:
                self.slots.append((index, "radius"))
            elif hasattr(value, "ewkb") and bytes(value.ewkb) == bytes(origin.ewkb):
                self.slots.append((index, "adapter"))
        found = {kind for _index, kind in self.slots}
        expected = {"ewkt"} | ({"radius"} if has_radius else set()) | ({"kind"} if has_kind else set())
        expected |= {"adapter"} if source is None else set()  # a source's walk measures from the EWKT
        expected |= set(range(self.extra_count))
        if found != expected:  # the query changed shape: never bind blindly
            raise RuntimeError(f"nearest query sentinels not found: {sorted(map(str, expected - found))}")

    @classmethod
    def get(
        cls, limit: int, has_radius: bool, has_kind: bool, extra_sql: tuple[str, ...] = (), source: str | None = None
    ) -> _NearestShape | None:
        """The shape, compiled on first use; None for a new shape with conditions once the cache is full."""
        key = (limit, has_radius, has_kind, extra_sql, source)
        shape = cls._cache.get(key)
        if shape is None:
            if (extra_sql or source is not None) and len(cls._cache) >= cls._MAX_SHAPES:
                return None
            shape = cls._cache[key] = cls(limit, has_radius, has_kind, extra_sql, source)
        return shape

    def execute(self, cursor, statement: str, params: list) -> None:
        """Run the whole statement (this shape's inner SQL wrapped by nearest_retail_points_sql) prepared.

        Planning the statement costs about as much as running it; a prepared statement is planned
        once per database connection (PostgreSQL keeps it until the connection closes, whatever
        happens to the transaction) and executed with the request's values. This needs a database
        session per Django connection, as with a direct connection or a session-pooling proxy (a
        transaction-pooling proxy such as PgBouncer in transaction mode would not keep it: there
        DATABASE_PREPARED_STATEMENTS=0 sends it as it is; see backend/prepared.py).
        """
        prepared.execute(cursor, self.name, statement, params)

    def bind(self, *, lat, lng, radius_m, product_kind, extra_params: Sequence = ()) -> tuple[str, list]:
        if len(extra_params) != self.extra_count:
            raise ValueError("the filter conditions' parameters do not match their placeholders")
        origin = point(lat, lng)
        values = {"ewkt": origin.ewkt, "kind": product_kind, **dict(enumerate(extra_params))}
        if radius_m is not None:
            values["radius"] = validate_radius_m(radius_m)
        params = list(self.params)
        for index, kind in self.slots:
            if kind == "adapter":
                template = self.params[index]
                params[index] = type(template)(origin, geography=template.geography)
            else:
                params[index] = values[kind]
        return self.sql, params


@dataclass(frozen=True)
class NearestRow:
    """One shop of the nearest-shop API: plain values, no model instance."""

    id: int
    name: str
    kind: str
    address: str
    phone: str
    zalo: str
    distance_m: float
    lat: float
    lng: float
    product_kinds: list[str]
    opening: object  # geo.hours.OpeningState


def nearest_retail_point_rows(
    *,
    lat: float,
    lng: float,
    at: datetime.datetime,
    limit: int = 10,
    radius_m: float | None = None,
    product_kind: str | None = None,
    open_now: bool = False,
    extra: Q | None = None,
    extra_sql: Sequence[tuple[str, Sequence]] = (),
    source: tuple[str, Sequence] | None = None,
) -> list[NearestRow]:
    """The `limit` nearest public shops with everything a consumer needs, in ONE statement.

    Same filters and exact ordering as nearest_retail_points (which it wraps); each row also carries
    its coordinates, product-kind codes and opening state at `at`, computed by PostgreSQL. No model
    instances are built. `extra` (a Q) and `extra_sql` (conditions in SQL of registered filters, see
    NearestFilter.sql) narrow the shops; with `extra_sql` alone the statement is compiled and prepared
    once per shape, with `extra` it is compiled by the ORM each time. `source` (a registered filter's
    candidate source, see NearestFilter.source) narrows them too, and is what the search walks.
    Raises ValueError for bad coordinates, radius or limit.
    """
    from geo.hours import opening_state_from_row

    try:
        statement, params, shape = _nearest_statement(
            lat=lat,
            lng=lng,
            at=at,
            limit=limit,
            radius_m=radius_m,
            product_kind=product_kind,
            open_now=open_now,
            extra=extra,
            extra_sql=extra_sql,
            source=source,
        )
    except EmptyResultSet:  # an `extra` condition that can match nothing (e.g. Q(pk__in=[]))
        return []
    with connections[RetailPoint.objects.db].cursor() as cursor:
        if shape is not None:
            shape.execute(cursor, statement, params)
        else:
            cursor.execute(statement, params)
        rows = cursor.fetchall()
    return [
        NearestRow(
            id=row[0],
            name=row[1],
            kind=row[2],
            address=row[3],
            phone=row[4],
            zalo=row[5],
            distance_m=row[6],
            lat=row[7],
            lng=row[8],
            product_kinds=row[9],
            opening=opening_state_from_row(row[10], row[11], row[12]),
        )
        for row in rows
    ]


class _WithinRadius(Func):
    """ST_DWithin on geography with the spheroid: exact metres, index-assisted."""

    function = "ST_DWithin"
    output_field = BooleanField()


def retail_points_in_bbox(min_lng, min_lat, max_lng, max_lat, *, queryset: QuerySet | None = None) -> QuerySet:
    """Retail points inside a longitude/latitude rectangle (a map viewport), edges included.

    No visibility filter: the caller decides (e.g. `.public()`). Raises ValueError for a bad box.
    """
    box = validate_bbox(min_lng, min_lat, max_lng, max_lat)
    qs = queryset if queryset is not None else RetailPoint.objects.all()
    return _bbox_filter(qs, box)


def _inside_boundary(model, instance, queryset: QuerySet | None) -> QuerySet:
    qs = queryset if queryset is not None else RetailPoint.objects.all()
    if instance.boundary is None:
        return qs.none()
    min_lng, min_lat, max_lng, max_lat = instance.boundary.extent
    boundary = Subquery(model.objects.filter(pk=instance.pk).values("boundary")[:1])
    return _bbox_filter(qs, (min_lng, min_lat, max_lng, max_lat)).filter(_CoversPoint(boundary, F("location")))


def retail_points_in_unit(unit: AdminUnit, *, queryset: QuerySet | None = None) -> QuerySet:
    """Retail points inside an administrative unit's boundary (planar test, as the boundary data is).

    A unit known only by its centre has no inside: then the points whose commune is the unit or lies
    under it are returned.
    """
    if unit.boundary is None:
        qs = queryset if queryset is not None else RetailPoint.objects.all()
        return qs.filter(Q(commune=unit) | Q(commune__parent=unit) | Q(commune__parent__parent=unit))
    return _inside_boundary(AdminUnit, unit, queryset)


def retail_points_in_region(region: GrowingRegion, *, queryset: QuerySet | None = None) -> QuerySet:
    """Retail points inside a growing region's boundary."""
    return _inside_boundary(GrowingRegion, region, queryset)


_LEVEL_ORDER = Case(
    When(level=AdminUnit.Level.PROVINCE, then=Value(0)),
    When(level=AdminUnit.Level.DISTRICT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def units_containing(lat: float, lng: float, *, on: datetime.date | None = None, level: str | None = None) -> QuerySet:
    """The administrative units whose boundary covers the point on a day (today by default), province first.

    On a 2024 day a point in Bắc Quang gives Hà Giang province and Bắc Quang district; on a 2026 day
    the merged Tuyên Quang province and its commune.
    """
    where = point(lat, lng)
    qs = AdminUnit.objects.valid_on(on or timezone.localdate()).filter(boundary__covers=where)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by(_LEVEL_ORDER, "name")


def regions_containing(lat: float, lng: float) -> QuerySet:
    """The growing regions whose boundary covers the point."""
    return GrowingRegion.objects.filter(boundary__covers=point(lat, lng)).select_related("product_kind")


# ---------------------------------------------------------------------------------------------
# GeoJSON built by PostgreSQL
# ---------------------------------------------------------------------------------------------


def _product_kind_codes():
    through = RetailPoint.product_kinds.through
    return ArraySubquery(
        through.objects.filter(retailpoint_id=OuterRef("pk")).order_by("productkind__code").values("productkind__code")
    )


def with_product_kind_codes(queryset: QuerySet) -> QuerySet:
    """Annotate `product_kind_codes` (sorted list of codes) in the same query, instead of a prefetch."""
    return queryset.annotate(product_kind_codes=_product_kind_codes())


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


class _AsGeoJSON(Func):
    template = f"ST_AsGeoJSON(%(expressions)s, {GEOJSON_DECIMALS})"
    output_field = TextField()


def _feature_page_sql(queryset: QuerySet, geometry, properties: dict, limit: int | None) -> tuple[str, tuple]:
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


def _run_feature_page(queryset: QuerySet, geometry, properties: dict, limit: int | None) -> tuple[str, bool]:
    try:
        statement, params = _feature_page_sql(queryset, geometry, properties, limit)
    except EmptyResultSet:  # e.g. .none(): nothing to ask the database
        return "[]", False
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(statement, params)
        features, has_more = cursor.fetchone()
    return features, bool(has_more)


def _collection(features: str) -> str:
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
    features, _more = _run_feature_page(queryset, _AsGeoJSON(F("location")), _retail_point_properties(fields), None)
    return _collection(features)


def retail_points_geojson_page(
    queryset: QuerySet, *, fields: Iterable[str] = MARKER_FIELDS, limit: int, offset: int = 0
) -> tuple[str, bool]:
    """(JSON array of features, whether more rows follow) for one page of the queryset, in one query.

    The queryset should be ordered (e.g. by pk) so that pages neither overlap nor skip.
    """
    page = queryset[offset : offset + limit + 1]
    return _run_feature_page(page, _AsGeoJSON(F("location")), _retail_point_properties(fields), limit)


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
    features, _more = _run_feature_page(qs, _AsGeoJSON(F("boundary")), properties, None)
    return _collection(features)


def admin_units_geojson(queryset: QuerySet | None = None) -> str:
    """Administrative units as a GeoJSON FeatureCollection: the boundary, or the centre when none is known."""
    qs = queryset if queryset is not None else AdminUnit.objects.all()
    geometry = Coalesce(_AsGeoJSON(F("boundary")), _AsGeoJSON(F("centre")), output_field=TextField())
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
    features, _more = _run_feature_page(qs, geometry, properties, None)
    return _collection(features)


# ---------------------------------------------------------------------------------------------
# Directions
# ---------------------------------------------------------------------------------------------


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
