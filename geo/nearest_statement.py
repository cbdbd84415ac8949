"""The SQL of the nearest search: the filtered shops, the KNN walk and the exact band (see geo.nearest).

Geodesic / sphere distance ratio on WGS84 lies within [0.9944, 1.0045]: SPHERE_BAND = 1.02 covers
the worst case (1.0102) and leaves room for the tolerance of the index's boxes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.contrib.gis.geos import Point
from django.db.models import BooleanField, F, FloatField, IntegerField, Value

from geo.coordinates import point, validate_radius_m
from geo.expressions import (
    ConstantSql,
    GeodesicDistance,
    WithinOnSphere,
    WithinRadius,
    geography,
    sphere_distance,
    sphere_distance_sql,
)
from geo.filters import OPEN_NOW, PRODUCT_KIND
from geo.models import RetailPoint

SPHERE_BAND = 1.02
WHOLE_EARTH_M = 2.1e7  # farther than any two points on Earth: "no bound"

# The columns of a nearest-shop row (the API's answer), in the order nearest_retail_point_rows reads them.
NEAREST_ROW_COLUMNS = ("id", "name", "kind", "address", "phone", "zalo", "distance_m")


def nearest_filtered(*, lat, lng, radius_m, product_kind, verified_only, open_at, extra, queryset):
    """(the retail points matching every filter of a nearest query, the origin as a GEOS point)."""
    origin = point(lat, lng)
    qs = queryset if queryset is not None else RetailPoint.objects.all()
    if verified_only:
        qs = qs.filter(is_active=True, verification_status=RetailPoint.Verification.VERIFIED)
    if radius_m is not None:
        qs = qs.filter(WithinRadius(F("location"), geography(origin), Value(validate_radius_m(radius_m))))
    if product_kind:
        qs = qs.filter(PRODUCT_KIND.build(product_kind))
    if open_at is not None:
        qs = qs.filter(OPEN_NOW.build(open_at))
    if extra is not None:
        qs = qs.filter(extra)
    return qs, origin


def nearest_source_sql(source: tuple[str, Sequence], origin: Point, *, radius_m: float | None = None, **band):
    """SQL on a candidate source (see NearestFilter.source): the ids of its rows nearest to `origin` first,
    with their sphere distance `_sphere_m` (a KNN walk of the source's GiST index), or with `band`
    (`bound`, `last`: SQL texts of geo's own) the ids of its rows within `bound` metres on the sphere
    and at or past `last` (an index range scan). `radius_m` bounds both (spheroid metres, as the API's
    radius). Returns (sql, params); the origin is a parameter.
    """
    select, params = source
    # Safe: `select` is a registered filter's SQL (values are parameters); the rest are geo's own texts.
    sql = f"SELECT c.id, {sphere_distance_sql('c.location')} AS _sphere_m FROM ({select}) c"  # noqa: S608
    params = [origin.ewkt, *params]
    conditions = []
    if radius_m is not None:
        conditions.append("ST_DWithin(c.location, ST_GeogFromText(%s), %s)")
        params += [origin.ewkt, validate_radius_m(radius_m)]
    if band:
        conditions.append(f"ST_DWithin(c.location, ST_GeogFromText(%s), {band['bound']}, false)")
        conditions.append(f"{sphere_distance_sql('c.location')} >= {band['last']}")
        params += [origin.ewkt, origin.ewkt]
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    return sql, params


def _nearest_margin(limit: int) -> int:
    """How many candidates past the `limit`-th the KNN step also takes (see nearest_inner_sql).

    Points lie in the band between the limit-th candidate's sphere distance S and S × 1.02 about
    limit × (1.02² − 1) ≈ limit × 0.04 times on average: a margin of max(2, limit / 10) holds all of
    them in ~95 % of searches (a Poisson tail), so the band scan is rarely needed.
    """
    return max(2, math.ceil(limit / 10))


def nearest_inner_sql(*, lat, lng, limit, radius_m, extra, source=None) -> tuple[str, list]:
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
    qs, origin = nearest_filtered(
        lat=lat,
        lng=lng,
        radius_m=radius_m,
        product_kind=None,  # the API's filters, geo's own included, come as `extra` (see geo.filters)
        verified_only=True,
        open_at=None,
        extra=extra,
        queryset=RetailPoint.objects.all(),
    )
    take = limit + _nearest_margin(limit)
    if source is None:
        knn_sql, knn_params = (
            qs.order_by()
            .annotate(_sphere_m=sphere_distance("location", origin))
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
    columns = (*NEAREST_ROW_COLUMNS, "location")
    distance = GeodesicDistance(F("location"), geography(origin))
    candidates_sql, candidates_params = (
        RetailPoint.objects.filter(pk__in=ConstantSql("SELECT k.id FROM hg_knn k", IntegerField()))
        .annotate(distance_m=distance)
        .values(*columns)
        .order_by()
        .query.sql_with_params()
    )
    needed = ConstantSql("(SELECT band_needed FROM hg_band)", BooleanField())
    bound = ConstantSql("(SELECT bound FROM hg_band)", FloatField())
    last = ConstantSql("(SELECT last FROM hg_band)", FloatField())
    band_qs = qs.filter(needed)
    if source is None:
        band_qs = (
            band_qs.filter(WithinOnSphere(F("location"), geography(origin), bound))
            .annotate(_sphere_m=sphere_distance("location", origin))
            .filter(_sphere_m__gte=last)
        )
    else:
        in_band_sql, in_band_params = nearest_source_sql(
            source, origin, radius_m=radius_m, bound="(SELECT bound FROM hg_band)", last="(SELECT last FROM hg_band)"
        )
        # Safe: SQL from nearest_source_sql (values are parameters).
        in_band = ConstantSql(f"SELECT b.id FROM ({in_band_sql}) b", IntegerField(), in_band_params)  # noqa: S608
        band_qs = band_qs.filter(pk__in=in_band)
    band_sql, band_params = (
        band_qs.exclude(pk__in=ConstantSql("SELECT k.id FROM hg_knn k", IntegerField()))
        .annotate(distance_m=distance)
        .values(*columns)
        .order_by()
        .query.sql_with_params()
    )
    # Safe: the three queries come from the ORM (values are parameters); the rest are constants of
    # this module and whole numbers.
    band = f"(SELECT k._sphere_m FROM hg_knn k ORDER BY k._sphere_m OFFSET {limit - 1} LIMIT 1) * {SPHERE_BAND}"  # noqa: S608
    statement = (
        f"WITH hg_knn AS MATERIALIZED ({knn_sql}), "  # noqa: S608
        f"hg_band AS MATERIALIZED (SELECT {band} AS bound, max(_sphere_m) AS last, "
        f"count(*) = {take} AND max(_sphere_m) <= {band} AS band_needed FROM hg_knn) "
        f"({candidates_sql}) UNION ALL ({band_sql}) ORDER BY distance_m, id LIMIT {limit}"
    )
    return statement, [*knn_params, *candidates_params, *band_params]
