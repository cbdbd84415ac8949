"""Scratch-off PINs: stored only as a keyed hash, salted by the serial, compared in constant time."""

import pytest

from tracing.stamps import pins
from tracing.stamps.serials import new_serial, new_serials


@pytest.fixture
def serial():
    return new_serial()


def test_a_pin_has_eight_digits_and_pins_vary():
    issued = [*pins.new_pins(2000), pins.new_pin()]
    assert all(len(p) == 8 and p.isdigit() and p.isascii() for p in issued)
    assert len(set(issued)) > 1990  # 10**8 possibilities: a handful of repeats at most


def test_the_right_pin_matches_its_stored_hash(serial):
    pin = pins.new_pin()
    stored = pins.pin_hash(serial, pin)
    assert pin not in stored
    assert pins.pin_matches(serial, pin, stored)


def test_a_pin_typed_with_the_printed_spacing_still_matches(serial):
    stored = pins.pin_hash(serial, "12345678")
    assert pins.pin_matches(serial, "1234 5678", stored)
    assert pins.pin_matches(serial, "1234-5678", stored)


@pytest.mark.parametrize("wrong", ["12345679", "", "1234567", "123456789", "87654321"])
def test_a_wrong_pin_is_refused(serial, wrong):
    stored = pins.pin_hash(serial, "12345678")
    assert not pins.pin_matches(serial, wrong, stored)


def test_a_pin_is_refused_on_another_stamp(serial):
    other = new_serial()
    assert not pins.pin_matches(other, "12345678", pins.pin_hash(serial, "12345678"))


def test_the_same_pin_on_two_stamps_has_two_different_hashes(serial):
    other = new_serial()
    assert pins.pin_hash(serial, "12345678") != pins.pin_hash(other, "12345678")


def test_garbage_in_place_of_a_hash_or_pin_is_refused_not_an_error(serial):
    assert not pins.pin_matches(serial, "12345678", "")
    assert not pins.pin_matches(serial, "12345678", None)
    assert not pins.pin_matches(serial, None, pins.pin_hash(serial, "12345678"))


def test_the_hash_depends_on_the_stamp_pin_key_which_falls_back_to_the_secret_key(serial, settings):
    settings.STAMP_PIN_KEY = ""
    with_secret_key = pins.pin_hash(serial, "12345678")
    settings.SECRET_KEY = "another-" + "s" * 60
    assert pins.pin_hash(serial, "12345678") != with_secret_key
    settings.STAMP_PIN_KEY = "dedicated-" + "p" * 60
    dedicated = pins.pin_hash(serial, "12345678")
    settings.SECRET_KEY = "rotated-" + "r" * 60
    assert pins.pin_hash(serial, "12345678") == dedicated  # rotating SECRET_KEY leaves printed PINs valid


def test_a_pin_hash_is_one_keyed_hmac_not_a_password_hasher(settings):
    """A run's PINs are hashed at HMAC speed (~250,000/s; bench/stamps_issue.py prints it), not with the
    password hasher's deliberate ~300 ms a call (8 hours for 100,000): each hash is exactly one
    HMAC-SHA256 of the serial and PIN under a key derived once from STAMP_PIN_KEY."""
    import hashlib
    import hmac

    settings.STAMP_PIN_KEY = "dedicated-" + "p" * 60
    serials = new_serials(1_000)
    typed = pins.new_pins(1_000)
    key = hmac.digest(settings.STAMP_PIN_KEY.encode(), pins._KEY_CONTEXT, hashlib.sha256)
    expected = [
        pins.HASH_PREFIX + hmac.digest(key, f"{s}\0{p}".encode(), hashlib.sha256).hex()
        for s, p in zip(serials, typed, strict=True)
    ]
    assert pins.pin_hashes(zip(serials, typed, strict=True)) == expected
    assert len(set(expected)) == 1_000
