"""Stamp figures for monitoring (plan II.4, III.8): issued, activated, scanned and sold stamps per
producer, product and month, counted by PostgreSQL (a handful of GROUP BY queries whatever the volume).

- issued: stamps of runs issued in the month (by the run's product; "any product" when the run has none);
- activated: stamps whose activation time falls in the month (by the batch's product);
- scanned: look-ups of genuine codes by the public in the month — reloads and staff scans left out;
- sold: stamps whose sale (order, shop or PIN confirmation) falls in the month.
Months are calendar months in the site's time zone.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend import dates
from backend.bilingual import localised
from geo.forms import ProductKindChoiceField
from geo.models import ProductKind
from tracing.models import Producer, Product, Scan, Stamp

MEASURES = ("issued", "activated", "scanned", "sold")
MAX_PERIOD_DAYS = 3 * 366


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def bounds(since: datetime.date, until: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start of `since`, start of the day after `until`) as aware datetimes in the site's time zone."""
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min))
    return start, end


class PeriodForm(forms.Form):
    since = dates.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = dates.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        until = cleaned.get("until") or today
        since = cleaned.get("since") or add_months(month_start(until), -11)
        if since > until:
            raise forms.ValidationError(_("The start of the period must be before its end."))
        if (until - since).days > MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Choose a period of at most three years."))
        cleaned["since"], cleaned["until"] = since, until
        return cleaned


class MonitoringForm(PeriodForm):
    producer = forms.ModelChoiceField(
        label=_("Producer"), queryset=Producer.objects.order_by("name"), required=False, empty_label=_("All producers")
    )
    product_kind = ProductKindChoiceField(
        label=_("Product"),
        queryset=ProductKind.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All products"),
    )


@dataclass
class Figures:
    """Counts per (month, producer id, product id) and the names to show them."""

    since: datetime.date
    until: datetime.date
    cells: dict = field(default_factory=lambda: defaultdict(lambda: dict.fromkeys(MEASURES, 0)))
    producer_names: dict = field(default_factory=dict)
    product_names: dict = field(default_factory=dict)

    def months(self) -> list[datetime.date]:
        months, month = [], month_start(self.since)
        while month <= self.until:
            months.append(month)
            month = add_months(month, 1)
        return months

    def _by(self, index: int) -> dict:
        totals: dict = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
        for key, counts in self.cells.items():
            for measure in MEASURES:
                totals[key[index]][measure] += counts[measure]
        return totals

    def by_month(self) -> list[tuple[datetime.date, dict]]:
        totals = self._by(0)
        return [(month, totals.get(month, dict.fromkeys(MEASURES, 0))) for month in self.months()]

    def by_producer(self) -> list[tuple[int, str, dict]]:
        totals = self._by(1)
        rows = [(pk, self.producer_names.get(pk, "—"), counts) for pk, counts in totals.items()]
        return sorted(rows, key=lambda row: (-row[2]["activated"], -row[2]["issued"], row[1]))

    def by_product(self) -> list[tuple[int | None, str, dict]]:
        totals = self._by(2)
        rows = [(pk, self.product_names.get(pk, str(_("any product"))), counts) for pk, counts in totals.items()]
        return sorted(rows, key=lambda row: (-row[2]["activated"], -row[2]["issued"], row[1]))

    def totals(self) -> dict:
        result = dict.fromkeys(MEASURES, 0)
        for counts in self.cells.values():
            for measure in MEASURES:
                result[measure] += counts[measure]
        return result


def _month(value) -> datetime.date:
    return timezone.localtime(value).date() if isinstance(value, datetime.datetime) else value


def stamp_figures(
    *, since: datetime.date, until: datetime.date, producer: Producer | None = None, product_kind=None
) -> Figures:
    """Issued / activated / scanned / sold stamps per month, producer and product in the period (4 GROUP BYs)."""
    start, end = bounds(since, until)
    figures = Figures(since=since, until=until)
    stamps = Stamp.objects.all()
    scans = Scan.objects.filter(stamp__isnull=False, repeat=False).exclude(channel=Scan.Channel.STAFF)
    if producer is not None:
        stamps = stamps.filter(run__producer=producer)
        scans = scans.filter(stamp__run__producer=producer)
    issued_stamps = stamps
    if product_kind is not None:
        issued_stamps = stamps.filter(run__product__kind=product_kind)
        stamps = stamps.filter(batch__product__kind=product_kind)
        scans = scans.filter(stamp__batch__product__kind=product_kind)
    queries = (
        (
            "issued",
            issued_stamps.filter(run__issued_at__gte=start, run__issued_at__lt=end),
            "run__issued_at",
            "run__producer",
            "run__product",
        ),
        (
            "activated",
            stamps.filter(activated_at__gte=start, activated_at__lt=end),
            "activated_at",
            "run__producer",
            "batch__product",
        ),
        ("sold", stamps.filter(sold_at__gte=start, sold_at__lt=end), "sold_at", "run__producer", "batch__product"),
        (
            "scanned",
            scans.filter(scanned_at__gte=start, scanned_at__lt=end),
            "scanned_at",
            "stamp__run__producer",
            "stamp__batch__product",
        ),
    )
    for measure, qs, when, producer_path, product_path in queries:
        rows = (
            qs.annotate(month=TruncMonth(when))
            .values_list("month", producer_path, product_path)
            .annotate(n=Count("pk"))
            .order_by()
        )
        for month, producer_id, product_id, n in rows:
            figures.cells[(_month(month), producer_id, product_id)][measure] += n
    producer_ids = {key[1] for key in figures.cells}
    product_ids = {key[2] for key in figures.cells if key[2] is not None}
    figures.producer_names = dict(Producer.objects.filter(pk__in=producer_ids).values_list("pk", "name"))
    figures.product_names = {
        product.pk: localised(product, "name")
        for product in Product.objects.filter(pk__in=product_ids).only("pk", "name_vi", "name_en")
    }
    return figures


def suspicious_counts(*, since: datetime.date, until: datetime.date) -> dict:
    """Scans in the period and how many were judged suspicious (reloads left out)."""
    start, end = bounds(since, until)
    return Scan.objects.filter(scanned_at__gte=start, scanned_at__lt=end, repeat=False).aggregate(
        scans=Count("pk"), suspicious=Count("pk", filter=Q(verdict=Scan.Verdict.SUSPICIOUS))
    )
