"""The scan page of a known stamp: rendered once per state of its product, then filled in for each scan.

Every scan of a stamp shows the same story — product, producer, batch, certificates, photos,
journey, map — and a few things of its own: the code, the count of sightings, the PIN-form tokens.
Rendering the bilingual template for each scan cost more than everything else in the request, so
for anonymous visitors the page is rendered once with markers in place of those per-scan values
(“slots”), split at the markers, and kept in a small per-process LRU; each scan then only joins the
pieces with its own values, HTML-escaped (“donut caching”).

The cache key holds everything that changes the page's shape — language, host, today's date (the
certificates' validity), verdict, warnings, stamp status, whether an official confirmed the code
copied, whether the PIN was confirmed or the sale recorded — and `ScanOutcome.page_digest`: an md5,
computed by PostgreSQL in the same statement that reads the stamp, of every row the page shows
(tracing.stamps.scan_sql._facts_sql). An edit to the product, a new journey step or an expired
certificate therefore gives a new key at once, whatever path made the change; nothing has to
remember to invalidate anything. Stale entries fall out of the LRU.

Signed-in visitors (staff see more), requests with pending messages and stamps without a digest
(the API) take the ordinary render with the same template and the same context, so both paths give
the same page; a test compares them byte for byte apart from the tokens.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import hmac
import html
import re
import secrets
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backend.csrf import get_token
from tracing import disclosure
from tracing.models import Scan
from tracing.stamps import confirmation, serials
from tracing.stamps import scans as scan_services
from tracing.stamps.forms import PinForm
from tracing.stamps.runs import certificates_state

TEMPLATE = "tracing/scan/page.html"
CACHE_SIZE = 512  # rendered pages per process (~30 KB each)

VERDICT_CLASSES = {
    Scan.Verdict.GENUINE: "genuine",
    Scan.Verdict.UNKNOWN: "unknown",
    Scan.Verdict.REVOKED: "revoked",
    Scan.Verdict.SUSPICIOUS: "suspicious",
}

# A marker no content can contain by chance or on purpose: it carries a secret drawn at start-up.
# Letters and digits only, so that escaping and URL quoting leave it alone.
_NONCE = secrets.token_hex(8)
_SLOT_RE = re.compile(rf"HG{_NONCE}([A-Z]+)HG")
SLOTS = ("SERIAL", "GROUPED", "PATH", "URL", "CSRF", "SCANTOKEN", "COUNT", "SCANLINE", "CONFIRMED", "SOLD", "LINKDATA")


def _slot(name: str) -> str:
    return f"HG{_NONCE}{name}HG"


class _PageCache:
    """A bounded LRU of pages split at their slots: [text, slot, text, slot, …, text]."""

    def __init__(self, size: int):
        self.size = size
        self._pages: OrderedDict[tuple, list[str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> list[str] | None:
        with self._lock:
            parts = self._pages.get(key)
            if parts is not None:
                self._pages.move_to_end(key)
            return parts

    def put(self, key: tuple, parts: list[str]) -> None:
        with self._lock:
            self._pages[key] = parts
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)


pages = _PageCache(CACHE_SIZE)


SCAN_TOKEN_SALT = "tracing.scan-token"  # noqa: S105 - a signing salt, not a secret
SCAN_TOKEN_MAX_AGE_S = 3600
_TOKEN = re.compile(r"^([0-9]{1,19})\.([0-9a-z]{1,13})\.([A-Za-z0-9_-]{22})$")


@functools.lru_cache(maxsize=8)
def _token_key(secret: str) -> bytes:
    """The scan tokens' HMAC key: one of its own, derived from a SECRET_KEY."""
    return hashlib.sha256(f"{SCAN_TOKEN_SALT}:{secret}".encode()).digest()


def _token_mac(secret: str, message: str) -> str:
    return base64.urlsafe_b64encode(hmac.digest(_token_key(secret), message.encode(), "sha256")[:16]).decode()[:22]


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return text


def scan_token(scan_id: int, *, now: float | None = None) -> str:
    """The signed scan id the page's PIN form and "share my location" send back (valid for an hour).

    "{scan id}.{unix time, base 36}.{HMAC-SHA256, 128 bits}": django.core.signing's format costs
    ~5 times as much (JSON, a key derived per call), on the busiest page.
    """
    message = f"{scan_id}.{_base36(int(time.time() if now is None else now))}"
    return f"{message}.{_token_mac(settings.SECRET_KEY, message)}"


def scan_id_from_token(token: str, *, now: float | None = None) -> int | None:
    """The scan id of a token this site signed (with SECRET_KEY or a fallback) within the last hour, else None."""
    match = _TOKEN.match(token or "")
    if match is None:
        return None
    scan_id, issued, mac = match.groups()
    message = f"{scan_id}.{issued}"
    if not any(
        hmac.compare_digest(mac, _token_mac(secret, message))
        for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
    ):
        return None
    age = (time.time() if now is None else now) - int(issued, 36)
    if not -60 <= age <= SCAN_TOKEN_MAX_AGE_S:  # a minute's leeway for clocks of several servers
        return None
    return int(scan_id)


def scan_line(outcome) -> str:
    """“Scanned 3 times since 2 May 2026; first near Xã Hà Giang 1.”"""
    since = timezone.localdate(outcome.first_seen_at) if outcome.first_seen_at else None
    return _scan_line(translation.get_language(), outcome.sightings, since, outcome.first_place)


@functools.lru_cache(maxsize=4096)
def _scan_line(language: str, count: int, since: datetime.date | None, place: str) -> str:
    """The line in `language` (the active one: it is in the arguments only to key the cache).

    Formatting a localised date costs ~75 µs; most scans repeat a few counts, days and places.
    """
    text = ngettext("Scanned %(count)s time since %(since)s", "Scanned %(count)s times since %(since)s", count) % {
        "count": count,
        "since": date_format(since, "DATE_FORMAT") if since else "",
    }
    if place:
        text += "; " + _("first near %(place)s") % {"place": place}
    return text


def _marketplace_url(product) -> str | None:
    """The product's page in the shop if it is listed, else none (tracing does not import marketplace)."""
    listing = getattr(product, "listing", None)
    if listing is None or not getattr(listing, "is_active", False):
        return None
    try:
        return reverse("marketplace:listing", args=[listing.pk])
    except NoReverseMatch:
        return None


def _shape(outcome, values: dict[str, str]) -> dict:
    """What decides the page's structure besides its story: part of the cache key."""
    return {
        "verdict_class": VERDICT_CLASSES[outcome.verdict],
        "copy_confirmed": outcome.copy_confirmed,
        "already_confirmed": bool(values["CONFIRMED"]),
        "sold": bool(values["SOLD"]),
        "link_data": bool(values["LINKDATA"]),
    }


def _values(request, outcome, host: str, link_data: str) -> dict[str, str]:
    """The per-scan values (as text: the template, or the fast path, escapes them)."""
    stamp = outcome.stamp
    path = request.get_full_path()
    return {
        "SERIAL": outcome.serial,
        "GROUPED": serials.format_serial(outcome.serial),
        "PATH": path,
        # request.build_absolute_uri(), without escaping the path a second time.
        "URL": f"{request.scheme}://{host}{path}",
        "CSRF": get_token(request),
        "SCANTOKEN": scan_token(outcome.scan.pk),
        "COUNT": str(outcome.sightings),
        "SCANLINE": scan_line(outcome),
        "CONFIRMED": confirmation.already_confirmed_message(stamp) if stamp.confirmed_at else "",
        "SOLD": confirmation.sold_message(stamp),
        # The GS1 data attributes of the link (e.g. an expiry date), described: tracing.resolver.
        "LINKDATA": link_data,
    }


def _context(request, outcome, values: dict[str, str], shape: dict, *, full_stamp) -> dict:
    """The template's context: the story from `full_stamp` (with its related rows), per-scan values from `values`."""
    stamp = full_stamp
    batch = stamp.batch
    product = batch.product if batch is not None else stamp.run.product
    producer = stamp.run.producer
    journey = list(batch.events.select_related("retail_point").order_by("occurred_at", "pk")) if batch else []
    photos = list(product.photos.all()[:6]) if product is not None else []
    position = disclosure.public_location(producer)  # a household business's home is rounded to ~1 km
    public = disclosure.public_producer(producer)
    og_image = request.build_absolute_uri(photos[0].thumbnail.url) if photos and photos[0].thumbnail else ""
    serial = values["SERIAL"]
    return {
        "outcome": outcome,
        "warnings": outcome.warnings,
        "stamp": outcome.stamp,  # its status and PIN state as judged for this scan (they are in the key)
        "serial": serial,
        "serial_grouped": values["GROUPED"],
        "next_path": values["PATH"],
        "og_url": values["URL"],
        "csrf_token": values["CSRF"],
        "scan_token": values["SCANTOKEN"],
        "scan_count": values["COUNT"],
        "scan_line": values["SCANLINE"],
        "already_confirmed": values["CONFIRMED"] if shape["already_confirmed"] else "",
        "sold_message": values["SOLD"] if shape["sold"] else "",
        "link_data": values["LINKDATA"] if shape["link_data"] else "",
        "batch": batch,
        "product": product,
        "producer": producer,
        "producer_address": public["address"],
        "verified": producer.status == producer.Status.APPROVED,
        "certificates": certificates_state(product) if product is not None else [],
        "photos": photos,
        "journey": journey,
        "verdict_class": shape["verdict_class"],
        "copy_confirmed": shape["copy_confirmed"],
        "pin_form": PinForm(),
        "map_url": reverse("tracing:scan_origin", args=[serial]),
        "producer_lat": str(position.y),
        "producer_lng": str(position.x),
        "buy_url": _marketplace_url(product) if product is not None else None,
        "shops_url": reverse("geo:find_shop") + "?" + urlencode({"product_kind": product.kind.code})
        if product
        else None,
        "report_url": reverse("tracing:report") + "?" + urlencode({"ma": serial}),
        "og_image": og_image,
        # Hashed names in production (far-future caching), fetched by scan.js when the map comes into view.
        "leaflet_js": static("leaflet/leaflet.js"),
        "leaflet_css": static("leaflet/leaflet.css"),
    }


def _cacheable(request, outcome) -> bool:
    return (
        outcome.page_digest is not None
        and not request.user.is_authenticated
        and len(messages.get_messages(request)) == 0
    )


def _key(request, outcome, shape: dict, host: str) -> tuple:
    return (
        outcome.page_digest,
        translation.get_language(),
        request.scheme,
        host,
        timezone.localdate(),
        shape["verdict_class"],
        shape["copy_confirmed"],
        shape["already_confirmed"],
        shape["sold"],
        shape["link_data"],
        outcome.stamp.status,
        tuple(outcome.warnings),
    )


def render_stamp_page(request, outcome, *, link_data: str = "") -> HttpResponse:
    """The page of a known stamp for this scan (from the cache when it can be).

    *link_data* describes the GS1 data attributes the scanned link carried (an expiry date, a
    weight…), shown with the stamp's facts; most links carry none.
    """
    host = request.get_host()
    values = _values(request, outcome, host, link_data)
    shape = _shape(outcome, values)
    if not _cacheable(request, outcome):
        full_stamp = scan_services.stamp_for_page(outcome.serial)
        context = _context(request, outcome, values, shape, full_stamp=full_stamp)
        return HttpResponse(render_to_string(TEMPLATE, context, request))
    key = _key(request, outcome, shape, host)
    parts = pages.get(key)
    if parts is None:
        slots = {name: _slot(name) for name in SLOTS}
        context = _context(request, outcome, slots, shape, full_stamp=scan_services.stamp_for_page(outcome.serial))
        context["shared_render"] = True  # for every anonymous visitor: no one's cart in the header
        parts = _SLOT_RE.split(render_to_string(TEMPLATE, context, request))
        pages.put(key, parts)
    escaped = {name: html.escape(value) for name, value in values.items()}  # = django.utils.html.escape
    return HttpResponse("".join(escaped[part] if i % 2 else part for i, part in enumerate(parts)))
