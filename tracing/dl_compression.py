"""GS1 Digital Link compression: the element strings of a Digital Link URI packed into one base64url path segment.

GS1 Digital Link standard (1.1, §8 "Compression"; 1.2+, "GS1 Digital Link: Compression"): a
compressed URI is ``{stem}/{segment}`` (fully compressed) or ``{stem}/{key AI}/{key}/{segment}``
(the primary key left readable), where the segment is a bit string written in the URI-safe base64
alphabet ``A-Z a-z 0-9 - _`` (6 bits a character, zero bits padding the end). The bit string is a
sequence of records:

* an element string: the AI's digits, 4 bits each (the first two digits tell the AI's length),
  then its value component by component — a fixed-length numeric part as a binary integer of
  ⌈n·log2 10⌉ bits, a variable-length numeric part as its length (in as many bits as its maximum
  needs) and the integer, an alphanumeric part as a 3-bit encoding (0 digits, 1 lower-case hex,
  2 upper-case hex, 3 base64url, 4 7-bit ASCII), its length when variable, then its characters;
* an optimisation: two hex digits A-F in the AI's place (e.g. ``0C`` = (01) then (21)) announcing a
  predefined sequence of AIs whose values follow;
* a non-GS1 query parameter: the hex digit F, the key's length (7 bits), the key (6 bits a
  character) and the value as an alphanumeric part with a 7-bit length.

The components of each AI come from the GS1 syntax dictionary (tracing.gs1_ai), grouped as the
standard's table of formats groups them: adjacent fixed-length numeric parts form one number, an
alphanumeric fixed part followed by a variable one forms one variable part, and optional trailing
parts form one variable part. The optimisation codes below are the standard's table, copied from
gs1/digital-link.js (lib/GS1DigitalLinkCompressionPrototype/GS1DigitalLinkToolkit.js, ``tableOpt``).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tracing import gs1_ai

SAFE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_SAFE64_VALUE = {c: i for i, c in enumerate(SAFE64)}
SEGMENT_RE = re.compile(r"^[A-Za-z0-9_-]+$")

#: Predefined AI sequences (GS1 Digital Link compression, table of optimisation codes).
OPTIMISATIONS: dict[str, tuple[str, ...]] = {
    "0A": ("01", "22"),
    "0B": ("01", "10"),
    "0C": ("01", "21"),
    "0D": ("01", "17"),
    "0E": ("01", "7003"),
    "0F": ("01", "30"),
    "1A": ("01", "10", "21", "17"),
    "1B": ("01", "15"),
    "1C": ("01", "11"),
    "1D": ("01", "16"),
    "1E": ("01", "91"),
    "1F": ("01", "10", "15"),
    **{f"2{'ABCDEF'[i]}": ("01", f"310{i}") for i in range(6)},
    **{f"3{'ABCDEF'[i]}": ("01", f"320{i}") for i in range(6)},
    "9A": ("8010", "8011"),
    "9B": ("8017", "8019"),
    "9C": ("8018", "8019"),
    "9D": ("414", "254"),
    **{f"A{i}": ("01", f"392{i}") for i in range(10)},
    **{f"C{i}": ("255", f"390{i}") for i in range(10)},
    **{f"C{'ABCD'[i]}": ("255", f"394{i}") for i in range(4)},
}

_ENCODINGS = ("numeric", "hex-lower", "hex-upper", "base64url", "ascii")
_HEX = "0123456789ABCDEF"


class CompressionError(ValueError):
    """Bits that are not a compressed GS1 Digital Link (message for people, translated)."""


@dataclass(frozen=True, slots=True)
class Part:
    numeric: bool
    length: int  # the fixed length, or the maximum of a variable part
    variable: bool


def value_bits(digits: int) -> int:
    """Bits of a number of *digits* digits, as the standard's reference implementation counts them."""
    return math.ceil(digits * math.log(10) / math.log(2) + 0.01)


def length_bits(maximum: int) -> int:
    return maximum.bit_length()


@functools.cache
def parts(ai: str) -> tuple[Part, ...]:
    """The AI's value as the compression encodes it (see the module docstring for the grouping)."""
    entry = gs1_ai.lookup(ai)
    if entry is None:
        raise CompressionError(_("(%(ai)s) is not a GS1 application identifier.") % {"ai": ai})
    mandatory = [c for c in entry.components if not c.optional]
    optional = [c for c in entry.components if c.optional]
    grouped: list[Part] = []
    for c in mandatory:
        numeric, fixed = c.cset == "N", c.min == c.max
        last = grouped[-1] if grouped else None
        if last is not None and not last.variable and last.numeric == numeric:
            if fixed and (numeric or not last.numeric):
                grouped[-1] = Part(numeric, last.length + c.max, False)
                continue
            if not numeric and not fixed:
                grouped[-1] = Part(False, last.length + c.max, True)
                continue
        grouped.append(Part(numeric, c.max, not fixed))
    if optional:
        grouped.append(Part(all(c.cset == "N" for c in optional), sum(c.max for c in optional), True))
    return tuple(grouped)


class _Bits:
    def __init__(self, text: str = ""):
        self.text = text
        self.cursor = 0

    def write(self, number: int, width: int) -> None:
        if number >= 1 << width:
            raise CompressionError(_("This value is too long to compress."))
        self.text += format(number, f"0{width}b") if width else ""

    def read(self, width: int) -> int:
        if self.cursor + width > len(self.text):
            raise CompressionError(_("This compressed link ends in the middle of a value."))
        chunk = self.text[self.cursor : self.cursor + width]
        self.cursor += width
        return int(chunk, 2) if chunk else 0

    def remaining(self) -> int:
        return len(self.text) - self.cursor


def _encoding_of(text: str) -> int:
    if text.isdigit() and text.isascii():
        return 0
    if re.fullmatch(r"[0-9A-F]+", text):
        return 2
    if re.fullmatch(r"[0-9a-f]+", text):
        return 1
    if SEGMENT_RE.fullmatch(text):
        return 3
    return 4


def _write_text(bits: _Bits, text: str, length_width: int | None) -> None:
    encoding = _encoding_of(text)
    bits.write(encoding, 3)
    if length_width is not None:
        bits.write(len(text), length_width)
    if encoding == 0:
        bits.write(int(text), value_bits(len(text)))
    elif encoding in (1, 2):
        for c in text.upper():
            bits.write(_HEX.index(c), 4)
    elif encoding == 3:
        for c in text:
            bits.write(_SAFE64_VALUE[c], 6)
    else:
        for c in text:
            if ord(c) > 127:
                raise CompressionError(_("Only ASCII characters can be compressed."))
            bits.write(ord(c), 7)


def _read_text(bits: _Bits, length_width: int | None, fixed: int = 0) -> str:
    encoding = bits.read(3)
    count = bits.read(length_width) if length_width is not None else fixed
    if encoding == 0:
        return str(bits.read(value_bits(count))).zfill(count) if count else ""
    if encoding in (1, 2):
        text = "".join(_HEX[bits.read(4)] for _ in range(count))
        return text.lower() if encoding == 1 else text
    if encoding == 3:
        return "".join(SAFE64[bits.read(6)] for _ in range(count))
    if encoding == 4:
        return "".join(chr(bits.read(7)) for _ in range(count))
    raise CompressionError(_("This compressed link uses an unknown encoding."))


def _write_value(bits: _Bits, ai: str, value: str) -> None:
    rest = value
    for part in parts(ai):
        if not part.variable:
            chunk, rest = rest[: part.length], rest[part.length :]
            if len(chunk) != part.length:
                raise CompressionError(_("The value of (%(ai)s) is too short to compress.") % {"ai": ai})
            if part.numeric:
                bits.write(int(chunk), value_bits(part.length))
            else:
                _write_text(bits, chunk, None)
        else:
            chunk, rest = rest[: part.length], rest[part.length :]
            if part.numeric:
                bits.write(len(chunk), length_bits(part.length))
                if chunk:
                    bits.write(int(chunk), value_bits(len(chunk)))
            else:
                _write_text(bits, chunk, length_bits(part.length))
    if rest:
        raise CompressionError(_("The value of (%(ai)s) is too long to compress.") % {"ai": ai})


def _read_value(bits: _Bits, ai: str) -> str:
    out = []
    for part in parts(ai):
        if not part.variable:
            if part.numeric:
                out.append(str(bits.read(value_bits(part.length))).zfill(part.length))
            else:
                out.append(_read_text(bits, None, part.length))
        elif part.numeric:
            count = bits.read(length_bits(part.length))
            out.append(str(bits.read(value_bits(count))).zfill(count) if count else "")
        else:
            out.append(_read_text(bits, length_bits(part.length)))
    return "".join(out)


def _write_ai(bits: _Bits, code: str) -> None:
    for c in code:
        bits.write(int(c, 16), 4)


def compress(elements: list[tuple[str, str]], others: list[tuple[str, str]] = (), *, optimise: bool = True) -> str:
    """The base64url segment for these (AI, value) pairs and non-GS1 (key, value) pairs.

    AIs covered by an optimisation go first (the code saving most AI digits first), then the other
    AIs in ascending order, then the other pairs in the given order — as GS1's reference toolkit does.
    """
    values = dict(elements)
    remaining = sorted(values)
    bits = _Bits()
    codes: list[str] = []
    while optimise:
        candidates = [(code, seq) for code, seq in OPTIMISATIONS.items() if all(ai in remaining for ai in seq)]
        if not candidates:
            break
        code, seq = max(candidates, key=lambda item: len("".join(item[1])))  # max() keeps the first of equals
        codes.append(code)
        remaining = [ai for ai in remaining if ai not in seq]
    for code in codes:
        _write_ai(bits, code)
        for ai in OPTIMISATIONS[code]:
            _write_value(bits, ai, values[ai])
    for ai in remaining:
        _write_ai(bits, ai)
        _write_value(bits, ai, values[ai])
    for key, value in others:
        if not key or not SEGMENT_RE.fullmatch(key) or len(key) > 127 or len(value) > 127:
            raise CompressionError(_("The parameter “%(key)s” cannot be compressed.") % {"key": key[:40]})
        bits.write(0xF, 4)
        bits.write(len(key), 7)
        for c in key:
            bits.write(_SAFE64_VALUE[c], 6)
        _write_text(bits, value, 7)
    text = bits.text + "0" * (-len(bits.text) % 6)
    return "".join(SAFE64[int(text[i : i + 6], 2)] for i in range(0, len(text), 6))


def decompress(segment: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """((AI, value) pairs, non-GS1 (key, value) pairs) from a compressed segment; CompressionError if it is not one."""
    if not SEGMENT_RE.fullmatch(segment or ""):
        raise CompressionError(_("This is not a compressed GS1 Digital Link."))
    bits = _Bits("".join(format(_SAFE64_VALUE[c], "06b") for c in segment))
    prefixes = gs1_ai.ai_length_by_prefix()
    elements: list[tuple[str, str]] = []
    others: list[tuple[str, str]] = []
    while bits.remaining() > 8:
        h1, h2 = bits.read(4), bits.read(4)
        if h1 <= 9 and h2 <= 9:
            ai = f"{h1}{h2}"
            length = prefixes.get(ai)
            if length is None:
                raise CompressionError(_("This compressed link holds an unknown application identifier."))
            for _digit in range(length - 2):
                d = bits.read(4)
                if d > 9:
                    raise CompressionError(_("This compressed link holds an unknown application identifier."))
                ai += str(d)
            if gs1_ai.lookup(ai) is None:
                raise CompressionError(_("This compressed link holds an unknown application identifier."))
            elements.append((ai, _read_value(bits, ai)))
        elif f"{h1:X}{h2:X}" in OPTIMISATIONS:
            for ai in OPTIMISATIONS[f"{h1:X}{h2:X}"]:
                elements.append((ai, _read_value(bits, ai)))
        elif h1 == 0xF:
            key_length = (h2 << 3) | bits.read(3)
            key = "".join(SAFE64[bits.read(6)] for _ in range(key_length))
            others.append((key, _read_text(bits, 7)))
        else:
            raise CompressionError(_("This compressed link uses an unknown optimisation code."))
    if bits.text[bits.cursor :].strip("0"):
        raise CompressionError(_("This compressed link has stray bits at its end."))
    if not elements:
        raise CompressionError(_("This is not a compressed GS1 Digital Link."))
    return elements, others
