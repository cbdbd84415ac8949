"""Numbers and amounts as the reader's language writes them (the active language; see backend/formats).

    decimal_text(Decimal("200.000")) → "200";  decimal_text(Decimal("1.5")) → "1,5" (vi), "1.5" (en)
    vnd(1250000) → "1.250.000 ₫" (vi), "1,250,000 ₫" (en)
    percent(12.345) → "12,3%" (vi), "12.3%" (en)

Quantities are stored with three decimals (200 g is Decimal("200.000")): shown as stored they read as
two hundred thousand in English and as a decimal in Vietnamese, so they are normalised first.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.timesince import timesince
from django.utils.translation import ngettext_lazy


def _as_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def decimal_text(value, *, places: int | None = None) -> str:
    """The number without trailing zeros (or rounded to `places` decimals), thousands grouped."""
    number = _as_decimal(value)
    if number is None:
        return ""
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    number = number.normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return formats.number_format(number, use_l10n=True, force_grouping=True)


def plain_number(value) -> str:
    """A Decimal as a person types it into a number field: 500, 0.5 (never 5E+2 or 500.000)."""
    return format(Decimal(str(value)).normalize(), "f")


def vnd(amount) -> str:
    """Whole đồng, grouped as the language groups thousands, with the đồng sign."""
    number = _as_decimal(amount)
    if number is None:
        return ""
    return f"{decimal_text(number.quantize(Decimal(1)))}\u00a0₫"


def percent(value, *, places: int = 1) -> str:
    """A percentage rounded to `places` decimals: "12,3%" (vi), "12.3%" (en), "0%"."""
    number = _as_decimal(value)
    if number is None:
        return ""
    return decimal_text(number, places=places) + "%"


#: The units of `timesince`, in our catalogue: Django's own Vietnamese catalogue still has the
#: strings of older versions ("%d minute"), so its "3 minutes" stayed English on Vietnamese pages.
TIME_STRINGS = {
    "year": ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    "month": ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    "week": ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    "day": ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    "hour": ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    "minute": ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
}


def time_since(moment) -> str:
    """How long ago `moment` was, in the reader's language: "3 phút" (vi), "3 minutes" (en)."""
    if moment is None:
        return ""
    return timesince(moment, time_strings=TIME_STRINGS)
