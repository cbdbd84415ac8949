"""Charts drawn on the server as inline SVG: no chart library, readable without JavaScript, printable.

Each function returns safe markup: every label is escaped here. Colours come from our own constants.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from backend.formatting import decimal_text

#: Series colours (issued, activated, scanned, sold, …): readable on white and for colour-blind eyes.
PALETTE = ("#1f5f3b", "#f4a300", "#3a6fb0", "#b3261e", "#7a4fa0", "#4d5a53")


def _number(value: float) -> str:
    if value >= 1_000_000:
        return decimal_text(value / 1_000_000, places=1) + "M"
    if value >= 10_000:
        return f"{value / 1_000:.0f}k"
    return decimal_text(value, places=0)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    height: int = 220,
    group_width: int | None = None,
) -> SafeString:
    """Grouped vertical bars: one group per category (e.g. month), one bar per series, with a legend.

    `group_width` fixes the width of a category's group (a compact chart for a phone); by default it
    shrinks from 80 to 24 as categories are added. The chart is at least as wide as its legend.
    """
    n_categories = max(len(categories), 1)
    n_series = max(len(series), 1)
    left, right, top, bottom = 48, 8, 28, 40
    group = group_width or max(24, min(80, 640 // n_categories))
    legend_end = left + sum(22 + 7 * len(label) for label, _values in series)
    width = max(left + right + group * n_categories, legend_end + right)
    plot_height = height - top - bottom
    peak = _nice_max(max((v for _label, values in series for v in values), default=0))
    bar = max(3, (group - 8) // n_series)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        value = peak * i / 4
        y = top + plot_height - plot_height * i / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#cfd8d3"/>')
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="#4d5a53">'
            f"{_number(value)}</text>"
        )
    for c, category in enumerate(categories):
        x0 = left + c * group + 4
        for s, (label, values) in enumerate(series):
            value = values[c] if c < len(values) else 0
            h = plot_height * value / peak if peak else 0
            x = x0 + s * bar
            y = top + plot_height - h
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{bar - 1}" height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}" '
                f'data-category="{escape(category)}">'
                f"<title>{escape(category)} · {escape(label)}: {_number(value)}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + (group - 8) / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle" font-size="10" '
            f'fill="#1b1f1d">{escape(category)}</text>'
        )
    x = left
    for s, (label, _values) in enumerate(series):
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 14}" y="15" font-size="11" fill="#1b1f1d">{escape(label)}</text>')
        x += 22 + 7 * len(label)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def hbar_chart(rows: Sequence[tuple[str, float]], *, title: str, colour: str = PALETTE[0]) -> SafeString:
    """Horizontal bars, one per row (e.g. a producer), longest first as given, with the value written."""
    label_width, bar_width, row_height, top = 180, 320, 20, 8
    height = top * 2 + row_height * max(len(rows), 1)
    width = label_width + bar_width + 60
    peak = max((value for _label, value in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(rows):
        y = top + i * row_height
        short = label if len(label) <= 28 else label[:27] + "…"
        w = bar_width * value / peak
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end" font-size="11" fill="#1b1f1d">'
            f"{escape(short)}</text>"
        )
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row_height - 6}" fill="{colour}"/>')
        parts.append(
            f'<text x="{label_width + w + 4:.1f}" y="{y + 14}" font-size="11" fill="#4d5a53">{_number(value)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
