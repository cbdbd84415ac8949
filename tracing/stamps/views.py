"""The public face of the stamps: the scan page (/t/{serial}; the GS1 Digital Link form is answered by
tracing.resolver_views with the same functions), the scratch PIN, the shared location, counterfeit
reports, and the guidance pages and poster.

A malformed code is refused by its check character before any database or cache work; every other
look-up is rate-limited per visitor and per code (tracing/stamps/scan_limits.py) and recorded as a Scan.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from geo.geojson import regions_geojson
from tracing import access, digital_link, disclosure
from tracing.form_fields import add_service_errors, error_status
from tracing.models import Scan
from tracing.stamps import follow_up, looks, recent_scans, scan_limits, serials
from tracing.stamps import scans as scan_services
from tracing.stamps.confirmation import PinRefused, stamp_confirm_pin
from tracing.stamps.devices import device_family
from tracing.stamps.forms import CheckCodeForm, PinForm, ReportForm
from tracing.stamps.scan_page import render_stamp_page, scan_id_from_token


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


@dataclass(frozen=True, slots=True)
class Look:
    """A recorded look at a stamp: the judged outcome, and what the reload cookie needs."""

    outcome: scan_services.ScanOutcome
    recent: dict[str, int]
    now: datetime.datetime

    def remember(self, response) -> None:
        recent_scans.remember(response, self.recent, self.outcome.serial, self.now.timestamp())


def record_look(request, serial: str, *, link: digital_link.DigitalLinkPath | None = None) -> Look | HttpResponse:
    """Count and record one look at *serial* (a well-formed code): a Look, or the 429 page when over a limit.

    Every GET that shows a person something about the stamp (the scan page, or a resolver redirect
    to one of its linked pages) records exactly one scan here; HEAD, OPTIONS, the linkset and
    redirects back to the scan page record nothing. A reload within the window, a bot or a link
    preview (tracing.stamps.looks) is recorded as a repeat, which is never a new sighting.
    """
    visitor = scan_limits.visitor_key(request)
    network = scan_limits.network_key(request, serial)
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    now = timezone.now()
    recent = recent_scans.read(request, now.timestamp())
    repeat = recent_scans.seen(recent, serial) or device_family(user_agent) == "bot" or looks.is_preview(request)
    web = scan_services.scan_record_web(
        serial=serial,
        visitor=visitor,
        network=network,
        user_agent=user_agent,
        repeat=repeat,
        link=link,
        user=request.user,
        now=now,
    )
    if web.wait:
        return _limited(request, web.wait)
    return Look(outcome=web.outcome, recent=recent, now=now)


def head_response(request, serial: str) -> HttpResponse:
    """HEAD of a scan page: the status and headers of the GET, read within the limits, nothing recorded."""
    peek = scan_services.scan_peek_web(serial=serial, visitor=scan_limits.visitor_key(request))
    if peek.wait:
        return _limited(request, peek.wait)
    response = HttpResponse(status=200 if peek.known else 404, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def scan_response(
    request, serial: str, *, link: digital_link.DigitalLinkPath | None = None, link_data: str = ""
) -> HttpResponse:
    """The scan page for one look at *serial*: records it, then the verdict page (404 for an unknown code)."""
    look = record_look(request, serial, link=link)
    if isinstance(look, HttpResponse):
        return look
    outcome = look.outcome
    if outcome.stamp is None:
        context = {
            "outcome": outcome,
            "serial": serial,
            "serial_grouped": serials.format_serial(serial),
            "verdict_class": "unknown",
            "form": CheckCodeForm(),
        }
        response = render(request, "tracing/scan/unknown.html", context, status=404)
    else:
        response = render_stamp_page(request, outcome, link_data=link_data)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    look.remember(response)
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def scan_page(request, code: str):
    """/t/{serial}: the verdict and the product's story. Typed variants (lower case, dashes) redirect (301).

    The code is read as GS1 reads a serial (AI 21): characters outside the GS1 character set 82 or
    more than 20 of them are a bad request (400); a code that is not one of ours is not found (404).
    One trailing slash is tolerated.
    """
    raw = raw_path(request)
    raw_code = raw[len("/t/") :].removesuffix("/") if raw.startswith("/t/") else code
    try:
        serial, canonical = digital_link.short_form_serial(raw_code)
    except digital_link.MalformedSerialError as exc:
        message = str(exc)
        try:
            serials.parse_serial(digital_link.decode_component(raw_code))
        except ValueError as typo:  # say what is wrong with it: its length, a letter, a typing mistake
            message = str(typo)
        return _bad_code(request, message, status=404, code_text=digital_link.decode_component(raw_code))
    except digital_link.DigitalLinkError as exc:
        return _bad_code(request, str(exc), status=400, code_text=digital_link.decode_component(raw_code))
    if not canonical:
        target = reverse("tracing:scan", args=[serial])
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
    if request.method == "HEAD":
        return head_response(request, serial)
    return scan_response(request, serial)


@require_http_methods(["GET", "HEAD"])
def scan_extra_parts(request):
    """/t/{code}/… with parts the stamp pages do not have: a bad request, as the parser says."""
    return _bad_code(request, _("This link has unexpected parts after the stamp code."), status=400)


def raw_path(request) -> str:
    """The path as the client sent it, still percent-encoded (a lot may contain an encoded “/”).

    gunicorn passes it as RAW_URI (other servers as REQUEST_URI); without it, the decoded path is
    encoded again, so a raw character and its percent-encoding can then no longer be told apart.
    """
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI") or ""
    if raw.startswith(("http://", "https://")):
        raw = "/" + raw.split("/", 3)[-1]
    raw = raw.split("?", 1)[0].split("#", 1)[0]
    if not raw:
        return quote(request.path_info, safe="/:@!$&'()*+,;=-._~")
    script = request.META.get("SCRIPT_NAME", "")
    if script and raw.startswith(script.rstrip("/") + "/"):
        raw = raw[len(script.rstrip("/")) :]
    return raw


@require_POST
def scan_confirm(request, code: str):
    """The scratch PIN: the first correct confirmation wins; later ones are told when and where it happened."""
    serial = serials.normalise_serial(code)
    if not serials.serial_is_well_formed(serial):
        return _bad_code(request, _("This is not a valid stamp code."), status=404, code_text=code)
    wait = scan_limits.over_limit(scan_limits.confirm_checks(scan_limits.visitor_key(request), serial))
    if wait:
        return _limited(request, wait)
    form = PinForm(request.POST)
    context = {
        "serial": serial,
        "serial_grouped": serials.format_serial(serial),
        "back_url": reverse("tracing:scan", args=[serial]),
    }
    if not form.is_valid():
        context.update(ok=False, message=" ".join(form.errors.get("pin", [])) or _("Enter the PIN."), form=form)
        return render(request, "tracing/scan/confirmed.html", context, status=400)
    try:
        confirmation = stamp_confirm_pin(
            serial=serial, pin=form.cleaned_data["pin"], scan_id=scan_id_from_token(form.cleaned_data.get("scan", ""))
        )
    except PinRefused as exc:
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
    """GeoJSON for the scan page's map: the product's growing region and the producer where it may be shown."""
    serial = serials.normalise_serial(code)
    if not serials.serial_is_well_formed(serial):
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
    position = disclosure.public_location(producer)  # a household business's home is rounded to ~1 km
    features.append(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [position.x, position.y]},
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
                report = follow_up.report_create(
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
                add_service_errors(form, exc)
            else:
                return render(request, "tracing/scan/report_thanks.html", {"serial": data["serial"], "report": report})
        return render(request, "tracing/scan/report.html", {"form": form}, status=error_status(form))
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
    """The producer's guide to receiving, printing and activating stamps; how to join for those not yet in."""
    # Each reader gets the links they may follow: producers their stamps and activation, officials the
    # read-only runs (activation is the producers' own act), everyone else the way to join.
    is_producer = access.member_producer_id(request.user) is not None
    reads_all = access.can_read_all(request.user)
    apply_url = reverse("tracing:producer_apply")
    if not request.user.is_authenticated:
        apply_url = f"{reverse('signup')}?{urlencode({'next': apply_url})}"
    context = {
        "can_join": not (is_producer or reads_all),
        "is_producer": is_producer,
        "reads_all": reads_all and not is_producer,
        "apply_url": apply_url,
    }
    return render(request, "tracing/guide/producer.html", context)


@cache_control(public=True, max_age=86400)
@require_GET
def guide_poster(request):
    """A printable A4 poster for shops, with a QR code to the how-to-check page."""
    from tracing.stamps.poster import poster_pdf

    url = settings.SITE_URL.rstrip("/") + reverse("tracing:guide_check")
    response = HttpResponse(poster_pdf(url), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="kiem-tra-tem-poster.pdf"'
    return response
