"""The nearest-shop search, nearest first and exact: the ORM query (pages) and the API's one statement.

Nearest-N is index-assisted and exact. PostGIS's KNN operator `<->` on geography walks the GiST
index but measures on a sphere, while `ST_Distance` on geography (what we show, `distance_m`) is the
WGS84 geodesic; the two disagree by up to ~0.6 %, enough to swap neighbours that are nearly
equidistant. So the query runs in two index-assisted steps inside one statement: the KNN scan finds
the N-th nearest candidate's sphere distance S; every point whose geodesic rank can be ≤ N lies
within S × 1.02 on the sphere (the ratio geodesic/sphere stays within [0.994, 1.005]); an indexed
`ST_DWithin` fetches that small band and sorts it by the true geodesic distance. The API's statement
(nearest_retail_points_sql) gives the same answer with usually a single walk: its KNN step takes a
few candidates more, which in most searches already hold the whole band (see nearest_inner_sql).

A filter an app registers may also bring its own candidate source (NearestFilter.source): a table of
the matching shops' ids and locations with its own GiST index, e.g. the marketplace's stock rows of one
product. The API's statement then walks that index, ~limit entries, instead of walking every shop
around the point and dropping those that do not match (40 times more for a product one shop in 40
carries); all the other conditions and the exactness steps stay the same.

The SQL is built in geo.nearest_statement, compiled once per shape in geo.nearest_shapes; the filters
are in geo.filters.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, FloatField, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from geo.coordinates import validate_limit
from geo.expressions import GeodesicDistance, WithinOnSphere, geography, sphere_distance, sql_conditions_q
from geo.filters import OPEN_NOW, PRODUCT_KIND
from geo.models import RetailPoint
from geo.nearest_shapes import NearestShape
from geo.nearest_statement import SPHERE_BAND, WHOLE_EARTH_M, nearest_filtered, nearest_inner_sql


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


def _nearest_ordered(*, lat, lng, limit, radius_m, product_kind, verified_only, open_at, extra, queryset) -> QuerySet:
    """nearest_retail_points before its final slice (so that callers can still choose the columns)."""
    qs, origin = nearest_filtered(
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
        .annotate(_sphere_m=sphere_distance("location", origin))
        .order_by("_sphere_m")
        .values("_sphere_m")[limit - 1 : limit]
    )
    bound = Coalesce(Subquery(knn, output_field=FloatField()), Value(WHOLE_EARTH_M / SPHERE_BAND)) * Value(SPHERE_BAND)
    # Step 2 (index range scan): the band that can hold the true geodesic top-N, sorted exactly.
    return (
        qs.filter(WithinOnSphere(F("location"), geography(origin), bound))
        .annotate(distance_m=GeodesicDistance(F("location"), geography(origin)))
        .order_by("distance_m", "pk")
    )


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
    """(statement, params, shape): `shape` is the reusable NearestShape, or None for a one-off statement."""
    from geo.hours import opening_state_sql

    limit = validate_limit(limit)
    # geo's own filters in their SQL form (geo.filters), before the registered filters' conditions.
    own = [PRODUCT_KIND.sql(product_kind)] if product_kind else []
    if open_now:
        own.append(OPEN_NOW.sql(at))
    extra_sql = [(sql, list(params)) for sql, params in (*own, *extra_sql)]
    if source is not None:
        source = (source[0], list(source[1]))
    shape = None
    if extra is None:
        shape = NearestShape.get(
            limit,
            radius_m is not None,
            tuple(sql for sql, _ in extra_sql),
            source[0] if source is not None else None,
        )
    if shape is None:  # rarer shapes: compiled by the ORM each time
        sql_q = sql_conditions_q(extra_sql)
        if sql_q is not None:
            extra = sql_q if extra is None else extra & sql_q
        inner_sql, inner_params = nearest_inner_sql(
            lat=lat, lng=lng, limit=limit, radius_m=radius_m, extra=extra, source=source
        )
    else:
        source_params = source[1] if source is not None else []
        inner_sql, inner_params = shape.bind(
            lat=lat,
            lng=lng,
            radius_m=radius_m,
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
