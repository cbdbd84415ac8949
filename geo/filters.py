"""The filters of the nearest-shop search, each written once with both of its forms.

A filter is a NearestFilter: `build` is its Q on RetailPoint (the ORM query of the pages), `sql` the
same condition in SQL (the API's statement, compiled and prepared once per shape), and optionally
`source`, the same shops as a candidate source with its own spatial index. The forms must match
exactly the same shops: tests/geo/test_filters.py checks it on a real PostGIS world for geo's own
filters, and tests/marketplace (test_catalogue_and_locator.py, test_locator_index.py) for the
marketplace's, on its stock rows.

geo's own filters are PRODUCT_KIND and OPEN_NOW (parameters of the API's serializer); the apps above
geo register theirs with register_nearest_filter (e.g. the marketplace's `product` and `in_stock`,
marketplace/locator.py), which adds them to the API's parameters and, with a `label`, to the Find a
shop page.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from django.db.models import Exists, OuterRef, Q, Subquery

from geo.hours import local_time
from geo.models import OpeningException, OpeningPeriod, ProductKind, RetailPoint


class NearestFilter:
    """One filter of the nearest search: subclass, set `name`, write `build` and `sql` (and `source`).

    `build(value, params)` returns a Q on RetailPoint, or raises ValueError with a message for the
    user; `params` are the request's other parameters (e.g. the marketplace's `in_stock` reads
    `product_kind`), or None.

    `sql(value, params)` is the same filter written in SQL, which lets the nearest API reuse a
    compiled and prepared statement instead of compiling the query through the ORM on every request.
    It returns `(condition, params)` or None (no condition), or raises the same ValueError.
    `condition` is a boolean SQL expression on the retail point whose id column is written `{id}`
    (e.g. `EXISTS (SELECT 1 FROM t WHERE t.retail_point_id = {id} AND t.x = %s)`); its values must be
    parameters (`%s`, with `%%` for a literal percent sign), never part of the text, since each
    distinct text is a statement kept on every database connection. It must match exactly the rows
    `build`'s Q matches.

    `source(value, params)`, optional, is the same filter as a candidate source: it returns
    `(select, params)` or None (then `sql` is used). `select` is a SELECT whose rows are `id`,
    `location`: each matching retail point's id, at most once, and a copy of its location that is
    always equal to geo_retailpoint.location (e.g. kept by triggers), on which a GiST index serves
    `ORDER BY location <-> point` and `ST_DWithin(location, point, metres)` for the source's conditions
    (see geo.nearest_statement.nearest_source_sql). The API's statement then walks that index instead
    of every shop around the point; every other condition still applies to the shops. Same rules for
    the text and its values as `sql`; the rows must be exactly the shops `build`'s Q matches.

    `label` (and `help_text`), optional, put the filter on the Find a shop page as a checkbox that
    sends `page_value` when ticked.
    """

    name: str = ""
    description: str = ""  # for the OpenAPI schema
    openapi_type: type | dict = str  # how the OpenAPI schema documents it: a type or a schema
    label = None
    help_text = ""
    page_value = "1"

    def build(self, value, params: Mapping | None = None) -> Q:
        raise NotImplementedError

    def sql(self, value, params: Mapping | None = None) -> tuple[str, Sequence] | None:
        raise NotImplementedError

    def source(self, value, params: Mapping | None = None) -> tuple[str, Sequence] | None:
        return None

    def has_source(self) -> bool:
        return type(self).source is not NearestFilter.source

    def arguments(self, value, query_params) -> tuple:
        return (value, query_params)


_NEAREST_FILTERS: dict[str, NearestFilter] = {}


def register_nearest_filter(nearest_filter: NearestFilter) -> None:
    """Let an app above geo add a filter parameter to the nearest API (call from AppConfig.ready()).

    Registering the same name twice replaces the filter (ready() may run more than once in tests).
    """
    if not nearest_filter.name:
        raise ValueError("a nearest filter needs a name")
    if type(nearest_filter).sql is NearestFilter.sql:
        raise ValueError("a nearest filter must give its condition in SQL as well as its Q")
    _NEAREST_FILTERS[nearest_filter.name] = nearest_filter


def nearest_filters() -> dict[str, NearestFilter]:
    """The filters the apps above geo registered, by parameter name."""
    return dict(_NEAREST_FILTERS)


def page_filters() -> dict[str, NearestFilter]:
    """The registered filters shown on the Find a shop page (those with a label)."""
    return {name: registered for name, registered in _NEAREST_FILTERS.items() if registered.label}


# --- geo's own filters ---------------------------------------------------------------------------


class ProductKindFilter(NearestFilter):
    """`product_kind=CODE`: shops that sell this product kind (an unknown code matches nothing)."""

    name = "product_kind"

    def build(self, code: str, params: Mapping | None = None) -> Q:
        through = RetailPoint.product_kinds.through
        kind_id = Subquery(ProductKind.objects.filter(code=code).values("pk")[:1])  # evaluated once (InitPlan)
        return Q(Exists(through.objects.filter(retailpoint_id=OuterRef("pk"), productkind_id=kind_id)))

    def sql(self, code: str, params: Mapping | None = None) -> tuple[str, list]:
        through, kind = RetailPoint.product_kinds.through._meta, ProductKind._meta
        shop, kind_column = through.get_field("retailpoint").column, through.get_field("productkind").column
        # Safe: names from the models; the code is a parameter.
        return (
            f'EXISTS (SELECT 1 FROM "{through.db_table}" t WHERE t."{shop}" = {{id}} AND t."{kind_column}" = '  # noqa: S608
            f'(SELECT k."{kind.pk.column}" FROM "{kind.db_table}" k WHERE k."{kind.get_field("code").column}" = %s '
            "LIMIT 1))",
            [code],
        )


class OpenNowFilter(NearestFilter):
    """Open at a moment (an aware datetime; Việt Nam time): an exception for that day wins over the
    weekly hours. Agrees with geo.hours.opening_state (tests/geo/test_hours.py)."""

    name = "open_now"

    @staticmethod
    def _moment(at: datetime.datetime) -> tuple[datetime.date, datetime.time]:
        local = local_time(at)
        return local.date(), local.time().replace(tzinfo=None)

    def build(self, at: datetime.datetime, params: Mapping | None = None) -> Q:
        day, moment = self._moment(at)
        exceptions = OpeningException.objects.filter(retail_point=OuterRef("pk"), date=day)
        open_by_exception = exceptions.filter(closed=False, opens__lte=moment, closes__gt=moment)
        open_by_week = OpeningPeriod.objects.filter(
            retail_point=OuterRef("pk"), weekday=day.weekday(), opens__lte=moment, closes__gt=moment
        )
        return Q(Exists(open_by_exception)) | (~Q(Exists(exceptions)) & Q(Exists(open_by_week)))

    def sql(self, at: datetime.datetime, params: Mapping | None = None) -> tuple[str, list]:
        day, moment = self._moment(at)
        exception, period = OpeningException._meta, OpeningPeriod._meta
        x_shop, w_shop = exception.get_field("retail_point").column, period.get_field("retail_point").column
        # Safe: names from the models; the day, time and weekday are parameters.
        exceptions = f'SELECT 1 FROM "{exception.db_table}" x WHERE x."{x_shop}" = {{id}} AND x."date" = %s'  # noqa: S608
        week = (
            f'SELECT 1 FROM "{period.db_table}" w WHERE w."{w_shop}" = {{id}} AND w."weekday" = %s '  # noqa: S608
            'AND w."opens" <= %s AND w."closes" > %s'
        )
        return (
            f'EXISTS ({exceptions} AND NOT x."closed" AND x."opens" <= %s AND x."closes" > %s) '
            f"OR (NOT EXISTS ({exceptions}) AND EXISTS ({week}))",
            [day, moment, moment, day, day.weekday(), moment, moment],
        )


PRODUCT_KIND = ProductKindFilter()
OPEN_NOW = OpenNowFilter()
GEO_FILTERS = (PRODUCT_KIND, OPEN_NOW)
