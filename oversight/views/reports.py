"""The evaluation report (page, PDF and CSV by a background job) and the audit trail's search."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from backend import dates
from backend.jobs import job_enqueue
from geo.forms import ProvinceMapFilterForm
from oversight import audit, charts, evaluation
from oversight.audit_display import action_label
from oversight.filters import DISTRICT_MAP_DAY, map_day
from oversight.models import AuditEntry
from oversight.monitoring import PeriodForm
from oversight.views.common import official_required
from oversight.views.desk import _measure_labels


class EvaluationForm(PeriodForm):
    area_map = forms.ChoiceField(
        label=gettext_lazy("Areas"),
        choices=ProvinceMapFilterForm.MAP_DATE_CHOICES,
        initial=DISTRICT_MAP_DAY.isoformat(),
        required=False,
    )
    # Chosen by the page's two download buttons, not a field of the period form: no label, no select.
    fmt = forms.ChoiceField(
        label=gettext_lazy("File format"),
        choices=[("pdf", "PDF"), ("csv", "CSV")],
        required=False,
        widget=forms.HiddenInput,
    )


@require_http_methods(["GET", "POST"])
@official_required
def evaluation_page(request):
    """The report's figures for a period on the page; "PDF"/"CSV" start a background job with progress."""
    form = EvaluationForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return render(request, "oversight/evaluation.html", {"form": form}, status=400)
    cleaned = form.cleaned_data
    area_day = map_day(cleaned.get("area_map") or DISTRICT_MAP_DAY.isoformat())
    if request.method == "POST":
        fmt = cleaned.get("fmt") or "pdf"
        job = job_enqueue(
            handler="oversight.evaluation.evaluation_report_job",
            title=gettext_noop("Evaluation report %(since)s – %(until)s (%(fmt)s)"),
            title_args={
                "since": cleaned["since"].strftime("%d/%m/%Y"),
                "until": cleaned["until"].strftime("%d/%m/%Y"),
                "fmt": fmt.upper(),
            },
            owner=request.user,
            arguments={
                "since": cleaned["since"].isoformat(),
                "until": cleaned["until"].isoformat(),
                "fmt": fmt,
                "area_day": area_day.isoformat(),
                "language": get_language() or "vi",
            },
            total=6,
        )
        audit.record(
            actor=request.user,
            action="evaluation.export",
            target=job,
            after={"since": cleaned["since"], "until": cleaned["until"], "format": fmt},
        )
        return redirect("job-detail", pk=job.pk)
    figures = evaluation.evaluation_figures(since=cleaned["since"], until=cleaned["until"], area_day=area_day)
    months = figures["by_month"]
    return render(
        request,
        "oversight/evaluation.html",
        {
            "form": form,
            "figures": figures,
            "headline": evaluation.headline(figures),
            "month_chart": charts.bar_chart(
                [m.strftime("%m/%y") for m, _c in months],
                [(label, [c[key] for _m, c in months]) for key, label in _measure_labels()],
                title=_("Stamps per month"),
            ),
            "product_chart": charts.hbar_chart(
                [(name, row["activated"]) for name, row in figures["per_product"]],
                title=_("Stamps activated per product"),
                colour=charts.PALETTE[1],
            ),
            "area_chart": charts.hbar_chart(
                [(name, row["activated"]) for name, row in figures["per_area"]],
                title=_("Stamps activated per area"),
                colour=charts.PALETTE[2],
            ),
            "query": request.GET.urlencode(),
        },
    )


class AuditSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    actor = forms.CharField(label=gettext_lazy("Official (username)"), required=False, max_length=150)
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    since = dates.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = dates.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    target_type = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)
    target_id = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actions = AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
        self.fields["action"].choices = [("", _("All actions")), *((a, capfirst(action_label(a))) for a in actions)]


@require_GET
@official_required
def audit_page(request):
    form = AuditSearchForm(request.GET)
    entries = AuditEntry.objects.none()
    if form.is_valid():
        data = form.cleaned_data
        entries = audit.search(
            text=data["q"],
            actor=data["actor"],
            action=data["action"],
            target_type=data["target_type"],
            target_id=data["target_id"],
            since=data["since"],
            until=data["until"],
        )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "oversight/audit.html",
        {"form": form, "page": page, "query": params.urlencode()},
        status=200 if form.is_valid() else 400,
    )
