"""GS1 Digital Link URIs for stamps: building them for the QR code, and parsing them when scanned.

Two forms resolve, forever (old printed codes keep working after a GTIN is added to the product):

* ``SITE_URL/01/{GTIN-14}/10/{lot}/21/{serial}`` (``/10/{lot}`` optional) when the product has a
  GTIN: a GS1 Digital Link URI (GS1 Digital Link standard, URI syntax), readable by any GS1-aware
  scanner app;
* ``SITE_URL/t/{serial}`` otherwise.

Parsing follows the standard where it concerns us: the primary key is AI 01 (GTIN); a GTIN-8, -12
or -13 in the path is accepted and normalised to 14 digits; its key qualifiers must come in the
order 22, 10, 21 (we use 10 and 21; a CPV, AI 22, is not used by our stamps); values are
percent-decoded; the query string (data attributes) is ignored. The convenience names of Digital
Link 1.0 (``gtin``, ``lot``, ``ser``) are accepted as aliases of 01, 10 and 21.

:func:`parse_path` expects the path still percent-encoded (e.g. gunicorn's ``RAW_URI``): a lot
containing ``/`` is sent as ``%2F`` and would be ambiguous once decoded. Django's ``request.path``
is decoded, which is fine for every lot without ``/`` or ``%``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from django.utils.translation import gettext as _

from tracing import codes, gs1

AI_GTIN = "01"
AI_CPV = "22"
AI_LOT = "10"
AI_SERIAL = "21"

#: Digital Link 1.0 convenience alphas, accepted when parsing.
_ALIASES = {"gtin": AI_GTIN, "cpv": AI_CPV, "lot": AI_LOT, "ser": AI_SERIAL}
#: Key qualifiers of AI 01, in the order the standard requires.
_QUALIFIER_ORDER = (AI_CPV, AI_LOT, AI_SERIAL)
_SHORT_FORM = "t"


class DigitalLinkError(ValueError):
    """A stamp link that cannot be resolved. ``code`` is stable (for logs and API errors)."""

    code = "invalid_link"


class BadGTINError(DigitalLinkError):
    code = "bad_gtin"


class QualifierOrderError(DigitalLinkError):
    code = "qualifier_order"


class UnknownAIError(DigitalLinkError):
    code = "unknown_ai"


class MissingSerialError(DigitalLinkError):
    code = "missing_serial"


class MalformedSerialError(DigitalLinkError):
    code = "malformed_serial"


class BadLotError(DigitalLinkError):
    code = "bad_lot"


class ExtraSegmentsError(DigitalLinkError):
    code = "extra_segments"


@dataclass(frozen=True, slots=True)
class DigitalLinkPath:
    gtin14: str | None
    lot: str | None
    serial: str

    def path(self) -> str:
        """The canonical path of this link (what :func:`build_url` would print)."""
        return _build_path(serial=self.serial, gtin14=self.gtin14, lot=self.lot)


def _encode_value(value: str) -> str:
    # GS1 Digital Link: every character outside A-Z a-z 0-9 - . _ ~ is percent-encoded in a path
    # segment (CSET 82 punctuation such as / % & ? # would otherwise change the URI's structure).
    return quote(value, safe="")


def _build_path(*, serial: str, gtin14: str | None, lot: str | None) -> str:
    if not codes.serial_is_well_formed(serial):
        raise ValueError(f"{serial!r} is not a well-formed stamp serial")
    if gtin14 is None:
        return f"/{_SHORT_FORM}/{serial}"
    parts = [AI_GTIN, gs1.gtin_to_14(gtin14)]
    if lot:
        parts += [AI_LOT, _encode_value(gs1.validate_lot(lot))]
    parts += [AI_SERIAL, serial]
    return "/" + "/".join(parts)


def build_url(site_url: str, *, serial: str, gtin14: str | None = None, lot: str | None = None) -> str:
    """The URL to print in the stamp's QR code.

    With a GTIN (any of GTIN-8/12/13/14; printed as GTIN-14): ``{site}/01/{gtin14}[/10/{lot}]/21/{serial}``;
    without: ``{site}/t/{serial}`` (the lot then lives only in our database). Raises ValueError for
    a malformed serial, GTIN or lot, so a bad code is never printed.
    """
    return site_url.rstrip("/") + _build_path(serial=serial, gtin14=gtin14, lot=lot)


def _parse_serial(raw: str) -> str:
    serial = codes.normalise_serial(unquote(raw))
    if not codes.serial_is_well_formed(serial):
        raise MalformedSerialError(
            _("“%(serial)s” is not a valid stamp code: it may have been mistyped or copied.") % {"serial": raw[:40]}
        )
    return serial


def parse_path(path: str) -> DigitalLinkPath:
    """Parse the path of a stamp link (``/01/…/21/…`` or ``/t/…``); raise a DigitalLinkError subclass."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    if path.endswith("/"):
        path = path[:-1]
    segments = path.split("/")[1:] if path.startswith("/") else path.split("/")
    if not segments or segments == [""]:
        raise MissingSerialError(_("This link does not contain a stamp code."))
    if any(s == "" for s in segments):
        raise DigitalLinkError(_("This link contains an empty part (two slashes in a row)."))

    if segments[0] == _SHORT_FORM:
        if len(segments) < 2:
            raise MissingSerialError(_("This link does not contain a stamp code."))
        if len(segments) > 2:
            raise ExtraSegmentsError(_("This link has unexpected parts after the stamp code."))
        return DigitalLinkPath(gtin14=None, lot=None, serial=_parse_serial(segments[1]))

    pairs: list[tuple[str, str]] = []
    for i in range(0, len(segments), 2):
        ai = _ALIASES.get(segments[i], segments[i])
        if i + 1 >= len(segments):
            if pairs and pairs[-1][0] == AI_SERIAL:
                raise ExtraSegmentsError(_("This link has unexpected parts after the stamp code."))
            if ai == AI_SERIAL:
                raise MissingSerialError(_("This link does not contain a stamp code."))
            raise DigitalLinkError(
                _("The part “%(segment)s” of this link has no value after it.") % {"segment": segments[i]}
            )
        pairs.append((ai, segments[i + 1]))

    first_ai, gtin_raw = pairs[0]
    if first_ai != AI_GTIN:
        if first_ai.isdigit():
            raise UnknownAIError(
                _("This link starts with GS1 application identifier (%(ai)s); stamp links start with (01), the GTIN.")
                % {"ai": first_ai}
            )
        raise DigitalLinkError(_("This is not a stamp link."))
    try:
        gtin14 = gs1.gtin_to_14(unquote(gtin_raw))
    except ValueError as exc:
        raise BadGTINError(str(exc)) from None

    lot: str | None = None
    serial: str | None = None
    last_rank = -1
    for ai, value in pairs[1:]:
        rank = _QUALIFIER_ORDER.index(ai) if ai in _QUALIFIER_ORDER else None
        if rank is not None and rank <= last_rank:
            raise QualifierOrderError(
                _("In a GS1 Digital Link the lot (10) comes before the serial number (21), each at most once.")
            )
        if serial is not None:
            raise ExtraSegmentsError(_("This link has unexpected parts after the stamp code."))
        if rank is None:
            raise UnknownAIError(
                _("This link uses GS1 application identifier (%(ai)s), which stamp links do not use.") % {"ai": ai}
            )
        last_rank = rank
        if ai == AI_CPV:
            raise UnknownAIError(
                _("This link uses GS1 application identifier (%(ai)s), which stamp links do not use.") % {"ai": ai}
            )
        if ai == AI_LOT:
            try:
                lot = gs1.validate_lot(unquote(value))
            except ValueError as exc:
                raise BadLotError(str(exc)) from None
        else:
            serial = _parse_serial(value)
    if serial is None:
        raise MissingSerialError(_("This link does not contain a stamp code (the serial number, 21)."))
    return DigitalLinkPath(gtin14=gtin14, lot=lot, serial=serial)


def parse_url(url: str, site_url: str | None = None) -> DigitalLinkPath:
    """Parse a whole scanned URL (e.g. read by the phone camera when activating stamps).

    With *site_url*, the URL must be on our site (scheme and host compared case-insensitively, the
    path prefix of *site_url* removed); a bare serial typed by hand is also accepted.
    """
    text = url.strip()
    if "/" not in text:
        return DigitalLinkPath(gtin14=None, lot=None, serial=_parse_serial(text))
    parts = urlsplit(text)
    path = parts.path
    if site_url is not None:
        site = urlsplit(site_url)
        if (parts.scheme.lower(), parts.netloc.lower()) != (site.scheme.lower(), site.netloc.lower()):
            raise DigitalLinkError(_("This QR code does not come from this site's stamps."))
        prefix = site.path.rstrip("/")
        if prefix:
            if not path.startswith(prefix + "/"):
                raise DigitalLinkError(_("This QR code does not come from this site's stamps."))
            path = path[len(prefix) :]
    return parse_path(path)
