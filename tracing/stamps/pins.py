"""Scratch-off PINs: generated from :mod:`secrets`, stored only as a keyed hash, compared in constant time.

Why HMAC-SHA256 and not Django's password hasher: a PIN is random (8 digits, ~26.6 bits) and is
protected online by rate limits per code and per client, so a deliberately slow hash buys nothing
online, while costing ~300 ms per PIN when a run of 100,000 stamps is issued (8 hours). Offline, a
stolen database without the key is useless because the hash is keyed: the key lives in the
settings (``STAMP_PIN_KEY``, falling back to ``SECRET_KEY``), never in the database. The serial is
part of the message, so two stamps with the same PIN have different hashes.

Use a dedicated ``STAMP_PIN_KEY`` in production: rotating ``SECRET_KEY`` (sessions, password reset
links) must not invalidate the PINs already printed under scratch layers.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from django.conf import settings

PIN_LENGTH = 8
#: Prefix of a stored hash, naming the scheme, so that a later scheme can live beside this one.
HASH_PREFIX = "hs256$"
_KEY_CONTEXT = b"hagiang-origin/stamp-pin/v1"

_SEPARATORS = str.maketrans("", "", " \t-.\u00a0")


def new_pin() -> str:
    """An 8-digit PIN from :mod:`secrets` (leading zeros kept: it is a code, not a number)."""
    return f"{secrets.randbelow(10**PIN_LENGTH):0{PIN_LENGTH}d}"


def new_pins(n: int) -> list[str]:
    return [f"{secrets.randbelow(10**PIN_LENGTH):0{PIN_LENGTH}d}" for _ in range(n)]


def normalise_pin(typed: str) -> str:
    """A typed PIN without spaces or hyphens (people copy the printed grouping ``1234 5678``)."""
    return typed.translate(_SEPARATORS)


@functools.lru_cache(maxsize=4)
def _derived_key(secret: str) -> bytes:
    # A key for this one purpose, so the same secret used elsewhere never yields comparable MACs.
    return hmac.digest(secret.encode("utf-8"), _KEY_CONTEXT, hashlib.sha256)


def _key() -> bytes:
    return _derived_key(current_key())


def _mac(key: bytes, serial: str, pin: str) -> str:
    # The NUL separator keeps (serial, pin) pairs unambiguous whatever their lengths.
    return HASH_PREFIX + hmac.digest(key, f"{serial}\0{pin}".encode(), hashlib.sha256).hex()


def pin_hash(serial: str, pin: str) -> str:
    """The value to store for *pin* printed under the stamp *serial* (70 characters)."""
    return _mac(_key(), serial, normalise_pin(pin))


def pin_hashes(pairs) -> list[str]:
    """:func:`pin_hash` for many ``(serial, pin)`` pairs, reading the settings once."""
    key = _key()
    return [_mac(key, serial, normalise_pin(pin)) for serial, pin in pairs]


def pin_matches(serial: str, pin: str, stored_hash: str) -> bool:
    """True if *pin* is the PIN of *serial*; the comparison takes the same time wherever it differs."""
    if not isinstance(pin, str) or not isinstance(stored_hash, str):
        return False
    return hmac.compare_digest(pin_hash(serial, pin).encode(), stored_hash.encode())


def key_fingerprint(secret: str | None = None) -> str:
    """A short public fingerprint of the PIN key in use (or of `secret`): backups record it, restores compare it."""
    key = _derived_key(secret) if secret is not None else _key()
    return hmac.digest(key, b"fingerprint", hashlib.sha256).hex()[:16]


def current_key() -> str:
    """The secret the PIN hashes are keyed with: STAMP_PIN_KEY, else the secret key."""
    return getattr(settings, "STAMP_PIN_KEY", "") or settings.SECRET_KEY
