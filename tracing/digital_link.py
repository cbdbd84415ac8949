"""GS1 Digital Link URIs: the one parser for every stamp link, and the URLs printed in QR codes.

Two forms are printed, and resolve forever (old codes keep working after a GTIN is added):

* ``SITE_URL/01/{GTIN-14}/10/{lot}/21/{serial}`` (``/10/{lot}`` optional) when the product has a
  GTIN: a GS1 Digital Link URI, readable by any GS1-aware app;
* ``SITE_URL/t/{serial}`` otherwise.

Parsing follows the GS1 Digital Link URI syntax standard and GS1's reference parser
(gs1/gs1-syntax-engine, ``gs1_parseDLuri``), with the AI table of tracing.gs1_ai:

* only characters allowed in a URI (RFC 3986); a raw space, ``<`` or ``"`` makes the link invalid;
* the path is a primary key (GTIN ``01``, SSCC ``00``, GLN ``414``, …) and its key qualifiers, in
  the order the AI table gives (``01``: ``22``, ``10``, ``21``, each optional; or ``235``); values
  are percent-decoded and checked against their AI's format (length, character set, check digit);
* the query string's numeric keys are GS1 data attributes: a known AI permitted as an attribute,
  given once, not one that belongs in the path, with a valid value; other keys (``linkType``, …)
  are the resolver's and pass through;
* AIs required or excluded together (``req``/``ex`` of the table) are checked over path and query;
* a compressed URI (GS1 Digital Link compression, tracing.dl_compression) is decompressed and read
  like the URI it stands for.

Options kept for links in circulation: a GTIN-8/12/13 in the path is padded to 14 digits, the
Digital Link 1.0 convenience names (``gtin``, ``lot``, ``ser``, …) stand for their AIs, and one
trailing slash is tolerated. Each of these makes the link non-canonical: the resolver answers such
a link with a redirect to its canonical form (:meth:`ParsedLink.canonical_path`).

:func:`parse_path` expects the path still percent-encoded (gunicorn's ``RAW_URI``): a lot holding
``/`` is sent as ``%2F`` and would be ambiguous once decoded.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote_to_bytes, urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tracing import dl_compression, gs1, gs1_ai
from tracing.stamps import serials

AI_GTIN = "01"
AI_CPV = "22"
AI_LOT = "10"
AI_SERIAL = "21"
SHORT_FORM = "t"

#: Digital Link 1.0 convenience names (deprecated in 1.2), accepted when parsing.
ALIASES = {
    "cpid": "8010",
    "cpsn": "8011",
    "cpv": "22",
    "gcn": "255",
    "gdti": "253",
    "giai": "8004",
    "ginc": "401",
    "gln": "414",
    "glnx": "254",
    "gmn": "8013",
    "grai": "8003",
    "gsin": "402",
    "gsrn": "8018",
    "gsrnp": "8017",
    "gtin": "01",
    "itip": "8006",
    "lot": "10",
    "party": "417",
    "refno": "8020",
    "ser": "21",
    "srin": "8019",
    "sscc": "00",
}

#: Characters that may appear in a URI at all (RFC 3986 unreserved, reserved and "%").
URI_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%")


class DigitalLinkError(ValueError):
    """A link that is not a valid GS1 Digital Link (or short stamp link). ``code`` is stable (logs, API errors)."""

    code = "invalid_link"


class InvalidCharactersError(DigitalLinkError):
    code = "invalid_characters"


class BadGTINError(DigitalLinkError):
    code = "bad_gtin"


class QualifierOrderError(DigitalLinkError):
    code = "qualifier_order"


class UnknownAIError(DigitalLinkError):
    code = "unknown_ai"


class MissingValueError(DigitalLinkError):
    code = "missing_value"


class MissingSerialError(DigitalLinkError):
    code = "missing_serial"


class BadValueError(DigitalLinkError):
    code = "bad_value"


class BadLotError(BadValueError):
    code = "bad_lot"


class BadSerialError(BadValueError):
    """A serial outside AI 21's format (character set 82, at most 20 characters): the link is invalid."""

    code = "bad_serial"


class ExtraSegmentsError(DigitalLinkError):
    code = "extra_segments"


class QueryAttributeError(DigitalLinkError):
    code = "bad_attribute"


class CompressedLinkError(DigitalLinkError):
    code = "bad_compression"


class MalformedSerialError(DigitalLinkError):
    """A valid GS1 serial that cannot be one of our stamps (wrong length or check symbol): not found."""

    code = "malformed_serial"


class NotAStampLinkError(DigitalLinkError):
    """A valid GS1 Digital Link that no stamp of ours is printed with (another key, a CPV): not found."""

    code = "not_a_stamp_link"


@dataclass(frozen=True, slots=True)
class ParsedLink:
    """A syntactically valid GS1 Digital Link: values are decoded, GTINs padded to 14 digits."""

    stem: str
    path: tuple[tuple[str, str], ...]  # the primary key, then its qualifiers
    attributes: tuple[tuple[str, str], ...] = ()  # GS1 data attributes of the query string
    others: tuple[tuple[str, str], ...] = ()  # other query parameters, as sent (still encoded)
    compressed: bool = False
    non_canonical: bool = False  # padded GTIN, convenience names, percent-encoding: redirect
    trailing_slash: bool = False

    @property
    def key(self) -> str:
        return self.path[0][0]

    def value(self, ai: str) -> str | None:
        return next((v for a, v in (*self.path, *self.attributes) if a == ai), None)

    def element_string(self) -> str:
        """The AIs as one element string, ``^`` standing for FNC1 (as gs1-syntax-engine writes it)."""
        out, separator = [], True
        for ai, value in (*self.path, *self.attributes):
            if separator:
                out.append("^")
            out.append(ai + value)
            entry = gs1_ai.lookup(ai)
            separator = entry is None or not entry.predefined_length
        return "".join(out)

    def canonical_path(self) -> str:
        """The path this link should be requested at: numeric AIs, GTIN-14, minimal percent-encoding."""
        return self.stem + "".join(f"/{ai}/{encode_value(value)}" for ai, value in self.path)

    def canonical_query(self) -> str:
        """The GS1 attributes, then the other parameters, as a query string (without "?")."""
        pairs = [f"{ai}={quote(value, safe='')}" for ai, value in self.attributes]
        pairs += [f"{key}={value}" if value is not None else key for key, value in self.others]
        return "&".join(pairs)

    def param(self, name: str) -> str | None:
        """A non-GS1 query parameter, decoded (``+`` as space); the first if repeated."""
        for key, value in self.others:
            if decode_component(key, query=True) == name:
                return decode_component(value, query=True) if value is not None else ""
        return None


@dataclass(frozen=True, slots=True)
class DigitalLinkPath:
    """What a stamp link says about the stamp: the GTIN and lot of a Digital Link (None for /t/), the serial."""

    gtin14: str | None
    lot: str | None
    serial: str | None
    parsed: ParsedLink | None = field(default=None, compare=False)

    def path(self) -> str:
        """The canonical path of this link (what :func:`build_url` would print)."""
        return _build_path(serial=self.serial, gtin14=self.gtin14, lot=self.lot)


_UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]*\Z")


def encode_value(value: str) -> str:
    """A value as a path segment: every character outside ``A-Z a-z 0-9 - . _ ~`` percent-encoded."""
    return value if _UNRESERVED.match(value) else quote(value, safe="")


def decode_component(raw: str, *, query: bool = False) -> str:
    """A path segment or query value percent-decoded (``+`` a space in a query); non-UTF-8 bytes as Latin-1."""
    if "%" not in raw and not (query and "+" in raw):
        return raw
    data = unquote_to_bytes(raw.replace("+", " ") if query else raw)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_NOT_URI_CHARS = gettext_noop("This link contains characters that are not allowed in a web address: %(chars)s.")


_URI_TEXT = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*\Z")


def _check_characters(text: str) -> None:
    if _URI_TEXT.match(text):
        return
    bad = sorted({c for c in text if c not in URI_CHARACTERS})
    if bad:
        raise InvalidCharactersError(_(_NOT_URI_CHARS) % {"chars": " ".join(repr(c) for c in bad[:5])})


def _value(ai: str, raw: str, *, query: bool = False, pad_gtin: bool = False) -> str:
    if raw == "":
        raise MissingValueError(_("GS1 application identifier (%(ai)s) has no value in this link.") % {"ai": ai})
    value = decode_component(raw, query=query)
    if "\x00" in value:
        raise InvalidCharactersError(_(_NOT_URI_CHARS) % {"chars": "NUL"})
    if ai == AI_GTIN and pad_gtin and len(value) in (8, 12, 13) and value.isdigit():
        value = value.zfill(14)
    return value


def _validate(ai: str, value: str, today) -> None:
    try:
        gs1_ai.validate(ai, value, today=today)
    except gs1_ai.AIValueError as exc:
        if ai == AI_GTIN:
            raise BadGTINError(str(exc)) from None
        if ai == AI_LOT:
            raise BadLotError(str(exc)) from None
        if ai == AI_SERIAL:
            raise BadSerialError(str(exc)) from None
        raise BadValueError(str(exc)) from None


def _ai_of(segment: str, *, aliases: bool) -> tuple[str | None, bool]:
    """(AI, whether it was a convenience name) of a path segment; (None, False) if it names no AI."""
    if segment.isdigit():
        return (segment, False) if gs1_ai.lookup(segment) else (None, False)
    if aliases and segment in ALIASES:
        return ALIASES[segment], True
    return None, False


def _check_path_sequence(path: list[tuple[str, str]]) -> None:
    sequence = tuple(ai for ai, _value in path)
    if sequence in gs1_ai.key_qualifier_paths():
        return
    key = gs1_ai.lookup(sequence[0])
    allowed = sorted({q for seq in key.key_qualifiers for q in seq})
    for ai in sequence[1:]:
        if ai not in allowed:
            if allowed:
                raise QualifierOrderError(
                    _(
                        "GS1 application identifier (%(ai)s) cannot stand in the path after (%(key)s), whose "
                        "qualifiers are %(qualifiers)s; data such as dates go in the query string (?%(ai)s=…)."
                    )
                    % {"ai": ai, "key": sequence[0], "qualifiers": ", ".join(f"({q})" for q in allowed)}
                )
            raise QualifierOrderError(
                _("GS1 application identifier (%(key)s) takes no qualifiers in the path; (%(ai)s) cannot follow it.")
                % {"ai": ai, "key": sequence[0]}
            )
    if sequence[0] == AI_GTIN:
        raise QualifierOrderError(
            _("In a GS1 Digital Link the lot (10) comes before the serial number (21), each at most once.")
        )
    raise QualifierOrderError(
        _("The qualifiers of (%(key)s) are in the wrong order or repeated in this link.") % {"key": sequence[0]}
    )


def _parse_query(
    raw_query: str, path: list[tuple[str, str]], today
) -> tuple[list[tuple[str, str]], list[tuple[str, str | None]]]:
    attributes: list[tuple[str, str]] = []
    others: list[tuple[str, str | None]] = []
    for pair in raw_query.split("&"):
        if not pair:
            continue
        key, equals, raw = pair.partition("=")
        if not equals or not key.isdigit():
            others.append((key, raw if equals else None))
            continue
        if gs1_ai.lookup(key) is None:
            raise UnknownAIError(
                _("The query string names (%(ai)s), which is not a GS1 application identifier.") % {"ai": key[:10]}
            )
        attributes.append((key, _value(key, raw, query=True, pad_gtin=True)))
    seen = [ai for ai, _v in path]
    path_ais = tuple(seen)
    for ai, value in attributes:
        if ai in seen:
            raise QueryAttributeError(
                _("GS1 application identifier (%(ai)s) is given twice in this link.") % {"ai": ai}
            )
        seen.append(ai)
        if not gs1_ai.lookup(ai).dl_attribute:
            raise QueryAttributeError(
                _("GS1 application identifier (%(ai)s) cannot be a data attribute in the query string.") % {"ai": ai}
            )
        for position in range(1, len(path_ais) + 1):
            if (*path_ais[:position], ai, *path_ais[position:]) in gs1_ai.key_qualifier_paths():
                raise QueryAttributeError(
                    _("GS1 application identifier (%(ai)s) belongs in the path of this link, not in its query string.")
                    % {"ai": ai}
                )
        try:
            gs1_ai.validate(ai, value, today=today)
        except gs1_ai.AIValueError as exc:
            raise QueryAttributeError(str(exc)) from None
    return attributes, others


def _finish(
    stem: str,
    path: list[tuple[str, str]],
    raw_query: str,
    *,
    today,
    compressed: bool = False,
    non_canonical: bool = False,
    trailing_slash: bool = False,
    extra_others: tuple = (),
) -> ParsedLink:
    today = today or datetime.date.today()
    _check_path_sequence(path)
    for ai, value in path:
        _validate(ai, value, today)
    attributes, others = _parse_query(raw_query, path, today)
    try:
        gs1_ai.check_associations([ai for ai, _v in (*path, *attributes)])
    except gs1_ai.AIValueError as exc:
        raise QueryAttributeError(str(exc)) from None
    return ParsedLink(
        stem=stem,
        path=tuple(path),
        attributes=tuple(attributes),
        others=tuple(others) + tuple(extra_others),
        compressed=compressed,
        non_canonical=non_canonical,
        trailing_slash=trailing_slash,
    )


def _pairs(segments: list[str], *, aliases: bool, pad_gtin: bool) -> tuple[list[tuple[str, str]], bool]:
    """(AI, decoded value) pairs of an even list of path segments, and whether any was written non-canonically."""
    pairs, non_canonical = [], False
    for i in range(0, len(segments), 2):
        ai, alias = _ai_of(segments[i], aliases=aliases)
        if ai is None:
            raise UnknownAIError(
                _("This link names (%(ai)s), which is not a GS1 application identifier.") % {"ai": segments[i][:10]}
            )
        value = _value(ai, segments[i + 1], pad_gtin=pad_gtin)
        non_canonical = non_canonical or alias or segments[i + 1] != encode_value(value)
        pairs.append((ai, value))
    return pairs, non_canonical


def _from_compressed(stem: str, head: list[tuple[str, str]], segment: str, raw_query: str, *, today, trailing_slash):
    try:
        elements, others = dl_compression.decompress(segment)
    except dl_compression.CompressionError as exc:
        raise CompressedLinkError(str(exc)) from None
    pairs = head + elements
    key_index = next((i for i, (ai, _v) in enumerate(pairs) if gs1_ai.lookup(ai).is_primary_key), None)
    if key_index is None:
        raise CompressedLinkError(_("This compressed link holds no GS1 primary key."))
    key = pairs[key_index][0]
    qualifier_order = next(
        (seq for seq in gs1_ai.lookup(key).key_qualifiers if any(ai in seq for ai, _v in pairs)),
        gs1_ai.lookup(key).key_qualifiers[0],
    )
    qualifiers = sorted((p for p in pairs if p[0] in qualifier_order), key=lambda p: qualifier_order.index(p[0]))
    path = [pairs[key_index], *qualifiers]
    attributes = [p for i, p in enumerate(pairs) if i != key_index and p[0] not in qualifier_order]
    query = "&".join(
        [f"{ai}={quote(value, safe='')}" for ai, value in attributes]
        + [f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in others]
        + ([raw_query] if raw_query else [])
    )
    return _finish(stem, path, query, today=today, compressed=True, trailing_slash=trailing_slash)


def parse_path(
    raw_path: str,
    raw_query: str = "",
    *,
    pad_gtin: bool = True,
    aliases: bool = True,
    trailing_slash: bool = True,
    today: datetime.date | None = None,
) -> ParsedLink:
    """Parse the path (and query string) of a request to this resolver: the path starts with the primary key.

    Raises a DigitalLinkError subclass with a message for people. A path that is one compressed
    segment, or a primary key followed by one, is decompressed.
    """
    _check_characters(raw_path)
    _check_characters(raw_query)
    slash = False
    if trailing_slash and raw_path.endswith("/") and len(raw_path) > 1:
        raw_path, slash = raw_path[:-1], True
    segments = raw_path.split("/")[1:] if raw_path.startswith("/") else raw_path.split("/")
    if not segments or segments == [""]:
        raise MissingValueError(_("This link does not contain a GS1 identifier."))
    if any(s == "" for s in segments):
        raise DigitalLinkError(_("This link contains an empty part (two slashes in a row)."))
    if len(segments) == 1:
        if dl_compression.SEGMENT_RE.fullmatch(segments[0]):
            return _from_compressed("", [], segments[0], raw_query, today=today, trailing_slash=slash)
        raise DigitalLinkError(_("This is not a GS1 Digital Link."))
    first, _alias = _ai_of(segments[0], aliases=aliases)
    if first is None or not gs1_ai.lookup(first).is_primary_key:
        if first is not None:
            raise UnknownAIError(
                _(
                    "This link starts with GS1 application identifier (%(ai)s), which is not a primary key "
                    "such as the GTIN (01)."
                )
                % {"ai": first}
            )
        raise DigitalLinkError(_("This is not a GS1 Digital Link."))
    if len(segments) % 2:
        last_ai, _alias = _ai_of(segments[-1], aliases=aliases)
        if last_ai is not None:
            raise MissingValueError(
                _("GS1 application identifier (%(ai)s) has no value in this link.") % {"ai": last_ai}
            )
        if len(segments) >= 3 and dl_compression.SEGMENT_RE.fullmatch(segments[-1]):
            head, non_canonical = _pairs(segments[:-1], aliases=aliases, pad_gtin=pad_gtin)
            try:
                return _from_compressed("", head, segments[-1], raw_query, today=today, trailing_slash=slash)
            except CompressedLinkError:
                pass
        raise ExtraSegmentsError(_("This link has unexpected parts after its GS1 identifiers."))
    pairs, non_canonical = _pairs(segments, aliases=aliases, pad_gtin=pad_gtin)
    return _finish("", pairs, raw_query, today=today, non_canonical=non_canonical, trailing_slash=slash)


def parse_uri(
    uri: str, *, pad_gtin: bool = False, aliases: bool = False, trailing_slash: bool = False, today=None
) -> ParsedLink:
    """Parse a whole GS1 Digital Link URI, with any domain and path stem, as GS1's reference parser does.

    The primary key is the rightmost path segment pair whose AI is a primary key; everything before
    it is the stem. The defaults are the standard's strict reading (GS1-conformant URIs as printed).
    """
    _check_characters(uri)
    for scheme in ("https://", "http://", "HTTPS://", "HTTP://"):
        if uri.startswith(scheme):
            rest = uri[len(scheme) :]
            break
    else:
        raise DigitalLinkError(_("A GS1 Digital Link starts with https:// or http://."))
    slash_at = rest.find("/")
    if slash_at < 1:
        raise DigitalLinkError(_("This link has no domain name or no path."))
    if any(c in "_~?#@!$&'()*+,;=%" for c in rest[:slash_at]):
        raise InvalidCharactersError(_("The domain name of this link contains characters that are not allowed."))
    path = rest[slash_at:].split("#", 1)[0]
    path, _q, query = path.partition("?")
    slash = False
    if trailing_slash and path.endswith("/") and len(path) > 1:
        path, slash = path[:-1], True
    segments = path.split("/")[1:]
    root = None
    for i in range(len(segments) - 2, -1, -2):
        ai, _alias = _ai_of(segments[i], aliases=aliases)
        if ai is None:
            break
        if gs1_ai.lookup(ai).is_primary_key:
            root = i
            break
    if root is None:
        if segments and segments[-1] and dl_compression.SEGMENT_RE.fullmatch(segments[-1]):
            stem = "/" + "/".join(segments[:-1]) if len(segments) > 1 else ""
            return _from_compressed(stem, [], segments[-1], query, today=today, trailing_slash=slash)
        raise DigitalLinkError(_("This link does not contain a GS1 primary key such as the GTIN (01)."))
    stem = "/" + "/".join(segments[:root]) if root else ""
    tail = segments[root:]
    if any(s == "" for s in tail):
        raise MissingValueError(_("This link contains an empty part (two slashes in a row)."))
    pairs, non_canonical = _pairs(tail, aliases=aliases, pad_gtin=pad_gtin)
    return _finish(stem, pairs, query, today=today, non_canonical=non_canonical, trailing_slash=slash)


# -- our stamps -------------------------------------------------------------------------------


def _build_path(*, serial: str | None, gtin14: str | None, lot: str | None) -> str:
    if gtin14 is None:
        if serial is None or not serials.serial_is_well_formed(serial):
            raise ValueError(f"{serial!r} is not a well-formed stamp serial")
        return f"/{SHORT_FORM}/{serial}"
    parts = [AI_GTIN, gs1.gtin_to_14(gtin14)]
    if lot:
        parts += [AI_LOT, encode_value(gs1.validate_lot(lot))]
    if serial is not None:
        if not serials.serial_is_well_formed(serial):
            raise ValueError(f"{serial!r} is not a well-formed stamp serial")
        parts += [AI_SERIAL, serial]
    return "/" + "/".join(parts)


def build_url(site_url: str, *, serial: str, gtin14: str | None = None, lot: str | None = None) -> str:
    """The URL to print in the stamp's QR code.

    With a GTIN (any of GTIN-8/12/13/14; printed as GTIN-14): ``{site}/01/{gtin14}[/10/{lot}]/21/{serial}``;
    without: ``{site}/t/{serial}`` (the lot then lives only in our database). Raises ValueError for
    a malformed serial, GTIN or lot, so a bad code is never printed.
    """
    return site_url.rstrip("/") + _build_path(serial=serial, gtin14=gtin14, lot=lot)


def _our_serial(value: str) -> str:
    if serials.serial_is_well_formed(value):  # as printed: most scans
        return value
    serial = serials.normalise_serial(value)
    if not serials.serial_is_well_formed(serial):
        raise MalformedSerialError(
            _("“%(serial)s” is not a valid stamp code: it may have been mistyped or copied.") % {"serial": value[:40]}
        )
    return serial


def short_form_serial(raw_code: str) -> tuple[str, bool]:
    """(canonical serial, whether *raw_code* was already canonical) of the code in ``/t/{code}`` (still encoded).

    The code follows AI 21's rules (character set 82, 1-20 characters; else BadSerialError, 400)
    and must then be one of our serials once normalised (else MalformedSerialError, 404).
    """
    if serials.serial_is_well_formed(raw_code):  # as printed: most scans (our alphabet is within CSET 82)
        return raw_code, True
    _check_characters(raw_code)
    if raw_code == "":
        raise MissingSerialError(_("This link does not contain a stamp code."))
    value = decode_component(raw_code)
    try:
        gs1_ai.validate(AI_SERIAL, value)
    except gs1_ai.AIValueError as exc:
        raise BadSerialError(str(exc)) from None
    serial = _our_serial(value)
    return serial, serial == raw_code


def stamp_link(parsed: ParsedLink) -> DigitalLinkPath:
    """The GTIN, lot and serial of a Digital Link to a product, batch or stamp of ours.

    Raises NotAStampLinkError for a valid link that cannot be ours (another primary key, a consumer
    product variant or a third-party serial), MalformedSerialError for a serial not of our format.
    """
    if parsed.key != AI_GTIN or parsed.stem:
        raise NotAStampLinkError(
            _("This GS1 Digital Link identifies something else than a product (GS1 application identifier (%(ai)s)).")
            % {"ai": parsed.key}
        )
    values = dict(parsed.path)
    if AI_CPV in values or "235" in values:
        raise NotAStampLinkError(
            _("This link uses GS1 application identifier (%(ai)s), which stamp links do not use.")
            % {"ai": AI_CPV if AI_CPV in values else "235"}
        )
    serial = values.get(AI_SERIAL)
    if serial is not None:
        serial = _our_serial(serial)
    return DigitalLinkPath(gtin14=values[AI_GTIN], lot=values.get(AI_LOT), serial=serial, parsed=parsed)


def canonical_stamp_path(link: DigitalLinkPath) -> str:
    """The path the resolver answers this link at (GTIN-14, canonical serial, minimal encoding).

    The parts were validated when the link was read, so they are only put together here.
    """
    if link.gtin14 is None:
        return f"/{SHORT_FORM}/{link.serial}"
    path = f"/{AI_GTIN}/{link.gtin14}"
    if link.lot is not None:
        path += f"/{AI_LOT}/{encode_value(link.lot)}"
    if link.serial is not None:
        path += f"/{AI_SERIAL}/{link.serial}"
    return path


def parse_stamp_path(raw_path: str, raw_query: str = "") -> DigitalLinkPath:
    """Either stamp link form, as the scan routes read it: ``/t/{code}`` or a GS1 Digital Link to one of ours.

    Raises what the routes answer with: BadSerialError and other DigitalLinkErrors (400),
    MalformedSerialError and NotAStampLinkError (404). A Digital Link without a serial is returned
    with ``serial=None`` (it leads to the product or batch page).
    """
    if raw_path.startswith(f"/{SHORT_FORM}/") or raw_path == f"/{SHORT_FORM}":
        code = raw_path[len(SHORT_FORM) + 2 :]
        code = code[:-1] if code.endswith("/") else code
        if "/" in code:
            raise ExtraSegmentsError(_("This link has unexpected parts after the stamp code."))
        _check_characters(raw_query)
        serial, _canonical = short_form_serial(code)
        return DigitalLinkPath(gtin14=None, lot=None, serial=serial)
    return stamp_link(parse_path(raw_path, raw_query))


def parse_url(url: str, site_url: str | None = None) -> DigitalLinkPath:
    """Parse a whole scanned URL (e.g. read by the phone camera when activating stamps).

    With *site_url*, the URL must be on our site (scheme and host compared case-insensitively, the
    path prefix of *site_url* removed); a bare serial typed by hand is also accepted.
    """
    text = url.strip()
    if "/" not in text:
        return DigitalLinkPath(gtin14=None, lot=None, serial=_our_serial(text))
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
    link = parse_stamp_path(path, parts.query)
    if link.serial is None:
        raise MissingSerialError(_("This link does not contain a stamp code (the serial number, 21)."))
    return link
