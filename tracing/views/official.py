"""Officials' pages: the applications queue, a producer's whole file, the survey and the decisions.

Kept apart so that the fuller verification desk (issue 7) can extend them. Only holders of
tracing.verify_producer (and administrators, who read everything) see these pages; the services
check the permission again for every write, and offer only the transitions the workflow allows.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracing import access, services
from tracing.form_fields import add_service_errors, error_status
from tracing.models import FieldSurvey, Producer, ProducerChange
from tracing.official_forms import ChangeDecisionForm, DecisionForm, ScheduleSurveyForm, SurveyForm
from tracing.views.common import (
    area_features,
    collection,
    map_config,
    producer_feature,
    regions_collection,
    require_official,
    with_validity,
)
from tracing.views.producer import areas_with_warnings, history_of
from tracing.workflow import TRANSITIONS, Action, allowed_actions

PAGE_SIZE = 50
DECISIONS = {
    Action.APPROVE: services.producer_approve,
    Action.REJECT: services.producer_reject,
    Action.SUSPEND: services.producer_suspend,
    Action.REINSTATE: services.producer_reinstate,
}
# The queue's default: what waits for an official's step, oldest first.
WAITING = (Producer.Status.APPLIED, Producer.Status.SURVEY_SCHEDULED, Producer.Status.SURVEYED)


@login_required
@never_cache
@require_GET
def queue(request):
    """Applications by status, the longest-waiting first."""
    require_official(request)
    status = request.GET.get("trang-thai", "")
    producers = Producer.objects.select_related("commune", "commune__parent").order_by("status_changed_at", "pk")
    if status in Producer.Status.values:
        producers = producers.filter(status=status)
    else:
        status = ""
        producers = producers.filter(status__in=WAITING)
    counts = dict(Producer.objects.values_list("status").annotate(n=Count("pk")).order_by())
    page = Paginator(producers, PAGE_SIZE).get_page(request.GET.get("trang"))
    now = timezone.now()
    for producer in page:
        producer.waiting_days = (now - producer.status_changed_at).days
    return render(
        request,
        "tracing/official/queue.html",
        {
            "page": page,
            "changes": changes_waiting(now),
            "status": status,
            "tabs": [(value, label, counts.get(value, 0)) for value, label in Producer.Status.choices],
            "waiting_count": sum(counts.get(value, 0) for value in WAITING),
        },
    )


def changes_waiting(now=None) -> list[ProducerChange]:
    """Changes to verified data waiting for an official, the longest-waiting first (for the queues)."""
    now = now or timezone.now()
    changes = list(
        ProducerChange.objects.filter(status=ProducerChange.Status.PENDING)
        .select_related("producer", "producer__commune")
        .order_by("requested_at", "pk")
    )
    for change in changes:
        change.waiting_days = (now - change.requested_at).days
    return changes


def _file_context(producer: Producer, **forms) -> dict:
    areas = areas_with_warnings(producer)
    region_ids = {link.region_id for area in areas for link in area.region_links.all()}
    actions = allowed_actions(producer.status)
    surveys = FieldSurvey.objects.filter(producer=producer).select_related("scheduled_by", "recorded_by")
    surveys = surveys.prefetch_related("photos").order_by("-scheduled_for", "-pk")
    today = timezone.localdate()
    certificates = with_validity(producer.certificates.prefetch_related("product_kinds", "production_areas"))
    context = {
        "producer": producer,
        "certificates": certificates,
        "areas": areas,
        "history": history_of(producer),
        "surveys": surveys,
        "staff": producer.memberships.select_related("user"),
        "can_schedule": Action.SCHEDULE_SURVEY in actions,
        "can_record": Action.RECORD_SURVEY in actions,
        "decisions": [(action.value, TRANSITIONS[action].label) for action in actions if action in DECISIONS],
        "schedule_form": forms.get("schedule_form") or ScheduleSurveyForm(initial={"scheduled_for": today}),
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "pending_change": services.pending_change(producer),
        "change_form": forms.get("change_form") or ChangeDecisionForm(prefix="change"),
        "file_map": map_config(
            ("region", regions_collection(region_ids)),
            ("area", collection(area_features(areas))),
            ("producer", collection([producer_feature(producer, public=False)])),
        ),
        "is_official": True,
    }
    return context


def _producer(pk: int) -> Producer:
    return get_object_or_404(Producer.objects.select_related("commune", "commune__parent"), pk=pk)


@login_required
@never_cache
@require_GET
def producer_file(request, pk: int):
    """Everything an official needs on one page: organisation, certificates, areas on a map, history, surveys."""
    require_official(request)
    return render(request, "tracing/official/file.html", _file_context(_producer(pk)))


@login_required
@require_POST
def schedule_survey(request, pk: int):
    require_official(request)
    producer = _producer(pk)
    form = ScheduleSurveyForm(request.POST)
    if form.is_valid():
        try:
            services.producer_schedule_survey(
                by=request.user,
                producer=producer,
                scheduled_for=form.cleaned_data["scheduled_for"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The survey is scheduled; the producer has been emailed."))
            return redirect("tracing:official_file", pk=producer.pk)
    return render(request, "tracing/official/file.html", _file_context(producer, schedule_form=form), status=400)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def record_survey(request, pk: int):
    """The field survey form, made for an official's phone on site: date, GPS, checklist, findings, photos."""
    require_official(request)
    producer = _producer(pk)
    survey = FieldSurvey.objects.filter(producer=producer, recorded_at__isnull=True).order_by("-pk").first()
    if request.method == "POST":
        form = SurveyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.producer_record_survey(by=request.user, producer=producer, **form.service_values())
            except ValidationError as exc:
                add_service_errors(form, exc, aliases={"location": "lat"})
            else:
                messages.success(request, _("The survey has been recorded. Now take the decision."))
                return redirect("tracing:official_file", pk=producer.pk)
    else:
        form = SurveyForm(initial={"surveyed_on": timezone.localdate()})
    allowed = Action.RECORD_SURVEY in allowed_actions(producer.status)
    return render(
        request,
        "tracing/official/survey_form.html",
        {"form": form, "producer": producer, "survey": survey, "allowed": allowed},
        status=error_status(form) if form.errors else (200 if allowed else 409),
    )


@login_required
@require_POST
def decide(request, pk: int, action: str):
    """Approve, reject, suspend or reinstate, with the reason the producer will read."""
    if not access.is_official(request.user):
        raise PermissionDenied(_("Only an official of the province may do this."))
    producer = _producer(pk)
    if action not in {a.value for a in DECISIONS}:
        raise Http404(_("Unknown decision."))
    form = DecisionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            DECISIONS[Action(action)](by=request.user, producer=producer, reason=form.cleaned_data["reason"])
        except services.TransitionNotAllowed as exc:
            form.add_error(None, exc.messages)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            producer.refresh_from_db()
            messages.success(
                request,
                _("Decision recorded: %(status)s. The producer has been emailed.")
                % {"status": producer.get_status_display()},
            )
            return redirect("tracing:official_file", pk=producer.pk)
    producer.refresh_from_db()
    return render(request, "tracing/official/file.html", _file_context(producer, decision_form=form), status=status)


CHANGE_DECISIONS = {"accept": services.producer_change_accept, "refuse": services.producer_change_refuse}


@login_required
@require_POST
def decide_change(request, pk: int, action: str):
    """Accept or refuse a change to a producer's verified data (the note is required to refuse)."""
    if not access.is_official(request.user):
        raise PermissionDenied(_("Only an official of the province may do this."))
    if action not in CHANGE_DECISIONS:
        raise Http404(_("Unknown decision."))
    change = get_object_or_404(ProducerChange.objects.select_related("producer"), pk=pk)
    form = ChangeDecisionForm(request.POST, prefix="change")
    status = 400
    if form.is_valid():
        try:
            CHANGE_DECISIONS[action](by=request.user, change=change, reason=form.cleaned_data["reason"])
        except services.TransitionNotAllowed as exc:
            form.add_error(None, exc.messages)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if change.status == ProducerChange.Status.ACCEPTED:
                messages.success(request, _("Change accepted: the public pages show the new data."))
            else:
                messages.success(request, _("Change refused: the verified data stays as it is."))
            return redirect("tracing:official_file", pk=change.producer_id)
    producer = _producer(change.producer_id)
    return render(request, "tracing/official/file.html", _file_context(producer, change_form=form), status=status)
