"""Checks of what a producer states about itself: tax number, phone numbers, commune and location.

Shared by the application and profile edits (profile.py) and by the review of identity changes
(changes.py): each normalises in place and collects the errors by field.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from backend.phones import normalise_phone
from geo.models import AdminUnit
from tracing.identifiers import normalise_tax_number
from tracing.models import Producer
from tracing.services.common import check_location


def _clean_contact(producer: Producer, errors: dict, *, check_commune: bool = True) -> None:
    """Normalise the tax number and phone numbers in place, collecting errors; check commune and location."""
    try:
        producer.tax_number = normalise_tax_number(
            producer.tax_number, allow_personal_id=producer.kind == Producer.Kind.HOUSEHOLD
        )
    except ValidationError as exc:
        errors["tax_number"] = exc.messages
    for field in ("phone", "zalo"):
        value = getattr(producer, field)
        if value or field == "phone":
            try:
                setattr(producer, field, normalise_phone(value))
            except ValidationError as exc:
                errors[field] = exc.messages
    # A commune abolished since registration stays on the record; only a newly chosen one must be current.
    commune = producer.commune if producer.commune_id and check_commune else None
    if commune is not None:
        if commune.level != AdminUnit.Level.COMMUNE:
            errors["commune"] = _("Choose a commune (xã, phường or thị trấn).")
        elif not AdminUnit.objects.filter(pk=commune.pk).current().exists():
            errors["commune"] = _("This commune no longer exists; choose the commune in force today.")
    check_location(errors, "location", producer.location)
