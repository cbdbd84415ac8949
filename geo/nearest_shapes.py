"""Compiled shapes of the API's nearest statement, prepared once per database connection."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from backend import prepared
from geo.coordinates import point, validate_radius_m
from geo.expressions import sql_conditions_q
from geo.nearest_statement import nearest_inner_sql


def _placeholder_count(sql: str) -> int:
    """How many `%s` parameters an SQL text holds (`%%` is a literal percent sign)."""
    return sum(1 for match in re.finditer(r"%[s%]", sql) if match.group() == "%s")


class _ExtraSlot:
    """Stands for the n-th parameter of the registered filters' SQL conditions while a shape compiles."""

    __slots__ = ("position",)

    def __init__(self, position: int):
        self.position = position


class NearestShape:
    """The compiled SQL of one shape of the nearest query: limit, radius or not, and the SQL conditions
    of the filters in the request, geo's own (product kind, open now) and the registered ones (their
    text; see geo.filters.NearestFilter.sql), and a candidate source's text.

    Building the query with the ORM costs several milliseconds, more than running it. So each shape is
    compiled once, with sentinel values for the origin, radius and the filters' values,
    and the positions of those values among the parameters are remembered; `bind` puts a request's
    values in their place. Tests check that the result equals a fresh compilation and finds the same rows.
    """

    _LAT, _LNG = 1.2345678, 2.3456789  # valid coordinates no request is expected to send...
    _RADIUS = 123_457.891  # ...and values that nothing else in the query uses (checked below)
    # Shapes with filter conditions are few (each filter writes a handful of texts, times the limits and
    # the radius or not); past this many, a new shape is compiled by the ORM each time rather than kept
    # (and prepared) forever.
    _MAX_SHAPES = 600
    _cache: dict = {}

    def __init__(self, limit: int, has_radius: bool, extra_sql: tuple[str, ...] = (), source: str | None = None):
        self.name = f"hg_nearest_{limit}_{int(has_radius)}"
        if extra_sql or source is not None:
            texts = (*extra_sql, "\1source", source) if source is not None else extra_sql
            self.name += "_" + hashlib.sha256("\0".join(texts).encode()).hexdigest()[:16]
        # The values of the conditions, then the source's: checked against the slots below.
        self.extra_count = sum(map(_placeholder_count, extra_sql)) + (_placeholder_count(source) if source else 0)
        slots = iter(range(self.extra_count))
        conditions = [(sql, [_ExtraSlot(next(slots)) for _ in range(_placeholder_count(sql))]) for sql in extra_sql]
        if source is not None:
            source = (source, [_ExtraSlot(next(slots)) for _ in range(_placeholder_count(source))])
        sql, params = nearest_inner_sql(
            lat=self._LAT,
            lng=self._LNG,
            limit=limit,
            radius_m=self._RADIUS if has_radius else None,
            extra=sql_conditions_q(conditions),
            source=source,
        )
        origin = point(self._LAT, self._LNG)
        self.sql, self.params, self.slots = sql, params, []
        for index, value in enumerate(params):
            if isinstance(value, _ExtraSlot):
                self.slots.append((index, value.position))
            elif isinstance(value, str) and value == origin.ewkt:
                self.slots.append((index, "ewkt"))
            elif isinstance(value, float) and value == self._RADIUS:
                self.slots.append((index, "radius"))
            elif hasattr(value, "ewkb") and bytes(value.ewkb) == bytes(origin.ewkb):
                self.slots.append((index, "adapter"))
        found = {kind for _index, kind in self.slots}
        expected = {"ewkt"} | ({"radius"} if has_radius else set())
        expected |= {"adapter"} if source is None else set()  # a source's walk measures from the EWKT
        expected |= set(range(self.extra_count))
        if found != expected:  # the query changed shape: never bind blindly
            raise RuntimeError(f"nearest query sentinels not found: {sorted(map(str, expected - found))}")

    @classmethod
    def get(
        cls, limit: int, has_radius: bool, extra_sql: tuple[str, ...] = (), source: str | None = None
    ) -> NearestShape | None:
        """The shape, compiled on first use; None for a new shape with conditions once the cache is full."""
        key = (limit, has_radius, extra_sql, source)
        shape = cls._cache.get(key)
        if shape is None:
            if (extra_sql or source is not None) and len(cls._cache) >= cls._MAX_SHAPES:
                return None
            shape = cls._cache[key] = cls(limit, has_radius, extra_sql, source)
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

    def bind(self, *, lat, lng, radius_m, extra_params: Sequence = ()) -> tuple[str, list]:
        if len(extra_params) != self.extra_count:
            raise ValueError("the filter conditions' parameters do not match their placeholders")
        origin = point(lat, lng)
        values = {"ewkt": origin.ewkt, **dict(enumerate(extra_params))}
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
