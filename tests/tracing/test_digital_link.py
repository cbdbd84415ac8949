"""GS1 Digital Link URIs printed in stamp QR codes, and how scanned links are read back."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracing import digital_link as dl
from tracing import dl_compression
from tracing.stamps import serials

SITE = "https://origin.test"
GTIN14 = "08938500000010"
GTIN13 = "8938500000010"
SERIAL = serials.new_serials(1)[0]
OTHER_SERIAL = serials.new_serials(1)[0]
# The serial with its check symbol replaced by another one: a typo.
TYPO = SERIAL[:-1] + next(c for c in serials.ALPHABET if c != SERIAL[-1])


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
    assert dl.parse_stamp_path(url[len(SITE) :]) == dl.DigitalLinkPath(GTIN14, lot, SERIAL)


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
        (f"/01/{GTIN14}", (GTIN14, None, None)),
        (f"/01/{GTIN14}/10/2025-07", (GTIN14, "2025-07", None)),
        (f"/t/{SERIAL}", (None, None, SERIAL)),
        (f"/t/{SERIAL}/", (None, None, SERIAL)),
        (f"/t/{serials.format_serial(SERIAL)}", (None, None, SERIAL)),
    ],
)
def test_valid_stamp_links_are_read(path, expected):
    raw_path, _q, query = path.partition("?")
    assert dl.parse_stamp_path(raw_path, query) == dl.DigitalLinkPath(*expected)


@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        (f"/01/08938500000011/21/{SERIAL}", dl.BadGTINError, "check digit"),
        (f"/01/893850000001/21/{SERIAL}", dl.BadGTINError, "check digit"),
        (f"/01/89385000000/21/{SERIAL}", dl.BadGTINError, "too short"),
        (f"/01/8938500O00010/21/{SERIAL}", dl.BadGTINError, "only digits"),
        (f"/01/{GTIN14}/21/{SERIAL}/10/2025-07", dl.QualifierOrderError, "lot \\(10\\) comes before"),
        (f"/01/{GTIN14}/10/A/10/B/21/{SERIAL}", dl.QualifierOrderError, "at most once"),
        (f"/01/{GTIN14}/99/x/21/{SERIAL}", dl.QualifierOrderError, "\\(99\\) cannot stand in the path"),
        (f"/01/{GTIN14}/22/ABC/21/{SERIAL}", dl.NotAStampLinkError, "\\(22\\)"),
        (f"/414/0614141000036/21/{SERIAL}", dl.QualifierOrderError, "\\(414\\)"),
        ("/414/0614141000036", dl.NotAStampLinkError, "\\(414\\)"),
        (f"/01/{GTIN14}/21", dl.MissingValueError, "\\(21\\) has no value"),
        (f"/01/{GTIN14}/10", dl.MissingValueError, "\\(10\\) has no value"),
        ("/", dl.MissingValueError, "does not contain"),
        ("/t/", dl.MissingSerialError, "does not contain a stamp code"),
        (f"/01/{GTIN14}/21/{TYPO}", dl.MalformedSerialError, "not a valid stamp code"),
        (f"/01/{GTIN14}/21/ABC", dl.MalformedSerialError, "not a valid stamp code"),
        (f"/t/{TYPO}", dl.MalformedSerialError, "not a valid stamp code"),
        (f"/01/{GTIN14}/21/{SERIAL}/extra", dl.ExtraSegmentsError, "unexpected parts"),
        (f"/01/{GTIN14}/21/{SERIAL}/21/{OTHER_SERIAL}", dl.QualifierOrderError, "at most once"),
        (f"/01/{GTIN14}/21/{SERIAL}/17/261231", dl.QualifierOrderError, "\\(17\\) cannot stand in the path"),
        (f"/t/{SERIAL}/more", dl.ExtraSegmentsError, "unexpected parts"),
        (f"/01//21/{SERIAL}", dl.DigitalLinkError, "empty part"),
        (f"/01/{GTIN14}/10/l%C3%B4/21/{SERIAL}", dl.BadLotError, "outside the GS1 character set"),
        ("/favicon.ico/x", dl.DigitalLinkError, "not a GS1 Digital Link"),
        # Serial values outside the GS1 AI encodable character set 82, raw or percent-encoded.
        (f"/01/{GTIN14}/21/{SERIAL[:7]}%20{SERIAL[7:]}", dl.BadSerialError, "outside the GS1 character set"),
        (f"/01/{GTIN14}/21/{SERIAL[:7]}%E2%80%93{SERIAL[7:]}", dl.BadSerialError, "outside the GS1 character set"),
        (f"/01/{GTIN14}/21/{SERIAL[:7]}%C2%A0{SERIAL[7:]}", dl.BadSerialError, "outside the GS1 character set"),
        (f"/01/{GTIN14}/21/{SERIAL[:7]}%09{SERIAL[7:]}", dl.BadSerialError, "outside the GS1 character set"),
        (f"/01/{GTIN14}/21/{SERIAL[:7]}<{SERIAL[7:]}", dl.InvalidCharactersError, "not allowed in a web address"),
        (f'/01/{GTIN14}/21/{SERIAL[:7]}"{SERIAL[7:]}', dl.InvalidCharactersError, "not allowed in a web address"),
        (f"/01/{GTIN14}/21/{SERIAL} ", dl.InvalidCharactersError, "not allowed in a web address"),
        (f"/01/{GTIN14}/21/{SERIAL}\n", dl.InvalidCharactersError, "not allowed in a web address"),
        (f"/01/{GTIN14}/21/{SERIAL}%0A", dl.BadSerialError, "outside the GS1 character set"),
        (f"/t/{SERIAL}%0A", dl.BadSerialError, "outside the GS1 character set"),
        (f"/t/{SERIAL[:7]}%20{SERIAL[7:]}", dl.BadSerialError, "outside the GS1 character set"),
        (f"/01/{GTIN14}/21/{SERIAL}{SERIAL}", dl.BadSerialError, "at most 20"),
        (f"/t/{SERIAL}{SERIAL}", dl.BadSerialError, "at most 20"),
        (f"/01/{GTIN14}/10/{'L' * 21}/21/{SERIAL}", dl.BadLotError, "at most 20"),
        (f"/01/{GTIN14}/21/{SERIAL}%00", dl.InvalidCharactersError, "NUL"),
    ],
)
def test_invalid_stamp_links_are_refused_with_a_specific_error(path, error, message):
    raw_path, _q, query = path.partition("?")
    with pytest.raises(error, match=message) as raised:
        dl.parse_stamp_path(raw_path, query)
    assert isinstance(raised.value, dl.DigitalLinkError)
    assert raised.value.code


def test_every_kind_of_refusal_has_its_own_code():
    kinds = [dl.BadGTINError, dl.QualifierOrderError, dl.UnknownAIError, dl.MissingSerialError]
    kinds += [dl.MalformedSerialError, dl.BadLotError, dl.ExtraSegmentsError, dl.DigitalLinkError]
    kinds += [dl.InvalidCharactersError, dl.MissingValueError, dl.BadSerialError, dl.BadValueError]
    kinds += [dl.QueryAttributeError, dl.CompressedLinkError, dl.NotAStampLinkError]
    assert len({k.code for k in kinds}) == len(kinds)


def test_the_canonical_path_is_what_would_be_printed():
    link = dl.parse_stamp_path(f"/01/{GTIN13}/10/A%2FB/21/{SERIAL.lower()}")
    assert link.path() == f"/01/{GTIN14}/10/A%2FB/21/{SERIAL}"
    assert dl.parse_stamp_path(f"/t/{SERIAL}").path() == f"/t/{SERIAL}"
    assert dl.parse_stamp_path(f"/01/{GTIN14}/10/A%2dB").path() == f"/01/{GTIN14}/10/A-B"


# -- the query string: GS1 data attributes ----------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "attributes"),
    [
        ("17=261231", (("17", "261231"),)),
        ("17=261231&linkType=gs1:pip&foo", (("17", "261231"),)),
        ("3103=000195&15=270100", (("3103", "000195"), ("15", "270100"))),
        ("linkType=all", ()),
    ],
)
def test_valid_data_attributes_are_kept(query, attributes):
    parsed = dl.parse_path(f"/01/{GTIN14}/21/{SERIAL}", query)
    assert parsed.attributes == attributes


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("21=OTHER", "\\(21\\) is given twice"),
        (f"01={GTIN14}", "\\(01\\) is given twice"),
        ("10=L1", "\\(10\\) belongs in the path"),
        ("17=261332", "\\(17\\) is not a valid date"),
        ("17=2612", "\\(17\\) is too short"),
        ("17=261231&17=261230", "\\(17\\) is given twice"),
        ("999=x", "\\(999\\), which is not a GS1 application identifier"),
        ("17=", "\\(17\\) has no value"),
        ("22=ABC", "\\(22\\) cannot be a data attribute"),
        ("254=X", "\\(254\\) cannot be a data attribute"),
        ("02=08938500000010", "\\(02\\) and \\(01\\) cannot be used together|\\(01\\) and \\(02\\)"),
        ("8200=https%3A%2F%2Fx.test", "\\(8200\\) cannot be a data attribute"),
    ],
)
def test_bad_data_attributes_are_refused(query, message):
    with pytest.raises(dl.DigitalLinkError, match=message):
        dl.parse_path(f"/01/{GTIN14}/21/{SERIAL}", query)


def test_a_date_attribute_is_checked_as_a_date():
    assert dl.parse_path(f"/01/{GTIN14}", "17=280229").attributes == (("17", "280229"),)  # 2028 is a leap year
    with pytest.raises(dl.QueryAttributeError, match="not a valid date"):
        dl.parse_path(f"/01/{GTIN14}", "17=270229")


# -- compression --------------------------------------------------------------------------------------


def test_a_compressed_stamp_link_reads_as_the_link_it_stands_for():
    segment = dl_compression.compress([("01", GTIN14), ("10", "2025-07"), ("21", SERIAL)])
    link = dl.parse_stamp_path(f"/{segment}")
    assert link == dl.DigitalLinkPath(GTIN14, "2025-07", SERIAL)
    assert link.parsed.compressed


def test_a_partly_compressed_link_keeps_its_readable_gtin():
    segment = dl_compression.compress([("10", "L1"), ("21", SERIAL)])
    assert dl.parse_stamp_path(f"/01/{GTIN14}/{segment}") == dl.DigitalLinkPath(GTIN14, "L1", SERIAL)


CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


@settings(max_examples=200, deadline=None)
@given(
    lot=st.text(alphabet=CSET82, min_size=1, max_size=20),
    expiry=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2049, 12, 31)),
    others=st.lists(
        st.tuples(st.from_regex(r"[a-zA-Z][A-Za-z0-9_-]{0,8}", fullmatch=True), st.text(alphabet=CSET82, max_size=30)),
        max_size=2,
        unique_by=lambda pair: pair[0],
    ),
    optimise=st.booleans(),
)
def test_compression_round_trips_any_stamp_link(lot, expiry, others, optimise):
    """Our own property test: compress then decompress gives back every element and every other pair."""
    elements = [("01", GTIN14), ("10", lot), ("17", expiry.strftime("%y%m%d")), ("21", SERIAL)]
    segment = dl_compression.compress(elements, others, optimise=optimise)
    got_elements, got_others = dl_compression.decompress(segment)
    assert sorted(got_elements) == sorted(elements)
    assert got_others == others


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=dl_compression.SAFE64, min_size=1, max_size=60))
def test_decompressing_any_segment_either_works_or_says_why(segment):
    try:
        elements, _others = dl_compression.decompress(segment)
    except dl_compression.CompressionError as exc:
        assert str(exc)
    else:
        assert elements


@settings(max_examples=300, deadline=None)
@given(
    lot=st.text(alphabet=CSET82, min_size=1, max_size=20),
    serial=st.sampled_from([SERIAL, SERIAL.lower(), serials.format_serial(SERIAL)]),
    gtin=st.sampled_from([GTIN14, GTIN13]),
)
def test_the_canonical_path_reads_back_as_itself(lot, serial, gtin):
    link = dl.parse_stamp_path(f"/01/{gtin}/10/{dl.encode_value(lot)}/21/{serial}")
    canonical = dl.canonical_stamp_path(link)
    again = dl.parse_stamp_path(canonical)
    assert again == link and dl.canonical_stamp_path(again) == canonical


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
    assert dl.parse_url(f"  {serials.format_serial(SERIAL).lower()} ", SITE).serial == SERIAL
