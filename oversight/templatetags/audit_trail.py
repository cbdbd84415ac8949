from django import template

from oversight import audit_display

register = template.Library()


@register.filter
def audit_rows(entries) -> list:
    """{% for row in entries|audit_rows %}: each entry with its labels in the page's language."""
    return audit_display.rows(entries)
