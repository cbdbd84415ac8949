from django import template

from tracing.units import net_quantity_text, quantity_text

register = template.Library()


@register.filter
def quantity_of(quantity, unit: str) -> str:
    """{{ line.quantity|quantity_of:line.unit }} → "2 hộp" (vi), "2 boxes" (en)."""
    return quantity_text(quantity, unit)


@register.filter
def net_quantity(product) -> str:
    """{{ product|net_quantity }} → "200 g", "2,5 kg"."""
    return net_quantity_text(product)
