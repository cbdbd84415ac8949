"""{% load money %}: the amount filter alone (the `formatting` library has it too, with numbers and dates)."""

from django import template

from backend import formatting

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """Whole đồng with the current language's grouping: '1.250.000 ₫' (vi), '1,250,000 ₫' (en)."""
    return formatting.vnd(amount)
