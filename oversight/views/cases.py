"""The work queue of suspicious stamps and counterfeit reports: list, case page, assign, investigate, close."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Min
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from oversight import audit, services
from oversight.models import Case
from oversight.views.common import official_required
from tracing.models import Stamp
from tracing.models.stamps import normalise_report_reference
from tracing.stamps import clone_rules, serials
from tracing.stamps.scans import scan_counts

PAGE_SIZE = 40


class CloseForm(forms.Form):
    """The outcome and what was found; for a case about one of our stamps, what to revoke with it."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[c for c in Case.Outcome.choices if c[0] != Case.Outcome.RECORDED_ELSEWHERE]
    )
    note = forms.CharField(label=_("What was found"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    revoke = forms.ChoiceField(
        label=_("Revoke with the case"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "After a counterfeit or a misused stamp. “Counterfeit confirmed” alone already tells everyone who "
            "scans this code that it was copied; a revoked code says “revoked” to everyone, including the buyer "
            "of the genuine unit."
        ),
    )
    first = forms.CharField(label=_("First code of the range"), required=False, max_length=80)
    last = forms.CharField(label=_("Last code of the range"), required=False, max_length=80)

    def __init__(self, *args, stamp=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stamp is None:
            for name in ("revoke", "first", "last"):
                del self.fields[name]
            return
        bounds = Stamp.objects.filter(run_id=stamp.run_id).aggregate(first=Min("number"), last=Max("number"))
        ends = dict(
            Stamp.objects.filter(run_id=stamp.run_id, number__in=bounds.values()).values_list("number", "serial")
        )
        self.fields["revoke"].choices = [
            (services.REVOKE_NONE, _("Nothing")),
            (services.REVOKE_CODE, _("This code (%(code)s)") % {"code": serials.format_serial(stamp.serial)}),
            (
                services.REVOKE_RANGE,
                _("A range of its run #%(run)d (below; the whole run: %(count)d stamps)")
                % {"run": stamp.run_id, "count": bounds["last"] - bounds["first"] + 1},
            ),
        ]
        self.fields["revoke"].initial = services.REVOKE_NONE
        self.fields["first"].initial = ends.get(bounds["first"], "")
        self.fields["last"].initial = ends.get(bounds["last"], "")


class InvestigateForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


def _cases():
    return Case.objects.select_related(
        "flag__stamp__run__producer", "report__stamp__run__producer", "assignee", "closed_by"
    )


@require_GET
@official_required
def case_list(request):
    status = request.GET.get("status", "active")
    kind = request.GET.get("kind", "")
    mine = request.GET.get("mine") == "1"
    cases = _cases()
    if status == "active":
        cases = cases.exclude(status=Case.Status.CLOSED)
    elif status in Case.Status.values:
        cases = cases.filter(status=status)
    else:
        status = "all"
    if kind == "flag":
        cases = cases.filter(flag__isnull=False)
    elif kind == "report":
        cases = cases.filter(report__isnull=False)
    else:
        kind = ""
    if mine:
        cases = cases.filter(assignee=request.user)
    q = request.GET.get("q", "").strip()[:40]
    if q:  # a reporter quotes the reference number: find the report's case whatever its status
        cases = _cases().filter(report__reference=normalise_report_reference(q))
    page = Paginator(cases.order_by("opened_at", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for case in page:
        case.age_days = (now - case.opened_at).days
    return render(
        request,
        "oversight/cases.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "mine": mine,
            "q": q,
            "statuses": [("active", _("open or being investigated")), *Case.Status.choices, ("all", _("all"))],
            "rules": clone_rules.RULES,
        },
    )


def _case_context(case: Case, **forms_) -> dict:
    stamp = services.case_stamp(case)
    return {
        "case": case,
        "stamp": stamp,
        "scan_counts": scan_counts(stamp) if stamp is not None else None,
        "rules": clone_rules.RULES,
        "officials": services.officials(),
        "close_form": forms_.get("close_form") or CloseForm(stamp=stamp),
        "investigate_form": InvestigateForm(),
        "history": audit.search(target_type="oversight.case", target_id=str(case.pk)),
    }


@require_GET
@official_required
def case_detail(request, pk: int):
    case = get_object_or_404(_cases(), pk=pk)
    return render(request, "oversight/case.html", _case_context(case))


@require_POST
@official_required
def case_assign(request, pk: int):
    case = get_object_or_404(Case, pk=pk)
    assignee_id = request.POST.get("assignee", "")
    assignee = None
    if assignee_id:
        assignee = get_user_model().objects.filter(pk=assignee_id if assignee_id.isdigit() else None).first()
        if assignee is None:
            messages.error(request, _("Choose an official."))
            return redirect("oversight:case", pk=case.pk)
    try:
        services.case_assign(by=request.user, case=case, assignee=assignee)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Case assigned.") if assignee else _("Case unassigned."))
    return redirect("oversight:case", pk=case.pk)


@require_POST
@official_required
def case_investigate(request, pk: int):
    case = get_object_or_404(Case, pk=pk)
    form = InvestigateForm(request.POST)
    form.is_valid()
    try:
        services.case_investigate(by=request.user, case=case, note=form.cleaned_data.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You are investigating this case."))
    return redirect("oversight:case", pk=case.pk)


@require_POST
@official_required
def case_close(request, pk: int):
    case = get_object_or_404(_cases(), pk=pk)
    form = CloseForm(request.POST, stamp=services.case_stamp(case))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.case_close(
                by=request.user,
                case=case,
                outcome=data["outcome"],
                note=data["note"],
                revoke=data.get("revoke", request.POST.get("revoke", "")),
                first=data.get("first", ""),
                last=data.get("last", ""),
            )
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Case closed."))
            return redirect("oversight:case", pk=case.pk)
    return render(request, "oversight/case.html", _case_context(case, close_form=form), status=400)
