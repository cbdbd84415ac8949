"""VietQR bank-transfer codes: the payload a banking app reads, with a checksum verified independently."""

import binascii

import pytest
import zxingcpp
from django.utils import translation

from backend.qr import qr_image
from marketplace import vietqr


@pytest.fixture(autouse=True)
def _english_messages():
    """The messages are asserted in English, the source language (Vietnamese is the default)."""
    with translation.override("en"):
        yield


ORDER = {"bank_bin": "970436", "account": "0011001234567", "amount_vnd": 250_000, "reference": "HG000123"}


def tlvs(text: str) -> list[tuple[str, str]]:
    """An independent reading of EMV data objects: ID, two-digit length, value."""
    out, i = [], 0
    while i < len(text):
        length = int(text[i + 2 : i + 4])
        out.append((text[i : i + 2], text[i + 4 : i + 4 + length]))
        i += 4 + length
    assert i == len(text)
    return out


def crc_ok(payload: str) -> bool:
    # binascii.crc_hqx is CRC-CCITT with polynomial 0x1021; started at 0xFFFF it is CRC-16/CCITT-FALSE.
    return payload[-4:] == f"{binascii.crc_hqx(payload[:-4].encode('ascii'), 0xFFFF):04X}"


def test_an_order_payment_code_carries_bank_account_amount_and_reference():
    payload = vietqr.vietqr_payload(**ORDER)
    top = tlvs(payload)
    assert [tag for tag, _ in top] == ["00", "01", "38", "53", "54", "58", "62", "63"]
    fields = dict(top)
    assert fields["00"] == "01"
    assert fields["01"] == "12"  # dynamic: one payment of this amount
    merchant = dict(tlvs(fields["38"]))
    assert merchant == {"00": "A000000727", "01": merchant["01"], "02": "QRIBFTTA"}
    assert dict(tlvs(merchant["01"])) == {"00": "970436", "01": "0011001234567"}
    assert fields["53"] == "704"
    assert fields["54"] == "250000"
    assert fields["58"] == "VN"
    assert dict(tlvs(fields["62"])) == {"08": "HG000123"}
    assert payload[-8:-4] == "6304"
    assert crc_ok(payload)
    assert payload[-4:] == payload[-4:].upper()


def test_the_checksum_is_crc16_ccitt_false():
    assert vietqr.crc16_ccitt(b"123456789") == 0x29B1  # the catalogued check value
    assert vietqr.crc16_ccitt(b"") == 0xFFFF


def test_a_code_without_an_amount_is_static_and_has_no_amount_field():
    payload = vietqr.vietqr_payload(**{**ORDER, "amount_vnd": None})
    fields = dict(tlvs(payload))
    assert fields["01"] == "11"
    assert "54" not in fields
    assert crc_ok(payload)


def test_vietnamese_reference_and_name_are_sent_without_diacritics():
    payload = vietqr.vietqr_payload(
        **{**ORDER, "reference": "Đơn hàng  HG 000123"}, merchant_name="Hợp tác xã Cam Bắc Quang"
    )
    fields = vietqr.parse_emv(payload)
    assert fields["62"]["08"] == "Don hang HG 000123"
    assert fields["59"] == "HOP TAC XA CAM BAC QUANG"
    assert payload.isascii()


def test_the_parser_returns_nested_fields_and_verifies_the_checksum():
    fields = vietqr.parse_emv(vietqr.vietqr_payload(**ORDER))
    assert fields["38"]["01"] == {"00": "970436", "01": "0011001234567"}
    assert fields["54"] == "250000"


def test_a_payment_code_with_a_changed_amount_is_rejected():
    payload = vietqr.vietqr_payload(**ORDER)
    tampered = payload.replace("5406250000", "5406950000")
    assert tampered != payload
    with pytest.raises(ValueError, match="checksum is wrong"):
        vietqr.parse_emv(tampered)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("", "no checksum"),
        ("000201", "no checksum"),
        ("0002016304" + "0000", "checksum is wrong"),
        ("0002ÿ16304ABCD", "not a valid EMV"),
    ],
)
def test_a_malformed_payload_is_rejected_clearly(payload, message):
    with pytest.raises(ValueError, match=message):
        vietqr.parse_emv(payload)


def test_a_payload_whose_fields_run_past_its_end_is_rejected():
    body = "00020101021238990010A000000727" + "6304"
    payload = body + f"{vietqr.crc16_ccitt(body.encode()):04X}"
    with pytest.raises(ValueError, match="cut short"):
        vietqr.parse_emv(payload)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bank_bin": "97043"}, "6 digits"),
        ({"bank_bin": "97043a"}, "6 digits"),
        ({"bank_bin": 970436}, "6 digits"),
        ({"account": ""}, "1 to 19"),
        ({"account": "0011 0012"}, "1 to 19"),
        ({"account": "1" * 20}, "1 to 19"),
        ({"account": "tài khoản"}, "1 to 19"),
        ({"amount_vnd": 0}, "more than 0"),
        ({"amount_vnd": -5000}, "more than 0"),
        ({"amount_vnd": 1500.5}, "whole number"),
        ({"amount_vnd": True}, "whole number"),
        ({"amount_vnd": "250000"}, "whole number"),
        ({"amount_vnd": 10**13}, "too large"),
        ({"reference": ""}, "empty"),
        ({"reference": "   "}, "empty"),
        ({"reference": "x" * 26}, "at most 25"),
        ({"reference": "HG#123"}, "letters, digits and spaces"),
        ({"reference": "đơn 🍊"}, "letters, digits and spaces"),
    ],
)
def test_bad_inputs_are_refused_with_a_message_naming_the_problem(changes, message):
    with pytest.raises(ValueError, match=message):
        vietqr.vietqr_payload(**{**ORDER, **changes})


def test_a_long_account_holder_name_is_shortened_to_the_25_characters_allowed():
    payload = vietqr.vietqr_payload(**ORDER, merchant_name="Hợp tác xã nông nghiệp Cam sành Bắc Quang Hà Giang")
    assert len(vietqr.parse_emv(payload)["59"]) <= 25


def test_a_long_account_holder_name_is_cut_after_a_whole_word():
    payload = vietqr.vietqr_payload(**ORDER, merchant_name="HTX Cam sành Việt Quang Hà Giang")
    assert vietqr.parse_emv(payload)["59"] == "HTX CAM SANH VIET QUANG"


def test_the_payload_survives_a_qr_code_round_trip():
    payload = vietqr.vietqr_payload(**ORDER, merchant_name="HTX Cam Ha Giang")
    [found] = zxingcpp.read_barcodes(qr_image(payload), formats=zxingcpp.BarcodeFormat.QRCode)
    assert found.text == payload
    assert crc_ok(found.text)
