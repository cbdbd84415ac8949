"""Shortcuts for views that look records up by a value straight from the request (a form field, a query)."""

from __future__ import annotations

from django import shortcuts
from django.core.exceptions import ValidationError
from django.http import Http404


def get_object_or_404(klass, *args, **kwargs):
    """Django's get_object_or_404, and a 404 too for a value the field cannot hold (an id "abc" is a ValueError
    in Django's, a 500). For ids from a form field or a query; path converters already check theirs."""
    try:
        return shortcuts.get_object_or_404(klass, *args, **kwargs)
    except (ValueError, TypeError, ValidationError):
        raise Http404 from None
