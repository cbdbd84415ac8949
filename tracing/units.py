"""Quantities in words, in the reader's language: "2 hộp" / "2 boxes", "1,5 kg" / "1.5 kg", "200 g"."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import ngettext

from backend.formatting import decimal_text


def _plural_count(quantity) -> int:
    """The number ngettext chooses the form by: a fraction takes the plural in English ("1.5 boxes")."""
    value = Decimal(str(quantity))
    return int(value) if value == value.to_integral_value() else 2


def quantity_text(quantity, unit: str) -> str:
    """`quantity` of the sales or batch unit `unit` (tracing.models.products.Unit: kg, box, jar, pack)."""
    if quantity is None or quantity == "":
        return ""
    count, n = decimal_text(quantity), _plural_count(quantity)
    values = {"count": count}
    if unit == "box":
        return ngettext("%(count)s box", "%(count)s boxes", n) % values
    if unit == "jar":
        return ngettext("%(count)s jar", "%(count)s jars", n) % values
    if unit == "pack":
        return ngettext("%(count)s pack", "%(count)s packs", n) % values
    return f"{count}\u00a0{unit}"


def net_quantity_text(product) -> str:
    """A product's net quantity with its unit: "200 g", "2,5 kg" (vi), "2.5 kg" (en)."""
    if product.net_quantity is None:
        return ""
    return f"{decimal_text(product.net_quantity)}\u00a0{product.get_net_quantity_unit_display()}"
