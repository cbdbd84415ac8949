"""GS1 Digital Link URIs printed in stamp QR codes, and how scanned links are read back."""

import pytest

from tracing import codes
from tracing import digital_link as dl

SITE = "https://origin.test"
GTIN14 = "08938500000010"
GTIN13 = "8938500000010"
SERIAL = codes.new_serials(1)[0]
OTHER_SERIAL = codes.new_serials(1)[0]
# The serial with its check symbol replaced by another one: a typo.
TYPO = SERIAL[:-1] + next(c for c in codes.ALPHABET if c != SERIAL[-1])


def test_a_stamp_of_a_product_with_a_gtin_links_with_the_gs1_digital_link_form():
    url = dl.build_url(SITE, serial=SERIAL, gtin14=GTIN14, lot="2025-07")
    assert url == f"{SITE}/01/{GTIN14}/10/2025-07/21/{SERIAL}"


def test_the_lot_is_optional_and_a_shorter_gtin_is_printed_as_gtin_14():
    assert dl.build_url(SITE + "/", serial=SERIAL, gtin14=GTIN13) == f"{SITE}/01/{GTIN14}/21/{SERIAL}"


def test_a_stamp_of_a_product_without_a_gtin_links_with_the_short_form():
    assert dl.build_url(SITE, serial=SERIAL) == f"{SITE}/t/{SERIAL}"


@pytest.mark.parametrize(
    ("lot", "encoded"),
    [("A/B", "A%2FB"), ("50%", "50%25"), ("L&1?", "L%261%3F"), ("a.b-c_d", "a.b-c_d"), ('"x"', "%22x%22")],
)
def test_a_lot_with_gs1_punctuation_is_percent_encoded_and_reads_back(lot, encoded):
    url = dl.build_url(SITE, serial=SERIAL, gtin14=GTIN14, lot=lot)
    assert f"/10/{encoded}/21/" in url
    assert dl.parse_path(url[len(SITE) :]) == dl.DigitalLinkPath(GTIN14, lot, SERIAL)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"serial": "NOT-A-SERIAL"}, "well-formed"),
        ({"serial": TYPO}, "well-formed"),
        ({"serial": SERIAL, "gtin14": "08938500000011"}, "check digit"),
        ({"serial": SERIAL, "gtin14": GTIN14, "lot": "lô 1"}, "not allowed"),
        ({"serial": SERIAL, "gtin14": GTIN14, "lot": "x" * 21}, "at most 20"),
    ],
)
def test_a_bad_code_is_never_printed(kwargs, message):
    with pytest.raises(ValueError, match=message):
        dl.build_url(SITE, **kwargs)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (f"/01/{GTIN14}/10/2025-07/21/{SERIAL}", (GTIN14, "2025-07", SERIAL)),
        (f"/01/{GTIN14}/21/{SERIAL}", (GTIN14, None, SERIAL)),
        (f"/01/{GTIN13}/21/{SERIAL}", (GTIN14, None, SERIAL)),
        (f"/01/00000096385074/21/{SERIAL}", ("00000096385074", None, SERIAL)),
        (f"/01/96385074/10/L1/21/{SERIAL}", ("00000096385074", "L1", SERIAL)),
        (f"/01/036000291452/21/{SERIAL}", ("00036000291452", None, SERIAL)),
        (f"/01/{GTIN14}/21/{SERIAL}/", (GTIN14, None, SERIAL)),
        (f"/01/{GTIN14}/21/{SERIAL}?17=261231&linkType=gs1:pip", (GTIN14, None, SERIAL)),
        (f"/01/{GTIN14}/21/{SERIAL.lower()}", (GTIN14, None, SERIAL)),
        (f"/gtin/{GTIN14}/lot/L1/ser/{SERIAL}", (GTIN14, "L1", SERIAL)),
        (f"/t/{SERIAL}", (None, None, SERIAL)),
        (f"/t/{codes.format_serial(SERIAL)}", (None, None, SERIAL)),
    ],
)
def test_valid_stamp_links_are_read(path, expected):
    assert dl.parse_path(path) == dl.DigitalLinkPath(*expected)


@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        (f"/01/08938500000011/21/{SERIAL}", dl.BadGTINError, "check digit"),
        (f"/01/893850000001/21/{SERIAL}", dl.BadGTINError, "check digit"),
        (f"/01/89385000000/21/{SERIAL}", dl.BadGTINError, "8, 12, 13 or 14 digits"),
        (f"/01/8938500O00010/21/{SERIAL}", dl.BadGTINError, "digits 0-9 only"),
        (f"/01/{GTIN14}/21/{SERIAL}/10/2025-07", dl.QualifierOrderError, "lot \\(10\\) comes before"),
        (f"/01/{GTIN14}/10/A/10/B/21/{SERIAL}", dl.QualifierOrderError, "at most once"),
        (f"/01/{GTIN14}/99/x/21/{SERIAL}", dl.UnknownAIError, "\\(99\\)"),
        (f"/01/{GTIN14}/22/ABC/21/{SERIAL}", dl.UnknownAIError, "\\(22\\)"),
        (f"/414/0614141000036/21/{SERIAL}", dl.UnknownAIError, "\\(414\\)"),
        (f"/01/{GTIN14}", dl.MissingSerialError, "does not contain"),
        (f"/01/{GTIN14}/10/2025-07", dl.MissingSerialError, "serial number"),
        (f"/01/{GTIN14}/21", dl.MissingSerialError, "does not contain"),
        ("/", dl.MissingSerialError, "does not contain"),
        ("/t", dl.MissingSerialError, "does not contain"),
        (f"/01/{GTIN14}/21/{TYPO}", dl.MalformedSerialError, "not a valid stamp code"),
        (f"/01/{GTIN14}/21/ABC", dl.MalformedSerialError, "not a valid stamp code"),
        (f"/t/{TYPO}", dl.MalformedSerialError, "not a valid stamp code"),
        (f"/01/{GTIN14}/21/{SERIAL}/extra", dl.ExtraSegmentsError, "unexpected parts"),
        (f"/01/{GTIN14}/21/{SERIAL}/21/{OTHER_SERIAL}", dl.QualifierOrderError, "at most once"),
        (f"/01/{GTIN14}/21/{SERIAL}/17/261231", dl.ExtraSegmentsError, "unexpected parts"),
        (f"/t/{SERIAL}/more", dl.ExtraSegmentsError, "unexpected parts"),
        (f"/01//21/{SERIAL}", dl.DigitalLinkError, "empty part"),
        (f"/01/{GTIN14}/10/l%C3%B4/21/{SERIAL}", dl.BadLotError, "not allowed"),
        ("/favicon.ico/x", dl.DigitalLinkError, "not a stamp link"),
    ],
)
def test_invalid_stamp_links_are_refused_with_a_specific_error(path, error, message):
    with pytest.raises(error, match=message) as raised:
        dl.parse_path(path)
    assert isinstance(raised.value, ValueError)
    assert raised.value.code


def test_every_kind_of_refusal_has_its_own_code():
    kinds = [dl.BadGTINError, dl.QualifierOrderError, dl.UnknownAIError, dl.MissingSerialError]
    kinds += [dl.MalformedSerialError, dl.BadLotError, dl.ExtraSegmentsError, dl.DigitalLinkError]
    assert len({k.code for k in kinds}) == len(kinds)


def test_the_canonical_path_is_what_would_be_printed():
    parsed = dl.parse_path(f"/01/{GTIN13}/10/A%2FB/21/{SERIAL.lower()}")
    assert parsed.path() == f"/01/{GTIN14}/10/A%2FB/21/{SERIAL}"
    assert dl.parse_path(f"/t/{SERIAL}").path() == f"/t/{SERIAL}"


def test_a_scanned_url_from_our_site_is_read_and_one_from_elsewhere_refused():
    url = dl.build_url(SITE, serial=SERIAL, gtin14=GTIN14, lot="L1")
    assert dl.parse_url(url, SITE) == dl.DigitalLinkPath(GTIN14, "L1", SERIAL)
    assert dl.parse_url(url.replace("https://origin.test", "HTTPS://ORIGIN.TEST"), SITE).serial == SERIAL
    with pytest.raises(dl.DigitalLinkError, match="does not come from this site"):
        dl.parse_url(url.replace("origin.test", "fake-origin.test"), SITE)


def test_a_site_mounted_under_a_path_prefix_reads_its_own_links():
    site = "https://example.test/origin"
    url = dl.build_url(site, serial=SERIAL)
    assert url == f"{site}/t/{SERIAL}"
    assert dl.parse_url(url, site).serial == SERIAL
    with pytest.raises(dl.DigitalLinkError):
        dl.parse_url(f"https://example.test/t/{SERIAL}", site)


def test_a_serial_typed_by_hand_is_accepted_where_a_scanned_link_is_expected():
    assert dl.parse_url(f"  {codes.format_serial(SERIAL).lower()} ", SITE).serial == SERIAL
