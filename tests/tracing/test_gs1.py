"""GTINs and GS1 AI values as producers type them and as scanners read them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracing import gs1

# Published examples: EAN-13, EAN-8, UPC-A (GTIN-12), GTIN-14 (GS1 General Specifications examples).
VALID_GTINS = [
    ("4006381333931", "04006381333931"),
    ("96385074", "00000096385074"),
    ("036000291452", "00036000291452"),
    ("8938500000010", "08938500000010"),
    ("10614141000415", "10614141000415"),
]


@pytest.mark.parametrize(("code", "gtin14"), VALID_GTINS)
def test_a_valid_gtin_of_any_length_normalises_to_14_digits(code, gtin14):
    assert gs1.gtin_is_valid(code)
    assert gs1.gtin_to_14(code) == gtin14
    assert gs1.gtin_is_valid(gtin14)


@pytest.mark.parametrize(
    ("body", "check"),
    [("400638133393", "1"), ("9638507", "4"), ("03600029145", "2"), ("1061414100041", "5"), ("0000000000000", "0")],
)
def test_the_check_digit_is_computed_with_weights_three_and_one_from_the_right(body, check):
    assert gs1.gtin_check_digit(body) == check


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("40063813339A1", "digits 0-9 only"),
        ("４００６３８１３３３９３１", "digits 0-9 only"),  # full-width digits are not GTIN digits
        ("", "digits 0-9 only"),
        ("400638133", "8, 12, 13 or 14 digits"),
        ("400638133393100", "8, 12, 13 or 14 digits"),
        ("4006381333932", "last digit should be 1"),
        ("96385075", "last digit should be 4"),
    ],
)
def test_a_bad_gtin_is_refused_with_a_message_that_says_what_is_wrong(code, message):
    assert not gs1.gtin_is_valid(code)
    with pytest.raises(ValueError, match=message):
        gs1.gtin_to_14(code)


def test_a_check_digit_is_asked_only_for_a_body_of_a_gtin_length():
    with pytest.raises(ValueError, match="7, 11, 12 or 13 digits"):
        gs1.gtin_check_digit("123")


@given(st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_every_wrong_last_digit_of_a_gtin_is_caught(body):
    good = body + gs1.gtin_check_digit(body)
    assert gs1.gtin_is_valid(good)
    for digit in "0123456789":
        if digit != good[-1]:
            assert not gs1.gtin_is_valid(body + digit)


def test_the_ai_character_set_is_the_82_characters_of_the_gs1_general_specifications():
    expected = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
    assert len(gs1.CSET82) == 82
    assert set(expected) == gs1.CSET82


@pytest.mark.parametrize("lot", ["2025-07", "L1", "A/B.C_d", "x" * 20, "%&'()*+,-./:;<=>?!\""])
def test_a_lot_of_up_to_20_gs1_characters_is_accepted(lot):
    assert gs1.validate_lot(lot) == lot
    assert gs1.lot_is_valid(lot)


@pytest.mark.parametrize(
    ("lot", "message"),
    [
        ("", "empty"),
        ("x" * 21, "at most 20"),
        ("lô 1", "not allowed"),
        ("A B", "not allowed"),
        ("A#B", "not allowed"),
        ("A~B", "not allowed"),
    ],
)
def test_a_lot_outside_the_gs1_rules_is_refused(lot, message):
    assert not gs1.lot_is_valid(lot)
    with pytest.raises(ValueError, match=message):
        gs1.validate_lot(lot)


def test_a_serial_number_follows_the_same_gs1_rules_as_a_lot():
    assert gs1.validate_ai21("ABC-123") == "ABC-123"
    with pytest.raises(ValueError, match="at most 20"):
        gs1.validate_ai21("A" * 21)
