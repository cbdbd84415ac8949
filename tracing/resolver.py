"""The GS1-conformant resolver's links: what a Digital Link to our products, batches and stamps leads to.

GS1-Conformant Resolver standard (1.0/1.1) and GS1 Digital Link: a request URI identifies an item
at one level of a tree — the product (``/01/{gtin}``), a batch of it (``/01/{gtin}/10/{lot}``), one
stamped item (``/01/{gtin}[/10/{lot}]/21/{serial}``) — and each level has typed links (GS1 Web
Vocabulary link types, ``gs1:…``). A request with ``linkType`` is answered with the most granular
level's link of that type (the item's, else the batch's, else the product's); without one, with the
level's default link. Our links:

============================  =================================================================
item (a stamp)                ``gs1:defaultLink`` and ``gs1:verificationService``: the scan page,
                              served at the request URI itself; ``gs1:traceability``: its batch's
                              journey
batch                         ``gs1:defaultLink``, ``gs1:traceability``: the batch page
product                       ``gs1:defaultLink``, ``gs1:pip``: the product page;
                              ``gs1:hasRetailers``: the nearest genuine shops; ``gs1:certificationInfo``:
                              the product's certificates; ``gs1:buy``: its page in the online market
============================  =================================================================

The linkset (``linkType=linkset``/``all``, or ``Accept: application/linkset+json``) is the RFC 9264
JSON form of every level: ``{"linkset": [{"anchor": …, "https://gs1.org/voc/pip": [{"href": …,
"title": …}]}]}``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tracing import gs1_ai
from tracing.digital_link import DigitalLinkPath, encode_value

GS1_VOC = "https://gs1.org/voc/"
#: Namespaces that name the GS1 Web Vocabulary (the CURIE prefix "gs1:" stands for the first).
_GS1_NAMESPACES = (
    "https://gs1.org/voc/",
    "http://gs1.org/voc/",
    "https://ref.gs1.org/voc/",
    "https://www.gs1.org/voc/",
)
LINKSET_TYPES = ("linkset", "all")
LINKSET_MEDIA_TYPE = "application/linkset+json"

DEFAULT = "gs1:defaultLink"
VERIFICATION = "gs1:verificationService"
PIP = "gs1:pip"
RETAILERS = "gs1:hasRetailers"
TRACEABILITY = "gs1:traceability"
CERTIFICATES = "gs1:certificationInfo"
BUY = "gs1:buy"
LINK_TYPES = (DEFAULT, VERIFICATION, PIP, RETAILERS, TRACEABILITY, CERTIFICATES, BUY)

#: Link titles (English source; the linkset carries both languages).
_TITLES = {
    "scan": gettext_noop("Check this stamp: genuine or not"),
    PIP: gettext_noop("Product information"),
    RETAILERS: gettext_noop("Genuine shops near you"),
    TRACEABILITY: gettext_noop("The batch's journey"),
    CERTIFICATES: gettext_noop("Certificates"),
    BUY: gettext_noop("Buy online"),
}
LANGUAGES = ("vi", "en")


def normalise_link_type(value: str | None) -> str | None:
    """``gs1:pip`` for any spelling of a GS1 link type (CURIE or URI), ``linkset`` for all/linkset, else as given."""
    if value is None:
        return None
    value = value.strip()
    if value in LINKSET_TYPES:
        return "linkset"
    for namespace in _GS1_NAMESPACES:
        if value.startswith(namespace):
            return "gs1:" + value[len(namespace) :]
    return value


def link_type_uri(curie: str) -> str:
    return GS1_VOC + curie[4:] if curie.startswith("gs1:") else curie


@dataclass(frozen=True, slots=True)
class Link:
    rel: str  # CURIE, e.g. "gs1:pip"
    href: str  # absolute
    title_key: str  # a key of _TITLES
    is_default: bool = False
    same_page: bool = False  # the scan page, served at the request URI itself (no redirect when asked for)

    def title(self) -> str:
        return _(_TITLES[self.title_key])


@dataclass(slots=True)
class Level:
    anchor: str
    links: list[Link] = field(default_factory=list)


@dataclass(slots=True)
class Resolution:
    """The levels of a request URI, most granular first, and what was found at each."""

    levels: list[Level]
    product: object | None = None
    batch: object | None = None
    stamp_known: bool = False

    def find(self, link_type: str) -> Link | None:
        """The most granular link of *link_type*; for the default link, the default of the most granular level."""
        for level in self.levels:
            for link in level.links:
                if link.is_default if link_type == DEFAULT else link.rel == link_type:
                    return link
        return None

    @property
    def empty(self) -> bool:
        return not any(level.links for level in self.levels)


def _marketplace_url(product) -> str | None:
    from tracing.stamps.scan_page import _marketplace_url as listing_url  # the scan page's "Buy online" button

    return listing_url(product)


def resolve(request, link: DigitalLinkPath, *, absolute) -> Resolution:
    """The levels of *link* with their links (read-only queries: product, batch, stamp).

    *absolute* turns a path into an absolute URL. Only what anonymous visitors may see is linked:
    products and batches of publicly listed producers.
    """
    from tracing.models import Batch, Product, Stamp

    product = Product.objects.public().select_related("kind").filter(gtin=link.gtin14).first() if link.gtin14 else None
    product_path = f"/01/{link.gtin14}"
    levels: list[Level] = []
    batch = None
    stamp = None
    if link.serial is not None:
        item = Level(absolute(link.path()))
        stamp = Stamp.objects.filter(serial=link.serial).select_related("batch", "run").first()
        if stamp is not None:
            item.links.append(Link(DEFAULT, item.anchor, "scan", is_default=True, same_page=True))
            item.links.append(Link(VERIFICATION, item.anchor, "scan", same_page=True))
            stamp_product_id = stamp.batch.product_id if stamp.batch_id else stamp.run.product_id
            if stamp.batch_id and product is not None and stamp_product_id == product.pk:
                journey = Batch.objects.public().filter(pk=stamp.batch_id).first()
                if journey is not None:
                    item.links.append(
                        Link(TRACEABILITY, absolute(reverse("tracing:batch", args=[journey.pk])), TRACEABILITY)
                    )
        levels.append(item)
    if link.lot is not None:
        lot = Level(absolute(f"{product_path}/10/{encode_value(link.lot)}"))
        if product is not None:
            batch = Batch.objects.public().filter(product=product, lot_code=link.lot).first()
        if batch is not None:
            page = absolute(reverse("tracing:batch", args=[batch.pk]))
            lot.links.append(Link(DEFAULT, page, TRACEABILITY, is_default=True))
            lot.links.append(Link(TRACEABILITY, page, TRACEABILITY))
        levels.append(lot)
    top = Level(absolute(product_path))
    if product is not None:
        page = absolute(reverse("tracing:product", args=[product.pk]))
        top.links.append(Link(DEFAULT, page, PIP, is_default=True))
        top.links.append(Link(PIP, page, PIP))
        shops = reverse("geo:find_shop") + "?" + urlencode({"product_kind": product.kind.code})
        top.links.append(Link(RETAILERS, absolute(shops), RETAILERS))
        if product.certificates.exists():
            top.links.append(Link(CERTIFICATES, page + "#certificates-title", CERTIFICATES))
        listing = _marketplace_url(product)
        if listing:
            top.links.append(Link(BUY, absolute(listing), BUY))
    levels.append(top)
    return Resolution(levels=levels, product=product, batch=batch, stamp_known=stamp is not None)


def linkset(resolution: Resolution) -> dict:
    """The RFC 9264 JSON linkset: one link context object per level that has links."""
    contexts = []
    for level in resolution.levels:
        if not level.links:
            continue
        context: dict = {"anchor": level.anchor}
        for link in level.links:
            target: dict = {"href": link.href, "title": link.title()}
            if not link.is_default:  # GS1: the default link carries a title and no optional attributes
                target["type"] = "text/html"
                target["hreflang"] = list(LANGUAGES)
                titles = []
                for language in LANGUAGES:
                    with translation.override(language):
                        titles.append({"value": link.title(), "language": language})
                target["title*"] = titles
            context.setdefault(link_type_uri(link.rel), []).append(target)
        contexts.append(context)
    return {"linkset": contexts}


def link_header(canonical: str, *, uncompressed: str | None = None) -> str:
    """The Link header of every resolver answer: the linkset, the canonical URI, the uncompressed form."""
    separator = "&" if "?" in canonical else "?"
    parts = [
        f'<{canonical}{separator}linkType=linkset>; rel="linkset"; type="{LINKSET_MEDIA_TYPE}"',
        f'<{canonical}>; rel="canonical"',
    ]
    if uncompressed:
        # First: GS1's test suite reads the first link that names the uncompressed URI.
        parts.insert(0, f'<{uncompressed}>; rel="owl:sameAs"')
    return ", ".join(parts)


CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Type",
    "Access-Control-Expose-Headers": "Link, Location, Content-Type, Content-Language",
    "Access-Control-Max-Age": "86400",
}


def add_cors(response):
    """CORS for any origin, without credentials (the resolver and the verification API are public)."""
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


# -- data attributes shown on the scan page -----------------------------------------------------

_DATE_LABELS = {
    "11": gettext_noop("Production date"),
    "13": gettext_noop("Packaging date"),
    "15": gettext_noop("Best before"),
    "16": gettext_noop("Sell by"),
    "17": gettext_noop("Expiry date"),
    "7006": gettext_noop("First freezing date"),
}
_WEIGHT_PREFIXES = {"310": "kg", "330": "kg"}


def _yymmdd(value: str) -> str:
    year = gs1_ai.century(int(value[:2]), None)
    month, day = int(value[2:4]), int(value[4:6])
    if day == 0:
        return date_format(datetime.date(year, month, 1), "YEAR_MONTH_FORMAT")
    return date_format(datetime.date(year, month, day), "DATE_FORMAT")


def describe_attribute(ai: str, value: str) -> str:
    """One GS1 data attribute for people: “Expiry date: 31 December 2026”, “Net weight: 0.195 kg”, “(99) …”."""
    if ai in _DATE_LABELS:
        return f"{_(_DATE_LABELS[ai])}: {_yymmdd(value)}"
    if ai == "7007":
        dates = _yymmdd(value[:6]) + (f" – {_yymmdd(value[6:])}" if len(value) == 12 else "")
        return f"{_('Harvest date')}: {dates}"
    if ai[:3] in _WEIGHT_PREFIXES and len(ai) == 4:
        decimals = int(ai[3])
        number = f"{int(value) / 10**decimals:.{decimals}f}"
        label = _("Net weight") if ai.startswith("310") else _("Gross weight")
        return f"{label}: {number} {_WEIGHT_PREFIXES[ai[:3]]}"
    entry = gs1_ai.lookup(ai)
    return f"({ai}) {entry.title if entry else ''}: {value}".replace(" :", ":")


def describe_attributes(attributes) -> str:
    return " · ".join(describe_attribute(ai, value) for ai, value in attributes)
