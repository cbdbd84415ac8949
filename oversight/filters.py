"""The filters of the officials' province map, its exports and the monitoring pages.

One form (OversightMapForm) parses them from a query string — for the page, the map API and the
exports alike — and producers_matching() turns its cleaned data into a queryset; the spatial parts
(unit, viewport) are geo's (geo/oversight_queries.py).
"""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from geo import oversight_queries
from geo.forms import ProvinceMapFilterForm, unit_choices
from geo.models import AdminUnit
from tracing.models import AreaCapacity, Certificate, Producer, Product

#: The province map's dates: the districts' map until 30 June 2025, the merged province's after.
DISTRICT_MAP_DAY = datetime.date(2025, 6, 30)
COMMUNE_MAP_DAY = datetime.date(2025, 7, 1)
MAX_EXPIRING_DAYS = 3650


def map_day(value: str | None) -> datetime.date:
    days = {value: datetime.date.fromisoformat(value) for value, _label in ProvinceMapFilterForm.MAP_DATE_CHOICES}
    return days.get(value or "", COMMUNE_MAP_DAY)


def choropleth_level(day: datetime.date) -> str:
    """Districts on the map before July 2025; communes after (districts were abolished)."""
    return AdminUnit.Level.DISTRICT if day < COMMUNE_MAP_DAY else AdminUnit.Level.COMMUNE


class OversightMapForm(ProvinceMapFilterForm):
    """The province map's filters plus the officials' own: status, kind of organisation, certificates."""

    status = forms.ChoiceField(
        label=_("Participation status"),
        required=False,
        choices=[("", _("All statuses")), *Producer.Status.choices],
    )
    producer_kind = forms.ChoiceField(
        label=_("Organisation"), required=False, choices=[("", _("All kinds")), *Producer.Kind.choices]
    )
    scheme = forms.ChoiceField(
        label=_("Certificate scheme"),
        required=False,
        choices=[("", _("Any certificate or none")), *Certificate.Scheme.choices],
        help_text=_("Producers holding a certificate of this scheme valid today."),
    )
    expiring_days = forms.IntegerField(
        label=_("Certificate expiring within (days)"),
        required=False,
        min_value=0,
        max_value=MAX_EXPIRING_DAYS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "30"}),
    )

    field_order = ["product_kind", "status", "producer_kind", "scheme", "expiring_days", "unit", "valid_on"]

    def __init__(self, data=None, *args, **kwargs):
        day = map_day((data or {}).get("valid_on"))
        kwargs.setdefault("units", unit_choices(day))
        kwargs.setdefault("show_verification", True)
        super().__init__(data, *args, **kwargs)
        self.fields["verification"].label = _("Shops")
        self.fields["valid_on"].required = False
        self.map_day = day

    def clean(self):
        cleaned = super().clean()
        cleaned["day"] = self.map_day
        unit_id = cleaned.get("unit")
        cleaned["unit_obj"] = AdminUnit.objects.filter(pk=unit_id).first() if unit_id else None
        return cleaned


def producers_matching(cleaned: dict, *, queryset: QuerySet | None = None) -> QuerySet:
    """Producers that pass every filter of a cleaned OversightMapForm (no viewport), by name then id."""
    qs = queryset if queryset is not None else Producer.objects.all()
    today = timezone.localdate()
    kind = cleaned.get("product_kind")
    if kind:
        qs = qs.filter(
            Q(Exists(Product.objects.filter(producer=OuterRef("pk"), kind=kind, is_active=True)))
            | Q(Exists(AreaCapacity.objects.filter(area__producer=OuterRef("pk"), product_kind=kind)))
        )
    if cleaned.get("status"):
        qs = qs.filter(status=cleaned["status"])
    if cleaned.get("producer_kind"):
        qs = qs.filter(kind=cleaned["producer_kind"])
    if cleaned.get("scheme"):
        valid = Certificate.objects.valid_on(today).filter(producer=OuterRef("pk"), scheme=cleaned["scheme"])
        qs = qs.filter(Exists(valid))
    days = cleaned.get("expiring_days")
    if days is not None:
        expiring = Certificate.objects.filter(
            producer=OuterRef("pk"), valid_to__gte=today, valid_to__lte=today + datetime.timedelta(days=days)
        )
        qs = qs.filter(Exists(expiring))
    if cleaned.get("unit_obj") is not None:
        qs = oversight_queries.points_in_unit(qs, cleaned["unit_obj"])
    return qs.order_by("name", "pk")
