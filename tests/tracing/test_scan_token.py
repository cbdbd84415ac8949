"""The scan token (tracing.stamps.scan_page.scan_token): the signed scan id the PIN form and "share my location"
send back."""

import time

import pytest

from tracing.stamps.scan_page import SCAN_TOKEN_MAX_AGE_S, scan_id_from_token, scan_token

NOW = 1_780_000_000.0


def test_a_token_gives_back_its_scan_id():
    assert scan_id_from_token(scan_token(12345, now=NOW), now=NOW + 10) == 12345
    assert scan_id_from_token(scan_token(2**62, now=NOW), now=NOW) == 2**62
    assert scan_id_from_token(scan_token(7)) == 7  # the real clock


@pytest.mark.parametrize("age", [SCAN_TOKEN_MAX_AGE_S + 1, -61])
def test_a_token_older_than_an_hour_or_from_the_future_is_refused(age):
    assert scan_id_from_token(scan_token(5, now=NOW), now=NOW + age) is None
    assert scan_id_from_token(scan_token(5, now=NOW), now=NOW + SCAN_TOKEN_MAX_AGE_S) == 5


def test_a_changed_token_is_refused():
    token = scan_token(12345, now=NOW)
    scan_id, issued, mac = token.split(".")
    assert scan_id_from_token(f"12346.{issued}.{mac}", now=NOW) is None  # another scan
    assert scan_id_from_token(f"{scan_id}.{issued[:-1]}z.{mac}", now=NOW) is None  # another time
    flipped = mac[:-1] + ("A" if mac[-1] != "A" else "B")
    assert scan_id_from_token(f"{scan_id}.{issued}.{flipped}", now=NOW) is None
    for garbage in ["", "forged", "1.2", "1.2.3", f"{token}x", f" {token}", None]:
        assert scan_id_from_token(garbage, now=NOW) is None


def test_a_token_signed_with_another_key_is_refused_unless_it_is_a_fallback(settings):
    settings.SECRET_KEY = "old-key-" + "x" * 50
    token = scan_token(99, now=NOW)
    settings.SECRET_KEY = "new-key-" + "y" * 50
    assert scan_id_from_token(token, now=NOW) is None
    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 50]
    assert scan_id_from_token(token, now=NOW) == 99  # rotated: pages already open keep working


def test_tokens_of_different_scans_differ_and_do_not_reveal_the_key():
    tokens = {scan_token(n, now=NOW) for n in range(1000)}
    assert len({t.split(".")[2] for t in tokens}) == 1000
    assert all(len(t) < 50 for t in tokens)


def test_the_clock_default_is_the_real_time():
    issued = int(scan_token(1).split(".")[1], 36)
    assert abs(issued - time.time()) < 5
