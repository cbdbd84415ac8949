"""Producer organisations: application, staff, and every step of the participation workflow."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import partial

from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.phones import normalise_phone
from backend.roles import PRODUCER_STAFF
from backend.storage import atomic_with_files
from geo.models import AdminUnit
from tracing import access, audit, notifications
from tracing.identifiers import normalise_tax_number
from tracing.models import (
    FieldSurvey,
    FieldSurveyPhoto,
    Producer,
    ProducerChange,
    ProducerMembership,
    ProducerStatusChange,
)
from tracing.services.common import (
    TransitionNotAllowed,
    apply_changes,
    check_location,
    forget_cached_membership,
    raise_if,
    require_manager,
    require_official,
    save,
)
from tracing.uploads import process_photo
from tracing.workflow import NOTIFIED_ACTIONS, TRANSITIONS, Action, Actor

MAX_SURVEY_PHOTOS = 10
EDITABLE_FIELDS = {
    "kind",
    "name",
    "tax_number",
    "address",
    "commune",
    "location",
    "representative",
    "phone",
    "email",
    "website",
    "zalo",
    "description_vi",
    "description_en",
    "logo",
}
#: What an official verified (identity and papers, the place): once verification has begun, changed only by review.
IDENTITY_FIELDS = frozenset(ProducerChange.FIELDS)
#: Statuses in which the staff change the identity themselves: nothing verified yet, or refused and corrected.
EDITABLE_WITHOUT_REVIEW = (Producer.Status.APPLIED, Producer.Status.REJECTED)


def needs_review(producer: Producer) -> bool:
    """Do changes to this producer's identity wait for an official (status beyond "applied", not "rejected")?"""
    return producer.status not in EDITABLE_WITHOUT_REVIEW


def pending_change(producer: Producer) -> ProducerChange | None:
    return ProducerChange.objects.filter(producer=producer, status=ProducerChange.Status.PENDING).first()


def _clean_contact(producer: Producer, errors: dict, *, check_commune: bool = True) -> None:
    """Normalise the tax number and phone numbers in place, collecting errors; check commune and location."""
    try:
        producer.tax_number = normalise_tax_number(
            producer.tax_number, allow_personal_id=producer.kind == Producer.Kind.HOUSEHOLD
        )
    except ValidationError as exc:
        errors["tax_number"] = exc.messages
    for field in ("phone", "zalo"):
        value = getattr(producer, field)
        if value or field == "phone":
            try:
                setattr(producer, field, normalise_phone(value))
            except ValidationError as exc:
                errors[field] = exc.messages
    # A commune abolished since registration stays on the record; only a newly chosen one must be current.
    commune = producer.commune if producer.commune_id and check_commune else None
    if commune is not None:
        if commune.level != AdminUnit.Level.COMMUNE:
            errors["commune"] = _("Choose a commune (xã, phường or thị trấn).")
        elif not AdminUnit.objects.filter(pk=commune.pk).current().exists():
            errors["commune"] = _("This commune no longer exists; choose the commune in force today.")
    check_location(errors, "location", producer.location)


def _set_logo(producer: Producer, logo: File | None, errors: dict) -> None:
    if logo is None:
        producer.logo = ""
        return
    try:
        processed = process_photo(logo)
    except ValidationError as exc:
        errors["logo"] = exc.messages
        return
    producer.logo.save(processed.web.name, processed.web, save=False)


def _join(producer: Producer, user, *, added_by) -> None:
    ProducerMembership.objects.create(producer=producer, user=user, added_by=added_by)
    user.groups.add(Group.objects.get(name=PRODUCER_STAFF))
    forget_cached_membership(user)
    if hasattr(user, "_hg_roles"):
        del user._hg_roles


@atomic_with_files()
def producer_apply(
    *,
    by,
    kind: str,
    name: str,
    tax_number: str,
    address: str,
    commune: AdminUnit,
    location: Point,
    representative: str,
    phone: str,
    email: str = "",
    website: str = "",
    zalo: str = "",
    description_vi: str = "",
    description_en: str = "",
    logo: File | None = None,
) -> Producer:
    """Register an organisation and apply to take part; the applicant becomes its first staff member.

    Refused for anonymous users, officials, and users who already belong to an organisation.
    Officials are emailed after the commit.
    """
    if not access.is_authenticated(by):
        raise PermissionDenied(_("Sign in to register a producer."))
    if access.is_official(by):
        raise PermissionDenied(_("Officials review applications; they cannot register a producer themselves."))
    if ProducerMembership.objects.filter(user=by).exists():
        raise ValidationError(_("You already belong to a producer organisation."))
    producer = Producer(
        kind=kind,
        name=name.strip(),
        tax_number=tax_number,
        address=address.strip(),
        commune=commune,
        location=location,
        representative=representative.strip(),
        phone=phone,
        email=email,
        website=website,
        zalo=zalo,
        description_vi=description_vi,
        description_en=description_en,
        status=Producer.Status.APPLIED,
    )
    errors: dict = {}
    _clean_contact(producer, errors)
    if logo is not None:
        _set_logo(producer, logo, errors)
    raise_if(errors)
    save(producer)
    _join(producer, by, added_by=by)
    ProducerStatusChange.objects.create(producer=producer, from_status="", to_status=producer.status, actor=by)
    transaction.on_commit(partial(notifications.send_application_email, producer.pk), robust=True)
    return producer


@atomic_with_files()
def producer_update(*, by, producer: Producer, **changes) -> Producer:
    """Change the organisation's data (its staff only).

    Once an official has begun to verify it (every status but applied and rejected), changes to what
    was verified — kind, name, tax number, address, commune, location, representative — are not
    applied: they wait for an official as a ProducerChange (added to the one already waiting; a field
    set back to its verified value leaves it), and the producer keeps its verified values on every
    page meanwhile. Contact details, descriptions and the logo change at once. `logo=None` removes
    the logo; a file replaces it (checked and resized).
    """
    require_manager(by, producer.pk)
    identity = {name: changes.pop(name) for name in list(changes) if name in IDENTITY_FIELDS}
    errors: dict = {}
    proposal = None
    if identity and needs_review(producer):
        Producer.objects.select_for_update().filter(pk=producer.pk).first()  # one proposal at a time
        errors, proposal = _check_proposal(producer, identity)
    else:
        changes.update(identity)
    has_logo, logo = "logo" in changes, changes.pop("logo", None)
    commune_changed = "commune" in changes and getattr(changes["commune"], "pk", None) != producer.commune_id
    apply_changes(producer, changes, EDITABLE_FIELDS)
    _clean_contact(producer, errors, check_commune=commune_changed)
    if has_logo:
        _set_logo(producer, logo, errors)
    raise_if(errors)
    save(producer)
    if proposal is not None:
        _store_proposal(by, producer, proposal)
    elif identity:
        _withdraw_pending(producer)  # changed directly (applied or rejected): nothing is left to review
    return producer


def _check_proposal(producer: Producer, identity: dict) -> tuple[dict, dict]:
    """The errors of the proposed identity (with what already waits), and the values that differ from the
    verified ones, normalised (tax number, spaces)."""
    pending = pending_change(producer)
    wanted = {**(pending.proposed() if pending else {}), **identity}
    candidate = Producer.objects.select_related("commune").get(pk=producer.pk)
    for name, value in wanted.items():
        setattr(candidate, name, value.strip() if isinstance(value, str) else value)
    errors: dict = {}
    commune_changed = candidate.commune_id != producer.commune_id
    _clean_contact(candidate, errors, check_commune=commune_changed)
    try:
        candidate.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)
    differing = {}
    for name in wanted:
        now, verified = getattr(candidate, name), getattr(producer, name)
        if name == "commune":
            now, verified = candidate.commune_id, producer.commune_id
        if now != verified:
            differing[name] = getattr(candidate, name)
    return errors, differing


def _store_proposal(by, producer: Producer, values: dict) -> ProducerChange | None:
    pending = pending_change(producer)
    if not values:
        if pending is not None:
            _withdraw_pending(producer)
        return None
    encoded = {name: ProducerChange.encode(name, value) for name, value in values.items()}
    before = {name: ProducerChange.encode(name, getattr(producer, name)) for name in values}
    if pending is None:
        change = ProducerChange(producer=producer, values=encoded, before=before, requested_by=by)
        save(change)
        transaction.on_commit(partial(notifications.send_change_request_email, change.pk), robust=True)
        return change
    pending.values, pending.before, pending.requested_by = encoded, before, by
    pending.save(update_fields=["values", "before", "requested_by", "updated_at"])
    return pending


def _withdraw_pending(producer: Producer) -> None:
    ProducerChange.objects.filter(producer=producer, status=ProducerChange.Status.PENDING).update(
        status=ProducerChange.Status.WITHDRAWN, decided_at=timezone.now(), updated_at=timezone.now()
    )


def _locked_pending(change: ProducerChange) -> ProducerChange:
    locked = ProducerChange.objects.select_for_update().select_related("producer").get(pk=change.pk)
    if not locked.is_pending:
        raise TransitionNotAllowed(
            _("This change is no longer waiting for review (%(status)s).") % {"status": locked.get_status_display()},
            code="invalid_transition",
        )
    return locked


@transaction.atomic
def producer_change_accept(*, by, change: ProducerChange, reason: str = "") -> ProducerChange:
    """An official accepts a change to verified data: the producer's record, and with it every public page,
    the scan page and open data, take the new values. Refused if the values are no longer valid (a tax
    number registered meanwhile by another producer, a commune abolished): the official refuses it then."""
    require_official(by)
    producer = Producer.objects.select_for_update().get(pk=change.producer_id)
    locked = _locked_pending(change)
    values = locked.proposed()
    commune_changed = "commune" in values and getattr(values["commune"], "pk", None) != producer.commune_id
    for name, value in values.items():
        setattr(producer, name, value)
    errors: dict = {}
    if "commune" in values and values["commune"] is None:
        errors["commune"] = _("This commune no longer exists; choose the commune in force today.")
    else:
        _clean_contact(producer, errors, check_commune=commune_changed)
    raise_if(errors)
    save(producer)
    return _decide_change(by, locked, ProducerChange.Status.ACCEPTED, reason, change)


@transaction.atomic
def producer_change_refuse(*, by, change: ProducerChange, reason: str) -> ProducerChange:
    """An official refuses a change to verified data, with the reason the staff will read; nothing changes."""
    require_official(by)
    locked = _locked_pending(change)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason: the producer will read it.")})
    return _decide_change(by, locked, ProducerChange.Status.REFUSED, reason, change)


@transaction.atomic
def producer_change_withdraw(*, by, change: ProducerChange) -> ProducerChange:
    """The staff take back a change they asked for, before an official decides."""
    require_manager(by, change.producer_id)
    locked = _locked_pending(change)
    locked.status, locked.decided_at = ProducerChange.Status.WITHDRAWN, timezone.now()
    locked.save(update_fields=["status", "decided_at", "updated_at"])
    change.status, change.decided_at = locked.status, locked.decided_at
    return locked


def _decide_change(by, locked: ProducerChange, status: str, reason: str, change: ProducerChange) -> ProducerChange:
    locked.status, locked.decided_by, locked.decided_at = status, by, timezone.now()
    locked.reason = (reason or "").strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "reason", "updated_at"])
    audit.record(
        actor=by,
        action=f"producer.change_{locked.status}",
        target=locked.producer,
        before=locked.before,
        after=locked.values,
        note=locked.reason,
    )
    change.status, change.decided_by, change.decided_at, change.reason = (
        locked.status,
        locked.decided_by,
        locked.decided_at,
        locked.reason,
    )
    transaction.on_commit(partial(notifications.send_change_decision_email, locked.pk), robust=True)
    return locked


@transaction.atomic
def producer_staff_add(*, by, producer: Producer, user) -> ProducerMembership:
    """Add a person to the organisation's staff (its staff only); a person belongs to one organisation at most."""
    require_manager(by, producer.pk)
    if access.is_official(user):
        raise ValidationError({"user": _("An official cannot be a producer's staff member.")})
    if ProducerMembership.objects.filter(user=user).exists():
        raise ValidationError({"user": _("This person already belongs to a producer organisation.")})
    _join(producer, user, added_by=by)
    return ProducerMembership.objects.get(user=user)


@transaction.atomic
def producer_staff_remove(*, by, producer: Producer, user) -> None:
    """Remove a staff member (its staff only). The last one cannot leave: someone must answer for the data."""
    require_manager(by, producer.pk)
    memberships = ProducerMembership.objects.select_for_update().filter(producer=producer)
    if not memberships.filter(user=user).exists():
        raise ValidationError({"user": _("This person is not on the staff.")})
    if memberships.count() == 1:
        raise ValidationError({"user": _("The last staff member cannot be removed.")})
    memberships.filter(user=user).delete()
    user.groups.remove(Group.objects.get(name=PRODUCER_STAFF))
    forget_cached_membership(user)


# --- The workflow ------------------------------------------------------------------------------


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
