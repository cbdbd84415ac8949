"""The GS1-conformant resolver over HTTP: Digital Link URIs, compressed ones, and the resolver description file.

For every request URI (tracing.resolver explains the levels and links):

* a syntax error is a 400 with the reason; a valid URI that identifies nothing of ours is a 404;
* a non-canonical URI (GTIN-13, lower-case serial, convenience names, needless percent-encoding) is
  redirected (301) to its canonical form, the query string kept; a trailing slash is tolerated and
  a compressed URI is answered in place (GS1: a resolver should not redirect to the uncompressed URI
  on itself), naming its uncompressed form in the Link header (``rel="owl:sameAs"``);
* without ``linkType``, a stamp's URI serves the scan page itself (the default link: no redirect on a
  slow mobile connection), a product's or batch's redirects (307) to its page;
* ``linkType=gs1:…`` redirects (307) to that link, passing the query string on (``linkType`` aside),
  or answers 404 when there is none; ``linkType=linkset``/``all`` or ``Accept:
  application/linkset+json`` returns the RFC 9264 linkset;
* every answer carries CORS headers and ``Link: <…?linkType=linkset>; rel="linkset"`` with the
  canonical URI; HEAD gets the GET's status and headers, OPTIONS the allowed methods.

A look at a stamp is recorded exactly once: by the scan page (GET), or by a linkType redirect to
another page of it (GET). HEAD, OPTIONS, the linkset and redirects back to the scan page record nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from backend.api_errors import error_body
from tracing import digital_link, dl_compression, resolver
from tracing.stamps.forms import CheckCodeForm
from tracing.stamps.views import head_response, raw_path, record_look, scan_response

ALLOW = "GET, HEAD, OPTIONS"
_OFFERED = ["text/html", resolver.LINKSET_MEDIA_TYPE, "application/json"]


class CompressedLinkConverter:
    """A root path segment that decompresses as a GS1 Digital Link; anything else does not match the route."""

    regex = "[A-Za-z0-9_-]{10,}"

    def to_python(self, value: str) -> str:
        try:
            dl_compression.decompress(value)
        except dl_compression.CompressionError:
            raise ValueError(value) from None
        return value

    def to_url(self, value: str) -> str:
        return value


def _preferred(request) -> str:
    if "json" not in request.META.get("HTTP_ACCEPT", ""):  # a browser's Accept: no need to weigh it
        return "text/html"
    return request.get_preferred_type(_OFFERED) or "text/html"


def _finish(response, *, link: str | None = None):
    resolver.add_cors(response)
    if link:
        response["Link"] = link
    patch_vary_headers(response, ("Accept", "Accept-Language"))
    return response


def _redirect(location: str, status: int, *, link: str | None = None) -> HttpResponse:
    response = HttpResponse(status=status)
    response["Location"] = location
    response["Cache-Control"] = "private, no-store"
    return _finish(response, link=link)


def _error(request, message: str, code: str, status: int, *, link: str | None = None) -> HttpResponse:
    if _preferred(request) != "text/html":
        response = JsonResponse(error_body(code, message), status=status)
    else:
        response = render(
            request,
            "tracing/scan/bad_code.html",
            {"message": message, "form": CheckCodeForm(), "verdict_class": "unknown", "not_found": status == 404},
            status=status,
        )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return _finish(response, link=link)


def _options() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Allow"] = ALLOW
    return _finish(response)


def _not_allowed() -> HttpResponse:
    response = HttpResponse(status=405)
    response["Allow"] = ALLOW
    return _finish(response)


def _passed_on(raw_query: str) -> str:
    """The request's query string without ``linkType`` (GS1: the other key=value pairs are passed on)."""
    pairs = [
        p
        for p in raw_query.split("&")
        if p and digital_link.decode_component(p.split("=", 1)[0], query=True) != "linkType"
    ]
    return "&".join(pairs)


def _with_query(href: str, query: str) -> str:
    if not query:
        return href
    base, hash_mark, fragment = href.partition("#")
    base += ("&" if "?" in base else "?") + query
    return base + hash_mark + fragment


@csrf_exempt  # it accepts no unsafe method: other methods get 405 (with Allow), not the CSRF page
def digital_link_view(request):
    """``/01/{gtin}[/10/{lot}][/21/{serial}]`` (and every other path that starts with a GS1 AI)."""
    return resolve_request(request, raw_path(request), request.META.get("QUERY_STRING", ""))


@csrf_exempt
def compressed_view(request, segment: str):
    """``/{compressed}``: a compressed GS1 Digital Link, answered like the URI it stands for."""
    return resolve_request(request, "/" + segment, request.META.get("QUERY_STRING", ""))


def resolve_request(request, path: str, raw_query: str) -> HttpResponse:
    if request.method == "OPTIONS":
        return _options()
    if request.method not in ("GET", "HEAD"):
        return _not_allowed()
    try:
        parsed = digital_link.parse_path(path, raw_query)
        link = digital_link.stamp_link(parsed)
    except (digital_link.MalformedSerialError, digital_link.NotAStampLinkError) as exc:
        return _error(request, str(exc), exc.code, 404)
    except digital_link.DigitalLinkError as exc:
        return _error(request, str(exc), exc.code, 400)
    canonical_path = digital_link.canonical_stamp_path(link)
    canonical = request.build_absolute_uri(canonical_path)
    uncompressed = None
    if parsed.compressed:
        query = parsed.canonical_query()
        uncompressed = canonical + (f"?{query}" if query else "")
    header = resolver.link_header(canonical, uncompressed=uncompressed)
    if not parsed.compressed and path.removesuffix("/") != canonical_path:
        return _redirect(f"{canonical_path}?{raw_query}" if raw_query else canonical_path, 301, link=header)

    link_type = resolver.normalise_link_type(parsed.param("linkType"))
    preferred = _preferred(request)
    if link_type == "linkset" or (link_type is None and preferred == resolver.LINKSET_MEDIA_TYPE):
        return _linkset_response(request, link, preferred, header)
    if link_type is None and link.serial is not None:
        if request.method == "HEAD":
            return _finish(head_response(request, link.serial), link=header)
        link_data = resolver.describe_attributes(parsed.attributes)
        return _finish(scan_response(request, link.serial, link=link, link_data=link_data), link=header)

    resolution = resolver.resolve(request, link, absolute=request.build_absolute_uri)
    target = resolution.find(link_type or resolver.DEFAULT)
    if target is None:
        if link_type is None:
            message = _("Nothing is known here about this GS1 identifier.")
        else:
            message = _("No link of the type “%(type)s” is available for this item.") % {"type": link_type[:60]}
        return _error(request, message, "no_link", 404, link=header)
    passed_on = _passed_on(raw_query)
    if target.same_page:  # the scan page is this very URI: the look is recorded when it is fetched
        return _redirect(_with_query(canonical, passed_on), 307, link=header)
    look = None
    if request.method == "GET" and link.serial is not None:
        look = record_look(request, link.serial, link=link)
        if isinstance(look, HttpResponse):
            return _finish(look, link=header)
    response = _redirect(_with_query(target.href, passed_on), 307, link=header)
    if look is not None:
        look.remember(response)
    return response


def _linkset_response(request, link, preferred: str, header: str) -> HttpResponse:
    resolution = resolver.resolve(request, link, absolute=request.build_absolute_uri)
    if resolution.empty:
        return _error(request, _("Nothing is known here about this GS1 identifier."), "no_link", 404, link=header)
    media_type = "application/json" if preferred == "application/json" else resolver.LINKSET_MEDIA_TYPE
    response = JsonResponse(resolver.linkset(resolution), content_type=media_type)
    response["Cache-Control"] = "private, no-cache"
    return _finish(response, link=header)


@csrf_exempt
def description_file(request):
    """``/.well-known/gs1resolver``: the GS1 resolver description file (GS1-Conformant Resolver standard)."""
    if request.method == "OPTIONS":
        return _options()
    if request.method not in ("GET", "HEAD"):
        return _not_allowed()
    root = settings.SITE_URL.rstrip("/")
    response = JsonResponse(
        {
            "name": "Hà Giang Origin",
            "resolverRoot": root,
            "supportedPrimaryKeys": ["01"],
            "supportedLinkType": [{"namespace": resolver.GS1_VOC, "prefix": "gs1:"}],
            "linkTypeDefaultCanBeLinkset": False,
            "linkTypeDefaultCanBeAll": False,
            "supportsSemanticInterpretation": False,
            "validatesAIcombinations": True,
            "supportsLanguageVariants": True,
            "contact": {"fn": "Hà Giang Origin"},
        },
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "public, max-age=3600"
    return _finish(response)
