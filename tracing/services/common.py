"""Helpers shared by the tracing services: permission checks, validation and saving."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from geo.spatial import is_within_vietnam
from tracing import access


class TransitionNotAllowed(ValidationError):
    """The producer's current status does not allow this step of the workflow (HTTP 409 in the API)."""


def require_manager(by, producer_id: int) -> None:
    """PermissionDenied unless `by` is staff of the producer (or an administrator)."""
    if not access.can_manage(by, producer_id):
        raise PermissionDenied(_("Only this producer's staff may do this."))


#: The one officials' rule (tracing.access), re-exported for the services.
require_official = access.require_official


def forget_cached_membership(user) -> None:
    if hasattr(user, "_hg_producer_id"):
        del user._hg_producer_id


def raise_if(errors: dict[str, list[str] | str]) -> None:
    if errors:
        raise ValidationError(errors)


def check_location(errors: dict, field: str, geometry) -> None:
    """Add an error under `field` when a geometry lies outside Viet Nam (e.g. latitude and longitude swapped)."""
    if geometry is not None and not is_within_vietnam(geometry):
        errors[field] = _("This place is outside Viet Nam. Check the map position (latitude and longitude).")


def check_owned(errors: dict, field: str, objects: Iterable, producer_id: int, message: str) -> list:
    """The objects as a list; an error under `field` if one of them belongs to another producer."""
    objects = list(objects or ())
    if any(obj.producer_id != producer_id for obj in objects):
        errors[field] = message
    return objects


def save(obj, *, exclude: list[str] | None = None) -> None:
    """full_clean then save; a uniqueness race lost to a concurrent request is a ValidationError too."""
    obj.full_clean(exclude=exclude)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(_("This record conflicts with one saved at the same moment. Please try again.")) from exc


def apply_changes(obj, changes: dict, allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)}")
    for name, value in changes.items():
        setattr(obj, name, value)
