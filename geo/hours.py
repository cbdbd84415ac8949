"""Opening hours: is a shop open at a moment, when does it close, when does it open next.

Hours are wall-clock times in Việt Nam (Asia/Ho_Chi_Minh, no daylight saving). A dated
OpeningException replaces the weekly periods of its day: closed all day, or its own hours.
`opening_state` reads `retail_point.opening_periods.all()` and `.opening_exceptions.all()`, so a list
of shops costs two queries when `with_opening_hours` (or a plain prefetch) is applied first.
`opening_state_sql` computes the same state inside another statement (the nearest-shop API: one
query, no model instances); a test checks that the two agree all week. The filter "open at a moment"
is geo.filters.OPEN_NOW (its Q and its SQL).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from geo.models import OpeningException, OpeningPeriod

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_DAYS_AHEAD = 8  # today and the same weekday next week


@dataclass(frozen=True)
class OpeningState:
    is_open: bool
    closes_at: datetime.time | None  # when open: the end of the current (merged) period
    opens_next: datetime.datetime | None  # when closed: the next opening within a week, aware


def local_time(at: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(at):
        raise ValueError("opening hours need an aware datetime")
    return at.astimezone(VIETNAM)


def with_opening_hours(queryset: QuerySet, at: datetime.datetime) -> QuerySet:
    """Prefetch what `opening_state` needs for a week from `at`: the weekly periods and the near exceptions."""
    day = local_time(at).date()
    return queryset.prefetch_related(
        Prefetch("opening_periods", queryset=OpeningPeriod.objects.order_by("weekday", "opens")),
        Prefetch(
            "opening_exceptions",
            queryset=OpeningException.objects.filter(
                date__gte=day, date__lte=day + datetime.timedelta(days=_DAYS_AHEAD)
            ),
        ),
    )


def _periods_of_day(day: datetime.date, weekly: dict, exceptions: dict) -> list[tuple[datetime.time, datetime.time]]:
    """The day's opening periods, sorted, with touching or overlapping periods merged."""
    if day in exceptions:
        exception = exceptions[day]
        raw = [] if exception.closed else [(exception.opens, exception.closes)]
    else:
        raw = sorted(weekly.get(day.weekday(), []))
    merged: list[tuple[datetime.time, datetime.time]] = []
    for opens, closes in raw:
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return merged


def opening_state(retail_point, at: datetime.datetime) -> OpeningState:
    """Open or closed at `at`; when open, the closing time; when closed, the next opening within a week.

    A shop without any hours is closed with no next opening.
    """
    local = local_time(at)
    today, moment = local.date(), local.time().replace(tzinfo=None)
    weekly: dict[int, list] = {}
    for period in retail_point.opening_periods.all():
        weekly.setdefault(period.weekday, []).append((period.opens, period.closes))
    exceptions = {exception.date: exception for exception in retail_point.opening_exceptions.all()}

    for offset in range(_DAYS_AHEAD):
        day = today + datetime.timedelta(days=offset)
        for opens, closes in _periods_of_day(day, weekly, exceptions):
            if offset == 0 and opens <= moment < closes:
                return OpeningState(is_open=True, closes_at=closes, opens_next=None)
            if offset > 0 or opens > moment:
                return OpeningState(
                    is_open=False, closes_at=None, opens_next=datetime.datetime.combine(day, opens, tzinfo=VIETNAM)
                )
    return OpeningState(is_open=False, closes_at=None, opens_next=None)


# The same rules as `opening_state`, in SQL, for the shop whose id is the column `%(shop)s` of the
# enclosing query, as plain aggregates (cheap to plan and to run for ten shops):
# * the periods of the next eight days (offset 0 = today, 7 = the same weekday next week), where a
#   dated exception replaces the weekly periods of its day;
# * open now: a period of today holds the moment;
# * closes at: the first closing time after the moment that no other period of today covers (the end
#   of the merged run of touching or overlapping periods that holds the moment);
# * opens next: the earliest start after the moment (when closed, no period that started before the
#   moment is still running, so the earliest later start begins a new merged period).
# Parameters: moment ×3, today, moment, weekday ×2, today ×4.
_STATE_SQL = """
SELECT coalesce(bool_or(p.off = 0 AND p.opens <= %%s::time AND p.closes > %%s::time), false) AS is_open,
       min(p.closes) FILTER (
           WHERE p.off = 0 AND p.closes > %%s::time AND (p.exceptional OR NOT EXISTS (
               SELECT 1 FROM geo_openingperiod q
               WHERE q.retail_point_id = %(shop)s AND q.weekday = p.weekday
                 AND q.opens <= p.closes AND p.closes < q.closes))
       ) AS closes_end,
       min(%%s::date + p.off + p.opens) FILTER (WHERE p.off > 0 OR p.opens > %%s::time) AS next_opening
FROM (
    SELECT o.off, w.weekday, w.opens, w.closes, false AS exceptional
    FROM geo_openingperiod w
    CROSS JOIN LATERAL (VALUES (mod(w.weekday - %%s + 7, 7)), (CASE WHEN w.weekday = %%s THEN 7 END)) AS o(off)
    WHERE w.retail_point_id = %(shop)s AND o.off IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM geo_openingexception x WHERE x.retail_point_id = %(shop)s AND x.date = %%s::date + o.off
      )
    UNION ALL
    SELECT x.date - %%s::date, NULL::smallint, x.opens, x.closes, true
    FROM geo_openingexception x
    WHERE x.retail_point_id = %(shop)s AND NOT x.closed AND x.date BETWEEN %%s::date AND %%s::date + 7
) p
"""
_STATE_COLUMNS = (
    "state.is_open, CASE WHEN state.is_open THEN state.closes_end END, "
    "CASE WHEN NOT state.is_open THEN state.next_opening END"
)


def opening_state_sql(shop_column: str, at: datetime.datetime) -> tuple[str, str, list]:
    """SQL for the opening state at `at` of the shop `shop_column` of an enclosing query.

    Returns (subquery, columns, parameters): join the subquery as `LEFT JOIN LATERAL (<subquery>)
    state ON true` (it always answers one row) and select `columns`, which are (is_open, closes_at,
    opens_next) — read them with `opening_state_from_row`. `opens_next` is a timestamp without time
    zone in Việt Nam time. `shop_column` is interpolated: pass a column name from our own code.
    """
    local = local_time(at)
    today, moment = local.date(), local.time().replace(tzinfo=None)
    weekday = today.weekday()
    sql = _STATE_SQL % {"shop": shop_column}
    params = [moment, moment, moment, today, moment, weekday, weekday, today, today, today, today]
    return sql, _STATE_COLUMNS, params


def opening_state_from_row(is_open, closes_at, opens_next) -> OpeningState:
    """The OpeningState of the columns that `opening_state_sql` selected (NULLs when the shop has no hours)."""
    return OpeningState(
        is_open=bool(is_open),
        closes_at=closes_at,
        opens_next=opens_next.replace(tzinfo=VIETNAM) if opens_next is not None else None,
    )
