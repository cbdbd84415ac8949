"""The demo's history is played through the real services with the clock set back.

    clock = Clock()                      # "today" is the day of seeding
    with clock.at(days=30, hour=9):      # 30 days ago, 09:00 local time
        services.batch_create(...)       # every timezone.now(), auto_now field, default=timezone.now …

Inside `at`, time-machine moves Python's clock (datetime.now, time.time, date.today), so each
service writes exactly what it would have written on that day: status changes, activation times,
scans, orders and the audit trail all carry consistent dates, and the services' own checks
("not in the future", "not before the harvest") judge against that day. The clock ticks on from
the moment it is set, so records made one after another keep their order. A moment later than the
real now is pulled back to a minute before it.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager

import time_machine
from django.utils import timezone


class Clock:
    def __init__(self, today: datetime.date | None = None):
        self.real_now = timezone.now()
        self.today = today or timezone.localdate(self.real_now)

    def moment(self, *, days: float, hour: int = 9, minute: int = 0) -> datetime.datetime:
        """Local `hour`:`minute` on the day `days` ago; a fraction of a day counts back from 09:00 of today, so
        that 8.9 days ago lies between 9 and 8 days ago at 09:00 whatever the hour of seeding."""
        if days != int(days):
            anchor = timezone.make_aware(datetime.datetime.combine(self.today, datetime.time(9, 0)))
            return min(anchor - datetime.timedelta(days=days), self.real_now - datetime.timedelta(minutes=1))
        day = self.today - datetime.timedelta(days=int(days))
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
        return min(moment, self.real_now - datetime.timedelta(minutes=1))

    def day(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    @contextmanager
    def at(self, moment: datetime.datetime | None = None, *, days: float = 0, hour: int = 9, minute: int = 0):
        when = moment if moment is not None else self.moment(days=days, hour=hour, minute=minute)
        when = min(when, self.real_now - datetime.timedelta(minutes=1))
        with time_machine.travel(when, tick=True):
            yield when
