"""GS1's resolver test suite, probe by probe, against our resolver over HTTP.

Source: gs1/GS1DL-resolver-testsuite, GS1DigitalLinkResolverTestSuite.js (commit
b38e088a72dabe4d0d68dc35675def82cdc86766; the compression and JSON probes from the earlier
099e40ef57d16d9b288d1dc272558878ef59f2b3 revision of the same file). Each probe keeps the suite's id
and the conformance statement it tests (copied), and repeats the suite's check: the suite asks its
PHP helper for the headers of a HEAD request ("getAllHeaders"), so do we (``client.head``); it
fetches the linkset with ``Accept: application/linkset+json`` ("getLinkset"), so do we.

The suite is run for the URI printed in a stamp's QR code (``/01/{gtin}/10/{lot}/21/{serial}``).
Probes of the deployment rather than of the application (isHttps, tlsOK, httpVersion) and the one
that fetches GS1's list of ratified link types over the internet (linkTypesDefined) are not run.

EXPECTED gives the outcome of each probe here: "pass", or the reason it is not met. Those not met
are deliberate: the scan page is the default link and is served at the stamp's own URI (no
redirect on a slow mobile connection), and no JSON-LD form of the linkset is offered.
"""

# ruff: noqa: E501 - GS1's statements and vectors are copied as they are published

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from tests.marketplace.factories import make_listing
from tests.tracing.stamp_fixtures import activate_range, issue, product_kinds_present, stamps_of  # noqa: F401
from tests.tracing.test_resolver import assert_rfc9264_linkset
from tracing import digital_link, dl_compression, services
from tracing.models import Scan, Stamp
from tracing.stamps.runs import stamp_url

pytestmark = pytest.mark.django_db

GTIN = "08938500000010"
HOST = "http://testserver"  # the Django test client's host: what the resolver names in its headers
SITE = "https://nguongoc.hagiang.test"  # what the QR code prints

# 'RE2' of GS1 Digital Link 1.2 as the suite writes it (plausibleDlURINoAlphas), copied.
PLAUSIBLE_DL = re.compile(
    r"^https?:(\/\/((([^\/?#]*)@)?([^\/?#:]*)(:([^\/?#]*))?))?([^?#]*)(((\/(01|8006|8013|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)\/)"
    r"(\d{4}[^\/]+)(\/[^/]+\/[^/]+)?[/]?(\?([^?\n]*))?(#([^\n]*))?))",
    re.I,
)

# gs1/GS1_DigitalLink_Resolver_CE, External-Proxy-Apache2-VM/var/www/html/resolverdescriptionfile.schema.json
# (commit f788795e), the parts the suite's rdFile probe relies on, copied.
DESCRIPTION_FILE_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "resolverRoot": {"type": "string", "format": "uri"},
        "supportedLinkType": {
            "type": "array",
            "items": {
                "properties": {
                    "namespace": {"type": "string", "format": "uri"},
                    "prefix": {"type": "string", "pattern": "^[a-zA-Z_][A-Za-z0-9_-]*?:$"},
                }
            },
        },
        "linkTypeDefaultCanBeAll": {"type": "boolean"},
        "supportsSemanticInterpretation": {"type": "boolean"},
        "validatesAIcombinations": {"type": "boolean"},
        "supportsLanguageVariants": {"type": "boolean"},
        "supportedPrimaryKeys": {
            "type": "array",
            "items": {
                "type": "string",
                "enum": [
                    "all",
                    "01",
                    "8006",
                    "8013",
                    "8010",
                    "410",
                    "411",
                    "412",
                    "413",
                    "414",
                    "415",
                    "416",
                    "8017",
                    "8018",
                    "255",
                    "00",
                    "253",
                    "401",
                    "402",
                    "8003",
                    "8004",
                ],
            },
        },
    },
    "required": ["resolverRoot", "supportedPrimaryKeys"],
}

# (probe id, the conformance statement it tests as the suite words it)
PROBES = [
    ("isURL", "Not listed as a conformance criterion but the DL URI must be a valid URL"),
    (
        "plausibleDL",
        "Following GS1 Digital Link: URI syntax, we can check whether a URL plausibly is, or definitely is not, a DL URI",
    ),
    ("validDL", "Given input must be a GS1 Digital Link URI"),
    ("rdFile", "SHALL provide a resolver description file at /.well-known/gs1resolver"),
    ("corsCheck", "SHALL support CORS"),
    ("linkOnRedirect", "SHOULD expose the direct link to the linkset in an HTTP Link header when redirecting."),
    (
        "legacyLinkHeaders",
        "The inclusion of all possible links in the HTTP Link header was deprecated in version 1.0.0 of the GS1-Conformant resolver standard, February 2024",
    ),
    ("methodsCheck", "SHALL support HTTP 1.1 (or higher) GET, HEAD and OPTIONS requests."),
    (
        "reportWith400",
        "SHALL extract and syntactically validate the URI and report errors with an HTTP response code of 400",
    ),
    (
        "noErrorWith200",
        "A GS1 conformant resolver SHALL NOT use a 200 OK response code with a resource that indicates an error condition",
    ),
    (
        "trailingSlash",
        "SHOULD tolerate trailing slashes at the end of GS1 Digital Link URIs, i.e. the resolver SHOULD NOT fail if one is present",
    ),
    (
        "qsPassedOn",
        "By default, SHALL pass on all key=value pairs in the query string of the request URI (if present) when redirecting",
    ),
    (
        "ltLinksetNoRedirect",
        "On receiving a request for the linkset, by setting the linkType parameter to linkset, the resolver SHALL NOT redirect the query and SHALL return the linkset.",
    ),
    (
        "ltAcceptHeader",
        "On receiving a request for the linkset, by setting the HTTP Accept Header to application/linkset+json, the resolver SHALL NOT redirect the query and SHALL return the linkset.",
    ),
    ("validLinkset", "Linkset must be valid according to published JSON schema"),
    (
        "linksetJsonldCheck",
        "When requesting the linkset the HTTP response headers SHOULD include a Link header pointing to a JSON-LD context file",
    ),
    (
        "declaredContentType",
        "If the HTTP Accept header is application/linkset+json, the resolver SHALL return the linkset serialised as JSON as defined by RFC9264",
    ),
    (
        "defaultLinkExists",
        "For each identified entity there SHALL be exactly one default link, the list of link types for which SHALL include gs1:defaultLink.",
    ),
    (
        "singleDefaulLink",
        "For each identified entity there SHALL be exactly one default link, the list of link types for which SHALL include gs1:defaultLink.",
    ),
    (
        "defaultTarget",
        "One of the links SHALL be recognised by the resolver as the default and the resolver SHALL redirect to that URL unless there is information supplied within the query to the contrary.",
    ),
    ("loForLinkTypes", "If the requested type of link is available, the resolver SHALL redirect to it"),
    (
        "specificLinkTypeNotFound",
        "If the requested type of link is not available, the resolver SHALL return a 404 Not Found message.",
    ),
    ("validDecompressCheck", "SHALL be able to decompress a URI to generate a GS1 Digital Link URI"),
    (
        "exposeDecompressedLink",
        "If handling a compressed request URI, it SHALL expose the uncompressed URI in the Link response header with a rel value of owl:sameAs.",
    ),
    (
        "varyAccept",
        "SHALL respond to a query parameter of linkType set to all by returning a list of links available to the client application. [...] served through content negotiation.",
    ),
    ("listAsJSON", "The list SHALL be available as JSON"),
    ("listAsJSONLD", "The list [...] SHOULD be available as JSON-LD"),
]

EXPECTED = {probe: "pass" for probe, _statement in PROBES}
EXPECTED["defaultTarget"] = (
    "not met: the scan page, the default link, is served at the stamp's own URI, not redirected to"
)
EXPECTED["linksetJsonldCheck"] = "not met: no JSON-LD context for the linkset is offered"
EXPECTED["listAsJSONLD"] = "not met: no JSON-LD form of the linkset is offered"


@pytest.fixture
def printed(official, approved_producer, owner, product, batch, world, settings):
    """A stamp's printed URI on a product with a GTIN, certificates and a listing (every link type present)."""
    product = services.product_update(by=owner, product=product, gtin=GTIN, certificates=[world["certificate"]])
    make_listing(product)
    stamp = stamps_of(issue(official, approved_producer, quantity=1, product=product))[0]
    activate_range(owner, batch, [stamp])
    settings.SITE_URL = SITE
    url = stamp_url(Stamp.objects.select_related("run__product", "batch").get(pk=stamp.pk))
    assert url == f"{SITE}/01/{GTIN}/10/{batch.lot_code}/21/{stamp.serial}"
    return HOST + url[len(SITE) :]


def _path(uri: str) -> str:
    return uri[len(HOST) :]


def head(client, uri: str, **headers):
    path, _mark, query = _path(uri).partition("?")
    return client.head(path + (f"?{query}" if query else ""), RAW_URI=path, **headers)


def get(client, uri: str, **headers):
    path, _mark, query = _path(uri).partition("?")
    return client.get(path + (f"?{query}" if query else ""), RAW_URI=path, **headers)


def strip_query(uri: str) -> str:
    return uri.split("?", 1)[0]


def _linkset(client, dl: str) -> dict:
    return get(client, strip_query(dl), HTTP_ACCEPT="application/linkset+json").json()


def _gs1(document: dict) -> dict:
    text = re.sub(r"https://((ref\.)|(www\.))?gs1\.org/voc/", "gs1:", json.dumps(document))
    return json.loads(text)


def run_probe(probe: str, client, dl: str) -> str:
    u = strip_query(dl)
    printed = SITE + _path(dl)
    if probe == "isURL":
        scheme, _sep, rest = printed.partition("://")
        return "pass" if scheme in ("http", "https") and "." in rest.split("/")[0] else "fail"
    if probe == "plausibleDL":
        return "pass" if PLAUSIBLE_DL.match(printed) else "fail"
    if probe == "validDL":
        parsed = digital_link.parse_uri(printed)
        return "pass" if parsed.key == "01" and not parsed.stem else "fail"
    if probe == "rdFile":
        data = client.get("/.well-known/gs1resolver", HTTP_ACCEPT="application/json").json()
        jsonschema.validate(data, DESCRIPTION_FILE_SCHEMA)
        return "pass" if re.match(r"^https?://", data["resolverRoot"]) and data["supportedPrimaryKeys"] else "fail"
    if probe == "corsCheck":
        return "pass" if head(client, u).get("Access-Control-Allow-Origin") else "fail"
    if probe == "linkOnRedirect":
        return "pass" if 'rel="linkset"' in head(client, u).get("Link", "") else "warn"
    if probe == "legacyLinkHeaders":
        return "pass" if 'rel="gs1:' not in head(client, u).get("Link", "") else "warn"
    if probe == "methodsCheck":
        methods = head(client, u).get("Access-Control-Allow-Methods", "")
        return "pass" if all(m in methods for m in ("GET", "HEAD", "OPTIONS")) else "fail"
    if probe == "reportWith400":
        return "pass" if head(client, u + "/foo").status_code == 400 else "fail"
    if probe == "noErrorWith200":
        return "pass" if head(client, u + "/foo").status_code != 200 else "fail"
    if probe == "trailingSlash":
        no_slash, slash = head(client, u.rstrip("/")), head(client, u.rstrip("/") + "/")
        same = (no_slash.status_code, no_slash.get("Location")) == (slash.status_code, slash.get("Location"))
        return "pass" if same else "warn"
    if probe == "qsPassedOn":
        # The suite tests a URI that redirects; the stamp's own URI serves the scan page, so its
        # product's URI (which redirects to the product page) is the one to test.
        response = head(client, u.split("/10/")[0] + "?foo=bar")
        return "pass" if "foo=bar" in response.get("Location", "") else "warn"
    if probe == "ltLinksetNoRedirect":
        return "pass" if head(client, u + "?linkType=linkset").status_code == 200 else "fail"
    if probe == "ltAcceptHeader":
        response = head(client, u + "?linkType=all", HTTP_ACCEPT="application/linkset+json")
        return "pass" if response.status_code == 200 else "fail"
    if probe == "validLinkset":
        assert_rfc9264_linkset(_linkset(client, dl))
        return "pass"
    if probe == "linksetJsonldCheck":
        link = get(client, u, HTTP_ACCEPT="application/linkset+json").get("Link", "")
        ok = 'rel="http://www.w3.org/ns/json-ld#context"' in link and 'type="application/ld+json"' in link
        return "pass" if ok else "not met: no JSON-LD context for the linkset is offered"
    if probe == "declaredContentType":
        response = get(client, u, HTTP_ACCEPT="application/linkset+json")
        return "pass" if response["Content-Type"] == "application/linkset+json" else "fail"
    if probe in ("defaultLinkExists", "singleDefaulLink", "defaultTarget", "loForLinkTypes"):
        return _linkset_probe(probe, client, dl)
    if probe == "specificLinkTypeNotFound":
        return "pass" if head(client, u + "?linkType=gs1:nosuchlt").status_code == 404 else "fail"
    if probe in ("validDecompressCheck", "exposeDecompressedLink"):
        parsed = digital_link.parse_uri(dl)
        compressed = f"{HOST}/{dl_compression.compress(list(parsed.path))}"
        plain, packed = head(client, dl), head(client, compressed)
        if probe == "validDecompressCheck":
            same = (plain.status_code, plain.get("Location")) == (packed.status_code, packed.get("Location"))
            return "pass" if same else "fail"
        links = [part for part in packed.get("Link", "").split(",") if dl in part]  # the suite: indexOf(dl)
        return "pass" if links and re.search(r"rel=.owl:sameAs", links[0]) else "fail"
    if probe == "varyAccept":
        response = head(client, u + "?linkType=all", HTTP_ACCEPT="application/json")
        vary = [value.strip() for value in response.get("Vary", "").split(",")]
        return "pass" if "Accept" in vary else "warn"  # the suite: vary == 'Accept' (not Accept-Language)
    if probe == "listAsJSON":
        response = get(client, u + "?linkType=all", HTTP_ACCEPT="application/json")
        return "pass" if response["Content-Type"] == "application/json" and response.json() else "fail"
    if probe == "listAsJSONLD":
        response = head(client, u + "?linkType=all", HTTP_ACCEPT="application/ld+json")
        ok = response.get("Content-Type") == "application/ld+json"
        return "pass" if ok else "not met: no JSON-LD form of the linkset is offered"
    raise AssertionError(probe)


def _linkset_probe(probe: str, client, dl: str) -> str:
    """linksetTests(): walk from the URI's anchor up the tree, each link type at its most granular level."""
    linkset = _gs1(_linkset(client, dl))["linkset"]
    current = strip_query(dl)
    seen: list[str] = []
    defaults, single_links = [], []
    while current.count("/") >= 4:  # http://host/01/{gtin} is the top
        for context in linkset:
            if context["anchor"] != current:
                continue
            for link_type, targets in context.items():
                if link_type in ("anchor", "itemDescription") or link_type in seen:
                    continue
                seen.append(link_type)
                if link_type == "gs1:defaultLink":
                    defaults.append(targets)
                elif len(targets) == 1:
                    single_links.append((link_type, targets[0]["href"]))
        current = current.rsplit("/", 2)[0]
    if probe == "defaultLinkExists":
        return "pass" if defaults else "fail"
    if probe == "singleDefaulLink":
        return "pass" if defaults and len(defaults[0]) == 1 else "fail"
    if probe == "defaultTarget":
        location = head(client, strip_query(dl)).get("Location")
        if location == defaults[0][0]["href"]:
            return "pass"
        return "not met: the scan page, the default link, is served at the stamp's own URI, not redirected to"
    results = []
    for link_type, href in single_links:
        location = head(client, f"{strip_query(dl)}?linkType={link_type}").get("Location", "")
        if f"?linkType={link_type}" in location:
            location = strip_query(location)
        results.append(location == href)
    assert len(results) >= 5  # verificationService, traceability, pip, hasRetailers, certificationInfo, buy
    return "pass" if all(results) else "fail"


@pytest.mark.parametrize(("probe", "statement"), PROBES, ids=[probe for probe, _s in PROBES])
def test_gs1_resolver_test_suite_probe(client, printed, probe, statement):
    assert run_probe(probe, client, printed) == EXPECTED[probe], statement


def test_running_the_probes_records_no_look(client, printed):
    for probe, _statement in PROBES:
        run_probe(probe, client, printed)
    assert not Scan.objects.exists()
