"""Pages: Find a shop (consumer, works without JavaScript) and the province map."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Prefetch, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from geo import geocoding, hours
from geo.coordinates import directions_urls, validate_lat_lng
from geo.forms import FindShopForm, ProvinceMapFilterForm, unit_choices
from geo.models import AdminUnit, ProductKind, RetailPoint
from geo.nearest import nearest_retail_points

RESULT_LIMIT = 10
PROVINCE_MAP_DEFAULT_DAY = datetime.date(2025, 7, 1)
_PHONE_KEEP = re.compile(r"[^\d+]")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_COLOUR = "#1f5f3b"


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def product_kind_label(kind: ProductKind) -> str:
    return kind.name_en if _english() else kind.name_vi


def format_distance(metres: float) -> str:
    """'850 m', '1,2 km' / '1.2 km', '245 km' — decimals and grouping in the page's language."""
    if metres < 995:  # 995 m and more round to "1,0 km", not "1000 m"
        rounded = round(metres / 10.0) * 10 if metres >= 10 else round(metres)
        return f"{rounded}\u00a0m"
    km = metres / 1000.0
    if km < 9.95:
        return f"{formats.number_format(round(km, 1), decimal_pos=1, use_l10n=True)}\u00a0km"
    return f"{formats.number_format(round(km), decimal_pos=0, use_l10n=True, force_grouping=True)}\u00a0km"


def _local(moment):
    """A datetime in the site's time zone (or a bare time unchanged)."""
    if isinstance(moment, datetime.datetime) and timezone.is_aware(moment):
        return timezone.localtime(moment)
    return moment


def opening_text(state, now: datetime.datetime, *, has_hours: bool = True) -> tuple[bool | None, str]:
    """(is_open, sentence) for a shop's opening state: 'Open now · closes at 17:30', 'Opens Monday 07:00'.

    is_open is None when the shop has given no weekly hours (and is not open by an exception).
    """
    if not state.is_open and state.opens_next is None and not has_hours:
        return None, _("Opening hours not given")
    if state.is_open:
        closes = _local(state.closes_at)
        if closes is None:
            return True, _("Open now")
        return True, _("Open now · closes at %(time)s") % {"time": formats.time_format(closes, "H:i")}
    opens = _local(state.opens_next)
    if opens is None:
        return False, _("Closed")
    if isinstance(opens, datetime.datetime):
        today = timezone.localtime(now).date()
        if opens.date() == today:
            return False, _("Closed · opens at %(time)s") % {"time": formats.time_format(opens, "H:i")}
        if opens.date() == today + datetime.timedelta(days=1):
            return False, _("Closed · opens tomorrow at %(time)s") % {"time": formats.time_format(opens, "H:i")}
        return False, _("Closed · opens %(day)s at %(time)s") % {
            "day": formats.date_format(opens, "l"),
            "time": formats.time_format(opens, "H:i"),
        }
    return False, _("Closed · opens at %(time)s") % {"time": formats.time_format(opens, "H:i")}


@dataclass
class ShopResult:
    """One row of the Find a shop list, formatted for the page and the map."""

    id: int
    name: str
    kind: str
    address: str
    lat: float
    lng: float
    distance_m: float
    distance: str
    is_open: bool | None
    opening: str
    phone: str
    phone_href: str
    zalo: str
    zalo_href: str
    products: list[str] = field(default_factory=list)
    directions: dict = field(default_factory=dict)

    def marker(self) -> dict:
        return {"id": self.id, "name": self.name, "lat": self.lat, "lng": self.lng, "distance": self.distance}


def shop_result(point: RetailPoint, now: datetime.datetime) -> ShopResult:
    lat, lng = point.location.y, point.location.x
    is_open, opening = opening_text(hours.opening_state(point, now), now, has_hours=bool(point.opening_periods.all()))
    phone_digits = _PHONE_KEEP.sub("", point.phone)
    zalo_digits = _PHONE_KEEP.sub("", point.zalo).lstrip("+")
    return ShopResult(
        id=point.pk,
        name=point.name,
        kind=point.get_kind_display(),
        address=point.address,
        lat=lat,
        lng=lng,
        distance_m=point.distance_m,
        distance=format_distance(point.distance_m),
        is_open=is_open,
        opening=opening,
        phone=point.phone,
        phone_href=f"tel:{phone_digits}" if phone_digits else "",
        zalo=point.zalo,
        zalo_href=f"https://zalo.me/{zalo_digits}" if zalo_digits else "",
        products=[product_kind_label(kind) for kind in point.product_kinds.all()],
        directions=directions_urls(lat, lng),
    )


def _search_link(base: dict, **params) -> str:
    query = {key: value for key, value in {**base, **params}.items() if value not in (None, "", False)}
    return f"{reverse('geo:find_shop')}?{urlencode(query)}"


def _page_filter_condition(ticked, kind) -> Q | None:
    """The Q of the registered filters ticked on the page (e.g. the marketplace's genuine, in stock)."""
    params = {"product_kind": kind.code} if kind else {}
    combined = None
    for registered in ticked:
        condition = registered.build(registered.page_value, params)
        combined = condition if combined is None else combined & condition
    return combined


@require_GET
def find_shop(request):
    """The nearest genuine shops to a typed place or the browser's location, as a list (and a map with JS)."""
    form = FindShopForm(request.GET or None)
    context = {"form": form, "results": [], "origin": None, "candidates": [], "message": "", "message_level": "warning"}
    if not form.is_bound:
        return render(request, "geo/find_shop.html", context)
    if not form.is_valid():
        context["message"] = " ".join(str(error) for errors in form.errors.values() for error in errors)
        context["message_level"] = "error"
        return render(request, "geo/find_shop.html", context, status=400)

    data = form.cleaned_data
    kind = data["product_kind"]
    ticked = [registered for registered in form.page_filters if data.get(registered.name)]
    filters = {
        "product_kind": kind.code if kind else "",
        "open_now": "1" if data["open_now"] else "",
        **{registered.name: registered.page_value for registered in ticked},
    }
    if data["lat"]:
        try:
            lat, lng = validate_lat_lng(data["lat"], data["lng"])
        except ValueError as exc:
            context["message"] = _("This location cannot be used: %(reason)s") % {"reason": exc}
            context["message_level"] = "error"
            return render(request, "geo/find_shop.html", context, status=400)
        origin_label = data["q"] or _("your location")
    elif data["q"]:
        try:
            candidates = geocoding.geocode(data["q"], limit=5)
        except ValueError as exc:
            context.update(message=str(exc), message_level="error")
            return render(request, "geo/find_shop.html", context, status=400)
        if not candidates:
            context["message"] = _(
                "We could not find “%(place)s”. Check the spelling, or try a nearby town or your district."
            ) % {"place": data["q"]}
            return render(request, "geo/find_shop.html", context)
        first = candidates[0]
        lat, lng, origin_label = first.lat, first.lng, first.name
        context["candidates"] = [
            {"name": other.name, "url": _search_link(filters, q=other.name, lat=other.lat, lng=other.lng)}
            for other in candidates[1:]
        ]
    else:
        context["message"] = _("Type a place, or use your location, to see the nearest shops.")
        return render(request, "geo/find_shop.html", context)

    now = timezone.now()
    shops = hours.with_opening_hours(
        RetailPoint.objects.prefetch_related(Prefetch("product_kinds", queryset=ProductKind.objects.order_by("code"))),
        now,
    )
    points = nearest_retail_points(
        lat=lat,
        lng=lng,
        limit=RESULT_LIMIT,
        product_kind=kind.code if kind else None,
        open_at=now if data["open_now"] else None,
        extra=_page_filter_condition(ticked, kind),
        queryset=shops,
    )
    results = [shop_result(point, now) for point in points]
    context.update(
        origin={"lat": lat, "lng": lng, "label": origin_label},
        results=results,
        map_data={
            "origin": {"lat": lat, "lng": lng, "label": origin_label},
            "shops": [result.marker() for result in results],
        },
    )
    if not results:
        if kind or data["open_now"] or ticked:
            context["message"] = _("No shop matches these filters near %(place)s. Try another product or time.") % {
                "place": origin_label
            }
        else:
            context["message"] = _("No shop near %(place)s yet.") % {"place": origin_label}
    return render(request, "geo/find_shop.html", context)


def map_config(*, can_verify: bool) -> dict:
    """The province map's settings for its script: API addresses, product kinds, labels, texts.

    The officials' map (oversight.views.map) starts from the same and adds its producer layers.
    """
    kinds = [
        {
            "code": kind.code,
            "name": product_kind_label(kind),
            "colour": kind.colour if _COLOUR.fullmatch(kind.colour) else DEFAULT_COLOUR,
        }
        for kind in ProductKind.objects.order_by("code")
    ]
    api_root = reverse("api-root")
    return {
        "api": {
            "regions": f"{api_root}regions/",
            "adminUnits": f"{api_root}admin-units/",
            "retailPoints": f"{api_root}retail-points/",
        },
        "productKinds": kinds,
        "levels": {level: str(label).capitalize() for level, label in AdminUnit.Level.choices},
        "kindLabels": {kind: str(label).capitalize() for kind, label in RetailPoint.Kind.choices},
        "canVerify": can_verify,
        "text": {
            "regions": _("Growing regions"),
            "units": _("Administrative units"),
            "shops": _("Shops"),
            "approximate": _("Approximate boundary, not an official survey"),
            "source": _("Boundary source"),
            "area": _("Area"),
            "hectares": _("ha"),
            "verified": _("Verified"),
            "notVerified": _("Not verified"),
            "loading": _("Loading the map…"),
            "loadFailed": _("The map data could not be loaded. Check your connection and try again."),
            "shopCount": _("Shops shown: %(count)s"),
            "tooMany": _("Zoom in to see every shop: only the first %(count)s are shown."),
            "validFrom": _("In force from"),
            "validTo": _("until"),
        },
    }


@require_GET
def province_map(request):
    """Growing regions by product, administrative units (old or 2025 map), retail points clustered."""
    can_verify = request.user.has_perm("geo.verify_retailpoint")
    map_days = {value: datetime.date.fromisoformat(value) for value, _label in ProvinceMapFilterForm.MAP_DATE_CHOICES}
    day = map_days.get(request.GET.get("valid_on", ""), PROVINCE_MAP_DEFAULT_DAY)
    form = ProvinceMapFilterForm(
        request.GET or None,
        units=unit_choices(day),
        show_verification=can_verify,
    )
    config = map_config(can_verify=can_verify)
    kinds = config["productKinds"]
    return render(
        request,
        "geo/province_map.html",
        {"form": form, "product_kinds": kinds, "map_config": config},
    )
