"""Helpers shared by the marketplace services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _


def raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def save(obj, *, exclude: list[str] | None = None) -> None:
    """full_clean then save; losing a uniqueness race to a concurrent request is a ValidationError too."""
    obj.full_clean(exclude=exclude)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(_("This record conflicts with one saved at the same moment. Please try again.")) from exc
