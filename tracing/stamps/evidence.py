"""The evidence of a suspicion flag (tracing/stamps/clone_rules.py) as officials read it: each field by its
label, each value as the language writes it. The flag keeps the keys and raw values."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.formatting import decimal_text
from tracing.models.stamps import StampStatus
from tracing.stamps import clone_rules

#: Every field a rule writes into its evidence, by its key.
FIELDS = {
    "scan_ids": gettext_lazy("scans"),
    "sightings": gettext_lazy("separate sightings"),
    "threshold": gettext_lazy("most sightings of a genuine unit"),
    "distance_km": gettext_lazy("distance (km)"),
    "hours": gettext_lazy("hours between the scans"),
    "speed_kmh": gettext_lazy("speed needed (km/h)"),
    "max_speed_kmh": gettext_lazy("fastest plausible speed (km/h)"),
    "places": gettext_lazy("places"),
    "threshold_km": gettext_lazy("farthest expected distance (km)"),
    "place": gettext_lazy("place"),
    "confirmed_at": gettext_lazy("PIN confirmed"),
    "confirmed_place": gettext_lazy("place of the PIN confirmation"),
    "status": gettext_lazy("stamp status"),
}


def rule_label(rule: str) -> str:
    """The rule's description, or the key of a rule this version does not know."""
    label = clone_rules.RULES.get(rule)
    return str(label) if label is not None else rule


def _value(key: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if key == "scan_ids" and isinstance(value, list):
        return ", ".join(f"#{scan_id}" for scan_id in value if scan_id)
    if key == "status" and value in StampStatus.values:
        return str(StampStatus(value).label)
    if key == "confirmed_at" and isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return date_format(moment, "SHORT_DATETIME_FORMAT")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return decimal_text(value)
    if isinstance(value, list):
        return ", ".join(str(item) or "—" for item in value)
    return str(value)


def evidence_items(evidence: dict) -> list[tuple[str, str]]:
    """(label, value) for each field of a flag's evidence, in the active language."""
    return [(str(FIELDS.get(key, key)), _value(key, value)) for key, value in (evidence or {}).items()]
