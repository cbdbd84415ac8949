"""Vietnamese tax numbers (MST) a producer types. Pure functions (phone numbers: backend/phones.py).

Tax number (mã số thuế, MST) of an organisation, as issued under Circular 105/2020/TT-BTC:
- 10 digits N1…N10: N1N2 a province code, N3…N9 a sequence (never 0000000), N10 a check digit;
- a branch or dependent unit adds "-" and 3 digits 001…999 to its parent's 10 digits.
The check digit: multiply N1…N9 by the weights 31, 29, 23, 19, 17, 13, 7, 5, 3, add the products,
take the remainder r of the sum divided by 11; N10 = 10 − r. When r is 0 the result would be 10,
which is not a digit, so no valid MST has a sum ≡ 0 (mod 11). (Example: 0100233488 — the weighted
sum of 010023348 is 167, 167 mod 11 = 2, check digit 10 − 2 = 8.)

A household business (hộ kinh doanh) is identified since 1 July 2025 by its owner's 12-digit
personal identification number (Circular 86/2024/TT-BTC), which has no check digit: we check its
shape only: a province code 001-096, then a century/sex digit, the 2-digit birth year and 6 digits.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_SEPARATORS = re.compile(r"[\s.]")


def mst_check_digit(first_nine: str) -> str | None:
    """The check digit of an MST from its first nine digits, or None when no digit can be valid."""
    remainder = sum(weight * int(digit) for weight, digit in zip(MST_WEIGHTS, first_nine, strict=True)) % 11
    return None if remainder == 0 else str(10 - remainder)


def normalise_tax_number(value: str, *, allow_personal_id: bool = False) -> str:
    """Return the canonical form "NNNNNNNNNN" or "NNNNNNNNNN-BBB" of a tax number, or raise ValidationError.

    Spaces and dots are ignored; a 13-digit branch number may be typed with or without its dash.
    With `allow_personal_id`, a 12-digit personal identification number is accepted too.
    """
    compact = _SEPARATORS.sub("", value or "")
    if re.fullmatch(r"\d{13}", compact):
        compact = f"{compact[:10]}-{compact[10:]}"
    if allow_personal_id and re.fullmatch(r"\d{12}", compact):
        if not 1 <= int(compact[:3]) <= 96:
            raise ValidationError(_("This personal identification number is not valid."), code="invalid")
        return compact
    match = re.fullmatch(r"(\d{10})(?:-(\d{3}))?", compact)
    if not match:
        if allow_personal_id:
            message = _(
                "Enter a tax number of 10 digits, 10 digits + “-” + 3 digits for a branch, "
                "or the owner's 12-digit personal identification number."
            )
        else:
            message = _("Enter a tax number of 10 digits, or 10 digits + “-” + 3 digits for a branch.")
        raise ValidationError(message, code="invalid")
    main, branch = match.groups()
    if main[2:9] == "0000000":
        raise ValidationError(_("This tax number is not valid: its sequence number is zero."), code="invalid")
    if branch == "000":
        raise ValidationError(_("A branch number runs from 001 to 999."), code="invalid")
    if mst_check_digit(main[:9]) != main[9]:
        raise ValidationError(
            _("This tax number is not valid: its check digit does not match. Please check it for typing mistakes."),
            code="invalid",
        )
    return compact
