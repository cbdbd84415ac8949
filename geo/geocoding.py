"""From a typed place or address to coordinates: our own gazetteer first, then a provider.

The gazetteer is the administrative units (current and historical) and places loaded from the
fixtures, matched accent- and case-insensitively ("bac quang", "Bắc Quang", "BAC QUANG"). The
provider (settings.GEOCODER: "nominatim" or "none") is geopy's Nominatim, built lazily behind
`get_provider()`, limited to one request per second (Nominatim's usage policy: geopy's RateLimiter in
each process, plus a slot in the shared cache across processes), restricted to Việt Nam, and cached
for a day. A failing or slow provider never fails the search: the gazetteer's answers are returned.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.gis.db.models.functions import PointOnSurface
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from geo.models import AdminUnit, Place
from geo.text import fold

log = logging.getLogger(__name__)

CACHE_SECONDS = 24 * 3600
MAX_QUERY_LENGTH = 200
SOURCE_GAZETTEER = "gazetteer"
SOURCE_NOMINATIM = "nominatim"
# Words that name the kind of unit ("Huyện Bắc Quang"): the search also tries the rest of the query.
_KIND_PREFIXES = ("thanh pho ", "thi tran ", "thi xa ", "tinh ", "huyen ", "quan ", "xa ", "phuong ", "tp ")
_LEVEL_RANK = {AdminUnit.Level.PROVINCE: 0, AdminUnit.Level.DISTRICT: 1, AdminUnit.Level.COMMUNE: 2}


@dataclass(frozen=True)
class Candidate:
    name: str
    level: str  # province, district, commune, a place kind (town, city…) or the provider's type
    lat: float
    lng: float
    source: str  # "gazetteer" or the provider's name


def _clean_query(query: str) -> str:
    text = (query or "").strip()
    if not text:
        raise ValueError(_("The search text is empty."))
    if len(text) > MAX_QUERY_LENGTH:
        raise ValueError(_("The search text is longer than %(max)d characters.") % {"max": MAX_QUERY_LENGTH})
    return text


def _without_kind(folded: str) -> list[str]:
    """The folded text, and the same without a leading kind of unit ("huyen bac quang" → "bac quang")."""
    variants = [folded]
    for prefix in _KIND_PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix):
            variants.append(folded[len(prefix) :])
    return variants


def _match_rank(search_name: str, needles: list[str]) -> int | None:
    """0 exact, 1 prefix, 2 a word starts with it, 3 contains; None when no needle matches.

    Names and needles are compared with and without a leading kind ("Xã", "Huyện"…).
    """
    best = None
    for name in _without_kind(search_name):
        for needle in needles:
            if name == needle:
                rank = 0
            elif name.startswith(needle):
                rank = 1
            elif f" {needle}" in name:
                rank = 2
            elif needle in name:
                rank = 3
            else:
                continue
            best = rank if best is None else min(best, rank)
    return best


def _gazetteer(query: str, limit: int) -> list[tuple[int, Candidate]]:
    """(match rank, candidate) pairs, best first: exact, prefix, word prefix, contains."""
    needles = _without_kind(fold(_clean_query(query)))
    match = Q()
    for needle in needles:
        match |= Q(search_name__contains=needle)
    ranked: list[tuple[tuple, Candidate]] = []
    today = timezone.localdate()

    units = (
        AdminUnit.objects.filter(match)
        .filter(Q(centre__isnull=False) | Q(boundary__isnull=False))
        .select_related("parent")
        .annotate(surface=PointOnSurface("boundary"))[:200]
    )
    for unit in units:
        where = unit.centre or unit.surface
        current = (unit.valid_from is None or unit.valid_from <= today) and (
            unit.valid_to is None or unit.valid_to >= today
        )
        label = (
            unit.name if not unit.kind or fold(unit.name).startswith(fold(unit.kind)) else f"{unit.kind} {unit.name}"
        )
        if unit.parent_id:
            label = f"{label}, {unit.parent.name}"
        if not current and unit.valid_to:
            label = _("%(name)s (until %(year)s)") % {"name": label, "year": unit.valid_to.year}
        key = (_match_rank(unit.search_name, needles), 0 if current else 1, _LEVEL_RANK.get(unit.level, 3), 0, label)
        ranked.append((key, Candidate(label, unit.level, where.y, where.x, SOURCE_GAZETTEER)))

    for place in Place.objects.filter(match).select_related("unit")[:200]:
        label = place.name if place.unit is None else f"{place.name}, {place.unit.name}"
        key = (_match_rank(place.search_name, needles), 0, 3, -(place.population or 0), label)
        ranked.append((key, Candidate(label, place.kind, place.location.y, place.location.x, SOURCE_GAZETTEER)))

    ranked.sort(key=lambda item: item[0])
    results: list[tuple[int, Candidate]] = []
    for key, candidate in ranked:
        if any(_same_place(candidate, kept) for _rank, kept in results):
            continue
        results.append((key[0], candidate))
        if len(results) == limit:
            break
    return results


def _same_place(a: Candidate, b: Candidate) -> bool:
    return fold(a.name) == fold(b.name) and abs(a.lat - b.lat) < 1e-3 and abs(a.lng - b.lng) < 1e-3


class NominatimProvider:
    """geopy's Nominatim (the real client), rate-limited, answers restricted to Việt Nam."""

    name = SOURCE_NOMINATIM

    def __init__(self, *, user_agent: str, timeout: float, domain: str, scheme: str, min_delay_seconds: float = 1.0):
        from geopy.adapters import URLLibAdapter
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        # The standard library's HTTP client, named: geopy would pick `requests` whenever it is installed
        # (a test tool brings it), and that adapter retries twice, tripling the wait on a slow provider.
        self.client = Nominatim(
            user_agent=user_agent, timeout=timeout, domain=domain, scheme=scheme, adapter_factory=URLLibAdapter
        )
        self.min_delay_seconds = min_delay_seconds
        # No retries inside a web request: a failure degrades to the gazetteer instead.
        self._geocode = RateLimiter(
            self.client.geocode, min_delay_seconds=min_delay_seconds, max_retries=0, swallow_exceptions=False
        )

    def search(self, query: str, *, limit: int) -> list[Candidate]:
        locations = self._geocode(
            query, exactly_one=False, limit=limit, country_codes="vn", language=get_language() or "vi"
        )
        candidates = []
        for location in locations or []:
            raw = location.raw or {}
            level = raw.get("addresstype") or raw.get("type") or "place"
            if -90 <= location.latitude <= 90 and -180 <= location.longitude <= 180:
                candidates.append(Candidate(location.address, level, location.latitude, location.longitude, self.name))
        return candidates


@functools.cache
def _build_provider(kind: str, user_agent: str, timeout: float, domain: str, scheme: str):
    if kind == "nominatim":
        return NominatimProvider(user_agent=user_agent, timeout=timeout, domain=domain, scheme=scheme)
    return None


def get_provider():
    """The provider configured in settings (built once per configuration), or None for "none"."""
    return _build_provider(
        settings.GEOCODER,
        settings.GEOCODER_USER_AGENT,
        float(settings.GEOCODER_TIMEOUT_S),
        getattr(settings, "GEOCODER_DOMAIN", "nominatim.openstreetmap.org"),
        getattr(settings, "GEOCODER_SCHEME", "https"),
    )


def _provider_search(provider, query: str, limit: int) -> list[Candidate]:
    """The provider's answers, from the cache when asked in the last day; [] when it fails or is busy."""
    from geopy.exc import GeopyError

    key = "geocode:v1:" + hashlib.sha256(f"{provider.name}|{limit}|{get_language()}|{fold(query)}".encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return [Candidate(**item) for item in cached]
    # One request per second across every process (Nominatim's policy); when the slot is taken the
    # search goes on with the gazetteer alone rather than queueing the visitor.
    # (The database cache keeps whole seconds, so a slot lasts between one and two seconds.)
    if not cache.add("geocode:slot:" + provider.name, 1, timeout=max(1, round(provider.min_delay_seconds))):
        log.info("geocoder busy, answering from the gazetteer only")
        return []
    try:
        candidates = provider.search(query, limit=limit)
    except (GeopyError, OSError, ValueError) as error:
        log.warning("geocoder %s failed: %s", provider.name, error)
        return []
    cache.set(key, [asdict(candidate) for candidate in candidates], CACHE_SECONDS)
    return candidates


def geocode(query: str, *, limit: int = 5) -> list[Candidate]:
    """Candidates for a typed place or address, best first: the gazetteer's, then the provider's.

    The provider is asked only when the gazetteer has no exact match and fewer than `limit` answers.
    Raises ValueError for an empty or overlong query.
    """
    query = _clean_query(query)
    limit = max(1, min(int(limit), 20))
    ranked = _gazetteer(query, limit)
    results = [candidate for _rank, candidate in ranked]
    exact = any(rank == 0 for rank, _candidate in ranked)
    provider = get_provider()
    if provider is not None and not exact and len(results) < limit:
        for candidate in _provider_search(provider, query, limit):
            if not any(_same_place(candidate, kept) for kept in results):
                results.append(candidate)
    return results[:limit]
