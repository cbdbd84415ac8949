"""GS1's own published test vectors, copied as data with their source, run through our parser.

Sources (each block names its repository, path, commit and test function):

* gs1/gs1-syntax-engine — GS1's reference Digital Link parser and linters (C, Apache-2.0):
  src/c-lib/dl.c (commit 02539aecd42819679326a4cd82189bb8119f7628): test_dl_parseDLuri,
  test_dl_URIunescape, test_dl_URIescape, test_dl_testValidateDLpathAIseq, test_dl_generateDLuri;
  src/c-lib/syntax/lint_cset82.c (274ba834…), lint_yymmd0.c (274ba834…), lint_csumalpha.c (1b9498e1…).
* gs1/digital-link.js — GS1's JavaScript Digital Link library: tests/index.js (commit
  0a39ac768fec4de119a1256e08d0542616f6772f), the "Compression" and "DigitalLink" suites.

A vector is copied with the options its test set (gs1-syntax-engine's permitConvenienceAlphas and
PermitZeroSuppressedGTINinDLuris map to our ``aliases`` and ``pad_gtin``). Vectors that need an
option we do not offer are listed in NOT_RUN with the reason, not silently dropped.
"""

from __future__ import annotations

import datetime
import re

import pytest

from tracing import digital_link as dl
from tracing import dl_compression, gs1_ai

STRICT = {}
ALIASES = {"aliases": True}
PAD = {"pad_gtin": True}

# -- gs1/gs1-syntax-engine src/c-lib/dl.c, test_dl_parseDLuri -------------------------------------
# (should succeed, URI, expected element string with ^ = FNC1, options)
SYNTAX_ENGINE_PARSE = [
    (False, "", "", STRICT),
    (False, "ftp://", "", STRICT),
    (False, "http://", "", STRICT),
    (False, "http:///", "", STRICT),
    (False, "http://a", "", STRICT),
    (False, "http://a/", "", STRICT),
    (False, "http://a/b", "", STRICT),
    (False, "http://a/b/", "", STRICT),
    (True, "http://a/00/006141411234567890", "^00006141411234567890", STRICT),
    (True, "HTTP://a/00/006141411234567890", "^00006141411234567890", STRICT),
    (True, "https://a/00/006141411234567890", "^00006141411234567890", STRICT),
    (True, "HTTPS://a/00/006141411234567890", "^00006141411234567890", STRICT),
    (False, "HtTp://a/b/00/006141411234567890", "", STRICT),
    (False, "https://00/006141411234567890", "", STRICT),
    (True, "https://a/01/12312312312333", "^0112312312312333", STRICT),
    (True, "https://xn--fsq.xn--0zwm56d/01/12312312312333", "^0112312312312333", STRICT),
    (True, "https://a./01/12312312312333", "^0112312312312333", STRICT),
    (True, "https://a:65535/01/12312312312333", "^0112312312312333", STRICT),
    (True, "https://192.0.2.1/01/12312312312333", "^0112312312312333", STRICT),
    (True, "https://3232235777/01/12312312312333", "^0112312312312333", STRICT),
    (True, "https://0300.0250.01.01/01/12312312312333", "^0112312312312333", STRICT),
    (True, "https://0xC0.0xA8.0x01.0x01/01/12312312312333", "^0112312312312333", STRICT),
    (True, "https://[2001:db8::1]/01/12312312312333", "^0112312312312333", STRICT),
    (False, "https://[fe80::1%25lo]/01/12312312312333", "", STRICT),
    (False, "https://$a/006141411234567890", "", STRICT),
    (False, "https://a$/006141411234567890", "", STRICT),
    (True, "https://a/stem/00/006141411234567890", "^00006141411234567890", STRICT),
    (True, "https://a/more/stem/00/006141411234567890", "^00006141411234567890", STRICT),
    (True, "https://a/00/faux/00/006141411234567890", "^00006141411234567890", STRICT),
    (False, "https://a/gtin/12312312312333", "", STRICT),
    (True, "https://a/gtin/12312312312333", "^0112312312312333", ALIASES),
    (True, "https://a/gtin/12312312312333/ser/ABC123", "^011231231231233321ABC123", ALIASES),
    (True, "https://a/sscc/006141411234567890", "^00006141411234567890", ALIASES),
    (True, "https://a/01/2112345678900", "^0102112345678900", PAD),
    (False, "https://a/01/2112345678900", "", STRICT),
    (True, "https://a/01/416000336108", "^0100416000336108", PAD),
    (False, "https://a/01/416000336108", "", STRICT),
    (True, "https://a/01/02345673", "^0100000002345673", PAD),
    (False, "https://a/01/02345673", "", STRICT),
    (True, "https://a/01/12312312312333/22/TEST/10/ABC/21/XYZ", "^011231231231233322TEST^10ABC^21XYZ", STRICT),
    (True, "https://a/01/12312312312333/235/TEST", "^0112312312312333235TEST", STRICT),
    (True, "https://a/253/1231231231232", "^2531231231231232", STRICT),
    (True, "https://a/253/1231231231232TEST5678901234567", "^2531231231231232TEST5678901234567", STRICT),
    (False, "https://a/253/1231231231232TEST56789012345678", "", STRICT),
    (True, "https://a/8018/123456789012345675/8019/123", "^8018123456789012345675^8019123", STRICT),
    (False, "https://a/stem/00/006141411234567890/", "", STRICT),
    (True, "https://a/stem/00/006141411234567890?", "^00006141411234567890", STRICT),
    (True, "https://a/stem/00/006141411234567890?99=ABC", "^0000614141123456789099ABC", STRICT),
    (True, "https://a/stem/401/12345678?99=ABC", "^40112345678^99ABC", STRICT),
    (True, "https://a/01/12312312312333?99=ABC&98=XYZ", "^011231231231233399ABC^98XYZ", STRICT),
    (False, "https://a/01/12312312312333?99=", "", STRICT),
    (False, "https://a/01/12312312312333?99=ABC&999=faux", "", STRICT),
    (True, "https://a/01/12312312312333?&&&99=ABC&&&&&&98=XYZ&&&", "^011231231231233399ABC^98XYZ", STRICT),
    (True, "https://a/01/12312312312333?99=ABC&unknown=666&98=XYZ", "^011231231231233399ABC^98XYZ", STRICT),
    (True, "https://a/01/12312312312333?unknown=666&99=ABC&98=XYZ", "^011231231231233399ABC^98XYZ", STRICT),
    (True, "https://a/01/12312312312333?99=ABC&98=XYZ&unknown=666", "^011231231231233399ABC^98XYZ", STRICT),
    (
        True,
        "https://a/01/12312312312333?unknown1=555&99=ABC&unknown2=666&98=XYZ&unknown3=777",
        "^011231231231233399ABC^98XYZ",
        STRICT,
    ),
    (True, "https://a/01/12312312312333?99=ABC&singleton&98=XYZ", "^011231231231233399ABC^98XYZ", STRICT),
    (True, "https://a/01/12312312312333?singleton&99=ABC&98=XYZ", "^011231231231233399ABC^98XYZ", STRICT),
    (True, "https://a/01/12312312312333?99=ABC&98=XYZ&singleton", "^011231231231233399ABC^98XYZ", STRICT),
    (
        True,
        "https://a/01/12312312312333?singleton1&99=ABC&singleton2&98=XYZ&singleton3",
        "^011231231231233399ABC^98XYZ",
        STRICT,
    ),
    (
        True,
        "https://a/01/12312312312333?singleton1&unknown1=555&99=ABC&singleton2&unknown2=6666&98=XYZ&unknown3=777&singleton3",
        "^011231231231233399ABC^98XYZ",
        STRICT,
    ),
    (
        True,
        "https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ%2f987",
        "^011231231231233322ABC-123^99ABC^98XYZ/987",
        STRICT,
    ),
    (
        True,
        "https://a/01/12312312312333/22/ABC+123?99=ABC&98=XYZ%2f987",
        "^011231231231233322ABC+123^99ABC^98XYZ/987",
        STRICT,
    ),
    (False, "https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ+987", "", STRICT),
    (True, "https://a/01/12312312312333/22/test/10/abc/21/xyz#", "^011231231231233322test^10abc^21xyz", STRICT),
    (
        True,
        "https://a/01/12312312312333/22/test/10/abc/21/xyz#fragment",
        "^011231231231233322test^10abc^21xyz",
        STRICT,
    ),
    (True, "https://a/stem/00/006141411234567890?99=ABC#", "^0000614141123456789099ABC", STRICT),
    (True, "https://a/stem/00/006141411234567890?99=ABC#fragment", "^0000614141123456789099ABC", STRICT),
    # "Examples from DL specification"
    (True, "https://id.gs1.org/01/09520123456788", "^0109520123456788", STRICT),
    (True, "https://brand.example.com/01/9520123456788", "^0109520123456788", PAD),
    (True, "https://brand.example.com/some-extra/pathinfo/01/9520123456788", "^0109520123456788", PAD),
    (True, "https://id.gs1.org/01/09520123456788/22/2A", "^0109520123456788222A", STRICT),
    (True, "https://id.gs1.org/01/09520123456788/10/ABC123", "^010952012345678810ABC123", STRICT),
    (True, "https://id.gs1.org/01/09520123456788/21/12345", "^01095201234567882112345", STRICT),
    (
        True,
        "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426",
        "^010952012345678810ABC1^2112345^17180426",
        STRICT,
    ),
    (True, "https://id.gs1.org/01/09520123456788?3103=000195", "^01095201234567883103000195", STRICT),
    (
        True,
        "https://example.com/01/9520123456788?3103=000195&3922=0299&17=201225",
        "^0109520123456788310300019539220299^17201225",
        PAD,
    ),
    (
        True,
        "https://example.com/01/09520123456788?3103=000195&3922=0299&17=201225",
        "^0109520123456788310300019539220299^17201225",
        STRICT,
    ),
    (
        True,
        "https://id.gs1.org/01/9520123456788?3103=000195&3922=0299&17=201225",
        "^0109520123456788310300019539220299^17201225",
        PAD,
    ),
    (
        True,
        "https://id.gs1.org/01/09520123456788?3103=000195&3922=0299&17=201225",
        "^0109520123456788310300019539220299^17201225",
        STRICT,
    ),
    (
        True,
        "https://id.gs1.org/01/9520123456788?17=201225&3103=000195&3922=0299",
        "^010952012345678817201225310300019539220299",
        PAD,
    ),
    (
        True,
        "https://id.gs1.org/01/09520123456788?17=201225&3103=000195&3922=0299",
        "^010952012345678817201225310300019539220299",
        STRICT,
    ),
    (True, "https://id.gs1.org/00/952012345678912345", "^00952012345678912345", STRICT),
    (
        True,
        "https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123",
        "^0095201234567891234502095201234567883725^10ABC123",
        STRICT,
    ),
    (True, "https://id.gs1.org/414/9520123456788", "^4149520123456788", STRICT),
    (True, "https://id.gs1.org/414/9520123456788/254/32a%2Fb", "^414952012345678825432a/b", STRICT),
    (
        True,
        "https://example.com/8004/9520614141234567?01=9520123456788",
        "^80049520614141234567^0109520123456788",
        STRICT,
    ),
    # AI in query params that should be in the path info
    (False, "https://example.com/01/09520123456788?10=ABC123", "", STRICT),
    # This is fine because we chose an alternate key qualifier
    (True, "https://id.gs1.org/01/09520123456788/235/XYZ?10=ABC123", "^0109520123456788235XYZ^10ABC123", STRICT),
    # Forbid duplicate AIs
    (False, "https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&01=09520123456788", "", STRICT),
    (False, "https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&10=ABC123", "", STRICT),
    (False, "https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&99=XYZ789", "", STRICT),
    # Examples with unknown AIs, not permitted
    (False, "https://example.com/01/09520123456788/89/ABC123?99=XYZ", "", STRICT),
    (False, "https://example.com/01/09520123456788?99=XYZ&89=ABC123", "", STRICT),
]

#: Vectors of the same functions that need an option we do not offer.
NOT_RUN = [
    ("dl.c test_dl_parseDLuri", "https://example.com/01/09520123456788?99=XYZ&89=ABC123", "permitUnknownAIs"),
    ("dl.c test_dl_parseDLuri", "https://example.com/01/09520123456788?99=XYZ&89=ABC123", "unknown AIs as attributes"),
    ("dl.c test_dl_generateDLuri", "(01)12312312312326(99)000001(89)XXX(95)INT", "permitUnknownAIs"),
    ("digital-link.js tests/index.js", "decompressWebUri(input, true)", "short AI names in the output"),
]


@pytest.mark.parametrize(("ok", "uri", "expected", "options"), SYNTAX_ENGINE_PARSE)
def test_gs1_syntax_engine_parse_vectors(ok, uri, expected, options):
    if ok:
        assert dl.parse_uri(uri, **options).element_string() == expected
    else:
        with pytest.raises(dl.DigitalLinkError):
            dl.parse_uri(uri, **options)


# -- dl.c test_dl_URIunescape: (input, as a path component, as a query component) ------------------
SYNTAX_ENGINE_UNESCAPE = [
    ("", "", ""),
    ("test", "test", "test"),
    ("+", "+", " "),
    ("%20", " ", " "),
    ("%20AB", " AB", " AB"),
    ("A%20B", "A B", "A B"),
    ("AB%20", "AB ", "AB "),
    ("ABC%2", "ABC%2", "ABC%2"),
    ("ABCD%", "ABCD%", "ABCD%"),
    ("A%20%20B", "A  B", "A  B"),
    ("A%01B", "A\x01B", "A\x01B"),
    ("A%ffB", "A\xffB", "A\xffB"),
    ("A%FfB", "A\xffB", "A\xffB"),
    ("A%fFB", "A\xffB", "A\xffB"),
    ("A%FFB", "A\xffB", "A\xffB"),
    ("A%4FB", "AOB", "AOB"),
    ("A%4fB", "AOB", "AOB"),
    ("A%4gB", "A%4gB", "A%4gB"),
    ("A%4GB", "A%4GB", "A%4GB"),
    ("A%g4B", "A%g4B", "A%g4B"),
    ("A%G4B", "A%G4B", "A%G4B"),
]


@pytest.mark.parametrize(("raw", "as_path", "as_query"), SYNTAX_ENGINE_UNESCAPE)
def test_gs1_syntax_engine_unescape_vectors(raw, as_path, as_query):
    assert dl.decode_component(raw) == as_path
    assert dl.decode_component(raw, query=True) == as_query


def test_gs1_syntax_engine_traps_an_escaped_nul():
    """dl.c test_dl_URIunescape: "A%00B" is an illegal NUL."""
    with pytest.raises(dl.DigitalLinkError):
        dl.parse_uri("https://a/01/12312312312333/10/A%00B")


# -- dl.c test_dl_URIescape: (input, as a path component) ------------------------------------------
SYNTAX_ENGINE_ESCAPE = [
    ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    ("abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz"),
    ("0123456789-._~", "0123456789-._~"),
    ("!\"#%&'()*+,/:;<=>?", "%21%22%23%25%26%27%28%29%2A%2B%2C%2F%3A%3B%3C%3D%3E%3F"),
    ("test", "test"),
    (" ", "%20"),
    (" AB", "%20AB"),
    ("A B", "A%20B"),
    ("AB ", "AB%20"),
    ("A  B", "A%20%20B"),
]


@pytest.mark.parametrize(("value", "escaped"), SYNTAX_ENGINE_ESCAPE)
def test_gs1_syntax_engine_escape_vectors(value, escaped):
    assert dl.encode_value(value) == escaped


# -- dl.c test_dl_testValidateDLpathAIseq: valid key-qualifier sequences ----------------------------
SYNTAX_ENGINE_PATH_SEQUENCES = [
    ("00",),
    ("01",),
    ("01", "21"),
    ("01", "10"),
    ("01", "10", "21"),
    ("01", "22"),
    ("01", "22", "21"),
    ("01", "22", "10"),
    ("01", "22", "10", "21"),
    ("01",),
    ("01", "235"),
    ("253",),
    ("255",),
    ("401",),
    ("402",),
    ("414",),
    ("414", "254"),
    ("414",),
    ("414", "7040"),
    ("417",),
    ("417", "7040"),
    ("8003",),
    ("8004",),
    ("8004", "7040"),
    ("8006",),
    ("8006", "21"),
    ("8006", "10"),
    ("8006", "10", "21"),
    ("8006", "22"),
    ("8006", "22", "21"),
    ("8006", "22", "10"),
    ("8006", "22", "10", "21"),
    ("8010",),
    ("8010", "8011"),
    ("8013",),
    ("8017",),
    ("8017", "8019"),
    ("8018",),
    ("8018", "8019"),
]


@pytest.mark.parametrize("sequence", SYNTAX_ENGINE_PATH_SEQUENCES)
def test_gs1_syntax_engine_path_sequence_vectors(sequence):
    assert sequence in gs1_ai.key_qualifier_paths()


# -- dl.c test_dl_generateDLuri: the URIs GS1's generator writes for AI data parse back to that data --
SYNTAX_ENGINE_GENERATED = [
    ("(01)12312312312326(21)abc123", "https://id.gs1.org/01/12312312312326/21/abc123"),
    ("(01)12312312312326(21)abc123", "https://example.com/01/12312312312326/21/abc123"),
    ("(01)12312312312326(22)ABC(10)DEF(21)GHI", "https://example.com/01/12312312312326/22/ABC/10/DEF/21/GHI"),
    (
        "(01)12312312312326(22)ABC(10)DEF(21)GHI(95)INT",
        "https://example.com/01/12312312312326/22/ABC/10/DEF/21/GHI?95=INT",
    ),
    ("(21)XYZ(01)12312312312333(10)ABC123(99)XYZ", "https://example.com/01/12312312312333/10/ABC123/21/XYZ?99=XYZ"),
    (
        "(01)12312312312333(10)ABC+123(99)XYZ+QWERTY",
        "https://example.com/01/12312312312333/10/ABC%2B123?99=XYZ%2BQWERTY",
    ),
    (
        "(8017)795260646688514634(99)000001(253)9526064000028000001",
        "https://example.com/8017/795260646688514634?99=000001&253=9526064000028000001",
    ),
    (
        "(253)9526064000028000001(99)000001(8017)795260646688514634",
        "https://example.com/253/9526064000028000001?99=000001&8017=795260646688514634",
    ),
    (
        "(98)ABC(253)9526064000028000001(99)000001(8017)795260646688514634",
        "https://example.com/253/9526064000028000001?98=ABC&99=000001&8017=795260646688514634",
    ),
    (
        "(253)9526064000028000001(99)000001(01)12312312312326(10)DEF(95)INT",
        "https://example.com/253/9526064000028000001?01=12312312312326&99=000001&10=DEF&95=INT",
    ),
    (
        "(01)12312312312326(01)12312312312326(10)ABC123(99)XYZ789",
        "https://example.com/01/12312312312326/10/ABC123?99=XYZ789",
    ),
    ("(01)12312312312326(10)ABC123(10)ABC123(99)XYZ789", "https://example.com/01/12312312312326/10/ABC123?99=XYZ789"),
    ("(01)12312312312326(10)ABC123(99)XYZ789(99)XYZ789", "https://example.com/01/12312312312326/10/ABC123?99=XYZ789"),
    (
        "(8010)0200(3133)333333(3300)000000(99)57(3133)333333(3300)000000(01)04065093955756(10)0"
        "(3133)333333(3300)000000(01)04065093955756",
        "https://example.com/8010/0200?3133=333333&3300=000000&01=04065093955756&99=57&10=0",
    ),
]


@pytest.mark.parametrize(("ai_data", "uri"), SYNTAX_ENGINE_GENERATED)
def test_gs1_syntax_engine_generated_uris_read_back(ai_data, uri):
    parsed = dl.parse_uri(uri)
    assert dict(re.findall(r"\((\d+)\)([^(]*)", ai_data)) == dict((*parsed.path, *parsed.attributes))


# -- lint_cset82.c: every byte 0x01-0xFF passes exactly when it is in CSET 82 -----------------------
CSET82_FROM_LINT = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
CSET82_PASS = ["!\"%&'()*+,-/012345", "6789:;<=>?ABCDEFGHIJ", "KLMNOPQRSTUVWXYZ_abc", "defghijklmnopqrstuvw", "xyz"]
CSET82_FAIL = ["ABC ", "AB C", " ABC"]


@pytest.mark.parametrize("byte", range(1, 256))
def test_gs1_cset82_linter_vectors_each_byte(byte):
    char = chr(byte)
    passes = True
    try:
        gs1_ai.validate("10", char)
    except gs1_ai.AIValueError:
        passes = False
    assert passes == (char in CSET82_FROM_LINT)


@pytest.mark.parametrize("value", CSET82_PASS)
def test_gs1_cset82_linter_vectors_pass(value):
    gs1_ai.validate("10", value)


@pytest.mark.parametrize("value", CSET82_FAIL)
def test_gs1_cset82_linter_vectors_fail(value):
    with pytest.raises(gs1_ai.AIValueError):
        gs1_ai.validate("10", value)


# -- lint_yymmd0.c (written for CURRENT_YEAR 21): (passes, value) -----------------------------------
YYMMD0 = [
    (True, "000606"),
    (True, "250606"),
    (True, "500606"),
    (True, "750606"),
    (True, "990606"),
    (True, "200131"),
    (False, "x00131"),
    (False, "2x0131"),
    (False, "20x131"),
    (False, "200x31"),
    (False, "2001x1"),
    (False, "20013x"),
    (False, ""),
    (False, "1"),
    (False, "11"),
    (False, "111"),
    (False, "1111"),
    (False, "11111"),
    (False, "1111111"),
    (False, "200010"),
    (False, "201310"),
    (False, "209910"),
    (True, "200131"),
    (False, "200132"),
    (True, "200229"),
    (False, "200230"),
    (True, "200331"),
    (False, "200332"),
    (True, "200430"),
    (False, "200431"),
    (True, "200531"),
    (False, "200532"),
    (True, "200630"),
    (False, "200631"),
    (True, "200731"),
    (False, "200732"),
    (True, "200831"),
    (False, "200832"),
    (True, "200930"),
    (False, "200931"),
    (True, "201031"),
    (False, "201032"),
    (True, "201130"),
    (False, "201131"),
    (True, "201231"),
    (False, "201232"),
    (True, "210228"),
    (False, "210229"),
    (True, "220228"),
    (False, "220229"),
    (True, "230228"),
    (False, "230229"),
    (True, "240229"),
    (False, "240230"),
    (True, "000229"),
    (False, "000230"),
    (True, "040229"),
    (False, "040230"),
    (True, "960229"),
    (False, "960230"),
    (True, "200600"),
]


@pytest.mark.parametrize(("passes", "value"), YYMMD0)
def test_gs1_yymmd0_linter_vectors_through_ai_11(passes, value):
    """Through AI (11), production date: N6 with the yymmd0 linter (lengths are the component's to check)."""
    today = datetime.date(2021, 6, 1)
    if passes:
        gs1_ai.validate("11", value, today=today)
    else:
        with pytest.raises(gs1_ai.AIValueError):
            gs1_ai.validate("11", value, today=today)


# -- lint_csumalpha.c: (passes, value) -----------------------------------------------------------
CSUMALPHA = [
    (False, ""),
    (False, "2"),
    (True, "22"),
    (False, "33"),
    (True, "!22"),
    (True, "!!22"),
    (True, "1987654Ad4X4bL5ttr2310c2K"),
    (False, "1987654Ad4X4bL5ttr2310cXK"),
    (False, "1987654Ad4X4bL5ttr2310c2X"),
    (True, "12345678901234567890123NT"),
    (True, "12345_ABCDEFGHIJKLMCP"),
    (True, "12345_NOPQRSTUVWXYZDN"),
    (True, "12345_abcdefghijklmN3"),
    (True, "12345_nopqrstuvwxyzP2"),
    (True, "12345_!\"%&'()*+,-./LC"),
    (True, "12345_0123456789:;<=>?62"),
    (True, "7907665Bm8v2AB"),
    (True, "97850l6KZm0yCD"),
    (True, "225803106GSpEF"),
    (True, "149512464PM+GH"),
    (True, "62577B8fRG7HJK"),
    (True, "515942070CYxLM"),
    (True, "390800494sP6NP"),
    (True, "386830132uO+QR"),
    (True, "53395376X1:nST"),
    (True, "957813138Sb6UV"),
    (True, "530790no0qOgWX"),
    (True, "62185314IvwmYZ"),
    (True, "23956qk1&dB!23"),
    (True, "794394895ic045"),
    (True, "57453Uq3qA<H67"),
    (True, "62185314IvwmYZ"),
    (True, "0881063PhHvY89"),
    (True, "00000!HV"),
    (True, "99999zzzzzzzzzzzzzzzzzzT2"),
    (True, "99999zzzzzzzzzzzzzzzzzzT2"),
    (True, "1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567HA"),
    (False, "12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678ZZ"),
    (False, " 2345678901234567890123NT"),
    (False, "123456789 1234567890123NT"),
    (False, "1234567890123456789012 NT"),
    (False, "12345678901234567890123 T"),
    (False, "12345678901234567890123N "),
]


@pytest.mark.parametrize(("passes", "value"), CSUMALPHA)
def test_gs1_csumalpha_linter_vectors(passes, value):
    assert gs1_ai.lint("csumalpha", value) is passes


# -- gs1/digital-link.js tests/index.js ---------------------------------------------------------------


def _segment(uri: str, **options) -> str:
    parsed = dl.parse_uri(uri, **options)
    others = [(dl.decode_component(k, query=True), dl.decode_component(v, query=True)) for k, v in parsed.others]
    return dl_compression.compress(list(parsed.path) + list(parsed.attributes), others)


def _uncompressed(parsed: dl.ParsedLink, host: str) -> str:
    query = parsed.canonical_query()
    return f"https://{host}{parsed.canonical_path()}" + (f"?{query}" if query else "")


def test_digital_link_js_compresses_a_digital_link_uri():
    """Compression: should compress a Digital Link URI."""
    uri = "https://dlnkd.tn.gg/gtin/09780345418913/lot/231/ser/345345?15=120820"
    assert _segment(uri, aliases=True) == "HxHKVAdpQgZzjr-hCDKigI"


def test_digital_link_js_decompresses_a_compressed_uri():
    """Compression: should decompress a compressed Digital Link URI."""
    parsed = dl.parse_uri("https://dlnkd.tn.gg/HxHKVAdpQgZzjr-hCDKigI")
    assert _uncompressed(parsed, "dlnkd.tn.gg") == "https://dlnkd.tn.gg/01/09780345418913/10/231/21/345345?15=120820"


def test_digital_link_js_detects_compressed_and_uncompressed_uris():
    """Compression: should detect a compressed / an uncompressed Digital Link URI."""
    assert dl.parse_uri("https://dlnkd.tn.gg/HxHKVAdpQgZzjr-hCDKigI").compressed is True
    uncompressed = "https://dlnkd.tn.gg/gtin/09780345418913/lot/231/ser/345345?15=120820"
    assert dl.parse_uri(uncompressed, aliases=True).compressed is False


def test_digital_link_js_uses_optimisations_and_compresses_other_pairs_by_default():
    """Compression: should use optimisations and compress other key-value pairs by default."""
    assert _segment("https://dlnkd.tn.gg/01/9780345418913/21/43786?foo=bar", pad_gtin=True) == "DBHKVAdpQgqrCvBv0UMG21W"


def test_digital_link_js_compresses_without_optimisations_or_other_pairs():
    """Compression: should allow not using optimisations and compressing other key-value pairs."""
    parsed = dl.parse_uri("https://dlnkd.tn.gg/01/9780345418913/21/43786?foo=bar", pad_gtin=True)
    segment = dl_compression.compress(list(parsed.path), optimise=False)
    assert f"https://dlnkd.tn.gg/{segment}?{parsed.canonical_query()}" == "https://dlnkd.tn.gg/ARHKVAdpQkIKqwo?foo=bar"


def test_digital_link_js_reads_a_compressed_uri_with_a_custom_attribute():
    """DigitalLink Creation: should create from string - compressed URI."""
    parsed = dl.parse_uri("https://gs1.evrythng.com/HxHKVAdpQhCTxbrOF_yEFcx_4a2GeAh1mFOZkChg6Z8pgcEMEWpMganmIQ")
    assert _uncompressed(parsed, "gs1.evrythng.com") == (
        "https://gs1.evrythng.com/01/09780345418913/10/38737643/21/58943?15=230911&thngId=U5mQKGDpnymBwQwRakyBqeYh"
    )


def test_digital_link_js_generates_the_compressed_form_of_its_sample_uri():
    """DigitalLink Generation: should generate the correct compressed web URI string."""
    url = "https://gs1.evrythng.com/01/9780345418913/10/38737643/21/58943?15=230911&thngId=U5mQKGDpnymBwQwRakyBqeYh"
    assert _segment(url, pad_gtin=True) == "HxHKVAdpQhCTxbrOF_yEFcx_4a2GeAh1mFOZkChg6Z8pgcEMEWpMganmIQ"


def test_digital_link_js_reads_its_sample_uri():
    """DigitalLink Creation: should create from a valid input URL (identifier, key qualifiers, attributes)."""
    url = "https://gs1.evrythng.com/01/9780345418913/10/38737643/21/58943?15=230911&thngId=U5mQKGDpnymBwQwRakyBqeYh"
    parsed = dl.parse_uri(url, pad_gtin=True)
    assert parsed.path == (("01", "09780345418913"), ("10", "38737643"), ("21", "58943"))
    assert parsed.attributes == (("15", "230911"),)
    assert parsed.param("thngId") == "U5mQKGDpnymBwQwRakyBqeYh"


def test_digital_link_js_validates_a_compressed_uri_transparently():
    """DigitalLink Validation: should transparently validate a valid compressed URI."""
    assert dl.parse_uri("https://dlnkd.tn.gg/ARHKVAdpQg").path == (("01", "09780345418913"),)


@pytest.mark.parametrize(
    "uri",
    [
        "https://gs1.evrythng.com/01/123",  # should construct with invalid uncompressed input
        "https://gs1.evrythng.com/01/9780345418913d",  # should parse an invalid URL trace history
        "badurl",  # Invalid Creation: should throw for a missing protocol
        "https://gs1.evrythng.com",  # should throw for missing identifier (string)
    ],
)
def test_digital_link_js_invalid_inputs_are_refused(uri):
    with pytest.raises(dl.DigitalLinkError):
        dl.parse_uri(uri, pad_gtin=True)


@pytest.mark.parametrize(
    ("ai", "value", "valid"),
    [
        ("21", "58943", True),  # Utils: should validate some rules (ser)
        ("22", "489327", True),  # (cpv)
        ("21", "{}", False),  # should not validate when rules are not met (ser)
    ],
)
def test_digital_link_js_rule_vectors(ai, value, valid):
    if valid:
        gs1_ai.validate(ai, value)
    else:
        with pytest.raises(gs1_ai.AIValueError):
            gs1_ai.validate(ai, value)


@pytest.mark.parametrize(("value", "valid"), [("9780345418913", True), ("9780345418913d", False)])
def test_digital_link_js_gtin_rule_vectors(value, valid):
    """Utils: testRule(Rules.gtin, …): a GTIN-13 is a valid GTIN value in a Digital Link path."""
    uri = f"https://gs1.evrythng.com/01/{value}"
    if valid:
        assert dl.parse_uri(uri, pad_gtin=True).value("01") == value.zfill(14)
    else:
        with pytest.raises(dl.DigitalLinkError):
            dl.parse_uri(uri, pad_gtin=True)
