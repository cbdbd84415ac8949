"""The audit trail as an official reads it, in the page's language.

Entries keep the keys (`case.close`, `tracing.producer`, `{"status": "approved"}`): they are what
searches and exports match. Pages show each action by its name, the record by its kind and its name
as it is now (the name stored with the entry when it has been deleted), and each field before and
after by its label with its value as a person writes it: the label of a choice, the name of a linked
record, yes/no, a date or a number in the language's format.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.formatting import decimal_text
from tracing.models.batches import BatchEvent
from tracing.models.producers import ProducerStatus
from tracing.models.stamps import StampStatus

#: Every action the trail records (oversight/audit.py callers), by its key.
ACTIONS = {
    "case.assign": gettext_lazy("case assigned"),
    "case.investigate": gettext_lazy("investigation started"),
    "case.close": gettext_lazy("case closed"),
    "settings.yield": gettext_lazy("yield changed"),
    "settings.checks": gettext_lazy("cross-check thresholds changed"),
    "inspection.record": gettext_lazy("inspection recorded"),
    "stamps.issue": gettext_lazy("stamp run issued"),
    "stamps.revoke": gettext_lazy("stamps revoked"),
    "flag.resolve": gettext_lazy("suspicious stamp resolved"),
    "report.review": gettext_lazy("counterfeit report reviewed"),
    "evaluation.export": gettext_lazy("evaluation report exported"),
    "journey.edit": gettext_lazy("journey step corrected"),
    "journey.delete": gettext_lazy("journey step deleted"),
}

#: The fields entries keep before and after, by their key.
FIELDS = {
    "status": gettext_lazy("status"),
    "assignee": gettext_lazy("assigned to"),
    "outcome": gettext_lazy("outcome"),
    "outcome_note": gettext_lazy("what was found"),
    "yield_kg_per_ha": gettext_lazy("yield (kg/ha)"),
    "kg_per_litre": gettext_lazy("kg per litre"),
    "far_scan_km": gettext_lazy("far scan (km)"),
    "journey_stale_days": gettext_lazy("shipment lost after (days)"),
    "serial": gettext_lazy("stamp code"),
    "result": gettext_lazy("result"),
    "shop": gettext_lazy("shop"),
    "shop_authorised": gettext_lazy("authorised reseller"),
    "location": gettext_lazy("GPS position"),
    "report": gettext_lazy("counterfeit report"),
    "producer": gettext_lazy("producer"),
    "product": gettext_lazy("product"),
    "quantity": gettext_lazy("quantity"),
    "count": gettext_lazy("stamps"),
    "ranges": gettext_lazy("numbers"),
    "resolved": gettext_lazy("resolved"),
    "resolution": gettext_lazy("resolution"),
    "review_note": gettext_lazy("review note"),
    "since": gettext_lazy("from"),
    "until": gettext_lazy("to"),
    "format": gettext_lazy("file format"),
    "event_type": gettext_lazy("step"),
    "occurred_at": gettext_lazy("time"),
    "actor": gettext_lazy("done by"),
    "note": gettext_lazy("note"),
    "photos": gettext_lazy("photos"),
    "in_circulation": gettext_lazy("stamps in circulation"),
}

#: Fields that hold the id of another record: shown by that record's name.
REFERENCES = {
    "producer": "tracing.producer",
    "product": "tracing.product",
    "shop": "geo.retailpoint",
    "report": "tracing.counterfeitreport",
}

#: Choice fields whose values are not the target's own field of that name.
CHOICES_BY_ACTION = {
    ("stamps.revoke", "status"): StampStatus,
    ("journey.edit", "event_type"): BatchEvent.Type,
    ("journey.delete", "event_type"): BatchEvent.Type,
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


def action_label(action: str) -> str:
    """The action's name for people; the key itself only for an action this module does not know."""
    if action in ACTIONS:
        return str(ACTIONS[action])
    prefix, _dot, status = action.partition(".")
    if prefix == "producer" and status in ProducerStatus.values:
        return _("producer's application: %(status)s") % {"status": ProducerStatus(status).label}
    return action


def _model(target_type: str):
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def type_label(target_type: str) -> str:
    model = _model(target_type)
    return capfirst(model._meta.verbose_name) if model is not None else target_type


def _field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def field_label(key: str, model=None) -> str:
    if key in FIELDS:
        return str(FIELDS[key])
    model_field = _field(model, key)
    if model_field is not None and hasattr(model_field, "verbose_name"):
        return str(model_field.verbose_name)
    return key


@dataclass
class Value:
    text: str
    #: Coordinates and codes, written the same in every language (translate="no" on the page).
    literal: bool = False


@dataclass
class Row:
    entry: object
    action: str
    target_type: str
    target: str
    before: list[tuple[str, Value]] = field(default_factory=list)
    after: list[tuple[str, Value]] = field(default_factory=list)


def _number(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return decimal_text(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
        try:
            return decimal_text(Decimal(value))
        except InvalidOperation:
            return None
    return None


class _Names:
    """The names of the records entries point to, fetched once per kind of record for a page of entries."""

    def __init__(self, wanted: dict[str, set]):
        self.names: dict[tuple[str, str], str] = {}
        for target_type, ids in wanted.items():
            model = _model(target_type)
            if model is None or not ids:
                continue
            keys = {_pk(model, i) for i in ids} - {None}
            for pk, obj in model._default_manager.in_bulk(keys).items():
                self.names[(target_type, str(pk))] = str(obj)

    def get(self, target_type: str, pk) -> str | None:
        return self.names.get((target_type, str(pk)))


def _pk(model, value):
    try:
        return model._meta.pk.to_python(value)
    except Exception:  # a stored id that no longer fits the key: shown as stored
        return None


def _value(entry, key: str, value, model, names: _Names) -> Value:
    if value is None or value == "" or value == []:
        return Value("—")
    if isinstance(value, bool):
        return Value(_("yes") if value else _("no"))
    if key in REFERENCES and not isinstance(value, bool) and isinstance(value, int | str):
        name = names.get(REFERENCES[key], value)
        return Value(name if name is not None else f"#{value}")
    choices = CHOICES_BY_ACTION.get((entry.action, key))
    model_field = _field(model, key)
    if choices is None and model_field is not None and model_field.choices:
        choices = dict(model_field.flatchoices)
    elif choices is not None:
        choices = dict(choices.choices)
    if choices and isinstance(value, str) and value in choices:
        return Value(str(choices[value]))
    if key == "location" and isinstance(value, list) and len(value) == 2:
        return Value(", ".join(f"{float(v):.5f}" for v in value), literal=True)
    if key == "ranges" and isinstance(value, list):
        return Value(", ".join(f"{r[0]}–{r[-1]}" if r[0] != r[-1] else f"{r[0]}" for r in value if r))
    if key == "format" and isinstance(value, str):
        return Value(value.upper())
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return Value(date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT"))
    if isinstance(value, str) and _ISO_DATE.match(value):
        return Value(date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT"))
    number = _number(value) if key not in ("serial",) else None
    if number is not None:
        return Value(number)
    if isinstance(value, list):
        return Value(", ".join(str(v) for v in value))
    return Value(str(value))


def rows(entries) -> list[Row]:
    """The entries (a queryset, a page or a list) ready to show."""
    entries = list(entries)
    wanted: dict[str, set] = defaultdict(set)
    for entry in entries:
        if entry.target_type and entry.target_id:
            wanted[entry.target_type].add(entry.target_id)
        for key, value in (*entry.before.items(), *entry.after.items()):
            if key in REFERENCES and isinstance(value, int | str) and not isinstance(value, bool):
                wanted[REFERENCES[key]].add(value)
    names = _Names(wanted)
    shown = []
    for entry in entries:
        model = _model(entry.target_type) if entry.target_type else None
        if model is not None and issubclass(model, models.Model):
            target = names.get(entry.target_type, entry.target_id) or entry.target_label
        else:
            target = entry.target_label
        shown.append(
            Row(
                entry=entry,
                action=action_label(entry.action),
                target_type=type_label(entry.target_type) if entry.target_type else "",
                target=target,
                before=[(field_label(k, model), _value(entry, k, v, model, names)) for k, v in entry.before.items()],
                after=[(field_label(k, model), _value(entry, k, v, model, names)) for k, v in entry.after.items()],
            )
        )
    return shown
