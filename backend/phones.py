"""Vietnamese phone numbers as people type them (producers' and buyers' forms). Pure functions."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalise_phone(value: str) -> str:
    """A Vietnamese phone number as "0…" (10 or 11 digits), from "+84 …", "84…" or "0…" with any spacing."""
    compact = re.sub(r"[\s.()-]", "", value or "")
    if compact.startswith("+84"):
        compact = "0" + compact[3:]
    elif compact.startswith("84") and len(compact) in (11, 12):
        compact = "0" + compact[2:]
    if not re.fullmatch(r"0\d{9,10}", compact):
        raise ValidationError(
            _("Enter a Vietnamese phone number, e.g. 0912 345 678 or +84 912 345 678."), code="invalid"
        )
    return compact
