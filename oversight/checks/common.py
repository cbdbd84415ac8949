"""What the cross-checks share: the Anomaly, the checks' names, the limit, and the texts and links of a finding."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.formatting import decimal_text

MAX_ANOMALIES = 200
_NO_DISTANCE = 1e12


@dataclass
class Anomaly:
    check: str
    sentence: str
    producer_id: int | None = None
    links: list[tuple[str, str]] = field(default_factory=list)
    at: datetime.datetime | datetime.date | None = None


# Lazy: read on each page in its language (translated at import, they stayed in the server's language).
CHECKS = {
    "capacity": gettext_lazy("Activated above what the production areas can yield"),
    "batch": gettext_lazy("Activated above the batch quantity"),
    "certificate": gettext_lazy("Activations relying on an expired certificate"),
    "far_scan": gettext_lazy("Scanned far outside the distribution area"),
    "journey": gettext_lazy("Journeys that end nowhere known"),
}


def kg_text(value) -> str:
    return decimal_text(value, places=0)


def day_text(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return date_format(value, "DATE_FORMAT")


def file_link(producer_id: int) -> tuple[str, str]:
    return (_("producer's file"), reverse("oversight:producer_file", args=[producer_id]))


def batch_link(batch_id: int, lot_code: str) -> tuple[str, str]:
    return (_("batch %(lot)s") % {"lot": lot_code}, reverse("tracing:batch", args=[batch_id]))
