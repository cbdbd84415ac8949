"""VietQR bank-transfer codes: the EMVCo merchant-presented QR payload per the NAPAS VietQR spec.

Built here rather than by a third-party service so that checkout works offline from any provider
and the amount and reference cannot be changed on the way. Pure functions, no database.

Payload (each data object is ID, two-digit length, value; lengths count characters, all ASCII):

====  ==================================================================================
00    payload format indicator "01"
01    point of initiation: "12" dynamic (one payment, with amount) or "11" static
38    merchant account information (VietQR): 00 GUID "A000000727"; 01 beneficiary
      organisation (00 acquirer BIN, 6 digits; 01 account number, at most 19 characters);
      02 service code "QRIBFTTA" (transfer to an account)
53    currency "704" (Vietnamese đồng, ISO 4217)
54    amount in whole đồng (dynamic codes only)
58    country "VN"
59    beneficiary name (optional, at most 25 characters, no diacritics; a longer name is cut after a word)
62    additional data: 08 purpose of transaction, i.e. the transfer reference (at most 25)
63    CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF) over everything before its value,
      including "6304", as 4 upper-case hex digits
====  ==================================================================================
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

GUID_NAPAS = "A000000727"
SERVICE_TRANSFER_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
INITIATION_STATIC = "11"
INITIATION_DYNAMIC = "12"

ACCOUNT_MAX_LENGTH = 19
REFERENCE_MAX_LENGTH = 25
MERCHANT_NAME_MAX_LENGTH = 25
#: Largest amount that fits the 13-character amount field.
AMOUNT_MAX_VND = 10**13 - 1

_BIN = re.compile(r"\d{6}")
_ACCOUNT = re.compile(r"[0-9A-Za-z]{1,19}")
# Banks pass the reference to the recipient's statement; letters, digits and spaces survive every app.
_REFERENCE = re.compile(r"[0-9A-Za-z ]+")
_NAME = re.compile(r"[0-9A-Za-z .,&'()/-]+")


def strip_diacritics(text: str) -> str:
    """Vietnamese text in plain ASCII letters: "Đơn hàng số 12" → "Don hang so 12"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def shorten_at_word(text: str, limit: int) -> str:
    """At most `limit` characters, cut after a whole word.

    "HTX CAM SANH VIET QUANG HA GIANG" (32) → "HTX CAM SANH VIET QUANG" (23). A first word longer than
    the limit is cut (there is nothing better to keep).
    """
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else ""
    return (cut or text[:limit]).rstrip()


def crc16_ccitt(data: bytes, crc: int = 0xFFFF) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR."""
    for byte in data:
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"data object {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def vietqr_payload(
    *,
    bank_bin: str,
    account: str,
    amount_vnd: int | None,
    reference: str,
    merchant_name: str | None = None,
) -> str:
    """The text to encode in the QR code for a bank transfer to *account* at the bank *bank_bin*.

    With *amount_vnd* the code is dynamic (one payment of that amount); without, static. The
    *reference* (e.g. the order number) is what the buyer's app puts in the transfer description:
    Vietnamese diacritics are removed, and it must then be letters, digits and spaces, at most 25.
    Raises ValueError with a message naming the problem.
    """
    if not isinstance(bank_bin, str) or not _BIN.fullmatch(bank_bin):
        raise ValueError(_("The bank BIN has exactly 6 digits (e.g. 970436)."))
    account = account.strip() if isinstance(account, str) else ""
    if not _ACCOUNT.fullmatch(account):
        raise ValueError(
            _("The bank account number has 1 to %(max)d letters or digits, without spaces.")
            % {"max": ACCOUNT_MAX_LENGTH}
        )
    if amount_vnd is not None:
        if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int):
            raise ValueError(_("The amount is a whole number of đồng."))
        if amount_vnd <= 0:
            raise ValueError(_("The amount must be more than 0 đồng."))
        if amount_vnd > AMOUNT_MAX_VND:
            raise ValueError(_("The amount is too large for a VietQR code."))
    plain_reference = " ".join(strip_diacritics(reference or "").split())
    if not plain_reference:
        raise ValueError(_("The transfer reference is empty."))
    if len(plain_reference) > REFERENCE_MAX_LENGTH:
        raise ValueError(
            _("The transfer reference has at most %(max)d characters (got %(count)d).")
            % {"max": REFERENCE_MAX_LENGTH, "count": len(plain_reference)}
        )
    if not _REFERENCE.fullmatch(plain_reference):
        raise ValueError(_("The transfer reference may contain only letters, digits and spaces."))
    plain_name = None
    if merchant_name:
        plain_name = " ".join(strip_diacritics(merchant_name).split()).upper()
        if len(plain_name) > MERCHANT_NAME_MAX_LENGTH:
            plain_name = shorten_at_word(plain_name, MERCHANT_NAME_MAX_LENGTH)
        if not _NAME.fullmatch(plain_name):
            raise ValueError(
                _("The account holder's name may contain only letters, digits, spaces and . , & ' ( ) / -")
            )

    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant_account = _tlv("00", GUID_NAPAS) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TRANSFER_TO_ACCOUNT)
    parts = [
        _tlv("00", "01"),
        _tlv("01", INITIATION_DYNAMIC if amount_vnd is not None else INITIATION_STATIC),
        _tlv("38", merchant_account),
        _tlv("53", CURRENCY_VND),
    ]
    if amount_vnd is not None:
        parts.append(_tlv("54", str(amount_vnd)))
    parts.append(_tlv("58", COUNTRY_VN))
    if plain_name:
        parts.append(_tlv("59", plain_name))
    parts.append(_tlv("62", _tlv("08", plain_reference)))
    body = "".join(parts) + "6304"
    return body + f"{crc16_ccitt(body.encode('ascii')):04X}"


#: Templates whose value is itself a list of data objects (parsed recursively by parse_emv).
_TEMPLATES = {"62", "64", *(f"{n:02d}" for n in range(26, 52)), *(f"{n:02d}" for n in range(80, 100))}


def parse_tlv(text: str) -> dict[str, str]:
    """Split EMV data objects (ID, 2-digit length, value); raise ValueError if the text is malformed."""
    out: dict[str, str] = {}
    i = 0
    while i < len(text):
        if i + 4 > len(text):
            raise ValueError(_("The payment code is cut short."))
        tag, length = text[i : i + 2], text[i + 2 : i + 4]
        if not (tag.isdigit() and length.isdigit()):
            raise ValueError(_("The payment code is not a valid EMV QR payload."))
        end = i + 4 + int(length)
        if end > len(text):
            raise ValueError(_("The payment code is cut short."))
        if tag in out:
            raise ValueError(_("The payment code repeats the field %(tag)s.") % {"tag": tag})
        out[tag] = text[i + 4 : end]
        i = end
    return out


def parse_emv(payload: str) -> dict:
    """Parse an EMVCo merchant-presented payload and verify its CRC.

    Returns the top-level data objects by ID, with templates (26-51, 62, 64, 80-99) parsed into
    nested dicts, e.g. ``result["38"]["01"]["00"]`` is the bank BIN of a VietQR code.
    """
    if not payload.isascii():
        raise ValueError(_("The payment code is not a valid EMV QR payload."))
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise ValueError(_("The payment code has no checksum (field 63) at its end."))
    expected = f"{crc16_ccitt(payload[:-4].encode('ascii')):04X}"
    if payload[-4:].upper() != expected:
        raise ValueError(_("The payment code's checksum is wrong: it was damaged or altered."))
    fields: dict = dict(parse_tlv(payload))
    for tag, value in list(fields.items()):
        if tag in _TEMPLATES:
            sub: dict = dict(parse_tlv(value))
            if tag == "38" and "01" in sub:
                sub["01"] = parse_tlv(sub["01"])
            fields[tag] = sub
    return fields
