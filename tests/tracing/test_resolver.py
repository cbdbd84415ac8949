"""The GS1-conformant resolver over HTTP: links, linksets, headers, methods, and one sighting per look."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from tests.marketplace.factories import make_listing
from tests.tracing.stamp_fixtures import activate_range, issue, product_kinds_present, stamps_of  # noqa: F401
from tracing import digital_link, dl_compression, services
from tracing.models import Scan
from tracing.stamps import serials

pytestmark = pytest.mark.django_db

GTIN = "08938500000010"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
WHATSAPP = "WhatsApp/2.23.20.0 A"


@pytest.fixture
def gtin_product(owner, product):
    return services.product_update(by=owner, product=product, gtin="8938500000010")


@pytest.fixture
def stamps(official, approved_producer, owner, gtin_product, batch):
    """Four stamps of the orange product (GTIN 08938500000010), the first three activated on its batch."""
    run = issue(official, approved_producer, quantity=4, product=gtin_product)
    found = stamps_of(run)
    activate_range(owner, batch, found[:3])
    services.batch_event_add(
        by=owner, batch=batch, event_type="packing", occurred_at=timezone.now() - datetime.timedelta(days=2)
    )
    return found


@pytest.fixture
def item(stamps, batch):
    """The path of the first stamp's item, as printed in its QR code."""
    return f"/01/{GTIN}/10/{batch.lot_code}/21/{stamps[0].serial}"


def get(client, path, *, raw=None, **headers):
    headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    headers.setdefault("HTTP_USER_AGENT", IPHONE)
    return client.get(path, RAW_URI=raw or path.split("?")[0], **headers)


def sightings() -> int:
    return Scan.objects.filter(repeat=False).count()


# -- RFC 9264 §4.2: the JSON shape of a linkset -------------------------------------------------------

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")
_RELATION = re.compile(r"^(?:[a-z][a-z0-9.-]*|[A-Za-z][A-Za-z0-9+.-]*:[^\s]+)$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")


def assert_rfc9264_linkset(document) -> None:
    """application/linkset+json (RFC 9264 §4.2): {"linkset": [context objects]}, each an optional "anchor"
    URI and relation types (registered names or URIs) whose values are arrays of target objects; a target
    has a URI "href", optional "type", "media", "title" strings, a "hreflang" array of language tags, a
    "title*" array of {"value", "language"} objects, and extension attributes only as arrays."""
    assert isinstance(document, dict) and list(document) == ["linkset"]
    contexts = document["linkset"]
    assert isinstance(contexts, list) and contexts
    for context in contexts:
        assert isinstance(context, dict)
        assert isinstance(context.get("anchor"), str) and _URI.match(context["anchor"])
        relations = {k: v for k, v in context.items() if k != "anchor"}
        assert relations, "a link context object without links"
        for relation, targets in relations.items():
            assert _RELATION.match(relation), relation
            assert isinstance(targets, list) and targets
            for target in targets:
                assert isinstance(target, dict) and isinstance(target.get("href"), str) and _URI.match(target["href"])
                for name, value in target.items():
                    if name in ("href", "type", "media", "title"):
                        assert isinstance(value, str)
                    elif name == "hreflang":
                        assert isinstance(value, list) and all(_LANGUAGE.match(v) for v in value)
                    elif name.endswith("*"):
                        assert isinstance(value, list)
                        for item in value:
                            assert set(item) <= {"value", "language"} and isinstance(item["value"], str)
                            assert _LANGUAGE.match(item.get("language", "en"))
                    else:
                        assert isinstance(value, list), f"extension attribute {name} must be an array"


def test_the_rfc9264_check_refuses_what_is_not_a_linkset():
    for broken in (
        {"linkset": {"anchor": "https://a.test/"}},
        {"linkset": [{"anchor": "https://a.test/", "itemDescription": "T-shirt"}]},
        {"linkset": [{"anchor": "https://a.test/", "https://gs1.org/voc/pip": [{"title": "no href"}]}]},
        {"linkset": [{"anchor": "https://a.test/", "https://gs1.org/voc/pip": [{"href": "x", "hreflang": "en"}]}]},
    ):
        with pytest.raises(AssertionError):
            assert_rfc9264_linkset(broken)


# -- the default link and the levels ------------------------------------------------------------------


def test_a_stamps_digital_link_serves_the_scan_page_in_place_with_link_and_cors_headers(client, item):
    response = get(client, item)
    assert response.status_code == 200 and 'data-verdict="genuine"' in response.content.decode()
    link = response["Link"]
    assert f'<http://testserver{item}?linkType=linkset>; rel="linkset"' in link
    assert f'<http://testserver{item}>; rel="canonical"' in link
    assert 'rel="gs1:' not in link  # the links themselves are in the linkset, not the header (deprecated)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Access-Control-Allow-Methods"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert sightings() == 1


def test_a_gtin_alone_redirects_to_the_product_page(client, gtin_product, stamps):
    response = get(client, f"/01/{GTIN}")
    assert (
        response.status_code == 307
        and response["Location"] == f"http://testserver/nha-san-xuat/san-pham/{gtin_product.pk}/"
    )
    assert 'rel="linkset"' in response["Link"] and not Scan.objects.exists()


def test_a_gtin_and_lot_redirect_to_the_batch_page(client, batch, stamps):
    response = get(client, f"/01/{GTIN}/10/{batch.lot_code}")
    assert response.status_code == 307 and response["Location"] == f"http://testserver/nha-san-xuat/lo/{batch.pk}/"


def test_an_unknown_lot_of_a_known_product_leads_to_the_product_page(client, gtin_product, stamps):
    response = get(client, f"/01/{GTIN}/10/NO-SUCH-LOT")
    assert response.status_code == 307 and response["Location"].endswith(f"/san-pham/{gtin_product.pk}/")


def test_an_unknown_gtin_is_not_found(client, db):
    response = get(client, "/01/04006381333931", HTTP_ACCEPT="application/json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "no_link"


def test_a_product_of_a_suspended_producer_is_not_resolved(client, gtin_product, stamps, official):
    services.producer_suspend(by=official, producer=gtin_product.producer, reason="Khảo sát lại")
    assert get(client, f"/01/{GTIN}").status_code == 404


# -- linkType ---------------------------------------------------------------------------------------------


def test_each_link_type_redirects_to_its_page(client, item, gtin_product, batch, world, owner):
    services.product_update(by=owner, product=gtin_product, certificates=[world["certificate"]])
    make_listing(gtin_product)
    expected = {
        "gs1:pip": f"/nha-san-xuat/san-pham/{gtin_product.pk}/",
        "gs1:hasRetailers": "/cua-hang/?product_kind=orange",
        "gs1:traceability": f"/nha-san-xuat/lo/{batch.pk}/",
        "gs1:certificationInfo": f"/nha-san-xuat/san-pham/{gtin_product.pk}/#certificates-title",
        "gs1:buy": f"/san-pham/{gtin_product.listing.pk}/",
    }
    for link_type, target in expected.items():
        response = get(client, f"{item}?linkType={link_type}")
        assert response.status_code == 307, link_type
        assert response["Location"] == "http://testserver" + target, link_type


def test_a_link_type_may_be_given_as_a_gs1_vocabulary_uri(client, item, gtin_product):
    for spelling in ("https://gs1.org/voc/pip", "https://ref.gs1.org/voc/pip", "gs1:pip"):
        response = get(client, f"{item}?linkType={spelling}")
        assert response.status_code == 307 and response["Location"].endswith(f"/san-pham/{gtin_product.pk}/")


def test_the_default_link_type_is_the_scan_page_at_the_same_uri(client, item):
    response = get(client, f"{item}?linkType=gs1:defaultLink&foo=bar")
    assert response.status_code == 307 and response["Location"] == f"http://testserver{item}?foo=bar"
    assert not Scan.objects.exists()  # the scan page records the look when it is fetched


def test_an_unknown_or_unavailable_link_type_is_not_found(client, item):
    assert get(client, f"{item}?linkType=gs1:nosuchlt").status_code == 404
    response = get(client, f"{item}?linkType=gs1:buy")  # not on sale
    assert response.status_code == 404 and "gs1:buy" in response.content.decode()
    assert 'rel="linkset"' in response["Link"]
    assert not Scan.objects.exists()


def test_the_query_string_is_passed_on_when_redirecting(client, item, gtin_product):
    response = get(client, f"{item}?linkType=gs1:pip&foo=bar&17=271231")
    assert response["Location"] == f"http://testserver/nha-san-xuat/san-pham/{gtin_product.pk}/?foo=bar&17=271231"


# -- the linkset --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "accept", "media_type"),
    [
        ("?linkType=all", None, "application/linkset+json"),
        ("?linkType=linkset", None, "application/linkset+json"),
        ("", "application/linkset+json", "application/linkset+json"),
        ("?linkType=all", "application/json", "application/json"),
    ],
)
def test_the_linkset_is_rfc9264_json_with_every_level(client, item, batch, gtin_product, query, accept, media_type):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = get(client, item + query, **headers)
    assert response.status_code == 200 and response["Content-Type"] == media_type
    assert "Accept" in response["Vary"]
    document = response.json()
    assert_rfc9264_linkset(document)
    anchors = {context["anchor"]: context for context in document["linkset"]}
    base = "http://testserver"
    assert list(anchors) == [base + item, f"{base}/01/{GTIN}/10/{batch.lot_code}", f"{base}/01/{GTIN}"]
    stamp_links = anchors[base + item]
    assert stamp_links["https://gs1.org/voc/defaultLink"] == [
        {"href": base + item, "title": "Check this stamp: genuine or not"}
    ]
    assert stamp_links["https://gs1.org/voc/verificationService"][0]["hreflang"] == ["vi", "en"]
    titles = {t["language"]: t["value"] for t in anchors[f"{base}/01/{GTIN}"]["https://gs1.org/voc/pip"][0]["title*"]}
    assert titles == {"vi": "Thông tin sản phẩm", "en": "Product information"}
    assert not Scan.objects.exists()  # reading the linkset is not a look at the stamp


# -- methods --------------------------------------------------------------------------------------------


def test_head_gets_the_status_and_headers_of_get_without_recording(client, item, stamps):
    response = client.head(item, RAW_URI=item)
    assert response.status_code == 200 and 'rel="linkset"' in response["Link"]
    assert response["Access-Control-Allow-Origin"] == "*"
    unknown = f"/01/{GTIN}/21/{serials.new_serial()}"
    assert client.head(unknown, RAW_URI=unknown).status_code == 404
    assert client.head(f"/t/{stamps[0].serial}").status_code == 200
    assert client.head(f"{item}?linkType=gs1:pip").status_code == 307
    assert not Scan.objects.exists()


def test_options_lists_the_methods_with_cors(client, item):
    response = client.options(item)
    assert response.status_code == 204
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not Scan.objects.exists()


def test_other_methods_are_not_allowed(item):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(item)
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, OPTIONS"


# -- one sighting per look ------------------------------------------------------------------------------


def test_a_look_through_a_link_type_is_one_sighting_and_the_target_page_adds_none(client, item, gtin_product):
    response = get(client, f"{item}?linkType=gs1:pip")
    assert sightings() == 1
    client.get(response["Location"])
    assert sightings() == 1


def test_asking_for_the_default_link_then_following_it_is_one_sighting(client, item):
    response = get(client, f"{item}?linkType=gs1:defaultLink")
    get(client, response["Location"])
    assert Scan.objects.count() == 1 and sightings() == 1


def test_link_previews_and_prefetches_are_recorded_but_never_sightings(client, item):
    get(client, item, HTTP_USER_AGENT=WHATSAPP)
    get(client, item, HTTP_SEC_PURPOSE="prefetch;prerender")
    get(client, item, HTTP_USER_AGENT="facebookexternalhit/1.1")
    assert Scan.objects.count() == 3 and sightings() == 0


def test_the_verification_api_answers_head_without_recording_and_carries_cors(client, stamps):
    url = f"/api/v1/stamps/{stamps[0].serial}"
    head = client.head(url)
    assert head.status_code == 200 and head["Access-Control-Allow-Origin"] == "*"
    assert not Scan.objects.exists()
    response = client.get(url)
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    assert Scan.objects.count() == 1
    assert client.options(url)["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert client.head(f"/api/v1/stamps/{serials.new_serial()}").status_code == 404


# -- parsing over HTTP: 400s, 301s, and the parser agreeing with the routes -----------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("21=OTHER", "(21)"),
        (f"01={GTIN}", "(01) is given twice"),
        ("10=CAM-2025-01", "(10) belongs in the path"),
        ("17=261332", "(17) is not a valid date"),
        ("999=x", "(999)"),
        ("17=", "(17) has no value"),
    ],
)
def test_bad_query_attributes_are_a_bad_request(client, stamps, query, message):
    path = f"/01/{GTIN}/21/{stamps[0].serial}"
    response = get(client, f"{path}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Scan.objects.exists()


def test_a_valid_expiry_attribute_is_shown_with_the_stamps_facts(client, item):
    html = get(client, f"{item}?17=261231").content.decode()
    assert re.search(r"data-link-data>Expiry date: Dec. 31, 2026<", html)
    plain = get(client, item).content.decode()
    assert "data-link-data" not in plain  # and the cached page without attributes stays as it was


@pytest.mark.parametrize(
    "bad",
    ["%20", "%E2%80%93", "%C2%A0", "%09", "<", '"'],
    ids=["space", "en dash", "no-break space", "tab", "raw <", 'raw "'],
)
def test_serials_outside_the_gs1_character_set_are_a_bad_request(client, stamps, bad):
    serial = stamps[0].serial
    code = serial[:7] + bad + serial[7:]
    for raw in (f"/01/{GTIN}/21/{code}", f"/t/{code}"):
        response = client.get(digital_link.decode_component(raw), RAW_URI=raw, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, raw
    assert not Scan.objects.exists()


@pytest.mark.parametrize("variant", ["lower", "letter O"])
def test_a_non_canonical_serial_redirects_permanently_to_the_canonical_uri(client, db, variant):
    serial = next(s for s in serials.new_serials(50) if "0" in s)
    written = serial.lower() if variant == "lower" else serial.replace("0", "O")
    response = get(client, f"/01/{GTIN}/21/{written}?17=261231")
    assert response.status_code == 301 and response["Location"] == f"/01/{GTIN}/21/{serial}?17=261231"
    response = get(client, f"/t/{written}")
    assert response.status_code == 301 and response["Location"] == f"/t/{serial}"
    assert not Scan.objects.exists()


@pytest.mark.parametrize(
    "path",
    [f"/01/{GTIN}/21", f"/01/{GTIN}/10", f"/01/{GTIN}/21/{'A' * 21}", f"/t/{'A' * 21}", "/t/", f"/01/{GTIN}/21/X/foo"],
)
def test_missing_values_and_over_long_serials_are_a_bad_request(client, db, path):
    assert get(client, path).status_code == 400


def _expected_status(raw: str) -> int:
    """What the parser says the route must answer (200 when it names one of the known stamps)."""
    path, _mark, query = raw.partition("?")
    try:
        link = digital_link.parse_stamp_path(path, query)
    except (digital_link.MalformedSerialError, digital_link.NotAStampLinkError):
        return 404
    except digital_link.DigitalLinkError:
        return 400
    canonical = digital_link.canonical_stamp_path(link)
    if path.removesuffix("/") != canonical and not (link.parsed and link.parsed.compressed):
        return 301
    return 200 if link.serial else 307


def test_the_parser_and_the_routes_agree_on_every_input(client, stamps, batch):
    serial = stamps[0].serial
    segment = dl_compression.compress([("01", GTIN), ("21", serial)])
    inputs = [
        f"/t/{serial}",
        f"/t/{serial}/",
        f"/t/{serial}%0A",
        f"/t/{serial}\n",
        f"/t/{serial.lower()}",
        f"/t/{serials.format_serial(serial)}",
        f"/t/{serial}%20",
        f"/t/{serial[:-1]}",
        f"/t/{serial}/extra",
        "/t/",
        f"/01/{GTIN}/21/{serial}",
        f"/01/{GTIN}/21/{serial}/",
        f"/01/{GTIN}/21/{serial}%0A",
        f"/01/{GTIN}/21/{serial}\n",
        f"/01/{GTIN}/21/{serial}?17=261231",
        f"/01/{GTIN}/21/{serial}?17=261332",
        f"/01/{GTIN}/10/{batch.lot_code}/21/{serial}",
        f"/01/{GTIN[1:]}/21/{serial}",
        f"/gtin/{GTIN}/ser/{serial}",
        f"/01/{GTIN}/10/{batch.lot_code}",
        f"/01/{GTIN}",
        f"/01/{GTIN}/",
        f"/01/{GTIN}/21/{serial}/10/{batch.lot_code}",
        f"/01/{GTIN}/22/V1/21/{serial}",
        f"/00/{GTIN}0000",
        f"/01/{GTIN}/21/{serial}%2F",
        f"/01/{GTIN}/{segment}",
        f"/{segment}",
    ]
    for raw in inputs:
        path, _mark, query = raw.partition("?")
        response = client.get(
            digital_link.decode_component(path) + (f"?{query}" if query else ""),
            RAW_URI=path,
            HTTP_ACCEPT_LANGUAGE="en",
            HTTP_USER_AGENT=IPHONE,
        )
        assert response.status_code == _expected_status(raw), repr(raw)


# -- compression ---------------------------------------------------------------------------------------------


def test_a_compressed_link_is_answered_in_place_like_its_uncompressed_form(client, stamps, batch, item):
    segment = dl_compression.compress([("01", GTIN), ("10", batch.lot_code), ("21", stamps[0].serial)])
    compressed = get(client, f"/{segment}")
    plain = get(client, item)
    assert compressed.status_code == plain.status_code == 200
    assert 'data-verdict="genuine"' in compressed.content.decode()
    assert f'<http://testserver{item}>; rel="owl:sameAs"' in compressed["Link"]
    head_compressed, head_plain = client.head(f"/{segment}"), client.head(item, RAW_URI=item)
    assert head_compressed.status_code == head_plain.status_code and "Location" not in head_compressed


def test_a_root_path_that_does_not_decompress_is_left_to_the_other_pages(client, db):
    assert client.get("/danh-sach-tham-gia").status_code == 301  # Django's trailing-slash redirect still works
    assert client.get("/NotACompressedLinkAtAll").status_code == 404


# -- the resolver description file ---------------------------------------------------------------------------


def test_the_resolver_description_file_names_the_root_and_the_primary_keys(client, settings):
    settings.SITE_URL = "https://nguongoc.hagiang.test"
    response = client.get("/.well-known/gs1resolver")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    document = response.json()
    assert document["resolverRoot"] == "https://nguongoc.hagiang.test"
    assert document["supportedPrimaryKeys"] == ["01"]
    assert {"namespace": "https://gs1.org/voc/", "prefix": "gs1:"} in document["supportedLinkType"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert client.head("/.well-known/gs1resolver").status_code == 200
    assert client.options("/.well-known/gs1resolver").status_code == 204


def test_the_openapi_schema_documents_the_resolver(client, db):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path in (
        "/01/{gtin}",
        "/01/{gtin}/10/{lot}",
        "/01/{gtin}/21/{serial}",
        "/01/{gtin}/10/{lot}/21/{serial}",
        "/.well-known/gs1resolver",
    ):
        assert set(paths[path]) >= {"get", "head", "options"}, path
    linkset = paths["/01/{gtin}/21/{serial}"]["get"]["responses"]["200"]["content"]
    assert "application/linkset+json" in linkset and "text/html" in linkset
    for path in ("/01/{gtin}", "/01/{gtin}/21/{serial}", "/{compressed}"):
        assert {"400", "404"} <= set(paths[path]["get"]["responses"]), path
    assert "404" in paths["/{compressed}"]["options"]["responses"]  # text that is no compressed link
