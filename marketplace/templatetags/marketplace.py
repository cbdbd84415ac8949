"""{% load marketplace %}: a record's text in the reader's language. Amounts: `vnd` of {% load formatting %}."""

from django import template

register = template.Library()


@register.filter
def localised(obj, field: str) -> str:
    from tracing.text import localised as pick

    return pick(obj, field)
