"""Clone detection: rules that read a stamp's scan history and say when it looks copied.

Pure functions on plain data (no database): tracing/stamps/scans.py gathers the facts, calls
:func:`evaluate` after each scan (and again when the consumer shares a location), and stores each
finding as a SuspicionFlag with its evidence for officials. The rules that need no location have an
SQL form here too (the anonymous scan is judged in the statement that records it).

What counts as evidence about the unit a buyer holds (each tested where it counts and where not):

* Only the stamp's life in circulation: a scan made before its activation (the producer's test
  label, opened by a phone's camera in a browser not signed in) is recorded and shown to officials
  but is no sighting of the unit, and a flag raised before activation does not change what buyers
  see once it is activated. Before activation only ``not_in_circulation`` judges a scan.
* Never the producer's own staff or officials (signed in): their scans are recorded as such and are
  no sighting, no location evidence, no rule's trigger.
* Never volume from one client: sightings from one network (:data:`tracing.stamps.scan_limits` keys it:
  IPv4 /24, IPv6 /64) count once, however many browsers, cookies or user agents it shows; a
  reload by the same browser within :data:`REPEAT_WINDOW_MIN` minutes is not a sighting at all.
  What the client chooses (cookie, user agent) can only merge sightings, never split them.

The rules and their thresholds:

* ``too_many_scans`` — more than :data:`MAX_SIGHTINGS` separate sightings (distinct networks) of
  one unit. A genuine jar or box is scanned by the shop, the buyer and a few friends; a code
  photocopied onto many fakes is scanned by every buyer of every fake, on their own connections.
* ``impossible_travel`` — two located scans farther apart than anyone could travel in the time
  between them: geodesic distance minus :data:`LOCATION_MARGIN_KM` (browser locations can be off
  by kilometres, and we store them rounded) above :data:`MAX_SPEED_KMH` × hours. 120 km/h is a car
  on the expressway; a flight Hà Nội → Sài Gòn would need ~500 km/h door to door, so a unit sold in
  Hà Giang and scanned two hours later in Sài Gòn is a copy.
* ``outside_distribution`` — a located scan more than :data:`DISTRIBUTION_RADIUS_KM` from every
  place the batch is known to be (shops that received it, the producer, its production areas) and
  outside the producer's province.
* ``confirmed_elsewhere`` — the scratch PIN was confirmed (the unit was bought) and the code is
  then scanned in another province: the buyer's unit does not travel on; a copy does.
* ``not_in_circulation`` — a revoked or never-activated code scanned by the public: that code
  should not be on any product in a shop.

Beside the rules, an official's finding: a code an official confirmed copied (closing a case as
counterfeit) says so on every scan (:data:`COPY_CONFIRMED_WARNING`), whatever the rules say.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

#: Separate sightings of one unit above which it looks copied (rule too_many_scans).
MAX_SIGHTINGS = 25
#: A scan of the same code by the same visitor within this many minutes is a reload, not a sighting.
REPEAT_WINDOW_MIN = 30
#: Fastest plausible travel between two scans of one unit (rule impossible_travel).
MAX_SPEED_KMH = 120.0
#: Distance subtracted before judging travel: location error of phones and our ~110 m rounding.
LOCATION_MARGIN_KM = 25.0
#: How far from every known point of the batch's distribution a scan may be (rule outside_distribution).
DISTRIBUTION_RADIUS_KM = 150.0

TOO_MANY_SCANS = "too_many_scans"
IMPOSSIBLE_TRAVEL = "impossible_travel"
OUTSIDE_DISTRIBUTION = "outside_distribution"
CONFIRMED_ELSEWHERE = "confirmed_elsewhere"
NOT_IN_CIRCULATION = "not_in_circulation"

RULES = {
    TOO_MANY_SCANS: _("scanned too many times"),
    IMPOSSIBLE_TRAVEL: _("scanned in places too far apart for the time between"),
    OUTSIDE_DISTRIBUTION: _("scanned far from where this batch is sold"),
    CONFIRMED_ELSEWHERE: _("scanned in another province after its purchase was confirmed"),
    NOT_IN_CIRCULATION: _("a revoked or never-activated code in circulation"),
}

#: What a consumer reads for each rule, in plain words.
CONSUMER_WARNINGS = {
    TOO_MANY_SCANS: _(
        "This code has been scanned many more times than one product normally is. It may have been copied "
        "onto other packages."
    ),
    IMPOSSIBLE_TRAVEL: _(
        "This code was scanned in places too far apart for the time between the scans. The same code may "
        "be printed on more than one package."
    ),
    OUTSIDE_DISTRIBUTION: _("This code was scanned far from the shops that received this batch."),
    CONFIRMED_ELSEWHERE: _(
        "The buyer of this product already confirmed its PIN in another province. The code you see may be a copy."
    ),
    NOT_IN_CIRCULATION: _("This code should not be on any product on sale."),
}

#: What a consumer reads on a code an official confirmed copied (with the date of the finding).
COPY_CONFIRMED_WARNING = _(
    "On %(date)s the province's officials confirmed that this code has been copied onto counterfeit "
    "products. The product in your hands is very likely a fake: do not buy it, and report where you found it."
)

#: Statuses of a stamp in circulation: the rules about copies judge only these.
IN_CIRCULATION = ("activated", "sold")


@dataclass(frozen=True, slots=True)
class Sighting:
    """One scan as the rules see it. ``lat``/``lng`` only when the consumer shared a location."""

    scan_id: int | None
    at: datetime.datetime
    lat: float | None = None
    lng: float | None = None
    province_id: int | None = None
    place: str = ""
    repeat: bool = False
    staff: bool = False
    #: The scan's network (keyed hash, tracing.stamps.scan_limits.network_key); None: unknown (older scans),
    #: a network of its own.
    network: int | None = None
    #: Scanned before the stamp was activated (its test label): no evidence about the unit.
    before_activation: bool = False

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lng is not None

    @property
    def counts(self) -> bool:
        """A sighting of the unit (one per network: see :func:`distinct_sightings`)."""
        return not self.repeat and not self.staff and not self.before_activation

    @property
    def evidence(self) -> bool:
        """A scan the location rules may read: a public one made while the stamp was in circulation."""
        return not self.staff and not self.before_activation


@dataclass(frozen=True, slots=True)
class StampFacts:
    status: str  # issued / activated / sold / revoked
    confirmed_at: datetime.datetime | None = None
    confirmed_province_id: int | None = None
    confirmed_place: str = ""
    #: For the newest sighting, when located: km to the nearest known distribution point (None: no points known).
    distribution_km: float | None = None
    #: For the newest sighting, when located: whether it lies in the producer's province (None: unknown).
    in_producer_province: bool | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    evidence: dict = field(default_factory=dict)

    @property
    def warning(self) -> str:
        return str(CONSUMER_WARNINGS[self.rule])


DistanceKm = Callable[[tuple[float, float], tuple[float, float]], float]


def distinct_sightings(sightings: Sequence[Sighting]) -> list[Sighting]:
    """The first counted sighting from each network, in order (those of unknown network each count)."""
    networks: set[int] = set()
    first = []
    for sighting in sightings:
        if not sighting.counts:
            continue
        if sighting.network is not None:
            if sighting.network in networks:
                continue
            networks.add(sighting.network)
        first.append(sighting)
    return first


def too_many_scans(history: Sequence[Sighting], latest: Sighting) -> Finding | None:
    counted = distinct_sightings((*history, latest))
    if len(counted) <= MAX_SIGHTINGS:
        return None
    return Finding(
        TOO_MANY_SCANS,
        {"sightings": len(counted), "threshold": MAX_SIGHTINGS, "scan_ids": [s.scan_id for s in counted[-10:]]},
    )


def impossible_travel(history: Sequence[Sighting], latest: Sighting, distance_km: DistanceKm) -> Finding | None:
    """The first earlier located sighting that *latest* could not have travelled from in time.

    Only public scans in circulation (Sighting.evidence): the producer's staff scan where they are,
    not where the unit is, and a test label is scanned wherever it was printed.
    """
    if not latest.located or not latest.evidence:
        return None
    for earlier in reversed(history):
        if not earlier.located or not earlier.evidence or earlier.scan_id == latest.scan_id:
            continue
        hours = abs((latest.at - earlier.at).total_seconds()) / 3600
        km = distance_km((earlier.lat, earlier.lng), (latest.lat, latest.lng))
        if km - LOCATION_MARGIN_KM > MAX_SPEED_KMH * hours:
            return Finding(
                IMPOSSIBLE_TRAVEL,
                {
                    "scan_ids": [earlier.scan_id, latest.scan_id],
                    "distance_km": round(km, 1),
                    "hours": round(hours, 2),
                    "speed_kmh": round(km / hours, 1) if hours else None,
                    "max_speed_kmh": MAX_SPEED_KMH,
                    "places": [earlier.place, latest.place],
                },
            )
    return None


def outside_distribution(latest: Sighting, facts: StampFacts) -> Finding | None:
    if not latest.located or not latest.evidence:
        return None
    if facts.distribution_km is None or facts.in_producer_province is not False:
        return None
    if facts.distribution_km <= DISTRIBUTION_RADIUS_KM:
        return None
    return Finding(
        OUTSIDE_DISTRIBUTION,
        {
            "scan_ids": [latest.scan_id],
            "distance_km": round(facts.distribution_km, 1),
            "threshold_km": DISTRIBUTION_RADIUS_KM,
            "place": latest.place,
        },
    )


def confirmed_elsewhere(latest: Sighting, facts: StampFacts) -> Finding | None:
    if facts.confirmed_at is None or facts.confirmed_province_id is None or latest.province_id is None:
        return None
    if latest.at <= facts.confirmed_at or not latest.evidence or latest.province_id == facts.confirmed_province_id:
        return None
    return Finding(
        CONFIRMED_ELSEWHERE,
        {
            "scan_ids": [latest.scan_id],
            "confirmed_at": facts.confirmed_at.isoformat(),
            "confirmed_place": facts.confirmed_place,
            "place": latest.place,
        },
    )


def not_in_circulation(latest: Sighting, facts: StampFacts) -> Finding | None:
    if latest.staff or facts.status not in ("issued", "revoked"):
        return None
    return Finding(NOT_IN_CIRCULATION, {"scan_ids": [latest.scan_id], "status": facts.status})


# -- The SQL forms ------------------------------------------------------------------------------
# An anonymous scan is judged in the statement that records it (tracing/stamps/scan_sql.py), so the
# rules that need no location are written here twice, side by side: in Python above, in SQL below.
# tests/tracing/test_clone_rules.py runs both over the same histories and fails when they differ.

#: Sighting.before_activation's opposite, over a row of the scan table joined to its stamp `s`.
IN_CIRCULATION_SINCE_SQL = "coalesce(s.activated_at, '-infinity'::timestamptz)"
#: Sighting.counts (not a reload, not staff) over a row of the scan table; the time since activation
#: comes first in each subquery's WHERE, so that the (stamp, scanned_at) index starts there.
COUNTED_SQL = "NOT repeat AND channel <> 'staff'"
#: len(distinct_sightings(…)) over the counted rows: one per network, each of unknown network apart.
SIGHTINGS_SQL = "count(DISTINCT network) + count(*) FILTER (WHERE network IS NULL)"


def too_many_scans_sql(*, sightings: str, network_seen: str, repeat: str, max_sightings: str) -> str:
    """too_many_scans as an SQL condition: the sightings so far, plus the new scan unless it is a reload
    or comes from a network already counted, above the threshold (each argument an SQL expression)."""
    return f"{sightings} + (CASE WHEN {repeat} OR {network_seen} THEN 0 ELSE 1 END) > {max_sightings}"


def not_in_circulation_sql(status: str) -> str:
    """not_in_circulation for a never-activated code (a revoked one has a verdict of its own) in SQL."""
    return f"{status} = 'issued'"


def judge_scan(history: Sequence[Sighting], latest: Sighting, facts: StampFacts) -> list[Finding]:
    """The rules that need no location, for *latest* given the earlier sightings (oldest first).

    A stamp not in circulation (never activated, or revoked) is judged by ``not_in_circulation``
    only: its status already tells the buyer, and nothing seen then is evidence about a unit on sale.
    """
    if facts.status not in IN_CIRCULATION:
        return [f for f in (not_in_circulation(latest, facts),) if f is not None]
    return [f for f in (too_many_scans(history, latest),) if f is not None]


def judge_location(
    history: Sequence[Sighting], latest: Sighting, facts: StampFacts, *, distance_km: DistanceKm
) -> list[Finding]:
    """The rules that read the location *latest* shares (none for a stamp not in circulation)."""
    if facts.status not in IN_CIRCULATION:
        return []
    findings = [
        impossible_travel(history, latest, distance_km),
        outside_distribution(latest, facts),
        confirmed_elsewhere(latest, facts),
    ]
    return [f for f in findings if f is not None]


def evaluate(
    history: Sequence[Sighting], latest: Sighting, facts: StampFacts, *, distance_km: DistanceKm
) -> list[Finding]:
    """Every rule that fires for *latest* (the newest sighting), given the earlier ones, oldest first."""
    return judge_scan(history, latest, facts) + judge_location(history, latest, facts, distance_km=distance_km)
