"""Which stamps a producer or an official means: a code as typed or scanned, a list of codes, a range."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tracing import digital_link
from tracing.models import (
    Stamp,
)
from tracing.services.common import raise_if
from tracing.stamps.serials import format_serial, parse_serial

#: Most stamps one typed or scanned list may name.
MAX_LIST = 2000


SHOWN = 5


def parse_code(text: str) -> str:
    """A serial from what was typed or scanned (a bare code or a stamp link); ValueError with a message."""
    text = (text or "").strip()
    if "/" in text:
        try:
            return digital_link.parse_url(text, settings.SITE_URL).serial
        except digital_link.DigitalLinkError as exc:
            raise ValueError(str(exc)) from None
    return parse_serial(text)


def parse_code_list(text_or_lines) -> list[str]:
    """Serials from a typed/scanned list (one per line, or separated by commas or spaces)."""
    if isinstance(text_or_lines, str):
        items = [part for line in text_or_lines.splitlines() for part in line.replace(",", " ").split()]
    else:
        items = [str(item) for item in text_or_lines]
    serials: list[str] = []
    errors: list[str] = []
    for item in items:
        if not item.strip():
            continue
        try:
            serials.append(parse_code(item))
        except ValueError as exc:
            errors.append(f"{item[:40]}: {exc}")
    if errors:
        raise ValidationError({"serials": errors[:SHOWN]})
    if not serials:
        raise ValidationError({"serials": _("Enter or scan at least one stamp code.")})
    if len(serials) > MAX_LIST:
        raise ValidationError(
            {"serials": _("At most %(max)d codes at once: use a range for more.") % {"max": MAX_LIST}}
        )
    duplicates = sorted({s for s in serials if serials.count(s) > 1}) if len(set(serials)) != len(serials) else []
    if duplicates:
        raise ValidationError(
            {"serials": _("These codes are listed twice: %(codes)s") % {"codes": ", ".join(duplicates[:SHOWN])}}
        )
    return serials


@dataclass(frozen=True, slots=True)
class Selection:
    """Which stamps an operation concerns: a range of one run, or a list (possibly across runs)."""

    first: str | None = None
    last: str | None = None
    serials: tuple[str, ...] = ()

    @classmethod
    def of(cls, *, first: str | None = None, last: str | None = None, serials=None) -> Selection:
        if serials:
            return cls(serials=tuple(parse_code_list(serials)))
        errors: dict = {}
        parsed = {}
        for name, value in (("first", first), ("last", last)):
            if not value:
                errors[name] = _("Enter the first and the last code of the range, or a list of codes.")
                continue
            try:
                parsed[name] = parse_code(value)
            except ValueError as exc:
                errors[name] = str(exc)
        raise_if(errors)
        return cls(first=parsed["first"], last=parsed["last"])


def resolve_selection(selection: Selection, *, producer_id: int | None):
    """(queryset of the selected stamps, expected count); ValidationError if a code is not one of the producer's."""
    own = Stamp.objects.all() if producer_id is None else Stamp.objects.filter(run__producer_id=producer_id)
    if selection.serials:
        found = set(own.filter(serial__in=selection.serials).values_list("serial", flat=True))
        missing = [s for s in selection.serials if s not in found]
        if missing:
            raise ValidationError(
                {
                    "serials": _("These codes are not stamps issued to you: %(codes)s")
                    % {"codes": ", ".join(format_serial(s) for s in missing[:SHOWN])}
                }
            )
        return own.filter(serial__in=selection.serials), len(selection.serials)
    ends = {
        s.serial: s for s in own.filter(serial__in=[selection.first, selection.last]).only("serial", "run", "number")
    }
    errors = {}
    for name in ("first", "last"):
        if getattr(selection, name) not in ends:
            errors[name] = _("This code is not a stamp issued to you.")
    raise_if(errors)
    first, last = ends[selection.first], ends[selection.last]
    if first.run_id != last.run_id:
        raise ValidationError({"last": _("The first and last codes of a range must come from the same run.")})
    if first.number > last.number:
        raise ValidationError({"last": _("The last code comes before the first one in the run: swap them.")})
    qs = Stamp.objects.filter(run_id=first.run_id, number__gte=first.number, number__lte=last.number)
    return qs, last.number - first.number + 1


def describe_stamps(stamps) -> str:
    return ", ".join(f"{format_serial(s.serial)} ({s.get_status_display()})" for s in stamps[:SHOWN])
