from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """Whole đồng with the current language's grouping: '1.250.000 ₫' (vi), '1,250,000 ₫' (en)."""
    if amount is None or amount == "":
        return ""
    try:
        value = int(amount)
    except (TypeError, ValueError):
        return ""
    grouped = f"{abs(value):,}"
    if (get_language() or "vi").startswith("vi"):
        grouped = grouped.replace(",", ".")
    sign = "-" if value < 0 else ""
    return f"{sign}{grouped}\u00a0₫"
