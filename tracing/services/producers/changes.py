"""Changes to a producer's verified identity: proposals by its staff, and an official's decision.

Once verification has begun, the identity fields (IDENTITY_FIELDS) change only through a
ProducerChange: the staff propose (profile.producer_update stores it here) or withdraw it, an
official accepts or refuses it; the producer keeps its verified values until then.
"""

from __future__ import annotations

from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracing import audit, notifications
from tracing.models import Producer, ProducerChange
from tracing.services.common import TransitionNotAllowed, raise_if, require_manager, require_official, save
from tracing.services.producers.contact import _clean_contact

#: What an official verified (identity and papers, the place): once verification has begun, changed only by review.
IDENTITY_FIELDS = frozenset(ProducerChange.FIELDS)
#: Statuses in which the staff change the identity themselves: nothing verified yet, or refused and corrected.
EDITABLE_WITHOUT_REVIEW = (Producer.Status.APPLIED, Producer.Status.REJECTED)


def needs_review(producer: Producer) -> bool:
    """Do changes to this producer's identity wait for an official (status beyond "applied", not "rejected")?"""
    return producer.status not in EDITABLE_WITHOUT_REVIEW


def pending_change(producer: Producer) -> ProducerChange | None:
    return ProducerChange.objects.filter(producer=producer, status=ProducerChange.Status.PENDING).first()


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
