"""The filters of the nearest-shop search, and the extension point for the apps above geo."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Subquery

from geo.models import ProductKind, RetailPoint


def product_kind_q(code: str) -> Q:
    through = RetailPoint.product_kinds.through
    kind_id = Subquery(ProductKind.objects.filter(code=code).values("pk")[:1])  # evaluated once (InitPlan)
    return Q(Exists(through.objects.filter(retailpoint_id=OuterRef("pk"), productkind_id=kind_id)))


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
