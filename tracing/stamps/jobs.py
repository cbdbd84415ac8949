"""Background work of the stamps (run by `manage.py worker`, progress on /jobs/<id>/)."""

from __future__ import annotations

import io
import uuid

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.translation import gettext_noop

from backend.jobs import job_handler
from tracing.models import Stamp, StampEvent, StampRun
from tracing.stamps import layouts, print_runs, printing
from tracing.stamps.runs import stamp_run_abandon, stamp_run_fill, stamp_run_reset, stamp_url
from tracing.stamps.serials import format_serial

#: Up to this many labels the print file is one PDF; above, a ZIP of PDF parts rendered on all cores.
PRINT_SINGLE_PDF_MAX = 2000
CAPTION = "Quét để kiểm tra hàng thật · Scan to check"


def _fill_abandoned(job) -> None:
    stamp_run_abandon(run_id=job.arguments["run_id"])


@job_handler(attempts=3, on_abandoned=_fill_abandoned)
def stamp_run_fill_job(job, progress, *, run_id: int) -> None:
    """Fill a large run: stamps in COPY chunks with progress, then its PIN list (downloadable once).

    Run again after a crash, it starts from the first stamp: what an interrupted fill committed is
    removed first (its PINs died with the worker), so the run ends complete with one PIN list.
    """
    run = StampRun.objects.select_related("producer").get(pk=run_id)
    if run.status != StampRun.Status.ISSUED:  # issued already: an earlier attempt finished it
        stamp_run_reset(run=run)
        progress(0, run.quantity, gettext_noop("Creating the stamps…"))
        stamp_run_fill(run=run, progress=progress)
    job.result = {
        "run": run.pk,
        "stamps": run.quantity,
        "url": reverse("tracing:stamp_run", args=[run.pk]),
    }
    job.set_message(
        gettext_noop("%(count)s stamps issued. The PIN list can be downloaded once from the run's page."),
        count=run.quantity,
    )


def _labels(run: StampRun, first: int, last: int) -> list[layouts.Label]:
    stamps = (
        Stamp.objects.filter(run=run, number__gte=first, number__lte=last)
        .select_related("batch", "run__product")
        .order_by("number")
    )
    labels = []
    for stamp in stamps.iterator(chunk_size=5000):
        stamp.run = run
        product = run.product
        name = product.name_vi if product is not None else run.producer.name
        subtitle = f"Lô {stamp.batch.lot_code} · {run.producer.name}" if stamp.batch_id else run.producer.name
        labels.append(layouts.Label(url=stamp_url(stamp), serial=stamp.serial, product_name=name, subtitle=subtitle))
    return labels


@job_handler(attempts=3)
def stamp_labels_print_job(job, progress, *, run_id: int, first: int, last: int, layout: str, user_id: int) -> None:
    """Render the labels first…last of a run as a PDF (or a ZIP of PDFs for big ranges) with progress.

    Safe to run again: each run renders the whole file anew (an interrupted one left no file).
    """
    run = StampRun.objects.select_related("producer", "product").get(pk=run_id)
    chosen = layouts.layout_named(layout)
    progress(0, 0, gettext_noop("Preparing the labels…"))
    labels = _labels(run, first, last)
    buffer = io.BytesIO()
    token = uuid.uuid4().hex  # an unguessable file name: the labels are a capability, like the stamps
    if len(labels) <= PRINT_SINGLE_PDF_MAX:
        pages = printing.labels_pdf(
            labels,
            layout=chosen,
            out=buffer,
            progress=lambda done, total: progress(done, total),
            caption=CAPTION,
            title=f"Tem {format_serial(labels[0].serial)} – {format_serial(labels[-1].serial)}",
        )
        name = f"labels-run{run.pk}-{first:06d}-{last:06d}-{token}.pdf"
        parts = 1
    else:
        result = print_runs.print_run_zip(
            labels,
            layout=chosen,
            out=buffer,
            progress=lambda done, total: progress(done, total),
            caption=CAPTION,
            name=f"run{run.pk}",
        )
        pages, parts = result.pages, result.parts
        name = f"labels-run{run.pk}-{first:06d}-{last:06d}-{token}.zip"
    job.result_file.save(name, ContentFile(buffer.getvalue()), save=False)
    job.result = {"run": run.pk, "labels": len(labels), "pages": pages, "parts": parts, "layout": layout}
    job.set_message(gettext_noop("%(labels)s labels on %(pages)s pages."), labels=len(labels), pages=pages)
    StampEvent.objects.create(
        run=run,
        action=StampEvent.Action.LABELS_PRINTED,
        actor=get_user_model().objects.filter(pk=user_id).first(),
        count=len(labels),
        ranges=[[first, last]],
        reason=layout,
    )
