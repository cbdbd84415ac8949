"""Texts stored in the source language with their figures apart, shown in each viewer's language.

The worker writes `"%(done)s of %(total)s stamps"` and `{"done": 20000, "total": 60000}`; a
Vietnamese reader sees "20.000 trên 60.000 tem", an English one "20,000 of 60,000 stamps". Integers
are grouped as the reader's language writes them; identifiers (a run number) are stored as strings.
Texts written before this scheme (already translated, without figures) are shown as they are.
"""

from django.utils.formats import get_format
from django.utils.translation import gettext


def render(text: str, args: dict | None) -> str:
    if not text:
        return ""
    translated = gettext(text)
    if not args:
        return translated
    values = {key: _shown(value) for key, value in args.items()}
    for template in (translated, text):
        try:
            return template % values
        except (KeyError, ValueError, TypeError):
            continue
    return text


def _shown(value):
    if isinstance(value, int) and not isinstance(value, bool):
        # Thousands as the language groups them (Django's vi formats give a separator but no grouping).
        return f"{value:,}".replace(",", get_format("THOUSAND_SEPARATOR"))
    return value
