"""Opening hours: is a shop open at a moment, when does it close, when does it open next.

Hours are wall-clock times in Việt Nam (Asia/Ho_Chi_Minh, no daylight saving). A dated
OpeningException replaces the weekly periods of its day: closed all day, or its own hours.
`opening_state` reads `retail_point.opening_periods.all()` and `.opening_exceptions.all()`, so a list
of shops costs two queries when `with_opening_hours` (or a plain prefetch) is applied first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from geo.models import OpeningException, OpeningPeriod

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_DAYS_AHEAD = 8  # today and the same weekday next week


@dataclass(frozen=True)
class OpeningState:
    is_open: bool
    closes_at: datetime.time | None  # when open: the end of the current (merged) period
    opens_next: datetime.datetime | None  # when closed: the next opening within a week, aware


def _local(at: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(at):
        raise ValueError("opening hours need an aware datetime")
    return at.astimezone(VIETNAM)


def open_at_q(at: datetime.datetime) -> Q:
    """A filter on RetailPoint: open at `at` (an exception for that day wins over the weekly hours)."""
    local = _local(at)
    day, moment = local.date(), local.time().replace(tzinfo=None)
    exceptions = OpeningException.objects.filter(retail_point=OuterRef("pk"), date=day)
    open_by_exception = exceptions.filter(closed=False, opens__lte=moment, closes__gt=moment)
    open_by_week = OpeningPeriod.objects.filter(
        retail_point=OuterRef("pk"), weekday=day.weekday(), opens__lte=moment, closes__gt=moment
    )
    return Q(Exists(open_by_exception)) | (~Q(Exists(exceptions)) & Q(Exists(open_by_week)))


def with_opening_hours(queryset: QuerySet, at: datetime.datetime) -> QuerySet:
    """Prefetch what `opening_state` needs for a week from `at`: the weekly periods and the near exceptions."""
    day = _local(at).date()
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
    local = _local(at)
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
