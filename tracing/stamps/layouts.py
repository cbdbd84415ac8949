"""Label layouts: sheets and rolls, where each label sits on the page, and GS1's minimum QR module size."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from backend import qr

#: Smallest QR module (X-dimension) printed: GS1's minimum for QR codes, 0.396 mm (GS1 General
#: Specifications §5.12.3, symbol specification tables: 2D symbols are printed at 1.5 times the
#: 0.264 mm minimum of linear symbols). Below it phone cameras and scanners misread the code.
MIN_MODULE_MM = 0.396


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


def with_layout_overrides(layout: LabelLayout, **changes) -> LabelLayout:
    """A copy of *layout* with some fields changed (validated again), e.g. ``crop_marks=True``."""
    return replace(layout, **changes)
