"""The verification steps of a producer's file (oversight/views/desk.py shows the file and the queue):
scheduling the field survey, the survey form, the decisions, and the decisions on changes to verified data.

Moved here from tracing (its old /tham-dinh/ URLs redirect: oversight/views/moved.py). Officials only
(official_required, the one rule); tracing's services check it again for every write and offer only
the transitions the workflow allows.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from oversight.views.common import official_required
from tracing import services
from tracing.form_fields import add_service_errors, error_status
from tracing.models import FieldSurvey, Producer, ProducerChange
from tracing.official_forms import ChangeDecisionForm, DecisionForm, ScheduleSurveyForm, SurveyForm
from tracing.views.common import (
    area_features,
    collection,
    map_config,
    producer_feature,
    regions_collection,
    with_validity,
)
from tracing.views.producer.application import areas_with_warnings, history_of
from tracing.workflow import TRANSITIONS, Action, allowed_actions

DECISIONS = {
    Action.APPROVE: services.producer_approve,
    Action.REJECT: services.producer_reject,
    Action.SUSPEND: services.producer_suspend,
    Action.REINSTATE: services.producer_reinstate,
}
FILE_TEMPLATE = "oversight/producer_file.html"


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


def verification_context(producer: Producer, **forms) -> dict:
    """tracing's part of the file: organisation, certificates, areas, surveys, history, next-step forms."""
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


def _file_page(request, producer: Producer, status: int, **forms):
    """The whole file again, with the refused form and its errors."""
    from oversight.views.desk import file_context

    return render(request, FILE_TEMPLATE, file_context(producer, **forms), status=status)


@require_POST
@official_required
def schedule_survey(request, pk: int):
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
            return redirect("oversight:producer_file", pk=producer.pk)
    return _file_page(request, producer, 400, schedule_form=form)


@require_http_methods(["GET", "POST"])
@official_required
def record_survey(request, pk: int):
    """The field survey form, made for an official's phone on site: date, GPS, checklist, findings, photos."""
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
                return redirect("oversight:producer_file", pk=producer.pk)
    else:
        form = SurveyForm(initial={"surveyed_on": timezone.localdate()})
    allowed = Action.RECORD_SURVEY in allowed_actions(producer.status)
    return render(
        request,
        "oversight/survey_form.html",
        {"form": form, "producer": producer, "survey": survey, "allowed": allowed},
        status=error_status(form) if form.errors else (200 if allowed else 409),
    )


@require_POST
@official_required
def decide(request, pk: int, action: str):
    """Approve, reject, suspend or reinstate, with the reason the producer will read."""
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
            return redirect("oversight:producer_file", pk=producer.pk)
    producer.refresh_from_db()
    return _file_page(request, producer, status, decision_form=form)


CHANGE_DECISIONS = {"accept": services.producer_change_accept, "refuse": services.producer_change_refuse}


@require_POST
@official_required
def decide_change(request, pk: int, action: str):
    """Accept or refuse a change to a producer's verified data (the note is required to refuse)."""
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
            return redirect("oversight:producer_file", pk=change.producer_id)
    producer = _producer(change.producer_id)
    return _file_page(request, producer, status, change_form=form)
