"""The API's filters (django-filter, from the views' `filterset_fields`): a value they cannot read is a 400.

django-filter's boolean filter reads anything but true/false/1/0 as "no filter" (`?is_active=maybe`
listed everything, inactive products included); here it is an error naming the parameter, as for
every other filter. Date filters take backend.dates' bounds.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import filters
from django_filters import rest_framework as drf_filters

from backend import dates


class StrictNullBooleanField(forms.NullBooleanField):
    """true or false (also 1/0, any case); empty is not given; anything else is refused."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        known = {"true": True, "1": True, "false": False, "0": False}
        if str(value).lower() in known:
            return known[str(value).lower()]
        raise ValidationError(_("Enter true or false."), code="invalid")

    def validate(self, value):
        pass


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictNullBooleanField


class DateFilter(filters.DateFilter):
    field_class = dates.DateField


class FilterSet(drf_filters.FilterSet):
    FILTER_DEFAULTS = {
        **drf_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
        models.NullBooleanField: {"filter_class": BooleanFilter},
        models.DateField: {"filter_class": DateFilter},
    }


class DjangoFilterBackend(drf_filters.DjangoFilterBackend):
    filterset_base = FilterSet
