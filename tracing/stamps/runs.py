"""Stamp runs and the life of stamps: issue, fill (fast COPY), activate, revoke, sell, print, PIN list.

Who may do what:
* issue a run — officials, to an approved producer;
* activate — the producer's staff, onto one of its own batches;
* revoke — the producer's staff (their own runs) and officials, with a reason;
* confirm a code copied — officials, with what they found (closing a counterfeit case): every scan
  of it says so from then on;
* mark sold — the producer's staff (a shop or an order handed the unit over);
* print labels — the producer's staff and officials;
* the PIN list — once, by the official who issued the run or by the producer's staff: the first
  download deletes it from the server (it is the only place the PINs exist in clear). If it is lost,
  revoke the run and issue a new one.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from backend.formatting import decimal_text
from backend.jobs import JobLost, job_enqueue
from tracing import access, digital_link
from tracing.models import (
    Batch,
    Certificate,
    CounterfeitReport,
    Producer,
    Product,
    Stamp,
    StampEvent,
    StampRun,
    SuspicionFlag,
)
from tracing.models.stamps import MAX_RUN_SIZE, SoldVia, StampStatus, stamped_count, units_allowed
from tracing.services.common import raise_if, require_manager, require_official
from tracing.stamps import pins, printing
from tracing.stamps.serials import SERIAL_LENGTH, format_serial, new_serials, parse_serial

log = logging.getLogger(__name__)

#: Runs up to this size are filled in the request; larger ones by the background worker.
INLINE_RUN_MAX = 1000
#: Rows per COPY (and per transaction) when filling a run: progress is visible between chunks.
COPY_CHUNK = 20_000
#: Most stamps one typed or scanned list may name.
MAX_LIST = 2000
_SHOWN = 5

Progress = Callable[..., None]


# -- helpers ---------------------------------------------------------------------------------


def number_ranges(numbers: Iterable[int]) -> list[list[int]]:
    """Sorted numbers as inclusive [first, last] ranges: [1, 2, 3, 7] → [[1, 3], [7, 7]]."""
    out: list[list[int]] = []
    for n in sorted(set(numbers)):
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def _log(*, run_id: int, action: str, actor, numbers=None, ranges=None, count: int, batch=None, reason="") -> None:
    StampEvent.objects.create(
        run_id=run_id,
        action=action,
        actor=actor if access.is_authenticated(actor) else None,
        batch=batch,
        count=count,
        ranges=ranges if ranges is not None else number_ranges(numbers or ()),
        reason=reason[:300],
    )


def _log_per_run(stamps: Sequence[tuple[int, int]], **kwargs) -> None:
    """One log entry per run for (run_id, number) pairs."""
    by_run: dict[int, list[int]] = {}
    for run_id, number in stamps:
        by_run.setdefault(run_id, []).append(number)
    for run_id, numbers in by_run.items():
        _log(run_id=run_id, numbers=numbers, count=len(numbers), **kwargs)


def parse_code(text: str) -> str:
    """A serial from what was typed or scanned (a bare code or a stamp link); ValueError with a message."""
    text = (text or "").strip()
    if "/" in text:
        try:
            return digital_link.parse_url(text, settings.SITE_URL).serial
        except digital_link.DigitalLinkError as exc:
            raise ValueError(str(exc)) from None
    return parse_serial(text)


def parse_code_list(text_or_lines) -> list[str]:
    """Serials from a typed/scanned list (one per line, or separated by commas or spaces)."""
    if isinstance(text_or_lines, str):
        items = [part for line in text_or_lines.splitlines() for part in line.replace(",", " ").split()]
    else:
        items = [str(item) for item in text_or_lines]
    serials: list[str] = []
    errors: list[str] = []
    for item in items:
        if not item.strip():
            continue
        try:
            serials.append(parse_code(item))
        except ValueError as exc:
            errors.append(f"{item[:40]}: {exc}")
    if errors:
        raise ValidationError({"serials": errors[:_SHOWN]})
    if not serials:
        raise ValidationError({"serials": _("Enter or scan at least one stamp code.")})
    if len(serials) > MAX_LIST:
        raise ValidationError(
            {"serials": _("At most %(max)d codes at once: use a range for more.") % {"max": MAX_LIST}}
        )
    duplicates = sorted({s for s in serials if serials.count(s) > 1}) if len(set(serials)) != len(serials) else []
    if duplicates:
        raise ValidationError(
            {"serials": _("These codes are listed twice: %(codes)s") % {"codes": ", ".join(duplicates[:_SHOWN])}}
        )
    return serials


@dataclass(frozen=True, slots=True)
class Selection:
    """Which stamps an operation concerns: a range of one run, or a list (possibly across runs)."""

    first: str | None = None
    last: str | None = None
    serials: tuple[str, ...] = ()

    @classmethod
    def of(cls, *, first: str | None = None, last: str | None = None, serials=None) -> Selection:
        if serials:
            return cls(serials=tuple(parse_code_list(serials)))
        errors: dict = {}
        parsed = {}
        for name, value in (("first", first), ("last", last)):
            if not value:
                errors[name] = _("Enter the first and the last code of the range, or a list of codes.")
                continue
            try:
                parsed[name] = parse_code(value)
            except ValueError as exc:
                errors[name] = str(exc)
        raise_if(errors)
        return cls(first=parsed["first"], last=parsed["last"])


def _resolve(selection: Selection, *, producer_id: int | None):
    """(queryset of the selected stamps, expected count); ValidationError if a code is not one of the producer's."""
    own = Stamp.objects.all() if producer_id is None else Stamp.objects.filter(run__producer_id=producer_id)
    if selection.serials:
        found = set(own.filter(serial__in=selection.serials).values_list("serial", flat=True))
        missing = [s for s in selection.serials if s not in found]
        if missing:
            raise ValidationError(
                {
                    "serials": _("These codes are not stamps issued to you: %(codes)s")
                    % {"codes": ", ".join(format_serial(s) for s in missing[:_SHOWN])}
                }
            )
        return own.filter(serial__in=selection.serials), len(selection.serials)
    ends = {
        s.serial: s for s in own.filter(serial__in=[selection.first, selection.last]).only("serial", "run", "number")
    }
    errors = {}
    for name in ("first", "last"):
        if getattr(selection, name) not in ends:
            errors[name] = _("This code is not a stamp issued to you.")
    raise_if(errors)
    first, last = ends[selection.first], ends[selection.last]
    if first.run_id != last.run_id:
        raise ValidationError({"last": _("The first and last codes of a range must come from the same run.")})
    if first.number > last.number:
        raise ValidationError({"last": _("The last code comes before the first one in the run: swap them.")})
    qs = Stamp.objects.filter(run_id=first.run_id, number__gte=first.number, number__lte=last.number)
    return qs, last.number - first.number + 1


def _describe(stamps) -> str:
    return ", ".join(f"{format_serial(s.serial)} ({s.get_status_display()})" for s in stamps[:_SHOWN])


# -- issuing ---------------------------------------------------------------------------------


@transaction.atomic
def stamps_issue(
    *, by, producer: Producer, quantity: int, product: Product | None = None, note: str = "", background=None
) -> StampRun:
    """Issue a run of `quantity` stamps to an approved producer (officials only).

    Runs up to INLINE_RUN_MAX are filled at once; larger ones (or background=True) by a background job
    whose progress is on run.job. Refused: a producer that is not approved; a product of another
    producer or inactive; a quantity outside 1 … 100,000.
    """
    require_official(by)
    errors: dict = {}
    if producer.status != Producer.Status.APPROVED:
        errors["producer"] = _("Stamps are issued only to approved producers.")
    if product is not None and (product.producer_id != producer.pk or not product.is_active):
        errors["product"] = _("Choose an active product of this producer.")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_RUN_SIZE:
        errors["quantity"] = _("Issue between 1 and %(max)s stamps at once.") % {"max": decimal_text(MAX_RUN_SIZE)}
    raise_if(errors)
    run = StampRun(
        producer=producer,
        product=product,
        gtin14=product.gtin if product is not None else "",
        quantity=quantity,
        issued_by=by,
        note=note.strip()[:300],
    )
    run.full_clean()
    run.save()
    if background is None:
        background = quantity > INLINE_RUN_MAX
    if background:
        run.job = job_enqueue(
            handler="tracing.stamps.jobs.stamp_run_fill_job",
            title=gettext_noop("Issuing %(count)s stamps to %(producer)s"),
            title_args={"count": quantity, "producer": producer.name},
            owner=by,
            arguments={"run_id": run.pk},
            total=quantity,
        )
        run.save(update_fields=["job"])
    else:
        stamp_run_fill(run=run)
    return run


def _copy_rows(rows: list[tuple[str, int, int, str]]) -> None:
    buffer = io.StringIO()
    # Serials and hashes contain only [0-9A-Za-z$]: nothing to escape in COPY's text format.
    buffer.write(
        "".join(f"{serial}\t{run_id}\t{number}\t{pin_hash}\tissued\t\t\n" for serial, run_id, number, pin_hash in rows)
    )
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            "COPY tracing_stamp (serial, run_id, number, pin_hash, status, revoke_reason, confirmed_place) FROM STDIN",
            buffer,
        )


def _draw_chunk(run_id: int, first_number: int, size: int):
    serials = new_serials(size)
    clear = pins.new_pins(size)
    hashes = pins.pin_hashes(zip(serials, clear, strict=True))
    rows = [(s, run_id, first_number + i, h) for i, (s, h) in enumerate(zip(serials, hashes, strict=True))]
    return rows, list(zip(serials, clear, strict=True))


def _copy_committed(rows) -> None:
    """COPY one chunk on this thread's own connection, committed at once (runs in the helper thread)."""
    with transaction.atomic():
        _copy_rows(rows)


def _close_thread_connection() -> None:
    connection.close()


def stamp_run_fill(*, run: StampRun, progress: Progress | None = None) -> StampRun:
    """Create the run's stamps (serials from serials.new_serials, PIN hashes) in COPY chunks, and its PIN list.

    Outside a transaction (the background job) each chunk commits on its own so progress is
    visible, and the next chunk is drawn (serials, PINs, keyed hashes: CPU) while PostgreSQL loads
    the previous one on a second connection, so both cores work. Inside a transaction (small runs
    issued in the request) the chunks go through the caller's connection. A chunk whose serial
    collides with an existing stamp (about 1 in 10¹⁰ per run) is drawn again. The clear PINs exist
    only in memory and in the run's private PIN file (printing.pins_csv). On failure the partial run
    is removed and marked failed.
    """
    total = run.quantity
    pairs: list[tuple[str, str]] = []
    bounds = [(start, min(COPY_CHUNK, total - start)) for start in range(0, total, COPY_CHUNK)]
    pipelined = not connection.in_atomic_block
    try:
        with ThreadPoolExecutor(max_workers=1) as loader:
            pending = None  # (future, rows, chunk pairs, first_number, size)
            for start, size in [*bounds, (None, 0)]:
                drawn = _draw_chunk(run.pk, start + 1, size) if start is not None else None
                if pending is not None:
                    future, rows, chunk_pairs, first, chunk_size = pending
                    for attempt in range(3):
                        try:
                            if future is not None:
                                future.result()
                            else:
                                _copy_committed(rows)
                            break
                        except IntegrityError:
                            if attempt == 2:
                                raise
                            rows, chunk_pairs = _draw_chunk(run.pk, first, chunk_size)
                            future = None
                    pairs.extend(chunk_pairs)
                    if progress:
                        progress(len(pairs), total, gettext_noop("%(done)s of %(total)s stamps"))
                if drawn is not None:
                    rows, chunk_pairs = drawn
                    future = loader.submit(_copy_committed, rows) if pipelined else None
                    pending = (future, rows, chunk_pairs, start + 1, size)
            if pipelined:
                loader.submit(_close_thread_connection).result()
        text = io.StringIO()
        printing.pins_csv(pairs, text)
        with transaction.atomic():
            run.pins_file.save(
                f"run-{run.pk}-{timezone.now():%Y%m%d%H%M%S}.csv", ContentFile(text.getvalue().encode()), save=False
            )
            run.status = StampRun.Status.ISSUED
            run.save(update_fields=["pins_file", "status"])
            _log(run_id=run.pk, action=StampEvent.Action.ISSUED, actor=run.issued_by, ranges=[[1, total]], count=total)
    except JobLost:
        raise  # another worker took the run over (and its stamps): nothing here is ours to remove
    except BaseException:
        log.exception("filling stamp run %s failed", run.pk)
        with transaction.atomic():
            _remove_unfinished_stamps(run.pk)
            StampRun.objects.filter(pk=run.pk).update(status=StampRun.Status.FAILED)
        run.status = StampRun.Status.FAILED
        raise
    return run


def _remove_unfinished_stamps(run_id: int) -> int:
    """Delete the stamps of a run that was never issued (inside the caller's transaction); returns how many.

    In SQL, not through the ORM, which would load every row (tens of thousands) to look for rows that
    refer to them; flags and reports are cleared first, and the database's own foreign keys refuse
    the delete if anything else (a scan, an inspection) still refers to one of them.
    """
    SuspicionFlag.objects.filter(stamp__run_id=run_id).delete()
    CounterfeitReport.objects.filter(stamp__run_id=run_id).update(stamp=None)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tracing_stamp WHERE run_id = %s", [run_id])
        return cursor.rowcount


def stamp_run_reset(*, run: StampRun) -> StampRun:
    """Undo an unfinished fill so that the run can be filled again from its first stamp.

    For a run not issued (a background fill that failed or whose worker died): its stamps were never
    printed nor activated (both need an issued run), and their PINs existed only in the memory of the
    interrupted worker, so they are deleted rather than resumed. Refused for an issued run.
    """
    with transaction.atomic():
        locked = StampRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == StampRun.Status.ISSUED:
            raise ValueError(f"stamp run {run.pk} is issued: its stamps stay")
        removed = _remove_unfinished_stamps(locked.pk)
        StampRun.objects.filter(pk=run.pk).update(status=StampRun.Status.ISSUING)
    if removed:
        log.warning("stamp run %s: removed %s stamps of an unfinished fill", run.pk, removed)
    run.status = StampRun.Status.ISSUING
    return run


def stamp_run_abandon(*, run_id: int) -> None:
    """A run whose fill will not be tried again: its partial stamps removed, the run marked failed."""
    with transaction.atomic():
        locked = StampRun.objects.select_for_update().filter(pk=run_id).first()
        if locked is None or locked.status == StampRun.Status.ISSUED:
            return
        _remove_unfinished_stamps(run_id)
        StampRun.objects.filter(pk=run_id).update(status=StampRun.Status.FAILED)


@transaction.atomic
def stamp_run_pins_take(*, by, run: StampRun) -> tuple[str, bytes]:
    """The run's PIN list (filename, CSV bytes), once: the file is deleted from the server as it is handed over."""
    if not (access.is_authenticated(by) and (run.issued_by_id == by.pk or access.can_manage(by, run.producer_id))):
        raise PermissionDenied(_("Only the official who issued this run or the producer's staff may take its PINs."))
    locked = StampRun.objects.select_for_update().get(pk=run.pk)
    if locked.pins_downloaded_at is not None:
        raise ValidationError(
            _("The PIN list was already downloaded on %(date)s: it is no longer on the server.")
            % {"date": date_format(timezone.localtime(locked.pins_downloaded_at), "SHORT_DATETIME_FORMAT")}
        )
    if not locked.pins_file:
        raise ValidationError(_("The PIN list is not ready yet."))
    with locked.pins_file.open("rb") as handle:
        data = handle.read()
    name = f"pins-run-{locked.pk}.csv"
    # Deleted once the hand-over is committed: a rollback must not leave a run whose list is gone from disk.
    storage, stored = locked.pins_file.storage, locked.pins_file.name
    transaction.on_commit(lambda: storage.delete(stored))
    locked.pins_file = ""
    locked.pins_downloaded_at = timezone.now()
    locked.pins_downloaded_by = by
    locked.save(update_fields=["pins_file", "pins_downloaded_at", "pins_downloaded_by"])
    _log(run_id=locked.pk, action=StampEvent.Action.PINS_DOWNLOADED, actor=by, ranges=[], count=locked.quantity)
    return name, data


# -- activation ------------------------------------------------------------------------------


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
            ) % {"certificates": ", ".join(f"{c.label} {c.number}" for c in lapsed[:_SHOWN])}
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
    qs, expected = _resolve(selection, producer_id=locked.producer_id)
    field = "serials" if selection.serials else "first"
    unusable = list(
        qs.exclude(status=StampStatus.ISSUED)
        .select_related(None)
        .only("serial", "status")
        .order_by("run", "number")[:_SHOWN]
    )
    if unusable:
        raise ValidationError(
            {field: _("Only new stamps can be activated; these are not: %(stamps)s") % {"stamps": _describe(unusable)}}
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
    _log_per_run(touched, action=StampEvent.Action.ACTIVATED, actor=by, batch=locked)
    return updated


# -- revocation and sale ------------------------------------------------------------------------


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
    qs, _expected = _resolve(selection, producer_id=producer_id)
    revocable = qs.exclude(status=StampStatus.REVOKED)
    if not official:
        revocable = revocable.exclude(status=StampStatus.SOLD)
    touched = list(revocable.values_list("run_id", "number"))
    if not touched:
        raise ValidationError({"reason": _("None of these stamps can be revoked (already revoked or sold).")})
    count = revocable.update(
        status=StampStatus.REVOKED, revoked_at=timezone.now(), revoked_by=by, revoke_reason=reason[:300]
    )
    _log_per_run(touched, action=StampEvent.Action.REVOKED, actor=by, reason=reason)
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
    _log(
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
    qs, expected = _resolve(selection, producer_id=producer_id)
    wrong = list(qs.exclude(status=StampStatus.ACTIVATED).only("serial", "status")[:_SHOWN])
    if wrong:
        raise ValidationError(
            {
                "serials": _("Only activated stamps can be sold; these are not: %(stamps)s")
                % {"stamps": _describe(wrong)}
            }
        )
    touched = list(qs.values_list("run_id", "number"))
    updated = qs.filter(status=StampStatus.ACTIVATED).update(
        status=StampStatus.SOLD, sold_at=timezone.now(), sold_via=via
    )
    if updated != expected:
        raise ValidationError({"serials": _("Some of these stamps changed just now. Please try again.")})
    _log_per_run(touched, action=StampEvent.Action.SOLD, actor=by)
    return updated


# -- printing --------------------------------------------------------------------------------


def can_print(user, run: StampRun) -> bool:
    return access.can_manage(user, run.producer_id) or access.is_official(user)


def stamps_print(*, by, run: StampRun, layout: str, first: int | None = None, last: int | None = None):
    """Queue a print file of the run's labels (numbers first…last, all by default); returns the Job.

    One PDF for up to PRINT_SINGLE_PDF_MAX labels, else a ZIP of PDF parts rendered on all cores.
    """
    if not can_print(by, run):
        raise PermissionDenied(_("Only the producer's staff or an official may print these labels."))
    errors: dict = {}
    if layout not in printing.PRESETS:
        errors["layout"] = _("Choose one of the label layouts.")
    first = 1 if first is None else first
    last = run.quantity if last is None else last
    if not (1 <= first <= last <= run.quantity):
        errors["first"] = _("Give numbers between 1 and %(max)d, the first not after the last.") % {"max": run.quantity}
    if run.status != StampRun.Status.ISSUED:
        errors["run"] = _("This run is not issued yet.")
    raise_if(errors)
    try:
        printing.check_layout(printing.PRESETS[layout], _longest_url(run, first, last))
    except printing.LabelTooSmall as exc:
        raise ValidationError({"layout": str(exc)}) from None
    return job_enqueue(
        handler="tracing.stamps.jobs.stamp_labels_print_job",
        title=gettext_noop("Labels %(first)s–%(last)s of run %(run)s"),
        title_args={"first": first, "last": last, "run": str(run.pk)},
        owner=by,
        arguments={"run_id": run.pk, "first": first, "last": last, "layout": layout, "user_id": by.pk},
        total=0,
    )


def _longest_url(run: StampRun, first: int, last: int) -> str:
    """The longest URL among labels first…last (the densest QR code): one per distinct lot printed."""
    gtin = (run.product.gtin if run.product_id else "") or run.gtin14 or None
    lots: set[str | None] = {None}
    if gtin:
        lots |= set(
            Stamp.objects.filter(run=run, number__range=(first, last), batch__isnull=False)
            .values_list("batch__lot_code", flat=True)
            .distinct()
            .order_by()
        )
    serial = "0" * SERIAL_LENGTH  # well-formed; every serial has this length
    urls = (digital_link.build_url(settings.SITE_URL, serial=serial, gtin14=gtin, lot=lot) for lot in lots)
    return max(urls, key=len)


def stamp_url(stamp: Stamp) -> str:
    """The URL printed in the stamp's QR code: GS1 Digital Link when the run's product has a GTIN."""
    product = stamp.run.product
    gtin = (product.gtin if product is not None else "") or stamp.run.gtin14 or None
    lot = stamp.batch.lot_code if (gtin and stamp.batch_id) else None
    return digital_link.build_url(settings.SITE_URL, serial=stamp.serial, gtin14=gtin, lot=lot)


def certificates_state(product: Product) -> list[tuple[Certificate, bool]]:
    today = timezone.localdate()
    return [(c, c.is_valid_on(today)) for c in product.certificates.all()]


def runs_visible_to(user):
    qs = StampRun.objects.select_related("producer", "product", "issued_by", "job")
    if access.can_read_all(user):
        return qs
    own = access.member_producer_id(user)
    return qs.filter(producer_id=own) if own is not None else qs.none()


def stamps_summary(run: StampRun) -> dict[str, int]:
    counts = dict(Stamp.objects.filter(run=run).values_list("status").order_by().annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in StampStatus.values}


__all__ = [
    "INLINE_RUN_MAX",
    "Selection",
    "can_print",
    "certificates_state",
    "number_ranges",
    "parse_code",
    "parse_code_list",
    "runs_visible_to",
    "stamp_confirm_copied",
    "stamp_run_abandon",
    "stamp_run_fill",
    "stamp_run_pins_take",
    "stamp_run_reset",
    "stamp_url",
    "stamps_activate",
    "stamps_issue",
    "stamps_mark_sold",
    "stamps_print",
    "stamps_revoke",
    "stamps_summary",
]
