"""The GS1 Application Identifier table: formats, linters and Digital Link roles of every AI.

Pure data and functions, no database. The table is GS1's own Barcode Syntax Dictionary
(``tracing/gs1_syntax_dictionary.txt``, copied as data from the repository gs1/gs1-syntax-dictionary),
read once at import. For each AI it gives:

* the components of its value (``N`` digits, ``X`` the GS1 AI encodable character set 82, ``Y``
  character set 39, ``Z`` base64url), fixed or variable length, optional or not, and the named
  "linters" that check their content (check digits, dates, …);
* whether it needs an FNC1 separator after it (``*`` marks predefined-length AIs that do not);
* whether it may be a GS1 Digital Link data attribute (``?``: the query string);
* its Digital Link role: a primary key with its ordered, optional key qualifiers (``dlpkey=22,10,21|235``);
* which AIs it requires (``req=``) and excludes (``ex=``) beside it.

Linters implemented here: csum, csumalpha, key, keyoff1, yymmd0, yymmdd, yyyymmd0, yyyymmdd, hh,
mi, ss, hhmi, hhmm, mmoptss, yymmddhh, nonzero, zero, nozeroprefix, hasnondigit, yesno, winding,
hyphen, pieceoftotal, posinseqslash, latitude, longitude, pcenc, iso5218, iban and the character-set
checks. Not checked (the value is accepted if its format is right): iso3166, iso3166999,
iso3166alpha2, iso3166list, iso4217, mediatype, packagetype, importeridx, couponcode,
couponposoffer — they need code lists this service has no use for.

References: GS1 General Specifications §3 (the AI table), §7.9 (check digits), §7.11 (character
sets 82 and 39), §7.12 (the century of a YY year); the linter reference implementations in
gs1/gs1-syntax-engine (src/c-lib/syntax/lint_*.c).
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
import string
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

DICTIONARY = Path(__file__).with_name("gs1_syntax_dictionary.txt")

CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
CSET39 = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CSET64 = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
_CSETS = {"N": frozenset(string.digits), "X": frozenset(CSET82), "Y": frozenset(CSET39), "Z": frozenset(CSET64 + "=")}
_CSET32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class Component:
    cset: str  # N, X, Y or Z
    min: int
    max: int
    optional: bool
    linters: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AIEntry:
    ai: str
    predefined_length: bool  # "*": no FNC1 separator needed after it
    dl_attribute: bool  # "?": may be a Digital Link data attribute (query string)
    components: tuple[Component, ...]
    requires: tuple[tuple[tuple[str, ...], ...], ...]  # each req=: alternatives, each a group of patterns
    excludes: tuple[str, ...]
    key_qualifiers: tuple[tuple[str, ...], ...] | None  # a Digital Link primary key: its qualifier sequences
    title: str

    @property
    def is_primary_key(self) -> bool:
        return self.key_qualifiers is not None

    @property
    def max_length(self) -> int:
        return sum(c.max for c in self.components)

    @property
    def fixed_length(self) -> bool:
        return all(c.min == c.max and not c.optional for c in self.components)


class AIValueError(ValueError):
    """A value that breaks its AI's format; the message is for people (translated)."""


_COMPONENT = re.compile(r"^(\[)?([NXYZ])(\.\.)?(\d+)(\])?((?:,[a-z0-9]+)*)$")


def _component(token: str) -> Component:
    match = _COMPONENT.match(token)
    if match is None:
        raise ValueError(f"bad component {token!r} in the GS1 syntax dictionary")
    opening, cset, variable, length, closing, linters = match.groups()
    if bool(opening) != bool(closing):
        raise ValueError(f"unbalanced brackets in {token!r}")
    n = int(length)
    return Component(cset, 1 if variable else n, n, bool(opening), tuple(linters.split(",")[1:]) if linters else ())


def _expand(ais: str) -> list[str]:
    if "-" not in ais:
        return [ais]
    first, last = ais.split("-")
    return [str(n).zfill(len(first)) for n in range(int(first), int(last) + 1)]


def _parse_line(line: str) -> list[AIEntry]:
    body, _hash, title = line.partition("#")
    tokens = body.split()
    ais, tokens = tokens[0], tokens[1:]
    flags = tokens.pop(0) if tokens and tokens[0][0] not in "[NXYZ" else ""
    components, requires, excludes, qualifiers = [], [], [], None
    for token in tokens:
        if token.startswith("req="):
            requires.append(tuple(tuple(group.split("+")) for group in token[4:].split(",")))
        elif token.startswith("ex="):
            excludes.extend(token[3:].split(","))
        elif token == "dlpkey":  # noqa: S105 - a dictionary keyword, not a password
            qualifiers = ((),)
        elif token.startswith("dlpkey="):
            qualifiers = tuple(tuple(seq.split(",")) for seq in token[7:].split("|"))
        else:
            components.append(_component(token))
    return [
        AIEntry(
            ai=ai,
            predefined_length="*" in flags,
            dl_attribute="?" in flags,
            components=tuple(components),
            requires=tuple(requires),
            excludes=tuple(excludes),
            key_qualifiers=qualifiers,
            title=title.strip(),
        )
        for ai in _expand(ais)
    ]


@functools.cache
def table() -> dict[str, AIEntry]:
    """Every AI of the dictionary, by its digits."""
    entries: dict[str, AIEntry] = {}
    for raw in DICTIONARY.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            for entry in _parse_line(line):
                entries[entry.ai] = entry
    return entries


def lookup(ai: str) -> AIEntry | None:
    return table().get(ai)


@functools.cache
def ai_length_by_prefix() -> dict[str, int]:
    """The length of the AIs starting with each two-digit prefix (GS1 keeps it one length per prefix)."""
    return {ai[:2]: len(ai) for ai in table()}


@functools.cache
def key_qualifier_paths() -> frozenset[tuple[str, ...]]:
    """Every valid Digital Link path AI sequence: a primary key then a subsequence of one of its qualifier lists."""
    paths: set[tuple[str, ...]] = set()
    for entry in table().values():
        for sequence in entry.key_qualifiers or ():
            for mask in range(1 << len(sequence)):
                paths.add((entry.ai, *(q for i, q in enumerate(sequence) if mask >> i & 1)))
    return frozenset(paths)


# -- linters -----------------------------------------------------------------------------------


def _mod10_ok(digits: str) -> bool:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(reversed(digits[:-1]), start=1))
    return (-total) % 10 == int(digits[-1])


def _csumalpha_ok(value: str) -> bool:
    if len(value) < 2 or any(c not in _CSET32 for c in value[-2:]):
        return False
    primes = [p for p in range(2, 600) if all(p % d for d in range(2, int(p**0.5) + 1))]
    data = value[:-2]
    if len(data) > len(primes) or any(c not in CSET82 for c in data):
        return False
    total = sum(CSET82.index(c) * primes[len(data) - 1 - i] for i, c in enumerate(data)) % 1021
    return value[-2] == _CSET32[total >> 5] and value[-1] == _CSET32[total & 31]


def century(yy: int, today: datetime.date | None) -> int:
    """GS1 General Specifications §7.12: a YY year is within 49 years ahead and 50 behind the current year."""
    current = (today or datetime.date.today()).year
    diff = yy - current % 100
    hundreds = current // 100
    if diff >= 51:
        hundreds -= 1
    elif diff <= -50:
        hundreds += 1
    return hundreds * 100 + yy


def _date_ok(year: int, month: int, day: int, *, day_zero: bool) -> bool:
    if not 1 <= month <= 12:
        return False
    if day == 0:
        return day_zero
    return day <= calendar.monthrange(year, month)[1]


def _yymmdd(value: str, today, *, day_zero: bool) -> bool:
    if len(value) != 6 or not value.isdigit():
        return False
    return _date_ok(century(int(value[:2]), today), int(value[2:4]), int(value[4:]), day_zero=day_zero)


def _yyyymmdd(value: str, *, day_zero: bool) -> bool:
    return (
        len(value) == 8
        and value.isdigit()
        and _date_ok(int(value[:4]), int(value[4:6]), int(value[6:]), day_zero=day_zero)
    )


def _two(value: str, upper: int) -> bool:
    return len(value) == 2 and value.isdigit() and int(value) <= upper


def _iban_ok(value: str) -> bool:
    if not (5 <= len(value) <= 34 and value[:2].isalpha() and value[:2].isupper() and value[2:4].isdigit()):
        return False
    if not all(c.isdigit() or ("A" <= c <= "Z") for c in value):
        return False
    rearranged = value[4:] + value[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _pcenc_ok(value: str) -> bool:
    return re.fullmatch(r"(?:[^%]|%[0-9A-Fa-f]{2})*", value) is not None


_LINTERS = {
    "csum": lambda v, t: v.isdigit() and _mod10_ok(v),
    "csumalpha": lambda v, t: _csumalpha_ok(v),
    "key": lambda v, t: len(v) >= 4 and v[:4].isdigit(),
    "keyoff1": lambda v, t: len(v) >= 5 and v[1:5].isdigit(),
    "yymmd0": lambda v, t: _yymmdd(v, t, day_zero=True),
    "yymmdd": lambda v, t: _yymmdd(v, t, day_zero=False),
    "yyyymmd0": lambda v, t: _yyyymmdd(v, day_zero=True),
    "yyyymmdd": lambda v, t: _yyyymmdd(v, day_zero=False),
    "yymmddhh": lambda v, t: len(v) == 8 and _yymmdd(v[:6], t, day_zero=False) and _two(v[6:], 23),
    "hh": lambda v, t: _two(v, 23),
    "mi": lambda v, t: _two(v, 59),
    "ss": lambda v, t: _two(v, 59),
    "hhmi": lambda v, t: len(v) == 4 and _two(v[:2], 23) and _two(v[2:], 59),
    "hhmm": lambda v, t: len(v) == 4 and _two(v[:2], 23) and _two(v[2:], 59),
    "mmoptss": lambda v, t: len(v) in (2, 4) and _two(v[:2], 59) and (len(v) == 2 or _two(v[2:], 59)),
    "nonzero": lambda v, t: v.strip("0") != "",
    "zero": lambda v, t: v == "0",
    "nozeroprefix": lambda v, t: v == "0" or not v.startswith("0"),
    "hasnondigit": lambda v, t: not v.isdigit(),
    "yesno": lambda v, t: v in ("0", "1"),
    "winding": lambda v, t: v in ("0", "1", "9"),
    "hyphen": lambda v, t: v == "-",
    "pieceoftotal": lambda v, t: len(v) % 2 == 0 and v.isdigit() and 0 < int(v[: len(v) // 2]) <= int(v[len(v) // 2 :]),
    "posinseqslash": lambda v, t: re.fullmatch(r"([1-9])/([1-9])", v) is not None and v[0] <= v[2],
    "latitude": lambda v, t: v.isdigit() and int(v) <= 1_800_000_000,
    "longitude": lambda v, t: v.isdigit() and int(v) <= 3_600_000_000,
    "pcenc": lambda v, t: _pcenc_ok(v),
    "iso5218": lambda v, t: v in ("0", "1", "2", "9"),
    "iban": lambda v, t: _iban_ok(v),
}

_DATE_LINTERS = frozenset({"yymmd0", "yymmdd", "yyyymmd0", "yyyymmdd", "yymmddhh"})
_TIME_LINTERS = frozenset({"hh", "mi", "ss", "hhmi", "hhmm", "mmoptss"})
_CHECK_LINTERS = frozenset({"csum", "csumalpha"})


def lint(name: str, value: str, *, today: datetime.date | None = None) -> bool | None:
    """Whether *value* passes the named linter; None for a linter not implemented here (see the docstring)."""
    check = _LINTERS.get(name)
    return None if check is None else bool(check(value, today))


def _linter_message(linter: str, ai: str, part: str) -> str:
    if linter in _CHECK_LINTERS:
        return _("The value of GS1 application identifier (%(ai)s) has a wrong check digit.") % {"ai": ai}
    if linter in _DATE_LINTERS:
        return _("The value of GS1 application identifier (%(ai)s) is not a valid date: “%(value)s”.") % {
            "ai": ai,
            "value": part,
        }
    if linter in _TIME_LINTERS:
        return _("The value of GS1 application identifier (%(ai)s) is not a valid time: “%(value)s”.") % {
            "ai": ai,
            "value": part,
        }
    return _("The value of GS1 application identifier (%(ai)s) is not valid: “%(value)s”.") % {"ai": ai, "value": part}


def _chars_message(ai: str, cset: str, bad: list[str]) -> str:
    shown = " ".join(repr(c) for c in bad)
    if cset == "N":
        return _(
            "The value of GS1 application identifier (%(ai)s) may contain only digits (not allowed: %(chars)s)."
        ) % {
            "ai": ai,
            "chars": shown,
        }
    return _(
        "The value of GS1 application identifier (%(ai)s) contains characters outside the GS1 character set "
        "(not allowed: %(chars)s)."
    ) % {"ai": ai, "chars": shown}


def validate(ai: str, value: str, *, today: datetime.date | None = None) -> AIEntry:
    """Check *value* against the format of *ai*; return the AI's entry or raise AIValueError.

    Each component takes its share of the value in order (a fixed length, or what remains up to its
    maximum); optional trailing components may be absent. Valid values are remembered (a scan
    checks the same GTINs and lots again and again); a refusal is worked out (and worded) each time.
    """
    return _validated(ai, value, today or datetime.date.today())


@functools.lru_cache(maxsize=8192)
def _validated(ai: str, value: str, today: datetime.date) -> AIEntry:
    entry = lookup(ai)
    if entry is None:
        raise AIValueError(_("(%(ai)s) is not a GS1 application identifier.") % {"ai": ai})
    if not value:
        raise AIValueError(_("GS1 application identifier (%(ai)s) has an empty value.") % {"ai": ai})
    if all(c.cset == "N" for c in entry.components):  # say "digits only" before any length
        bad = sorted({c for c in value if c not in _CSETS["N"]})
        if bad:
            raise AIValueError(_chars_message(ai, "N", bad))
    rest = value
    for component in entry.components:
        if not rest:
            if component.optional:
                break
            raise AIValueError(_("The value of GS1 application identifier (%(ai)s) is too short.") % {"ai": ai})
        part, rest = rest[: component.max], rest[component.max :]
        if component.min == component.max and len(part) < component.max:
            raise AIValueError(_("The value of GS1 application identifier (%(ai)s) is too short.") % {"ai": ai})
        bad = sorted({c for c in part if c not in _CSETS[component.cset]})
        if bad:
            raise AIValueError(_chars_message(ai, component.cset, bad))
        for linter in component.linters:
            check = _LINTERS.get(linter)
            if check is not None and not check(part, today):
                raise AIValueError(_linter_message(linter, ai, part))
    if rest:
        raise AIValueError(
            _("The value of GS1 application identifier (%(ai)s) is too long: at most %(max)d characters.")
            % {"ai": ai, "max": entry.max_length}
        )
    return entry


def _matches(pattern: str, ai: str) -> bool:
    return len(pattern) == len(ai) and all(p == "n" or p == a for p, a in zip(pattern, ai, strict=True))


def check_associations(ais: list[str]) -> None:
    """GS1 General Specifications §4.14: raise AIValueError for a missing required or an excluded partner AI."""
    problem = _association_problem(tuple(ais))
    if problem is None:
        return
    kind, ai, detail = problem
    if kind == "ex":
        raise AIValueError(
            _("GS1 application identifiers (%(ai)s) and (%(other)s) cannot be used together.")
            % {"ai": ai, "other": detail}
        )
    needed = " " + _("or") + " "
    raise AIValueError(
        _("GS1 application identifier (%(ai)s) needs (%(needed)s) beside it.")
        % {"ai": ai, "needed": needed.join("+".join(group) for group in detail)}
    )


@functools.lru_cache(maxsize=1024)
def _association_problem(ais: tuple[str, ...]):
    """The first association broken by this set of AIs: ("ex", ai, other), ("req", ai, alternatives), or None."""
    present = set(ais)
    for ai in ais:
        entry = lookup(ai)
        if entry is None:
            continue
        for pattern in entry.excludes:
            clash = next((other for other in sorted(present) if other != ai and _matches(pattern, other)), None)
            if clash is not None:
                return ("ex", ai, clash)
        for alternatives in entry.requires:
            if not any(all(any(_matches(p, other) for other in present) for p in group) for group in alternatives):
                return ("req", ai, alternatives)
    return None
