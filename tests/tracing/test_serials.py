"""Stamp serials: unguessable, typeable, and every single typing mistake caught before any lookup."""

import collections
import itertools
import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracing import gs1
from tracing.stamps import serials

# The autouse cache-clearing fixture of tests/conftest.py is function-scoped; these tests use no cache.
pure = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200)
bodies = st.text(alphabet=serials.ALPHABET, min_size=serials.RANDOM_LENGTH, max_size=serials.RANDOM_LENGTH)


@pytest.fixture(scope="module")
def run_of_100k():
    return serials.new_serials(100_000)


def test_a_serial_has_14_url_safe_gs1_characters_and_at_least_64_random_bits():
    serial = serials.new_serial()
    assert len(serial) == 14 <= gs1.SERIAL_MAX_LENGTH
    assert set(serial) <= set(serials.ALPHABET) <= gs1.CSET82
    assert quote(serial, safe="") == serial
    assert serials.ENTROPY_BITS >= 64
    assert gs1.validate_ai21(serial) == serial


def test_the_alphabet_has_no_look_alike_letters():
    assert len(serials.ALPHABET) == 32
    assert not set("ILOU") & set(serials.ALPHABET)


@pure
@given(bodies)
def test_every_single_character_substitution_is_caught(body):
    serial = body + serials.check_symbol(body)
    assert serials.serial_is_well_formed(serial)
    for position in range(len(serial)):
        for symbol in serials.ALPHABET:
            if symbol != serial[position]:
                typo = serial[:position] + symbol + serial[position + 1 :]
                assert not serials.serial_is_well_formed(typo), (serial, typo)


@pure
@given(bodies)
def test_every_swap_of_two_neighbouring_characters_is_caught(body):
    serial = body + serials.check_symbol(body)
    for position in range(len(serial) - 1):
        a, b = serial[position], serial[position + 1]
        if a != b:
            swapped = serial[:position] + b + a + serial[position + 2 :]
            assert not serials.serial_is_well_formed(swapped), (serial, swapped)


def test_every_typo_is_caught_on_serials_as_issued():
    for serial in serials.new_serials(30):
        for position in range(len(serial)):
            for symbol in serials.ALPHABET.replace(serial[position], ""):
                assert not serials.serial_is_well_formed(serial[:position] + symbol + serial[position + 1 :])


@pytest.mark.parametrize("bad", ["", "ABC", "0" * 15, "0123456789ABC!", None, 12345678901234])
def test_malformed_serials_are_refused_without_a_lookup(bad):
    assert not serials.serial_is_well_formed(bad)


def test_a_run_of_100000_serials_is_made_quickly_and_has_no_two_alike(run_of_100k):
    started = time.perf_counter()
    serials.new_serials(100_000)
    assert time.perf_counter() - started < 3.0
    assert len(run_of_100k) == 100_000
    assert len(set(run_of_100k)) == 100_000
    assert all(serials.serial_is_well_formed(s) for s in run_of_100k)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and a[n] == b[n]:
        n += 1
    return n


def test_consecutive_serials_share_no_prefix_beyond_chance(run_of_100k):
    prefixes = [_common_prefix(a, b) for a, b in itertools.pairwise(run_of_100k)]
    # By chance a pair shares k leading symbols with probability 32**-k: ~0.1 pairs in 100,000 share 4.
    assert sum(p >= 4 for p in prefixes) <= 5
    assert sum(prefixes) / len(prefixes) < 0.05  # chance: 1/31 ≈ 0.032


@pytest.mark.parametrize("position", [0, 6, serials.RANDOM_LENGTH - 1])
def test_each_random_symbol_is_uniformly_distributed(run_of_100k, position):
    counts = collections.Counter(s[position] for s in run_of_100k)
    expected = len(run_of_100k) / 32
    chi_square = sum((counts.get(c, 0) - expected) ** 2 / expected for c in serials.ALPHABET)
    # 31 degrees of freedom: P(chi² > 85) < 1e-6 for a uniform source, while an order or bias shows at once.
    assert chi_square < 85, counts


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("abcd-efgh-jkmn-pq", "ABCDEFGHJKMNPQ"),
        (" ABCD EFGH\tJKMN PQ ", "ABCDEFGHJKMNPQ"),
        ("ABCD–EFGH—JKMN_PQ", "ABCDEFGHJKMNPQ"),
        ("O0Il", "0011"),
    ],
)
def test_a_typed_serial_is_normalised_as_people_type_it(typed, canonical):
    assert serials.normalise_serial(typed) == canonical


def test_a_serial_read_aloud_in_groups_parses_back():
    serial = serials.new_serial()
    grouped = serials.format_serial(serial)
    assert grouped.count("-") == 3
    assert [len(g) for g in grouped.split("-")] == [4, 4, 4, 2]
    assert serials.parse_serial(grouped.lower()) == serial


def test_a_serial_typed_with_o_for_zero_is_still_recognised():
    serial = next(s for s in serials.new_serials(1000) if "0" in s)
    assert serials.parse_serial(serial.replace("0", "o")) == serial


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ABCD", "has 14 characters"),
        ("ABCDEFGHJKMNPU", "without I, L, O and U"),
        ("ABCDEFGHJKMNP#", "without I, L, O and U"),
    ],
)
def test_a_malformed_serial_is_refused_with_a_clear_message(typed, message):
    with pytest.raises(ValueError, match=message):
        serials.parse_serial(typed)


def test_a_typing_mistake_is_reported_as_such():
    serial = serials.new_serial()
    wrong = ("1" if serial[3] != "1" else "2").join([serial[:3], serial[4:]])
    with pytest.raises(ValueError, match="typing mistake"):
        serials.parse_serial(wrong)


def test_a_negative_count_of_serials_is_refused():
    with pytest.raises(ValueError):
        serials.new_serials(-1)
    assert serials.new_serials(0) == []
