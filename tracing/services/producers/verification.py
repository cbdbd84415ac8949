"""The verification workflow of a producer: status transitions, the field survey, and officials' decisions.

Each step checks who acts and from which status (tracing.workflow.TRANSITIONS), records the status
change, writes the audit trail for officials and emails the staff after the commit.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import partial

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.storage import atomic_with_files
from tracing import access, audit, notifications
from tracing.models import FieldSurvey, FieldSurveyPhoto, Producer, ProducerStatusChange
from tracing.services.common import (
    TransitionNotAllowed,
    check_location,
    raise_if,
    require_manager,
    require_official,
    save,
)
from tracing.uploads import process_photo
from tracing.workflow import NOTIFIED_ACTIONS, TRANSITIONS, Action, Actor

MAX_SURVEY_PHOTOS = 10


def _begin(by, producer: Producer, action: Action) -> Producer:
    """Check who acts and from which status; return the producer row locked for the rest of the transaction."""
    transition = TRANSITIONS[action]
    if transition.actor == Actor.OFFICIAL:
        require_official(by)
    else:
        require_manager(by, producer.pk)
    locked = Producer.objects.select_for_update().get(pk=producer.pk)
    if locked.status not in transition.sources:
        raise TransitionNotAllowed(
            _("This step (%(step)s) is not possible while the producer's status is “%(status)s”.")
            % {"status": locked.get_status_display(), "step": transition.label},
            code="invalid_transition",
        )
    return locked


def _finish(by, producer: Producer, locked: Producer, action: Action, reason: str) -> ProducerStatusChange:
    transition = TRANSITIONS[action]
    reason = (reason or "").strip()
    if transition.reason_required and not reason:
        raise ValidationError({"reason": _("Give the reason: the producer will read it.")})
    change = ProducerStatusChange(
        producer=locked, from_status=locked.status, to_status=transition.target, actor=by, reason=reason
    )
    locked.status = transition.target
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at", "updated_at"])
    change.save()
    if access.is_official(by):
        audit.record(
            actor=by,
            action=f"producer.{change.to_status}",
            target=locked,
            before={"status": change.from_status},
            after={"status": change.to_status},
            note=change.reason,
        )
    producer.status, producer.status_changed_at = locked.status, locked.status_changed_at
    if action in NOTIFIED_ACTIONS:
        transaction.on_commit(partial(notifications.send_decision_email, change.pk), robust=True)
    if action == Action.REAPPLY:
        transaction.on_commit(partial(notifications.send_application_email, locked.pk), robust=True)
    return change


def _decide(action: Action, *, by, producer: Producer, reason: str) -> ProducerStatusChange:
    locked = _begin(by, producer, action)
    return _finish(by, producer, locked, action, reason)


@transaction.atomic
def producer_schedule_survey(*, by, producer: Producer, scheduled_for: datetime.date, note: str = "") -> FieldSurvey:
    """An official plans the field visit (applied → survey scheduled); the staff are emailed the date."""
    locked = _begin(by, producer, Action.SCHEDULE_SURVEY)
    if scheduled_for < timezone.localdate():
        raise ValidationError({"scheduled_for": _("The survey date cannot be in the past.")})
    survey = FieldSurvey(producer=locked, scheduled_for=scheduled_for, schedule_note=note.strip(), scheduled_by=by)
    save(survey)
    _finish(by, producer, locked, Action.SCHEDULE_SURVEY, "")
    return survey


@atomic_with_files()
def producer_record_survey(
    *,
    by,
    producer: Producer,
    surveyed_on: datetime.date,
    location: Point | None,
    identity_confirmed: bool,
    certificates_genuine: bool,
    areas_as_declared: bool,
    gap_practice_seen: bool,
    findings: str = "",
    photos: Sequence[File] = (),
) -> FieldSurvey:
    """An official records the visit (survey scheduled → surveyed): checklist, GPS position, photos, findings.

    Findings are required when a check failed; the decision (approve or reject) is a separate step.
    """
    locked = _begin(by, producer, Action.RECORD_SURVEY)
    survey = FieldSurvey.objects.filter(producer=locked, recorded_at__isnull=True).order_by("-pk").first()
    if survey is None:  # a scheduled producer always has one; guard against hand-edited data
        raise TransitionNotAllowed(_("No survey is scheduled for this producer."), code="invalid_transition")
    errors: dict = {}
    if surveyed_on > timezone.localdate():
        errors["surveyed_on"] = _("The survey date cannot be in the future.")
    check_location(errors, "location", location)
    checks = {
        "identity_confirmed": identity_confirmed,
        "certificates_genuine": certificates_genuine,
        "areas_as_declared": areas_as_declared,
        "gap_practice_seen": gap_practice_seen,
    }
    if not all(checks.values()) and not findings.strip():
        errors["findings"] = _("Describe what was found when a check is not passed.")
    if len(photos) > MAX_SURVEY_PHOTOS:
        errors["photos"] = _("At most %(count)d photos.") % {"count": MAX_SURVEY_PHOTOS}
    processed = []
    for photo in photos if "photos" not in errors else ():
        try:
            processed.append(process_photo(photo))
        except ValidationError as exc:
            errors["photos"] = exc.messages
            break
    raise_if(errors)
    for name, value in checks.items():
        setattr(survey, name, bool(value))
    survey.surveyed_on, survey.location, survey.findings = surveyed_on, location, findings.strip()
    survey.recorded_by, survey.recorded_at = by, timezone.now()
    save(survey)
    for image in processed:
        photo = FieldSurveyPhoto(survey=survey)
        photo.image.save(image.web.name, image.web, save=False)
        photo.thumbnail.save(image.thumbnail.name, image.thumbnail, save=False)
        photo.save()
    _finish(by, producer, locked, Action.RECORD_SURVEY, "")
    return survey


@transaction.atomic
def producer_approve(*, by, producer: Producer, reason: str) -> ProducerStatusChange:
    """An official approves a surveyed producer: it becomes public and may have stamps and listings."""
    return _decide(Action.APPROVE, by=by, producer=producer, reason=reason)


@transaction.atomic
def producer_reject(*, by, producer: Producer, reason: str) -> ProducerStatusChange:
    """An official rejects a surveyed producer, with the reason; the staff may correct and apply again."""
    return _decide(Action.REJECT, by=by, producer=producer, reason=reason)


@transaction.atomic
def producer_suspend(*, by, producer: Producer, reason: str) -> ProducerStatusChange:
    """An official suspends an approved producer: hidden from consumers, nothing deleted."""
    return _decide(Action.SUSPEND, by=by, producer=producer, reason=reason)


@transaction.atomic
def producer_reinstate(*, by, producer: Producer, reason: str) -> ProducerStatusChange:
    """An official lifts a suspension: the producer is approved and public again."""
    return _decide(Action.REINSTATE, by=by, producer=producer, reason=reason)


@transaction.atomic
def producer_reapply(*, by, producer: Producer, reason: str = "") -> ProducerStatusChange:
    """The staff of a rejected producer apply again after correcting their data; officials are emailed."""
    return _decide(Action.REAPPLY, by=by, producer=producer, reason=reason)
