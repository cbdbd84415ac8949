import datetime

from django import template

from backend import formatting

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """Whole đồng with the current language's grouping: '1.250.000 ₫' (vi), '1,250,000 ₫' (en)."""
    return formatting.vnd(amount)


@register.filter
def number(value, places=None) -> str:
    """A number as the language writes it, without trailing zeros: '200', '1,5' (vi), '1.5' (en);
    with `places`, rounded to that many decimals first ('114,02')."""
    return formatting.decimal_text(value, places=None if places in (None, "") else int(places))


@register.filter
def percent(value, places=1) -> str:
    return formatting.percent(value, places=int(places))


@register.filter
def time_since(moment) -> str:
    """{{ row.updated_at|time_since }} → "3 phút" (vi), "3 minutes" (en)."""
    return formatting.time_since(moment)


@register.filter
def iso_date(value):
    """'2026-12-02' (a date kept as text, as in the open-data records) → a date for the `date` filter."""
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value
