"""Scans of stamps: a look recorded and judged (clone flags written), the location shared later, the counts.

The statements are in scan_sql.py, the scratch PIN in confirmation.py, officials' follow-up of flags
and counterfeit reports in follow_up.py.

Privacy: a Scan keeps the time, the verdict, the channel, a coarse device family, a keyed hash of
its network per code (which only says whether two scans of one code came from the same network:
tracing.stamps.scan_limits.network_key) and — only when the consumer pressed "share my location" — a
location rounded to ~110 m with its commune and province names. No IP address or account is
stored; rate limits count keyed hashes of addresses in a table whose rows expire with their window
(tracing/stamps/scan_limits.py), and reloads are told by a cookie in the visitor's own browser
(tracing/stamps/recent_scans.py).

What a scan is judged on is the stamp's life in circulation, seen by the public: scans before its
activation and by its producer's staff or officials are recorded but are no sightings, flags raised
before activation do not count once it is activated, and one network counts once (clone_rules).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geo import scan_geometry
from tracing import access, audit
from tracing.digital_link import DigitalLinkPath
from tracing.models import Batch, BatchEvent, Scan, Stamp, SuspicionFlag
from tracing.models.stamps import StampStatus
from tracing.stamps import clone_rules, scan_limits, scan_sql
from tracing.stamps.confirmation import copy_confirmed_message
from tracing.stamps.devices import device_family
from tracing.stamps.scan_sql import ScanFacts, insert_scan, read_facts

Verdict = Scan.Verdict
log = logging.getLogger(__name__)
#: Earlier sightings read by the rules (the newest ones); older history cannot change their outcome much.
HISTORY_LIMIT = 200


@dataclass
class ScanOutcome:
    serial: str
    verdict: str
    stamp: Stamp | None = None
    scan: Scan | None = None
    warnings: list[str] = field(default_factory=list)
    link_mismatch: bool = False
    sightings: int = 0
    first_seen_at: datetime.datetime | None = None
    first_place: str = ""
    page_digest: str | None = None

    @property
    def is_genuine(self) -> bool:
        return self.verdict == Verdict.GENUINE

    @property
    def copy_confirmed(self) -> bool:
        """An official confirmed this code copied onto counterfeit products."""
        return self.stamp is not None and self.stamp.copy_confirmed_at is not None


#: Polygons the scan pages never draw from these rows (the origin map loads its own GeoJSON).
_UNUSED_GEOMETRIES = (
    "run__product__growing_region__boundary",
    "batch__product__growing_region__boundary",
)


def stamp_for_page(serial: str) -> Stamp | None:
    stamps = (
        Stamp.objects.select_related(
            "run__producer__commune",
            "run__product__kind",
            "run__product__growing_region",
            "batch__product__kind",
            "batch__product__growing_region",
        )
        .defer(*_UNUSED_GEOMETRIES, "run__producer__commune__boundary")
        .filter(serial=serial)
        .order_by()[:1]  # no ORDER BY: with LIMIT 1, PostgreSQL would walk the ordering's index instead
    )
    return next(iter(stamps), None)


def _sighting(scan: Scan, activated_at: datetime.datetime | None) -> clone_rules.Sighting:
    lat, lng = scan_geometry.lat_lng(scan.location) if scan.location is not None else (None, None)
    return clone_rules.Sighting(
        scan_id=scan.pk,
        at=scan.scanned_at,
        lat=lat,
        lng=lng,
        province_id=scan.province_id,
        place=scan.place_name,
        repeat=scan.repeat,
        staff=scan.channel == Scan.Channel.STAFF,
        network=scan.network,
        before_activation=activated_at is not None and scan.scanned_at < activated_at,
    )


def _flag(stamp: Stamp, findings: list[clone_rules.Finding], scan: Scan | None) -> None:
    for finding in findings:
        if SuspicionFlag.objects.filter(stamp=stamp, rule=finding.rule, resolved_at__isnull=True).exists():
            continue
        try:
            with transaction.atomic():
                flag = SuspicionFlag.objects.create(
                    stamp=stamp, rule=finding.rule, evidence=finding.evidence, scan=scan
                )
                audit.queue().open_for_flag(flag)
        except IntegrityError:
            pass  # flagged by a concurrent scan: one open flag per rule is enough


def _verdict(stamp: Stamp | None, warnings: list[str], link_ok: bool) -> str:
    if stamp is None:
        return Verdict.UNKNOWN
    if stamp.status == StampStatus.REVOKED:
        return Verdict.REVOKED
    if stamp.status == StampStatus.ISSUED or not link_ok or warnings:
        return Verdict.SUSPICIOUS
    return Verdict.GENUINE


# -- recording a scan ----------------------------------------------------------------------------


_UNREAD = object()  # scan_record(facts=…) not given: it reads them itself


def _link_ok(facts: ScanFacts, link: DigitalLinkPath | None) -> bool:
    """A Digital Link's GTIN and lot must be those of the stamp's product and batch (a /t/ link always matches)."""
    if link is None or link.gtin14 is None:
        return True
    if link.gtin14 not in {g for g in (facts.product_gtin, facts.run_gtin14) if g}:
        return False
    return not (link.lot and facts.lot_code is not None and link.lot != facts.lot_code)


def _store(scan: Scan, recorded: tuple[int, str] | None) -> None:
    """Insert the scan, or take the one record_query inserted (correcting its verdict if SQL judged otherwise)."""
    if recorded is None:
        insert_scan(scan)
        return
    scan.pk, stored = recorded
    scan._state.adding = False
    scan._state.db = connection.alias
    if stored != scan.verdict:
        log.error("scan %s: verdict %s in SQL, %s by the rules; corrected", scan.pk, stored, scan.verdict)
        Scan.objects.filter(pk=scan.pk).update(verdict=scan.verdict)


def scan_record(
    *,
    serial: str,
    channel: str = Scan.Channel.WEB,
    user_agent: str = "",
    repeat: bool = False,
    network: int | None = None,
    link: DigitalLinkPath | None = None,
    user=None,
    stamp: Stamp | None = None,
    page_digest: bool = False,
    facts: ScanFacts | object | None = _UNREAD,
    recorded: tuple[int, str] | None = None,
    now: datetime.datetime | None = None,
) -> ScanOutcome:
    """Record one look-up of a well-formed code and judge it: genuine, unknown, revoked or suspicious.

    `repeat` says the same visitor looked at this code minutes ago (decided by the caller: the scan
    page from its cookie, tracing/stamps/recent_scans.py); `network` is the keyed hash of the visitor's
    network for this code (tracing.stamps.scan_limits.network_key; None when unknown, when it counts as
    a network of its own). Rules that need no location run here; the
    location rules run when one is shared. Flags are written only when a rule fires. `page_digest`
    also asks for the digest the scan page caches its rendering under (ScanOutcome.page_digest).

    Statements: the facts (_facts_sql) and the INSERT of the scan, or fewer: a caller that already
    read the facts (the scan page, with its rate-limit counters; see facts_query) passes them as
    `facts` (None: no such stamp); one that also inserted the scan (record_query: an anonymous
    visitor's whole scan in one statement) passes `recorded` = (scan id, verdict) and the `now` it
    was recorded at.
    """
    if facts is _UNREAD:
        facts = read_facts(serial, network=network, with_digest=page_digest)
    now = now or timezone.now()
    family = device_family(user_agent)
    if facts is None:
        scan = Scan(
            serial=serial, channel=channel, device_family=family, repeat=repeat, network=network, scanned_at=now
        )
        scan.verdict = Verdict.UNKNOWN
        _store(scan, recorded)
        return ScanOutcome(serial=serial, verdict=Verdict.UNKNOWN, scan=scan)

    if stamp is None:
        stamp = facts.stamp
    if access.is_authenticated(user) and (
        access.is_official(user) or access.member_producer_id(user) == facts.producer_id
    ):
        channel = Scan.Channel.STAFF
    staff = channel == Scan.Channel.STAFF
    link_ok = _link_ok(facts, link)
    latest = clone_rules.Sighting(scan_id=None, at=now, repeat=repeat, staff=staff, network=network)
    # The rules without location only need the distinct sightings: placeholders stand in for them,
    # one of them from the new scan's network if that was counted already.
    others = [clone_rules.Sighting(scan_id=None, at=now)] * facts.sightings
    history = others
    if facts.network_seen and facts.sightings:
        history = [clone_rules.Sighting(scan_id=None, at=now, network=network), *others[1:]]
    findings = clone_rules.judge_scan(history, latest, clone_rules.StampFacts(status=stamp.status))
    rules = facts.open_rules + [f.rule for f in findings if f.rule not in facts.open_rules]
    warnings = [str(clone_rules.CONSUMER_WARNINGS[r]) for r in rules if r in clone_rules.CONSUMER_WARNINGS]
    if stamp.copy_confirmed_at is not None:
        warnings.insert(0, copy_confirmed_message(stamp))
    if not link_ok:
        warnings.append(_("This link does not match the product this stamp was issued for."))
    if stamp.status == StampStatus.ISSUED:
        warnings.append(_("This stamp was never activated by its producer: it should not be on a product for sale."))
    scan = Scan(
        stamp=stamp,
        serial=serial,
        channel=channel,
        device_family=family,
        repeat=repeat,
        network=network,
        scanned_at=now,
        verdict=_verdict(stamp, warnings, link_ok),
    )
    if findings:
        with transaction.atomic():
            _store(scan, recorded)
            for finding in findings:
                finding.evidence["scan_ids"] = [i for i in finding.evidence.get("scan_ids", []) if i] + [scan.pk]
            _flag(stamp, findings, scan)
    else:
        _store(scan, recorded)
    return ScanOutcome(
        serial=serial,
        verdict=scan.verdict,
        stamp=stamp,
        scan=scan,
        warnings=warnings,
        link_mismatch=not link_ok,
        sightings=facts.sightings + (1 if latest.counts and not facts.network_seen else 0),
        first_seen_at=facts.first_at or now,
        first_place=facts.first_place,
        page_digest=facts.digest,
    )


@dataclass(frozen=True, slots=True)
class WebScan:
    """One web look at a code: the judged scan, or (outcome None) the seconds to wait when a limit refused it."""

    outcome: ScanOutcome | None
    wait: int | None = None


def scan_record_web(
    *,
    serial: str,
    visitor: str,
    network: int | None,
    user_agent: str,
    repeat: bool,
    link: DigitalLinkPath | None,
    user,
    now: datetime.datetime,
) -> WebScan:
    """Count one web look at *serial* against the rate limits and, when they let it through, record and judge it.

    The one entry of the scan page (tracing.stamps.views.record_look). An anonymous visitor's scan
    is one statement: the counters, the stamp's facts and the INSERT with the verdict written in SQL
    (scan_sql.record_query), judged again in Python by scan_record. A signed-in visitor's takes two,
    because a scan by the producer's staff or an official is marked as such, which needs the
    stamp's producer first: the counters with the facts, then the INSERT.
    """
    signed_in = access.is_authenticated(user)
    if signed_in:
        also = scan_sql.facts_query(serial, network=network, with_digest=True)
    else:
        also = scan_sql.record_query(
            serial, now=now, user_agent=user_agent, repeat=repeat, network=network, link=link, with_digest=True
        )
    wait, row = scan_limits.scan_gate(visitor, serial, also=also)
    if wait:
        return WebScan(outcome=None, wait=wait)
    outcome = scan_record(
        serial=serial,
        user_agent=user_agent,
        repeat=repeat,
        network=network,
        link=link,
        user=user if signed_in else None,
        page_digest=True,
        facts=scan_sql.facts_from_row(row),
        recorded=None if signed_in else scan_sql.recorded_from_row(row),
        now=now,
    )
    return WebScan(outcome=outcome)


class Peek(NamedTuple):
    """A look that records nothing: whether the code is a stamp of ours, or the seconds to wait."""

    wait: int | None
    known: bool


def scan_peek_web(*, serial: str, visitor: str) -> Peek:
    """A HEAD of the scan page: within the same limits as a look, reads whether the stamp exists, records nothing."""
    also = scan_sql.facts_query(serial, network=None, with_digest=False)
    wait, row = scan_limits.scan_gate(visitor, serial, also=also)
    if wait:
        return Peek(wait=wait, known=False)
    return Peek(wait=None, known=scan_sql.facts_from_row(row) is not None)


def _distribution_facts(
    stamp: Stamp, lat: float, lng: float, place: scan_geometry.Place
) -> tuple[float | None, bool | None]:
    """(km to the nearest known point of the batch's distribution, whether the point is in the producer's province)."""
    producer = stamp.run.producer
    producer_lat_lng = scan_geometry.lat_lng(producer.location)
    points = [producer_lat_lng]
    retail_ids: list[int] = []
    if stamp.batch_id:
        retail_ids = list(
            BatchEvent.objects.filter(batch_id=stamp.batch_id, retail_point__isnull=False).values_list(
                "retail_point_id", flat=True
            )
        )
        area = Batch.objects.filter(pk=stamp.batch_id).values_list("production_area__location", flat=True).first()
        if area is not None:
            points.append(scan_geometry.lat_lng(area))
    distance = scan_geometry.nearest_distance_km(lat, lng, retail_point_ids=retail_ids, points=points)
    home = scan_geometry.place_of(*producer_lat_lng).province
    # Unknown when the producer's own province is not on our map; a point outside every unit is not in it.
    same = None if home is None else (place.province is not None and place.province.pk == home.pk)
    return distance, same


@transaction.atomic
def scan_share_location(*, scan_id: int, lat, lng) -> Scan:
    """Attach the location a consumer chose to share to their scan (once), then run the location rules.

    Refused: coordinates that are not numbers or out of range; a scan that already has a location.
    """
    try:
        point = scan_geometry.rounded_point(lat, lng)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"lat": str(exc) or _("Send a latitude and a longitude.")}) from None
    scan = (
        Scan.objects.select_for_update(of=("self",))
        .select_related("stamp__run__producer", "stamp__batch")
        .get(pk=scan_id)
    )
    if scan.location is not None:
        raise ValidationError(_("This scan already has a location."))
    lat, lng = scan_geometry.lat_lng(point)
    place = scan_geometry.place_of(lat, lng)
    scan.location = point
    scan.place_name = place.name
    scan.province = place.province
    scan.save(update_fields=["location", "place_name", "province"])
    stamp = scan.stamp
    if stamp is None or stamp.status not in clone_rules.IN_CIRCULATION:
        return scan  # the location rules judge only a stamp in circulation (clone_rules.judge_location)
    # Evidence only: public scans since activation (the rule checks it too, for whatever it is given).
    earlier = (
        Scan.objects.filter(stamp=stamp, location__isnull=False).exclude(pk=scan.pk).exclude(channel=Scan.Channel.STAFF)
    )
    if stamp.activated_at is not None:
        earlier = earlier.filter(scanned_at__gte=stamp.activated_at)
    earlier = list(earlier.order_by("-scanned_at")[:HISTORY_LIMIT])
    distance, same_province = _distribution_facts(stamp, lat, lng, place)
    facts = clone_rules.StampFacts(
        status=stamp.status,
        confirmed_at=stamp.confirmed_at,
        confirmed_province_id=stamp.confirmed_province_id,
        confirmed_place=stamp.confirmed_place,
        distribution_km=distance,
        in_producer_province=same_province,
    )
    latest = _sighting(scan, stamp.activated_at)
    history = [_sighting(s, stamp.activated_at) for s in reversed(earlier)]
    findings = clone_rules.judge_location(history, latest, facts, distance_km=scan_geometry.geodesic_km)
    _flag(stamp, findings, scan)
    if findings and scan.verdict == Verdict.GENUINE:
        scan.verdict = Verdict.SUSPICIOUS
        scan.save(update_fields=["verdict"])
    return scan


def scan_counts(stamp: Stamp) -> dict[str, int]:
    """Every scan of a stamp counted for officials: raw, by whom, reloads, before activation, networks,
    and the sightings the verdict counts (the very figure of the scan statement, _facts_sql)."""
    from django.db.models import Count, Q

    public = ~Q(channel=Scan.Channel.STAFF)
    aggregates = {
        "scans": Count("pk"),
        "public": Count("pk", filter=public),
        "staff": Count("pk", filter=Q(channel=Scan.Channel.STAFF)),
        "reloads": Count("pk", filter=public & Q(repeat=True)),
        "known_networks": Count("network", filter=public, distinct=True),
        "unknown_network": Count("pk", filter=public & Q(network__isnull=True)),
    }
    if stamp.activated_at is not None:
        aggregates["before_activation"] = Count("pk", filter=public & Q(scanned_at__lt=stamp.activated_at))
    counts = Scan.objects.filter(stamp=stamp).aggregate(**aggregates)
    counts.setdefault("before_activation", 0)
    # Scans of unknown network (recorded before networks were) each count as one, as in the verdict.
    counts["networks"] = counts.pop("known_networks") + counts.pop("unknown_network")
    facts = read_facts(stamp.serial)
    counts["sightings"] = facts.sightings if facts is not None else 0
    counts["threshold"] = clone_rules.MAX_SIGHTINGS
    return counts
