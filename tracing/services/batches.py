"""Batches (lots) and the events of their journey."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from backend.storage import atomic_with_files
from geo.models import RetailPoint
from tracing import audit
from tracing.gs1 import validate_lot
from tracing.lots import suggest_next_lot_code
from tracing.models import Batch, BatchEvent, BatchEventPhoto, BatchEventRevision, Product, ProductionArea
from tracing.services.common import apply_changes, raise_if, require_manager, save
from tracing.uploads import process_photo

BATCH_FIELDS = {
    "lot_code",
    "harvest_started_on",
    "harvest_ended_on",
    "quantity",
    "unit",
    "production_area",
    "status",
    "note",
}
MAX_EVENT_PHOTOS = 6
# Phones' clocks drift: an event stamped a few minutes "in the future" is still accepted.
CLOCK_TOLERANCE = datetime.timedelta(minutes=5)


def _clean_batch(batch: Batch, errors: dict) -> None:
    try:
        batch.lot_code = validate_lot((batch.lot_code or "").strip())
    except ValueError as exc:
        errors["lot_code"] = str(exc)
    else:
        taken = Batch.objects.filter(producer_id=batch.producer_id, lot_code=batch.lot_code).exclude(pk=batch.pk)
        if taken.exists():
            errors["lot_code"] = _("You already have a batch with this lot code.")
    if batch.harvest_started_on and batch.harvest_started_on > timezone.localdate():
        errors["harvest_started_on"] = _("The harvest date cannot be in the future.")
    if batch.harvest_ended_on and batch.harvest_started_on and batch.harvest_ended_on < batch.harvest_started_on:
        errors["harvest_ended_on"] = _("The harvest cannot end before it starts.")
    if batch.quantity is not None and batch.quantity <= 0:
        errors["quantity"] = _("The quantity must be above zero.")
    if batch.production_area_id and batch.production_area.producer_id != batch.producer_id:
        errors["production_area"] = _("Choose one of your own production areas.")


@transaction.atomic
def batch_create(
    *,
    by,
    product: Product,
    lot_code: str,
    harvest_started_on: datetime.date,
    quantity: Decimal,
    harvest_ended_on: datetime.date | None = None,
    unit: str | None = None,
    production_area: ProductionArea | None = None,
    status: str = Batch.Status.OPEN,
    note: str = "",
) -> Batch:
    """Record a harvest lot of a product (its producer's staff); the lot code is unique per producer."""
    require_manager(by, product.producer_id)
    batch = Batch(
        producer_id=product.producer_id,
        product=product,
        lot_code=lot_code,
        harvest_started_on=harvest_started_on,
        harvest_ended_on=harvest_ended_on,
        quantity=quantity,
        unit=unit or product.unit,
        production_area=production_area,
        status=status,
        note=note,
        created_by=by,
    )
    errors: dict = {}
    _clean_batch(batch, errors)
    raise_if(errors)
    save(batch)
    return batch


def next_lot_code(previous: Batch) -> str:
    """The suggested lot code after `previous`, not yet used by its producer."""
    taken = set(Batch.objects.filter(producer_id=previous.producer_id).values_list("lot_code", flat=True))
    return suggest_next_lot_code(previous.lot_code, taken)


@transaction.atomic
def batch_create_from_previous(
    *,
    by,
    previous: Batch,
    harvest_started_on: datetime.date,
    lot_code: str | None = None,
    harvest_ended_on: datetime.date | None = None,
    quantity: Decimal | None = None,
    note: str = "",
) -> Batch:
    """A new batch that repeats the previous one's product, unit, area and (unless given) quantity.

    Without a lot code, the previous one with its last number increased is used ("CAM-07" → "CAM-08").
    """
    require_manager(by, previous.producer_id)
    return batch_create(
        by=by,
        product=previous.product,
        lot_code=lot_code or next_lot_code(previous),
        harvest_started_on=harvest_started_on,
        harvest_ended_on=harvest_ended_on,
        quantity=quantity if quantity is not None else previous.quantity,
        unit=previous.unit,
        production_area=previous.production_area,
        note=note,
    )


@transaction.atomic
def batch_update(*, by, batch: Batch, **changes) -> Batch:
    """Correct a batch (its producer's staff). The quantity never drops below what is already stamped or sold,
    and the lot code is fixed once units are committed (it is printed on them)."""
    require_manager(by, batch.producer_id)
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    apply_changes(locked, changes, BATCH_FIELDS)
    errors: dict = {}
    _clean_batch(locked, errors)
    committed = locked.units_committed()
    if "quantity" in changes and "quantity" not in errors and locked.quantity < committed:
        errors["quantity"] = _("%(committed)s are already stamped or sold: the quantity cannot be lower.") % {
            "committed": committed.normalize()
        }
    if "lot_code" in changes and committed > 0 and locked.lot_code != batch.lot_code:
        errors["lot_code"] = _("Units of this batch already carry its lot code: it cannot change.")
    raise_if(errors)
    save(locked)
    return locked


def _local(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


@atomic_with_files()
def batch_event_add(
    *,
    by,
    batch: Batch,
    event_type: str,
    occurred_at: datetime.datetime,
    location: Point | None = None,
    retail_point: RetailPoint | None = None,
    actor: str = "",
    note: str = "",
    photos: Sequence[File] = (),
) -> BatchEvent:
    """Add a step to the batch's journey (its producer's staff), keeping the journey consistent.

    Refused: a time without a time zone or in the future; a step before the harvest date or earlier
    than the latest recorded step; a second harvest step, or a harvest step after other steps;
    receiving without a shop or without an earlier shipping step. The batch row is locked so two
    phones adding steps at once still produce an ordered journey.
    """
    require_manager(by, batch.producer_id)
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    errors: dict = {}
    if event_type not in BatchEvent.Type.values:
        errors["event_type"] = _("Choose a step of the journey.")
    if occurred_at is None or timezone.is_naive(occurred_at):
        errors["occurred_at"] = _("Give the time with its time zone.")
    raise_if(errors)
    latest = locked.events.order_by("-occurred_at", "-pk").first()
    harvest_start = timezone.make_aware(datetime.datetime.combine(locked.harvest_started_on, datetime.time.min))
    if occurred_at > timezone.now() + CLOCK_TOLERANCE:
        errors["occurred_at"] = _("The time cannot be in the future.")
    elif occurred_at < harvest_start:
        errors["occurred_at"] = _("No step can happen before the harvest (%(date)s).") % {
            "date": date_format(locked.harvest_started_on)
        }
    elif latest is not None and occurred_at < latest.occurred_at:
        errors["occurred_at"] = _(
            "Steps are recorded in order: this time is earlier than the latest step (%(step)s, %(time)s)."
        ) % {"step": latest.get_event_type_display(), "time": _local(latest.occurred_at)}
    if event_type == BatchEvent.Type.COMMISSIONING and latest is not None:
        if locked.events.filter(event_type=BatchEvent.Type.COMMISSIONING).exists():
            errors["event_type"] = _("This batch already has its harvest step.")
        else:
            errors["event_type"] = _("The harvest is the first step: it cannot follow other steps.")
    if event_type == BatchEvent.Type.RECEIVING:
        if retail_point is None:
            errors["retail_point"] = _("Choose the shop that received the goods.")
        if not locked.events.filter(event_type=BatchEvent.Type.SHIPPING).exists():
            errors["event_type"] = _("Goods can be received only after a shipping step.")
    if retail_point is not None and not retail_point.is_active:
        errors["retail_point"] = _("This shop is closed.")
    if len(photos) > MAX_EVENT_PHOTOS:
        errors["photos"] = _("At most %(count)d photos.") % {"count": MAX_EVENT_PHOTOS}
    processed = []
    for photo in photos if not errors else ():
        try:
            processed.append(process_photo(photo))
        except ValidationError as exc:
            errors["photos"] = exc.messages
            break
    raise_if(errors)
    event = BatchEvent(
        batch=locked,
        event_type=event_type,
        occurred_at=occurred_at,
        location=location,
        retail_point=retail_point,
        actor=actor.strip(),
        note=note.strip(),
        recorded_by=by,
    )
    save(event)
    for image in processed:
        photo = BatchEventPhoto(event=event)
        photo.image.save(image.web.name, image.web, save=False)
        photo.thumbnail.save(image.thumbnail.name, image.thumbnail, save=False)
        photo.save()
    return event


# --- correcting the journey ---------------------------------------------------------------------

EVENT_FIELDS = ("event_type", "occurred_at", "location", "retail_point", "actor", "note")
MIN_REASON_IN_CIRCULATION = 10


def batch_in_circulation(batch: Batch) -> bool:
    """Whether stamps of this batch have been put on products (activated, sold or since revoked)."""
    from tracing.models import Stamp

    return Stamp.objects.filter(batch_id=batch.pk).exists()


def _snapshot(event: BatchEvent) -> dict:
    """A step as the audit trail keeps it (JSON-safe; the shop by id, the place as [lng, lat])."""
    return {
        "event_type": event.event_type,
        "occurred_at": event.occurred_at.isoformat() if event.occurred_at else None,
        "shop": event.retail_point_id,
        "location": [round(event.location.x, 6), round(event.location.y, 6)] if event.location else None,
        "actor": event.actor,
        "note": event.note,
    }


def _journey_errors(batch: Batch, steps: list[BatchEvent], changed: BatchEvent | None) -> dict:
    """What is wrong with the journey `steps` (in any order) as a whole, blamed on the changed step's fields.

    The same rules as adding a step: nothing in the future or before the harvest; at most one
    harvest step, and it comes first; receiving happens at a shop, after a shipping step.
    """
    errors: dict = {}
    harvest_start = timezone.make_aware(datetime.datetime.combine(batch.harvest_started_on, datetime.time.min))
    if changed is not None:
        if changed.occurred_at > timezone.now() + CLOCK_TOLERANCE:
            errors["occurred_at"] = _("The time cannot be in the future.")
        elif changed.occurred_at < harvest_start:
            errors["occurred_at"] = _("No step can happen before the harvest (%(date)s).") % {
                "date": date_format(batch.harvest_started_on)
            }
        if changed.event_type == BatchEvent.Type.RECEIVING and changed.retail_point_id is None:
            errors["retail_point"] = _("Choose the shop that received the goods.")
    ordered = sorted(steps, key=lambda step: (step.occurred_at, step.pk or 0))
    harvests = [step for step in ordered if step.event_type == BatchEvent.Type.COMMISSIONING]
    if len(harvests) > 1:
        errors.setdefault("event_type", _("This batch already has its harvest step."))
    elif harvests and ordered[0] is not harvests[0] and ordered[0].occurred_at != harvests[0].occurred_at:
        errors.setdefault("event_type", _("The harvest is the first step: it cannot follow other steps."))
    shipped = False
    for step in ordered:
        if step.event_type == BatchEvent.Type.SHIPPING:
            shipped = True
        elif step.event_type == BatchEvent.Type.RECEIVING and not shipped:
            key = "event_type" if changed is not None else "__all__"
            errors.setdefault(key, _("Goods can be received only after a shipping step."))
    return errors


def _require_reason(in_circulation: bool, reason: str, errors: dict) -> None:
    if in_circulation and len(reason) < MIN_REASON_IN_CIRCULATION:
        errors["reason"] = _(
            "Stamps of this batch are already on products: say why the journey changes "
            "(at least %(count)d characters; officials read it)."
        ) % {"count": MIN_REASON_IN_CIRCULATION}
    if len(reason) > 1000:
        errors["reason"] = _("At most 1000 characters.")


@transaction.atomic
def batch_event_update(*, by, event: BatchEvent, reason: str = "", **changes) -> BatchEvent:
    """Correct a step of the journey (its producer's staff); the journey must stay consistent.

    Every correction is kept as a BatchEventRevision with the step as it was (and writes it
    to the audit trail). Once stamps of the batch are on products, a reason is required and the step
    is marked corrected on the public journey: what a buyer already read never changes silently.
    """
    require_manager(by, event.batch.producer_id)
    locked = Batch.objects.select_for_update().get(pk=event.batch_id)
    step = BatchEvent.objects.select_for_update().get(pk=event.pk, batch=locked)
    before = _snapshot(step)
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in sorted(unknown)})
    errors: dict = {}
    if "event_type" in changes and changes["event_type"] not in BatchEvent.Type.values:
        errors["event_type"] = _("Choose a step of the journey.")
    occurred_at = changes.get("occurred_at", step.occurred_at)
    if occurred_at is None or timezone.is_naive(occurred_at):
        errors["occurred_at"] = _("Give the time with its time zone.")
    retail_point = changes.get("retail_point", step.retail_point)
    if "retail_point" in changes and retail_point is not None and not retail_point.is_active:
        errors["retail_point"] = _("This shop is closed.")
    raise_if(errors)
    for name, value in changes.items():
        setattr(step, name, value.strip() if isinstance(value, str) and name in ("actor", "note") else value)
    others = list(locked.events.exclude(pk=step.pk))
    errors = _journey_errors(locked, [*others, step], step)
    reason = (reason or "").strip()
    in_circulation = batch_in_circulation(locked)
    _require_reason(in_circulation, reason, errors)
    raise_if(errors)
    after = _snapshot(step)
    if after == before:
        return step
    if in_circulation:
        step.corrected_at = timezone.now()
    save(step)
    revision = BatchEventRevision.objects.create(
        batch=locked,
        event=step,
        event_number=step.pk,
        action=BatchEventRevision.Action.EDIT,
        before=before,
        after={key: value for key, value in after.items() if before.get(key) != value},
        reason=reason,
        in_circulation=in_circulation,
        by=by,
    )
    _audit_revision(revision)
    return step


@transaction.atomic
def batch_event_delete(*, by, event: BatchEvent, reason: str = "") -> BatchEventRevision:
    """Delete a step of the journey (its producer's staff); what remains must stay consistent.

    The step is kept as a BatchEventRevision (audited). Once stamps of the batch are on products, a
    reason is required and the public journey says how many steps were removed since.
    """
    require_manager(by, event.batch.producer_id)
    locked = Batch.objects.select_for_update().get(pk=event.batch_id)
    step = BatchEvent.objects.select_for_update().get(pk=event.pk, batch=locked)
    others = list(locked.events.exclude(pk=step.pk))
    errors = _journey_errors(locked, others, None)
    if errors:
        errors = {"__all__": _("The rest of the journey needs this step: delete the later receiving step first.")}
    reason = (reason or "").strip()
    in_circulation = batch_in_circulation(locked)
    _require_reason(in_circulation, reason, errors)
    raise_if(errors)
    before = _snapshot(step)
    before["photos"] = step.photos.count()
    revision = BatchEventRevision.objects.create(
        batch=locked,
        event=None,
        event_number=step.pk,
        action=BatchEventRevision.Action.DELETE,
        before=before,
        reason=reason,
        in_circulation=in_circulation,
        by=by,
    )
    _audit_revision(revision)
    files = [(f.storage, f.name) for photo in step.photos.all() for f in (photo.image, photo.thumbnail) if f]
    step.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    return revision


def _audit_revision(revision: BatchEventRevision) -> None:
    """The correction in the audit trail, by whoever made it: what buyers read never changes without a trace."""
    audit.record(
        actor=revision.by,
        action=f"journey.{revision.action}",
        target=revision.batch,
        before=revision.before,
        after={**(revision.after or {}), "in_circulation": revision.in_circulation},
        note=revision.reason,
    )


def removed_after_circulation(batch: Batch) -> dict | None:
    """How many steps were deleted once stamps were on products, and when last: the public journey says so."""
    from django.db.models import Count, Max

    figures = batch.journey_revisions.filter(action=BatchEventRevision.Action.DELETE, in_circulation=True).aggregate(
        count=Count("pk"), last=Max("created_at")
    )
    return figures if figures["count"] else None
