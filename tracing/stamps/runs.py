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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

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
from tracing import access, audit, digital_link
from tracing.models import (
    Certificate,
    CounterfeitReport,
    Producer,
    Product,
    Stamp,
    StampEvent,
    StampRun,
    SuspicionFlag,
)
from tracing.models.stamps import MAX_RUN_SIZE, StampStatus
from tracing.services.common import raise_if, require_official
from tracing.stamps import layouts, pins, print_runs
from tracing.stamps.events import log_event
from tracing.stamps.serials import SERIAL_LENGTH, new_serials

log = logging.getLogger(__name__)

#: Runs up to this size are filled in the request; larger ones by the background worker.
INLINE_RUN_MAX = 1000
#: Rows per COPY (and per transaction) when filling a run: progress is visible between chunks.
COPY_CHUNK = 20_000

Progress = Callable[..., None]


# -- helpers ---------------------------------------------------------------------------------


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
    audit.record(
        actor=by,
        action="stamps.issue",
        target=run,
        after={"producer": run.producer_id, "product": run.product_id, "quantity": run.quantity},
        note=run.note,
    )
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
    only in memory and in the run's private PIN file (print_runs.pins_csv). On failure the partial run
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
        print_runs.pins_csv(pairs, text)
        with transaction.atomic():
            run.pins_file.save(
                f"run-{run.pk}-{timezone.now():%Y%m%d%H%M%S}.csv", ContentFile(text.getvalue().encode()), save=False
            )
            run.status = StampRun.Status.ISSUED
            run.save(update_fields=["pins_file", "status"])
            log_event(
                run_id=run.pk, action=StampEvent.Action.ISSUED, actor=run.issued_by, ranges=[[1, total]], count=total
            )
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
    log_event(run_id=locked.pk, action=StampEvent.Action.PINS_DOWNLOADED, actor=by, ranges=[], count=locked.quantity)
    return name, data


# -- activation ------------------------------------------------------------------------------


# -- revocation and sale ------------------------------------------------------------------------


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
    if layout not in layouts.PRESETS:
        errors["layout"] = _("Choose one of the label layouts.")
    first = 1 if first is None else first
    last = run.quantity if last is None else last
    if not (1 <= first <= last <= run.quantity):
        errors["first"] = _("Give numbers between 1 and %(max)d, the first not after the last.") % {"max": run.quantity}
    if run.status != StampRun.Status.ISSUED:
        errors["run"] = _("This run is not issued yet.")
    raise_if(errors)
    try:
        layouts.check_layout(layouts.PRESETS[layout], _longest_url(run, first, last))
    except layouts.LabelTooSmall as exc:
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
