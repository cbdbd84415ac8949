"""Bilingual fields: records carry `<field>_vi` and `<field>_en`; pages show the active language's."""

from django.utils.translation import get_language


def localised(obj, field: str) -> str:
    """`obj.<field>_en` when the active language is English and it is filled in, else `obj.<field>_vi`."""
    if (get_language() or "vi").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, f"{field}_vi", "")
