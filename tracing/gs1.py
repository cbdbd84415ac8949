"""GS1 identifiers: GTIN check digits, and the values of AI 10 (batch/lot) and AI 21 (serial).

Pure functions, no database. Error messages are translatable because they reach users (a producer
typing a GTIN, a consumer opening a mistyped Digital Link).

References: GS1 General Specifications §7.9 (check digit calculation, "mod 10" with weights 3 and 1
from the right) and §7.11 (figure 7.11-1, "GS1 AI encodable character set 82": the characters
allowed in alphanumeric AI values such as AI 10 and AI 21, each at most 20 characters long). The
character set comes from tracing.gs1_ai, which reads every AI's format from GS1's syntax
dictionary; links are parsed by tracing.digital_link, these functions serve forms and printing.
"""

from __future__ import annotations

import string

from django.utils.translation import gettext as _

from tracing import gs1_ai

#: Lengths of the GTIN family: GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13), GTIN-14.
GTIN_LENGTHS = (8, 12, 13, 14)

#: GS1 AI encodable character set 82 (GS1 General Specifications figure 7.11-1), as the AI table defines it.
CSET82 = frozenset(gs1_ai.CSET82)

#: Maximum length of AI 10 (batch/lot) and AI 21 (serial number): X..20.
LOT_MAX_LENGTH = 20
SERIAL_MAX_LENGTH = 20

_ASCII_DIGITS = frozenset(string.digits)


def _digits_only(value: str, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, not {type(value).__name__}")
    # str.isdigit() accepts other scripts' digits ("١٢٣"); GS1 means ASCII 0-9 only.
    if not value or not set(value) <= _ASCII_DIGITS:
        raise ValueError(_("A GTIN contains digits 0-9 only (got “%(value)s”).") % {"value": value})
    return value


def gtin_check_digit(body: str) -> str:
    """The check digit for the GTIN *body* (the digits without their check digit; 7, 11, 12 or 13 digits).

    Weights 3, 1, 3, 1 … from the rightmost body digit; the check digit brings the sum up to a
    multiple of ten.
    """
    _digits_only(body, "body")
    if len(body) + 1 not in GTIN_LENGTHS:
        raise ValueError(
            _("A GTIN body has 7, 11, 12 or 13 digits before its check digit (got %(count)d).") % {"count": len(body)}
        )
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str(-total % 10)


def _validated(code: str) -> str:
    code = _digits_only(code, "code")
    if len(code) not in GTIN_LENGTHS:
        raise ValueError(_("A GTIN has 8, 12, 13 or 14 digits (got %(count)d).") % {"count": len(code)})
    expected = gtin_check_digit(code[:-1])
    if code[-1] != expected:
        raise ValueError(
            _("The GTIN “%(code)s” has a wrong check digit: the last digit should be %(expected)s.")
            % {"code": code, "expected": expected}
        )
    return code


def gtin_is_valid(code: str) -> bool:
    """True if *code* is a GTIN-8/12/13/14 with a correct check digit."""
    try:
        _validated(code)
    except (ValueError, TypeError):
        return False
    return True


def gtin_to_14(code: str) -> str:
    """Normalise a GTIN-8/12/13/14 to its 14-digit form (left-padded with zeros).

    Raises ValueError (with a message fit for the user) for non-digits, a bad length or a bad
    check digit. Padding keeps the check digit valid because the weights count from the right.
    """
    return _validated(code).zfill(14)


def _messages(kind: str) -> tuple[str, str, str]:
    # Whole sentences per kind (not a noun slotted into one sentence) so each translates naturally.
    if kind == "lot":
        return (
            _("The lot number is empty."),
            _("The lot number has at most %(max)d characters (got %(count)d)."),
            _(
                "The lot number may contain only letters A-Z and a-z, digits and the GS1 punctuation "
                "! \" %% & ' ( ) * + , - . / : ; < = > ? _ (not allowed: %(chars)s)."
            ),
        )
    return (
        _("The serial number is empty."),
        _("The serial number has at most %(max)d characters (got %(count)d)."),
        _(
            "The serial number may contain only letters A-Z and a-z, digits and the GS1 punctuation "
            "! \" %% & ' ( ) * + , - . / : ; < = > ? _ (not allowed: %(chars)s)."
        ),
    )


def _check_cset82(value: str, *, max_length: int, kind: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{kind} must be a string, not {type(value).__name__}")
    if not value:
        raise ValueError(_messages(kind)[0])
    if len(value) > max_length:
        raise ValueError(_messages(kind)[1] % {"max": max_length, "count": len(value)})
    bad = sorted({c for c in value if c not in CSET82})
    if bad:
        raise ValueError(_messages(kind)[2] % {"chars": " ".join(repr(c) for c in bad)})
    return value


def validate_lot(lot: str) -> str:
    """Return *lot* if it is a valid GS1 AI 10 (batch/lot) value: 1-20 characters of CSET 82."""
    return _check_cset82(lot, max_length=LOT_MAX_LENGTH, kind="lot")


def lot_is_valid(lot: str) -> bool:
    try:
        validate_lot(lot)
    except (ValueError, TypeError):
        return False
    return True


def validate_ai21(serial: str) -> str:
    """Return *serial* if it is a valid GS1 AI 21 (serial number) value: 1-20 characters of CSET 82.

    This is the GS1 rule only; our own serials are stricter (see tracing.stamps.serials).
    """
    return _check_cset82(serial, max_length=SERIAL_MAX_LENGTH, kind="serial")
