"""Print-ready stamp labels (PDF) and the PIN file for the scratch-layer printer (CSV).

Each label carries the QR code (vector: one filled path of module rectangles, crisp at any printer
resolution), the serial in groups of four (``ABCD-EFGH-JKMN-PQ``), the product name (Vietnamese, in
an embedded DejaVu Sans subset) and an optional second line (lot, producer) and caption.

Speed: a 100,000-label run must take at most two minutes on two cores. The QR matrix comes from
zxing-cpp (C++), the module rectangles go straight into the page's content stream, fonts are
registered once per process, and :func:`print_run_zip` renders parts of the run in a pool of
processes (one per core). The parts are delivered as separate PDF files in one ZIP, together with a
manifest of which labels and serials each part holds, rather than merged into one PDF: merging
would need another library and would cost a single-core pass over the whole output (seconds for
sheets, minutes for roll runs of one label per page), and a print shop splits large jobs anyway
(roll changes, RIP memory). :func:`labels_pdf` writes one PDF for a single label, a range or any
run small enough for one request.

The PINs are never in the label files: :func:`pins_csv` writes them, in label order, for the
printer of the scratch-off layer (a different machine, often a different shop).
"""

from __future__ import annotations

import io
import math
import multiprocessing
import os
import queue
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import BinaryIO, TextIO

from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from backend import csvfiles, qr
from tracing.stamps.serials import format_serial

FONT_DIR = os.environ.get("STAMP_LABEL_FONT_DIR", "/usr/share/fonts/truetype/dejavu")
_FONTS = {
    "HGSans": "DejaVuSans.ttf",
    "HGSans-Bold": "DejaVuSans-Bold.ttf",
    "HGMono-Bold": "DejaVuSansMono-Bold.ttf",
}
FONT_TEXT = "HGSans"
FONT_NAME = "HGSans-Bold"
FONT_SERIAL = "HGMono-Bold"

#: Smallest QR module (X-dimension) printed: GS1's minimum for QR codes, 0.396 mm (GS1 General
#: Specifications §5.12.3, symbol specification tables: 2D symbols are printed at 1.5 times the
#: 0.264 mm minimum of linear symbols). Below it phone cameras and scanners misread the code.
MIN_MODULE_MM = 0.396


ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Label:
    """What one label shows. ``url`` is the QR content (see tracing.digital_link.build_url)."""

    url: str
    serial: str
    product_name: str
    subtitle: str = ""


@dataclass(frozen=True, slots=True)
class LabelLayout:
    """Geometry of a label sheet or roll, in millimetres. Labels fill rows left to right, top to bottom."""

    name: str
    page_width: float
    page_height: float
    label_width: float
    label_height: float
    columns: int = 1
    rows: int = 1
    margin_left: float = 0.0
    margin_top: float = 0.0
    gap_x: float = 0.0
    gap_y: float = 0.0
    padding: float = 1.5
    crop_marks: bool = False

    def __post_init__(self):
        if self.columns < 1 or self.rows < 1:
            raise ValueError("a layout has at least one column and one row")
        for field in ("page_width", "page_height", "label_width", "label_height"):
            if getattr(self, field) <= 0:
                raise ValueError(f"{field} must be positive")
        for field in ("margin_left", "margin_top", "gap_x", "gap_y", "padding"):
            if getattr(self, field) < 0:
                raise ValueError(f"{field} must not be negative")
        right = self.margin_left + self.columns * self.label_width + (self.columns - 1) * self.gap_x
        bottom = self.margin_top + self.rows * self.label_height + (self.rows - 1) * self.gap_y
        if right > self.page_width + 1e-6 or bottom > self.page_height + 1e-6:
            raise ValueError(
                f"{self.columns}×{self.rows} labels of {self.label_width:g}×{self.label_height:g} mm do not fit "
                f"on a {self.page_width:g}×{self.page_height:g} mm page with these margins and gaps"
            )
        if self.label_height - 2 * self.padding <= 0 or self.label_width - 2 * self.padding <= 0:
            raise ValueError("the padding leaves no room on the label")

    @property
    def qr_box(self) -> float:
        """The side of the QR code's square on a label (mm, quiet zone included)."""
        return min(self.label_height - 2 * self.padding, (self.label_width - 2 * self.padding) * 0.62)

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def pages_for(self, count: int) -> int:
        return math.ceil(count / self.per_page)

    def origin(self, index_on_page: int) -> tuple[float, float]:
        """Bottom-left corner (mm, PDF coordinates from the page's bottom-left) of the label at this index."""
        row, column = divmod(index_on_page, self.columns)
        x = self.margin_left + column * (self.label_width + self.gap_x)
        top = self.margin_top + row * (self.label_height + self.gap_y)
        return x, self.page_height - top - self.label_height


def _centred(name, page_w, page_h, label_w, label_h, columns, rows, gap_x=0.0, gap_y=0.0, **kw) -> LabelLayout:
    margin_left = (page_w - columns * label_w - (columns - 1) * gap_x) / 2
    margin_top = (page_h - rows * label_h - (rows - 1) * gap_y) / 2
    return LabelLayout(
        name, page_w, page_h, label_w, label_h, columns, rows, margin_left, margin_top, gap_x, gap_y, **kw
    )


#: Ready-made layouts: die-cut A4 label sheets, plain A4 paper to cut (crop marks), label-printer rolls.
PRESETS: dict[str, LabelLayout] = {
    layout.name: layout
    for layout in (
        _centred("a4-3x8-70x37", 210, 297, 70, 37, 3, 8),
        _centred("a4-4x10-48x25", 210, 297, 48.5, 25.4, 4, 10),
        _centred("a4-3x8-cut-60x30", 210, 297, 60, 30, 3, 8, gap_x=5, gap_y=5, crop_marks=True),
        LabelLayout("roll-50x30", 50, 30, 50, 30),
        LabelLayout("roll-40x25", 40, 25, 40, 25, padding=1.0),
        LabelLayout("roll-60x40", 60, 40, 60, 40),
    )
}


def layout_named(name: str) -> LabelLayout:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown label layout {name!r}; choose one of {', '.join(PRESETS)}") from None


class LabelTooSmall(ValueError):
    """A layout on which a label's QR code would be printed with modules under MIN_MODULE_MM (message for people)."""


def module_mm(layout: LabelLayout, url: str) -> float:
    """The width of one QR module (mm) when *url*'s code fills the QR box of a *layout* label."""
    modules, _pixels = qr.qr_bitmap(url)
    return layout.qr_box / modules


def check_layout(layout: LabelLayout, url: str) -> None:
    """Raise LabelTooSmall if *url*'s QR code would be printed too small for GS1 on a *layout* label."""
    module = module_mm(layout, url)
    if module < MIN_MODULE_MM:
        raise LabelTooSmall(
            _(
                "On the label layout %(layout)s this QR code would be printed with modules of %(module).2f mm, "
                "under the %(minimum)s mm minimum of GS1 for QR codes: phones and scanners could fail to read it. "
                "Choose a larger label layout."
            )
            % {"layout": layout.name, "module": module, "minimum": f"{MIN_MODULE_MM:.3f}"}
        )


_registered = False


def _register_fonts() -> None:
    global _registered
    if _registered:
        return
    for name, filename in _FONTS.items():
        path = os.path.join(FONT_DIR, filename)
        if not os.path.exists(path):
            raise RuntimeError(
                f"Font {path} is missing: install the Debian package fonts-dejavu-core "
                f"(or set STAMP_LABEL_FONT_DIR to a folder with {filename})."
            )
        pdfmetrics.registerFont(TTFont(name, path))
    _registered = True


@lru_cache(maxsize=256)
def _fit_lines(text: str, font: str, width: float, height: float, max_size: float, min_size: float, max_lines: int):
    """The largest font size (pt) at which *text* wraps into the box, and its lines; ellipsis as a last resort."""
    size = max_size
    while True:
        lines = simpleSplit(text, font, size, width) if text else []
        leading = size * 1.15
        if (len(lines) <= max_lines and len(lines) * leading <= height) or size <= min_size:
            break
        size = max(min_size, size - 0.5)
    fitting = max(1, min(max_lines, int(height // (size * 1.15))))
    if len(lines) > fitting:
        lines = lines[:fitting]
        last = lines[-1]
        while last and pdfmetrics.stringWidth(last + "…", font, size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return size, tuple(lines)


_RECTS: dict[tuple[int, int, int], str] = {}
_DARK_PIXELS = re.compile(rb"\x00+")


def _rect_ops(width: int, pixels: bytes) -> str:
    """``x y w 1 re`` for every horizontal run of dark modules (the hot loop of a print run).

    *pixels* come from :func:`qr.qr_bitmap` (quiet zone included, so no run wraps to the next row);
    coordinates are in modules from the top-left of the quiet zone. The formatted operators are
    memoised: runs repeat across symbols (finder and timing patterns, common widths).
    """
    cache = _RECTS
    ops = []
    for match in _DARK_PIXELS.finditer(pixels):
        start, end = match.span()
        key = (width, start, end)
        op = cache.get(key)
        if op is None:
            y, x = divmod(start, width)
            op = cache[key] = f"{x} {y} {end - start} 1 re"
        ops.append(op)
    return " ".join(ops)


class _LabelPainter:
    """Draws labels on a canvas; everything that is the same for every label is computed once."""

    def __init__(self, canvas: Canvas, layout: LabelLayout, caption: str):
        self.canvas = canvas
        self.layout = layout
        self.caption = caption
        pad = layout.padding
        self.qr_box = layout.qr_box
        self.text_x = pad + self.qr_box
        self.text_w = layout.label_width - self.text_x - pad
        self.text_top = layout.label_height - pad
        self.text_h = layout.label_height - 2 * pad
        # Serial: monospace, as large as fits the text column (one line, else two lines of groups).
        sample = format_serial("0" * 14)
        unit = pdfmetrics.stringWidth(sample, FONT_SERIAL, 1)
        one_line = 0.97 * self.text_w * mm / unit
        if one_line >= 6:
            self.serial_size, self.serial_split = min(one_line, 9.0), False
        else:
            half = pdfmetrics.stringWidth(sample[:9], FONT_SERIAL, 1)
            self.serial_size, self.serial_split = min(0.97 * self.text_w * mm / half, 9.0), True
        self.caption_size, self.caption_text = 5.5, caption
        if caption:
            natural = pdfmetrics.stringWidth(caption, FONT_TEXT, 1)
            self.caption_size = max(4.0, min(5.5, self.text_w * mm / natural))
            self.caption_text = _fit_lines(caption, FONT_TEXT, self.text_w * mm, 10, self.caption_size, 4.0, 1)[1][0]
        self.crop_form: str | None = None
        self.text_forms: dict[tuple[str, str], str] = {}

    def _qr_ops(self, url: str, x: float, y: float) -> str:
        modules, pixels = qr.qr_bitmap(url)
        module = self.qr_box / modules
        if module < MIN_MODULE_MM:
            check_layout(self.layout, url)
        m = module * mm
        left = (x + self.layout.padding) * mm
        top = (y + self.layout.padding + self.qr_box) * mm
        # One path in module units (y downwards from the quiet zone's top-left), filled once: no seams.
        rects = _rect_ops(modules, pixels)
        return f"q 0 g {m:.4f} 0 0 {-m:.4f} {left:.3f} {top:.3f} cm {rects} f Q"

    def draw(self, label: Label, x: float, y: float) -> None:
        canvas = self.canvas
        canvas.addLiteral(self._qr_ops(label.url, x, y))
        form = self._text_form(label.product_name, label.subtitle)
        canvas.addLiteral(f"q 1 0 0 1 {x * mm:.3f} {y * mm:.3f} cm")
        canvas.doForm(form)
        canvas.addLiteral("Q")
        canvas.setFont(FONT_SERIAL, self.serial_size)
        tx = (x + self.text_x) * mm
        base = (y + self.layout.padding) * mm + self.serial_size * 0.15
        if self.serial_split:
            base += self.serial_size * 1.1
        for line in self._serial_lines(label.serial):
            canvas.drawString(tx, base, line)
            base -= self.serial_size * 1.1

    def _text_form(self, product_name: str, subtitle: str) -> str:
        """The caption, product name and subtitle as a Form XObject, drawn once per distinct product."""
        key = (product_name, subtitle)
        name = self.text_forms.get(key)
        if name is not None:
            return name
        name = self.text_forms[key] = f"labeltext{len(self.text_forms)}"
        canvas = self.canvas
        layout = self.layout
        canvas.beginForm(name, 0, 0, layout.label_width * mm, layout.label_height * mm)
        tx = self.text_x * mm
        width = self.text_w
        cursor = self.text_top * mm
        serial_h = (2 if self.serial_split else 1) * self.serial_size * 1.1 / mm
        reserved = serial_h + 0.8
        if self.caption_text:
            cursor -= self.caption_size
            canvas.setFont(FONT_TEXT, self.caption_size)
            canvas.drawString(tx, cursor, self.caption_text)
            reserved += self.caption_size * 1.3 / mm
        sub_size = 0.0
        sub_lines: tuple[str, ...] = ()
        if subtitle:
            sub_size, sub_lines = _fit_lines(subtitle, FONT_TEXT, width * mm, 2 * 6.5 * 1.15, 6.0, 5.0, 2)
            reserved += len(sub_lines) * sub_size * 1.15 / mm
        name_height = (self.text_h - reserved) * mm
        if name_height > 5 and product_name:
            size, lines = _fit_lines(product_name, FONT_NAME, width * mm, name_height, 9.0, 5.0, 3)
            canvas.setFont(FONT_NAME, size)
            for line in lines:
                cursor -= size * 1.05
                canvas.drawString(tx, cursor, line)
                cursor -= size * 0.1
        if sub_lines:
            canvas.setFont(FONT_TEXT, sub_size)
            cursor -= sub_size * 0.25
            for line in sub_lines:
                cursor -= sub_size * 1.1
                canvas.drawString(tx, cursor, line)
        canvas.endForm()
        return name

    def _serial_lines(self, serial: str) -> tuple[str, ...]:
        grouped = format_serial(serial)
        if not self.serial_split:
            return (grouped,)
        return (grouped[:9], grouped[10:])

    def draw_crop_marks(self) -> None:
        """Cut guides in the page margins, in line with every label edge (drawn once, reused per page)."""
        canvas, layout = self.canvas, self.layout
        if self.crop_form is None:
            self.crop_form = "cropmarks"
            canvas.beginForm(self.crop_form)
            canvas.setLineWidth(0.25)
            canvas.setStrokeGray(0)
            offset = 1.0
            xs = sorted(
                {
                    edge
                    for c in range(layout.columns)
                    for edge in (
                        layout.margin_left + c * (layout.label_width + layout.gap_x),
                        layout.margin_left + c * (layout.label_width + layout.gap_x) + layout.label_width,
                    )
                }
            )
            ys = sorted(
                {
                    edge
                    for r in range(layout.rows)
                    for edge in (
                        layout.margin_top + r * (layout.label_height + layout.gap_y),
                        layout.margin_top + r * (layout.label_height + layout.gap_y) + layout.label_height,
                    )
                }
            )
            grid_bottom = layout.margin_top + layout.rows * layout.label_height + (layout.rows - 1) * layout.gap_y
            grid_right = layout.margin_left + layout.columns * layout.label_width + (layout.columns - 1) * layout.gap_x
            top_space = layout.margin_top - offset
            bottom_space = layout.page_height - grid_bottom - offset
            left_space = layout.margin_left - offset
            right_space = layout.page_width - grid_right - offset
            ph = layout.page_height
            for x in xs:
                if top_space >= 1.5:
                    length = min(5.0, top_space)
                    canvas.line(
                        x * mm,
                        (ph - layout.margin_top + offset) * mm,
                        x * mm,
                        (ph - layout.margin_top + offset + length) * mm,
                    )
                if bottom_space >= 1.5:
                    length = min(5.0, bottom_space)
                    canvas.line(
                        x * mm, (ph - grid_bottom - offset) * mm, x * mm, (ph - grid_bottom - offset - length) * mm
                    )
            for top in ys:
                y = (ph - top) * mm
                if left_space >= 1.5:
                    length = min(5.0, left_space)
                    canvas.line((layout.margin_left - offset - length) * mm, y, (layout.margin_left - offset) * mm, y)
                if right_space >= 1.5:
                    length = min(5.0, right_space)
                    canvas.line((grid_right + offset) * mm, y, (grid_right + offset + length) * mm, y)
            canvas.endForm()
        canvas.doForm(self.crop_form)


def labels_pdf(
    labels: Iterable[Label],
    *,
    layout: LabelLayout,
    out: BinaryIO,
    progress: ProgressCallback | None = None,
    caption: str = "",
    title: str = "",
    total: int | None = None,
) -> int:
    """Write the labels as one print-ready PDF to *out*; return the number of pages.

    *progress* is called as ``progress(pages_done, pages_total)`` after each page (``pages_total``
    is 0 when *labels* is an iterator of unknown length and *total* is not given). *caption* is a
    short line printed above the product name (e.g. "Quét để kiểm tra hàng thật").
    """
    _register_fonts()
    # Plain binary (Flate-compressed) streams: reportlab's pure-Python ASCII85 step would otherwise
    # take a quarter of the run time and make the file 25 % larger, for no use in a print file.
    saved_a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        return _labels_pdf(labels, layout=layout, out=out, progress=progress, caption=caption, title=title, total=total)
    finally:
        rl_config.useA85 = saved_a85


def _labels_pdf(labels, *, layout, out, progress, caption, title, total) -> int:
    if total is None and isinstance(labels, Sequence):
        total = len(labels)
    total_pages = layout.pages_for(total) if total else 0
    canvas = Canvas(out, pagesize=(layout.page_width * mm, layout.page_height * mm), pageCompression=1)
    canvas.setTitle(title or "Stamp labels")
    canvas.setCreator("Hà Giang Origin")
    painter = _LabelPainter(canvas, layout, caption)
    per_page = layout.per_page
    pages = 0
    on_page = 0
    for label in labels:
        if on_page == 0 and layout.crop_marks:
            painter.draw_crop_marks()
        x, y = layout.origin(on_page)
        painter.draw(label, x, y)
        on_page += 1
        if on_page == per_page:
            canvas.showPage()
            pages += 1
            on_page = 0
            if progress:
                progress(pages, total_pages)
    if on_page or pages == 0:
        canvas.showPage()
        pages += 1
        if progress:
            progress(pages, total_pages or pages)
    canvas.save()
    return pages


# -- parallel print runs -------------------------------------------------------------------------

_progress_queue = None


def _init_worker(progress_queue) -> None:
    global _progress_queue
    _progress_queue = progress_queue
    _register_fonts()


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


def with_layout_overrides(layout: LabelLayout, **changes) -> LabelLayout:
    """A copy of *layout* with some fields changed (validated again), e.g. ``crop_marks=True``."""
    return replace(layout, **changes)
