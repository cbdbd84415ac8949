"""The life of stamps after issue: activation on a batch, revocation, a copy confirmed by an official, the sale."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracing import access, audit
from tracing.models import (
    Batch,
    Producer,
    Stamp,
    StampEvent,
    StampRun,
)
from tracing.models.stamps import SoldVia, StampStatus, stamped_count, units_allowed
from tracing.services.common import raise_if, require_manager, require_official
from tracing.stamps.events import log_event, log_per_run
from tracing.stamps.selection import SHOWN, Selection, describe_stamps, resolve_selection


def _activation_refusals(batch: Batch, producer: Producer) -> dict:
    errors: dict = {}
    if producer.status == Producer.Status.SUSPENDED:
        errors["batch"] = _("Your participation is suspended: stamps cannot be activated until it is reinstated.")
    elif producer.status != Producer.Status.APPROVED:
        errors["batch"] = _("Stamps can be activated only once your organisation is approved.")
    elif batch.status == Batch.Status.RECALLED:
        errors["batch"] = _("This batch was recalled: its stamps cannot be activated.")
    else:
        today = timezone.localdate()
        lapsed = [c for c in batch.product.certificates.all() if not c.is_valid_on(today)]
        if lapsed:
            errors["batch"] = _(
                "The product relies on certificates that are not valid today (%(certificates)s): renew them first."
            ) % {"certificates": ", ".join(f"{c.label} {c.number}" for c in lapsed[:SHOWN])}
    return errors


@transaction.atomic
def stamps_activate(*, by, batch: Batch, selection: Selection) -> int:
    """Activate stamps onto one of the producer's batches; all or nothing. Returns how many.

    Refused: stamps outside the producer's runs or of a run not fully issued; a stamp already
    activated, sold or revoked; stamps of a run made for another product; more stamps than the
    batch quantity allows; a suspended producer; expired certificates of the product; a recalled
    batch. The batch row is locked, so two phones activating onto one batch cannot overfill it.
    """
    require_manager(by, batch.producer_id)
    locked = Batch.objects.select_for_update().select_related("product", "producer").get(pk=batch.pk)
    raise_if(_activation_refusals(locked, locked.producer))
    qs, expected = resolve_selection(selection, producer_id=locked.producer_id)
    field = "serials" if selection.serials else "first"
    unusable = list(
        qs.exclude(status=StampStatus.ISSUED)
        .select_related(None)
        .only("serial", "status")
        .order_by("run", "number")[:SHOWN]
    )
    if unusable:
        raise ValidationError(
            {
                field: _("Only new stamps can be activated; these are not: %(stamps)s")
                % {"stamps": describe_stamps(unusable)}
            }
        )
    if qs.exclude(run__status=StampRun.Status.ISSUED).exists():
        raise ValidationError({field: _("This run is still being issued: wait until it is complete.")})
    other_product = qs.filter(run__product__isnull=False).exclude(run__product_id=locked.product_id)
    if other_product.exists():
        raise ValidationError(
            {field: _("These stamps were printed for another product: activate them onto a batch of that product.")}
        )
    allowed = units_allowed(locked)
    already = stamped_count(locked)
    if already + expected > allowed:
        raise ValidationError(
            {
                field: _(
                    "This batch allows %(allowed)s stamps and %(already)s are already active: "
                    "%(count)s more would be too many."
                )
                % {"allowed": allowed, "already": already, "count": expected}
            }
        )
    now = timezone.now()
    touched = list(qs.values_list("run_id", "number"))
    updated = qs.filter(status=StampStatus.ISSUED).update(status=StampStatus.ACTIVATED, batch=locked, activated_at=now)
    if updated != expected or len(touched) != expected:
        # Another request changed some of these stamps between our checks and the update.
        raise ValidationError({field: _("Some of these stamps changed just now. Please try again.")})
    log_per_run(touched, action=StampEvent.Action.ACTIVATED, actor=by, batch=locked)
    return updated


@transaction.atomic
def stamps_revoke(*, by, selection: Selection, reason: str, producer: Producer | None = None) -> int:
    """Revoke stamps with a reason (the producer's staff for their runs; officials for any). Returns how many.

    Stamps already revoked in the selection are left as they are; sold stamps only officials may revoke.
    """
    reason = (reason or "").strip()
    official = access.is_official(by)
    if not official:
        producer_id = producer.pk if producer is not None else access.member_producer_id(by)
        if producer_id is None:
            raise PermissionDenied(_("Only the producer's staff or an official may revoke stamps."))
        require_manager(by, producer_id)
    else:
        producer_id = None
    if not reason:
        raise ValidationError({"reason": _("Say why these stamps are revoked.")})
    qs, _expected = resolve_selection(selection, producer_id=producer_id)
    revocable = qs.exclude(status=StampStatus.REVOKED)
    if not official:
        revocable = revocable.exclude(status=StampStatus.SOLD)
    touched = list(revocable.values_list("run_id", "number"))
    if not touched:
        raise ValidationError({"reason": _("None of these stamps can be revoked (already revoked or sold).")})
    count = revocable.update(
        status=StampStatus.REVOKED, revoked_at=timezone.now(), revoked_by=by, revoke_reason=reason[:300]
    )
    events = log_per_run(touched, action=StampEvent.Action.REVOKED, actor=by, reason=reason)
    if official:
        runs = StampRun.objects.in_bulk([event.run_id for event in events])
        for event in events:
            audit.record(
                actor=by,
                action="stamps.revoke",
                target=runs[event.run_id],
                after={"status": "revoked", "count": event.count, "ranges": event.ranges},
                note=event.reason,
            )
    return count


@transaction.atomic
def stamp_confirm_copied(*, by, stamp: Stamp, reason: str) -> Stamp:
    """An official found this code copied onto counterfeit products: mark it, so that every scan says so.

    Officials only, with what they found. The stamp keeps its status (revoking it is a separate step,
    `stamps_revoke`, which an official closing a case may take in the same transaction); a code
    already marked keeps its first date.
    """
    require_official(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what you found.")})
    now = timezone.now()
    Stamp.objects.filter(pk=stamp.pk, copy_confirmed_at__isnull=True).update(copy_confirmed_at=now)
    log_event(
        run_id=stamp.run_id,
        action=StampEvent.Action.COPY_CONFIRMED,
        actor=by,
        numbers=[stamp.number],
        count=1,
        reason=reason,
    )
    stamp.refresh_from_db()
    return stamp


@transaction.atomic
def stamps_mark_sold(*, by, serials: Iterable[str], via: str = "shop") -> int:
    """Record that activated stamps were sold (an order or a shop handed the units over); all or nothing.

    `via` is a SoldVia value; later scans say when and through what the unit was sold.
    """
    if via not in SoldVia.values:
        raise ValueError(f"unknown sale channel {via!r}")
    selection = Selection.of(serials=list(serials))
    producer_id = access.member_producer_id(by)
    if producer_id is None:
        raise PermissionDenied(_("Only this producer's staff may do this."))
    require_manager(by, producer_id)
    qs, expected = resolve_selection(selection, producer_id=producer_id)
    wrong = list(qs.exclude(status=StampStatus.ACTIVATED).only("serial", "status")[:SHOWN])
    if wrong:
        raise ValidationError(
            {
                "serials": _("Only activated stamps can be sold; these are not: %(stamps)s")
                % {"stamps": describe_stamps(wrong)}
            }
        )
    touched = list(qs.values_list("run_id", "number"))
    updated = qs.filter(status=StampStatus.ACTIVATED).update(
        status=StampStatus.SOLD, sold_at=timezone.now(), sold_via=via
    )
    if updated != expected:
        raise ValidationError({"serials": _("Some of these stamps changed just now. Please try again.")})
    log_per_run(touched, action=StampEvent.Action.SOLD, actor=by)
    return updated
