"""A whole print run: label PDFs rendered on every core into a ZIP of parts; the PIN file for the scratch layer.

The parts are separate PDF files with a manifest of which labels and serials each holds, rather than
one merged PDF: merging would need another library and a single-core pass over the whole output, and
a print shop splits large jobs anyway (roll changes, RIP memory). The PINs are never in the label
files: pins_csv writes them, in label order, for the printer of the scratch-off layer (a different
machine, often a different shop)."""

from __future__ import annotations

import io
import multiprocessing
import os
import queue
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import BinaryIO, TextIO

from backend import csvfiles
from tracing.stamps.layouts import Label, LabelLayout
from tracing.stamps.printing import ProgressCallback, labels_pdf, register_fonts
from tracing.stamps.serials import format_serial

_progress_queue = None


def _init_worker(progress_queue) -> None:
    global _progress_queue
    _progress_queue = progress_queue
    register_fonts()


def _render_part(args) -> tuple[int, bytes, int]:
    index, labels, layout, caption, title = args
    buffer = io.BytesIO()
    reported = 0

    def report(done: int, _total: int) -> None:
        nonlocal reported
        if _progress_queue is not None and (done - reported >= 5 or done * layout.per_page >= len(labels)):
            _progress_queue.put(done - reported)
            reported = done

    pages = labels_pdf(labels, layout=layout, out=buffer, progress=report, caption=caption, title=title)
    if _progress_queue is not None and pages > reported:
        _progress_queue.put(pages - reported)
    return index, buffer.getvalue(), pages


@dataclass(frozen=True, slots=True)
class PrintRunResult:
    parts: int
    pages: int
    labels: int


def print_run_zip(
    labels: Sequence[Label],
    *,
    layout: LabelLayout,
    out: BinaryIO,
    progress: ProgressCallback | None = None,
    caption: str = "",
    name: str = "labels",
    part_size: int = 5000,
    workers: int | None = None,
) -> PrintRunResult:
    """Render a whole run on all cores into a ZIP of PDF parts of at most *part_size* labels.

    Parts are named ``{name}-{part:03d}-{first:06d}-{last:06d}.pdf`` (label numbers from 1) and
    listed in ``manifest.csv`` with their first and last serial, so the print shop and the producer
    can reconcile what was printed. *progress* gets ``(pages_done, pages_total)`` as pages complete.
    """
    count = len(labels)
    if count == 0:
        raise ValueError("there are no labels to print")
    per_page = layout.per_page
    part_size = max(per_page, part_size - part_size % per_page)
    bounds = [(start, min(start + part_size, count)) for start in range(0, count, part_size)]
    total_pages = sum(layout.pages_for(end - start) for start, end in bounds)
    workers = max(1, min(workers or os.cpu_count() or 1, len(bounds)))
    titles = [f"{name} {i + 1}/{len(bounds)}" for i in range(len(bounds))]
    jobs = [(i, list(labels[start:end]), layout, caption, titles[i]) for i, (start, end) in enumerate(bounds)]

    # "spawn": workers start clean (no inherited database connections or threads of the caller).
    context = multiprocessing.get_context("spawn")
    progress_queue = context.Queue()
    done_pages = 0
    parts: dict[int, tuple[bytes, int]] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        with context.Pool(workers, initializer=_init_worker, initargs=(progress_queue,)) as pool:
            pending = pool.imap_unordered(_render_part, jobs)
            remaining = len(jobs)
            next_part = 0
            while remaining:
                try:
                    index, data, pages = pending.next(timeout=0.2)
                except multiprocessing.TimeoutError:
                    pass
                else:
                    remaining -= 1
                    parts[index] = (data, pages)
                    # Write parts in order as soon as the next one is ready, keeping memory bounded.
                    while next_part in parts:
                        data, _pages = parts.pop(next_part)
                        start, end = bounds[next_part]
                        archive.writestr(f"{name}-{next_part + 1:03d}-{start + 1:06d}-{end:06d}.pdf", data)
                        next_part += 1
                done_pages = _drain(progress_queue, done_pages, total_pages, progress)
        done_pages = _drain(progress_queue, done_pages, total_pages, progress)
        manifest = io.StringIO()
        writer = csvfiles.writer(manifest, lineterminator="\n")
        writer.writerow(["part", "file", "first_label", "last_label", "first_serial", "last_serial", "pages"])
        for i, (start, end) in enumerate(bounds):
            writer.writerow(
                [
                    i + 1,
                    f"{name}-{i + 1:03d}-{start + 1:06d}-{end:06d}.pdf",
                    start + 1,
                    end,
                    labels[start].serial,
                    labels[end - 1].serial,
                    layout.pages_for(end - start),
                ]
            )
        archive.writestr("manifest.csv", manifest.getvalue())
    if progress and done_pages < total_pages:
        progress(total_pages, total_pages)
    return PrintRunResult(parts=len(bounds), pages=total_pages, labels=count)


def _drain(progress_queue, done: int, total: int, progress: ProgressCallback | None) -> int:
    before = done
    while True:
        try:
            done += progress_queue.get_nowait()
        except queue.Empty:
            break
    if progress and done != before:
        progress(min(done, total), total)
    return done


def pins_csv(rows: Iterable[tuple[str, str]], out: TextIO) -> int:
    """Write the PIN list for the scratch-layer printer: ``number, serial, serial_grouped, pin``.

    *rows* are ``(serial, pin)`` in the same order as the labels. Returns the number of rows. This
    file is the only place the PINs exist in clear: hand it over separately from the labels and
    delete it once printed.
    """
    writer = csvfiles.writer(out, lineterminator="\r\n")
    writer.writerow(["number", "serial", "serial_grouped", "pin"])
    n = 0
    for n, (serial, pin) in enumerate(rows, start=1):
        writer.writerow([n, serial, format_serial(serial), pin])
    return n
