"""Dates a person may type: from 1900 to 2100, in every form, API field and filter.

Python's dates end at 9999-12-31 and start at 0001-01-01, and the code adds and subtracts days
(the day after `until`, eleven months before `since`, an expiry warning window): `until=9999-12-31`
was an OverflowError, a 500, on the officials' pages. No harvest, certificate, survey or report
date is anywhere near either end, so every date input takes these bounds and says so.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def _shown(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _message() -> str:
    return _("Enter a date between %(earliest)s and %(latest)s.") % {
        "earliest": _shown(EARLIEST),
        "latest": _shown(LATEST),
    }


message = lazy(_message, str)


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


class _Earliest(MinValueValidator):
    def clean(self, x):
        return _as_date(x)


class _Latest(MaxValueValidator):
    def clean(self, x):
        return _as_date(x)


def validators() -> list:
    """Validators for a date or datetime input (a datetime is compared by its day)."""
    return [_Earliest(EARLIEST, message=message()), _Latest(LATEST, message=message())]


def is_bounded(field) -> bool:
    """Whether a form or serializer field carries these bounds (the test of every date input asks)."""
    return any(isinstance(v, _Earliest) for v in field.validators) and any(
        isinstance(v, _Latest) for v in field.validators
    )


class DateField(forms.DateField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.extend(validators())


class DateTimeField(forms.DateTimeField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.extend(validators())


class ApiDateField(serializers.DateField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.extend(validators())


class ApiDateTimeField(serializers.DateTimeField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.extend(validators())

    def enforce_timezone(self, value):
        # Before DRF moves the time to the site's zone: 0001-01-01T00:00 at +07:00 is in year 0 in UTC,
        # an OverflowError inside DRF (its validators run only after this).
        if not EARLIEST <= value.date() <= LATEST:
            raise serializers.ValidationError(message())
        return super().enforce_timezone(value)
