"""Helpers of the oversight pages: the officials-only guard and small parsers."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tracing import access


def official_required(view):
    """Signed in (else the login page) and an official (tracing.access.is_official, the one rule; else 403);
    never cached. Every officials' page uses it."""

    @login_required
    @never_cache
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.is_official(request.user):
            raise PermissionDenied(_("This page is for the province's officials."))
        return view(request, *args, **kwargs)

    return wrapper


def form_errors_text(exc) -> str:
    """A ValidationError's messages as one line for a flash message."""
    return " ".join(exc.messages)
