"""Print-ready stamp labels (PDF): fonts, the QR code's rectangles, one label painted on its page.

Layouts are in layouts.py; a whole run rendered on every core, and the PIN file, in print_runs.py.

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

import os
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import BinaryIO

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from backend import qr
from tracing.stamps.layouts import MIN_MODULE_MM, Label, LabelLayout, check_layout
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


ProgressCallback = Callable[[int, int], None]


_registered = False


def register_fonts() -> None:
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
    register_fonts()
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
