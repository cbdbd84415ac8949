"""The public face of the stamps: the scan page (/t/{serial} and the GS1 Digital Link form), the scratch
PIN, the shared location, counterfeit reports, and the guidance pages and poster.

A malformed code is refused by its check character before any database or cache work; every other
look-up is rate-limited per visitor and per code (tracing/scan_limits.py) and recorded as a Scan.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from geo.queries import regions_geojson
from geo.scan_geometry import lat_lng
from tracing import codes, digital_link, scan_limits
from tracing.models import Scan
from tracing.services import scans as scan_services
from tracing.services.stamps import certificates_state
from tracing.stamp_forms import CheckCodeForm, PinForm, ReportForm

SCAN_TOKEN_SALT = "tracing.scan-token"  # noqa: S105 - a signing salt, not a secret
SCAN_TOKEN_MAX_AGE_S = 3600

VERDICT_CLASSES = {
    Scan.Verdict.GENUINE: "genuine",
    Scan.Verdict.UNKNOWN: "unknown",
    Scan.Verdict.REVOKED: "revoked",
    Scan.Verdict.SUSPICIOUS: "suspicious",
}


def scan_token(scan_id: int) -> str:
    return signing.dumps(scan_id, salt=SCAN_TOKEN_SALT, compress=False)


def scan_id_from_token(token: str) -> int | None:
    try:
        value = signing.loads(token or "", salt=SCAN_TOKEN_SALT, max_age=SCAN_TOKEN_MAX_AGE_S)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def _limited(request, wait: int, *, as_json: bool = False):
    message = _(
        "Too many requests from your connection or for this code. Please wait %(seconds)d seconds and try again."
    ) % {"seconds": wait}
    if as_json:
        response = JsonResponse({"error": {"code": "throttled", "message": message, "fields": {}}}, status=429)
    else:
        response = render(request, "tracing/scan/limited.html", {"message": message, "wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _bad_code(request, message: str, *, status: int, code_text: str = ""):
    return render(
        request,
        "tracing/scan/bad_code.html",
        {"message": message, "code_text": code_text[:40], "form": CheckCodeForm(), "verdict_class": "unknown"},
        status=status,
    )


def _marketplace_url(product) -> str | None:
    """The product's page in the shop if it is listed, else none (tracing does not import marketplace)."""
    listing = getattr(product, "listing", None)
    if listing is None or not getattr(listing, "is_active", False):
        return None
    try:
        return reverse("marketplace:listing", args=[listing.pk])
    except NoReverseMatch:
        return None


def _scan_response(request, serial: str, *, link: digital_link.DigitalLinkPath | None = None):
    visitor = scan_limits.visitor_key(request)
    wait = scan_limits.over_limit(scan_limits.scan_checks(visitor, serial))
    if wait:
        return _limited(request, wait)
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    repeat = scan_limits.seen_recently(visitor, serial) or scan_services.device_family(user_agent) == "bot"
    outcome = scan_services.scan_record(
        serial=serial, user_agent=user_agent, repeat=repeat, link=link, user=request.user
    )
    context = {"outcome": outcome, "serial": serial, "serial_grouped": codes.format_serial(serial)}
    if outcome.stamp is None:
        context.update(verdict_class="unknown", form=CheckCodeForm())
        response = render(request, "tracing/scan/unknown.html", context, status=404)
    else:
        context.update(_stamp_context(request, outcome))
        response = render(request, "tracing/scan/page.html", context)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _stamp_context(request, outcome) -> dict:
    stamp = outcome.stamp
    batch = stamp.batch
    product = batch.product if batch is not None else stamp.run.product
    producer = stamp.run.producer
    journey = list(batch.events.select_related("retail_point").order_by("occurred_at", "pk")) if batch else []
    photos = list(product.photos.all()[:6]) if product is not None else []
    lat, lng = lat_lng(producer.location)
    og_image = request.build_absolute_uri(photos[0].thumbnail.url) if photos and photos[0].thumbnail else ""
    return {
        "stamp": stamp,
        "batch": batch,
        "product": product,
        "producer": producer,
        "verified": producer.status == producer.Status.APPROVED,
        "certificates": certificates_state(product) if product is not None else [],
        "photos": photos,
        "journey": journey,
        "verdict_class": VERDICT_CLASSES[outcome.verdict],
        "scan_token": scan_token(outcome.scan.pk),
        "pin_form": PinForm(),
        "map_url": reverse("tracing:scan_origin", args=[stamp.serial]),
        "producer_lat": f"{lat:.4f}",
        "producer_lng": f"{lng:.4f}",
        "buy_url": _marketplace_url(product) if product is not None else None,
        "shops_url": reverse("geo:find_shop") + "?" + urlencode({"product_kind": product.kind.code})
        if product
        else None,
        "report_url": reverse("tracing:report") + "?" + urlencode({"ma": stamp.serial}),
        "already_confirmed": scan_services.already_confirmed_message(stamp) if stamp.confirmed_at else "",
        "sold_message": scan_services.sold_message(stamp),
        "og_image": og_image,
        "og_url": request.build_absolute_uri(),
        "leaflet_js": settings.STATIC_URL + "leaflet/leaflet.js",
        "leaflet_css": settings.STATIC_URL + "leaflet/leaflet.css",
    }


@never_cache
@require_GET
def scan_page(request, code: str):
    """/t/{serial}: the verdict and the product's story. Typed variants (lower case, dashes) redirect."""
    serial = codes.normalise_serial(code)
    if not codes.serial_is_well_formed(serial):
        try:
            codes.parse_serial(code)
        except ValueError as exc:
            return _bad_code(request, str(exc), status=404, code_text=code)
    if serial != code:
        return HttpResponseRedirect(reverse("tracing:scan", args=[serial]))
    return _scan_response(request, serial)


def _raw_path(request) -> str:
    """The path as the client sent it, still percent-encoded (a lot may contain an encoded “/”)."""
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI") or ""
    if raw.startswith(("http://", "https://")):
        raw = "/" + raw.split("/", 3)[-1]
    return raw.split("?", 1)[0] if raw else request.path


@never_cache
@require_GET
def digital_link_page(request):
    """/01/{gtin}[/10/{lot}]/21/{serial}: the GS1 Digital Link form of the scan page."""
    try:
        link = digital_link.parse_path(_raw_path(request))
    except digital_link.MalformedSerialError as exc:
        return _bad_code(request, str(exc), status=404)
    except digital_link.DigitalLinkError as exc:
        return _bad_code(request, str(exc), status=400 if not isinstance(exc, digital_link.MissingSerialError) else 404)
    return _scan_response(request, link.serial, link=link)


@require_POST
def scan_confirm(request, code: str):
    """The scratch PIN: the first correct confirmation wins; later ones are told when and where it happened."""
    serial = codes.normalise_serial(code)
    if not codes.serial_is_well_formed(serial):
        return _bad_code(request, _("This is not a valid stamp code."), status=404, code_text=code)
    wait = scan_limits.over_limit(scan_limits.confirm_checks(scan_limits.visitor_key(request), serial))
    if wait:
        return _limited(request, wait)
    form = PinForm(request.POST)
    context = {
        "serial": serial,
        "serial_grouped": codes.format_serial(serial),
        "back_url": reverse("tracing:scan", args=[serial]),
    }
    if not form.is_valid():
        context.update(ok=False, message=" ".join(form.errors.get("pin", [])) or _("Enter the PIN."), form=form)
        return render(request, "tracing/scan/confirmed.html", context, status=400)
    try:
        confirmation = scan_services.stamp_confirm_pin(
            serial=serial, pin=form.cleaned_data["pin"], scan_id=scan_id_from_token(form.cleaned_data.get("scan", ""))
        )
    except scan_services.PinRefused as exc:
        status = {"already_confirmed": 409, "unknown": 404}.get(exc.code, 400)
        context.update(ok=False, message=exc.messages[0], code=exc.code, form=PinForm())
        return render(request, "tracing/scan/confirmed.html", context, status=status)
    context.update(ok=True, confirmation=confirmation)
    return render(request, "tracing/scan/confirmed.html", context)


@require_POST
def scan_locate(request, code: str):
    """The consumer chose to share their location with their scan (JSON from the page's script)."""
    scan_id = scan_id_from_token(request.POST.get("scan", ""))
    if scan_id is None:
        return JsonResponse(
            {"error": {"code": "invalid", "message": _("This page is too old: open the stamp again."), "fields": {}}},
            status=400,
        )
    wait = scan_limits.over_limit(
        [("locate-v", scan_limits.visitor_key(request), scan_limits.LOCATE_PER_VISITOR, scan_limits.LOCATE_WINDOW_S)]
    )
    if wait:
        return _limited(request, wait, as_json=True)
    try:
        scan = scan_services.scan_share_location(
            scan_id=scan_id, lat=request.POST.get("lat"), lng=request.POST.get("lng")
        )
    except ValidationError as exc:
        return JsonResponse({"error": {"code": "invalid", "message": exc.messages[0], "fields": {}}}, status=400)
    except Scan.DoesNotExist:
        raise Http404 from None
    return JsonResponse({"place": scan.place_name, "verdict": scan.verdict})


@cache_control(public=True, max_age=300)
@require_GET
def scan_origin(request, code: str):
    """GeoJSON for the scan page's map: the product's growing region and the producer (approximate to ~10 m)."""
    serial = codes.normalise_serial(code)
    if not codes.serial_is_well_formed(serial):
        raise Http404
    stamp = scan_services.stamp_for_page(serial)
    if stamp is None or stamp.status not in ("activated", "sold"):
        raise Http404
    product = stamp.batch.product
    producer = stamp.run.producer
    features = []
    if product.growing_region_id:
        from geo.models import GrowingRegion

        features = json.loads(regions_geojson(GrowingRegion.objects.filter(pk=product.growing_region_id)))["features"]
    lat, lng = lat_lng(producer.location)
    features.append(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lng, 4), round(lat, 4)]},
            "properties": {"kind": "producer", "name": producer.name},
        }
    )
    return JsonResponse({"type": "FeatureCollection", "features": features})


@require_http_methods(["GET", "POST"])
def report_page(request):
    """Report a suspected fake: a photo, the place, the shop and a note; officials see it at once."""
    if request.method == "POST":
        wait = scan_limits.over_limit(
            [
                (
                    "report-v",
                    scan_limits.visitor_key(request),
                    scan_limits.REPORT_PER_VISITOR,
                    scan_limits.REPORT_WINDOW_S,
                )
            ]
        )
        if wait:
            return _limited(request, wait)
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                scan_services.report_create(
                    serial=data["serial"],
                    note=data["note"],
                    place=data["place"],
                    shop=data["shop"],
                    lat=data.get("lat"),
                    lng=data.get("lng"),
                    photo=data.get("photo"),
                    by=request.user,
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, messages)
            else:
                return render(request, "tracing/scan/report_thanks.html", {"serial": data["serial"]})
        return render(request, "tracing/scan/report.html", {"form": form}, status=400)
    form = ReportForm(initial={"serial": request.GET.get("ma", "")[:40]})
    return render(request, "tracing/scan/report.html", {"form": form})


@require_GET
def guide_check(request):
    """How to check a stamp (public): a picture of a real label, what each verdict means, a box to type a code."""
    form = CheckCodeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return HttpResponseRedirect(reverse("tracing:scan", args=[form.cleaned_data["code"]]))
    return render(request, "tracing/guide/check.html", {"form": form}, status=400 if form.is_bound else 200)


@require_GET
def guide_producer(request):
    """The producer's guide to receiving, printing and activating stamps."""
    return render(request, "tracing/guide/producer.html")


@cache_control(public=True, max_age=86400)
@require_GET
def guide_poster(request):
    """A printable A4 poster for shops, with a QR code to the how-to-check page."""
    from tracing.poster import poster_pdf

    url = settings.SITE_URL.rstrip("/") + reverse("tracing:guide_check")
    response = HttpResponse(poster_pdf(url), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="kiem-tra-tem-poster.pdf"'
    return response
