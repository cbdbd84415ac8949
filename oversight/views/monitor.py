"""Monitoring (stamp figures with charts), the cross-checks and their settings."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from backend.formatting import plain_number
from geo.models import ProductKind
from oversight import charts, checks, monitoring, services
from oversight.models import CheckSettings
from oversight.views.common import official_required
from oversight.views.desk import _measure_labels

#: The phone's month chart: the last six months, 48 px a month, fit a 390 px screen with its scale.
RECENT_MONTHS = 6
RECENT_GROUP_WIDTH = 48


def _month_chart(months, labels, **options):
    return charts.bar_chart(
        [m.strftime("%m/%y") for m, _c in months],
        [(label, [c[key] for _m, c in months]) for key, label in labels],
        title=_("Stamps per month"),
        **options,
    )


@require_GET
@official_required
def monitoring_page(request):
    """Stamps issued / activated / scanned / sold per month, producer and product, with charts."""
    form = monitoring.MonitoringForm(request.GET)
    if not form.is_valid():
        return render(request, "oversight/monitoring.html", {"form": form}, status=400)
    cleaned = form.cleaned_data
    figures = monitoring.stamp_figures(
        since=cleaned["since"],
        until=cleaned["until"],
        producer=cleaned.get("producer"),
        product_kind=cleaned.get("product_kind"),
    )
    months = figures.by_month()
    labels = _measure_labels()
    by_producer = figures.by_producer()
    suspicious = monitoring.suspicious_counts(since=cleaned["since"], until=cleaned["until"])
    return render(
        request,
        "oversight/monitoring.html",
        {
            "form": form,
            "since": cleaned["since"],
            "until": cleaned["until"],
            "totals": figures.totals(),
            "months": months,
            "by_producer": by_producer,
            "by_product": figures.by_product(),
            "month_chart": _month_chart(months, labels),
            # A phone shows the latest months (where the period ends) at a readable size, scale and legend
            # included; every month stays in the table below it.
            "recent_chart": _month_chart(months[-RECENT_MONTHS:], labels, group_width=RECENT_GROUP_WIDTH),
            "recent_months": min(len(months), RECENT_MONTHS),
            "producer_chart": charts.hbar_chart(
                [(name, counts["activated"]) for _pk, name, counts in by_producer[:15]],
                title=_("Stamps activated per producer"),
                colour=charts.PALETTE[1],
            ),
            "suspicious": suspicious,
        },
    )


@require_GET
@official_required
def checks_page(request):
    """Every cross-check's anomalies, each one sentence with links to its evidence."""
    year = request.GET.get("year", "")
    this_year = timezone.localdate().year
    year = int(year) if year.isdigit() and 2000 <= int(year) <= this_year + 1 else this_year
    found = checks.all_anomalies(year=year)
    sections = [(key, checks.CHECKS[key], found[key]) for key in checks.CHECKS]
    return render(
        request,
        "oversight/checks.html",
        {
            "sections": sections,
            "year": year,
            "years": list(range(this_year, this_year - 5, -1)),
            "settings": CheckSettings.current(),
            "total": sum(len(items) for items in found.values()),
        },
    )


class YieldForm(forms.Form):
    yield_kg_per_ha = forms.DecimalField(
        label=gettext_lazy("Yield (kg per hectare per year)"), min_value=Decimal("0.1"), max_digits=10, decimal_places=1
    )
    kg_per_litre = forms.DecimalField(
        label=gettext_lazy("kg per litre"), min_value=Decimal("0.001"), max_digits=5, decimal_places=3
    )


class ThresholdsForm(forms.ModelForm):
    class Meta:
        model = CheckSettings
        fields = ["far_scan_km", "journey_stale_days"]


@require_http_methods(["GET", "POST"])
@official_required
def settings_page(request):
    """The yields per product kind (documented defaults until set) and the cross-checks' thresholds."""
    yields = checks.yields()
    kinds = list(ProductKind.objects.order_by("code"))
    status = 200
    thresholds = ThresholdsForm(instance=CheckSettings.current(), prefix="t")
    if request.method == "POST":
        try:
            if request.POST.get("form") == "thresholds":
                thresholds = ThresholdsForm(request.POST, instance=CheckSettings.current(), prefix="t")
                if not thresholds.is_valid():
                    raise ValidationError(_("Correct the thresholds."))
                services.check_settings_set(by=request.user, **thresholds.cleaned_data)
            else:
                kind = next((k for k in kinds if str(k.pk) == request.POST.get("kind")), None)
                form = YieldForm(request.POST, prefix=f"k{kind.pk}" if kind else "none")
                if kind is None or not form.is_valid():
                    raise ValidationError(_("Give a yield and a kg per litre above zero."))
                services.yield_set(by=request.user, product_kind=kind, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        else:
            messages.success(request, _("Saved. The cross-checks use the new values now."))
            return redirect("oversight:settings")
    rows = [
        (
            kind,
            yields[kind.pk],
            YieldForm(
                prefix=f"k{kind.pk}",
                initial={
                    "yield_kg_per_ha": plain_number(yields[kind.pk].kg_per_ha),
                    "kg_per_litre": plain_number(yields[kind.pk].kg_per_litre),
                },
            ),
        )
        for kind in kinds
    ]
    return render(request, "oversight/settings.html", {"rows": rows, "thresholds": thresholds}, status=status)
