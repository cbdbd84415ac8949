from django import template

from marketplace.notifications import money

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """12500000 → '12.500.000 ₫' (vi), '12,500,000 ₫' (en)."""
    if amount in (None, ""):
        return ""
    return money(int(amount))


@register.filter
def localised(obj, field: str) -> str:
    from backend.bilingual import localised as pick

    return pick(obj, field)
