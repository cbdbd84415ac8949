"""Stamp serial numbers: random, short, typeable, and checked before any database lookup.

Format
------
14 characters: 13 random symbols (65 bits from :mod:`secrets`) followed by one check symbol, all
from the 32-symbol alphabet ``0123456789ABCDEFGHJKMNPQRSTVWXYZ`` (Crockford's base 32).

Why this alphabet
    * It is a subset of the GS1 AI encodable character set 82, so a serial is a valid AI 21 value
      (at most 20 characters) and can stand in a GS1 Digital Link URI.
    * Digits and upper-case letters are RFC 3986 "unreserved": no percent-encoding in a URL.
    * I, L and O are left out because they look like 1 and 0 (typed ones are mapped back, see
      :func:`normalise_serial`); U is left out so that no accidental rude word appears.
    * 32 is a power of two: 13 symbols hold exactly 65 bits, each symbol is uniform, and the check
      can be computed in the field GF(32).

Why this check symbol
    The check is the Damm scheme over the totally anti-symmetric quasigroup ``x ∘ y = 2·x + y`` in
    GF(32) (addition is XOR, multiplication modulo the primitive polynomial x⁵ + x² + 1). Reading
    the 14 symbols from the left, ``s ← 2·s + d`` must end at ``s = 0``; equivalently
    ``Σ dᵢ·2^(13-i) = 0`` in GF(32). Therefore, in a field, an error pattern is missed only if it
    multiplies out to zero:

    * any single substitution d → d' changes the sum by (d ⊕ d')·2ᵏ ≠ 0: always caught;
    * any adjacent transposition xy → yx changes it by (x ⊕ y)·2ᵏ·(2 ⊕ 1) ≠ 0: always caught;
    * jump transpositions xzy → yzx ((x ⊕ y)·2ᵏ·5) and twin errors xx → yy ((x ⊕ y)·2ᵏ·3) too.

    Luhn mod N misses one adjacent transposition pair for even N, and ISO 7064 MOD 37,36 needs a
    36-symbol alphabet (with the look-alikes); the GF(32) Damm check has neither weakness.

Serials are compared in their normalised form (upper case, no separators); they are printed in
groups of four (:func:`format_serial`) for reading aloud and typing.
"""

from __future__ import annotations

import base64
import secrets

from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 13  # 13 × 5 = 65 bits ≥ 64
SERIAL_LENGTH = RANDOM_LENGTH + 1
ENTROPY_BITS = RANDOM_LENGTH * 5

_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_ALPHABET_SET = frozenset(ALPHABET)

# Look-alikes typed by people (or by an OCR app) mapped to the symbol they stand for.
_TYPO_MAP = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Separators people put in, or that the printed grouping suggests.
_SEPARATORS = str.maketrans("", "", " \t\r\n-_.\u2010\u2011\u2012\u2013\u2014\u2212\u00a0")


def _gf32_double(x: int) -> int:
    """2·x in GF(32) with the primitive polynomial x⁵ + x² + 1 (0b100101)."""
    x <<= 1
    return x ^ 0b100101 if x & 0b100000 else x


_DOUBLE = tuple(_gf32_double(x) for x in range(32))
# _STEP[s][d] = s ∘ d = 2·s ⊕ d, precomputed as a dict from the *character* for speed.
_STEP = tuple({c: _DOUBLE[s] ^ v for c, v in _VALUE.items()} for s in range(32))


def _state(symbols: str) -> int:
    s = 0
    for c in symbols:
        s = _STEP[s][c]
    return s


def check_symbol(body: str) -> str:
    """The check symbol for *body* (symbols of :data:`ALPHABET`): the c with (state ∘ c) = 0."""
    return ALPHABET[_DOUBLE[_state(body)]]


# RFC 4648 base32 (A-Z, 2-7) → our alphabet, symbol value for symbol value.
_FROM_RFC4648 = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET.encode("ascii"))


def new_serials(n: int) -> list[str]:
    """*n* new serials, distinct from each other (uniqueness across runs is the database's job).

    One call to the operating system's CSPRNG for the whole batch: 10 random bytes (80 bits, an
    exact base32 block of 16 symbols) per serial, of which the first 13 symbols (65 bits) are used.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        want = n - len(out)
        encoded = base64.b32encode(secrets.token_bytes(10 * want)).translate(_FROM_RFC4648).decode("ascii")
        for i in range(0, 16 * want, 16):
            body = encoded[i : i + RANDOM_LENGTH]
            if body in seen:  # ~n²/2⁶⁶: practically never, but never twice in one run
                continue
            seen.add(body)
            out.append(body + check_symbol(body))
    return out


def new_serial() -> str:
    """One new serial: 13 random symbols (65 bits from :mod:`secrets`) and the check symbol."""
    return new_serials(1)[0]


def serial_is_well_formed(serial: str) -> bool:
    """True if *serial* (already normalised) has our length, alphabet and a correct check symbol.

    Cheap (no database), so a mistyped or made-up code is refused before any lookup.
    """
    return (
        isinstance(serial, str)
        and len(serial) == SERIAL_LENGTH
        and _ALPHABET_SET.issuperset(serial)
        and _state(serial) == 0
    )


def normalise_serial(typed: str) -> str:
    """A typed or scanned serial in canonical form: upper case, separators removed, O→0, I/L→1.

    Does not validate; follow with :func:`serial_is_well_formed` or use :func:`parse_serial`.
    """
    return typed.translate(_SEPARATORS).upper().translate(_TYPO_MAP)


def parse_serial(typed: str) -> str:
    """Normalise *typed* and return it, or raise ValueError with a message fit for the user."""
    serial = normalise_serial(typed)
    if len(serial) != SERIAL_LENGTH:
        raise ValueError(
            _("A stamp code has %(expected)d characters (got %(count)d).")
            % {"expected": SERIAL_LENGTH, "count": len(serial)}
        )
    bad = sorted(set(serial) - _ALPHABET_SET)
    if bad:
        raise ValueError(
            _("A stamp code contains only digits and the letters A-Z without I, L, O and U (not allowed: %(chars)s).")
            % {"chars": " ".join(bad)}
        )
    if _state(serial) != 0:
        raise ValueError(_("This stamp code contains a typing mistake: please check each character again."))
    return serial


def format_serial(serial: str, group: int = 4) -> str:
    """*serial* in groups for people to read: ``ABCD-EFGH-JKMN-PQ``."""
    return "-".join(serial[i : i + group] for i in range(0, len(serial), group))
