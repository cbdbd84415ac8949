"""Scans of stamps, the scratch-PIN confirmation, clone flags and counterfeit reports.

Privacy: a Scan keeps the time, the verdict, the channel, a coarse device family, a keyed hash of
its network per code (which only says whether two scans of one code came from the same network:
tracing.scan_limits.network_key) and — only when the consumer pressed "share my location" — a
location rounded to ~110 m with its commune and province names. No IP address or account is
stored; rate limits count keyed hashes of addresses in a table whose rows expire with their window
(tracing/scan_limits.py), and reloads are told by a cookie in the visitor's own browser
(tracing/recent_scans.py).

What a scan is judged on is the stamp's life in circulation, seen by the public: scans before its
activation and by its producer's staff or officials are recorded but are no sightings, flags raised
before activation do not count once it is activated, and one network counts once (clone_rules).
"""

from __future__ import annotations

import datetime
import functools
import logging
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend import prepared
from backend.storage import atomic_with_files
from geo import scan_geometry
from tracing import access
from tracing.digital_link import DigitalLinkPath
from tracing.models import Batch, BatchEvent, CounterfeitReport, Scan, Stamp, StampEvent, SuspicionFlag
from tracing.models.stamps import SoldVia, StampStatus
from tracing.services.common import raise_if, require_official
from tracing.stamps import clone_rules, pins

Verdict = Scan.Verdict
log = logging.getLogger(__name__)
#: Earlier sightings read by the rules (the newest ones); older history cannot change their outcome much.
HISTORY_LIMIT = 200

_DEVICE_PATTERNS = (
    ("bot", re.compile(r"bot|crawl|spider|preview|facebookexternalhit|zalo.*preview|curl|wget|python", re.I)),
    ("iphone", re.compile(r"iPhone|iPod", re.I)),
    ("ipad", re.compile(r"iPad", re.I)),
    ("android", re.compile(r"Android", re.I)),
    ("windows", re.compile(r"Windows", re.I)),
    ("mac", re.compile(r"Macintosh|Mac OS X", re.I)),
    ("linux", re.compile(r"Linux|X11", re.I)),
)


def device_family(user_agent: str) -> str:
    """A coarse device family from the User-Agent (iphone, android, windows, …), never the full string."""
    return _device_family((user_agent or "")[:512])


@functools.lru_cache(maxsize=1024)  # a few hundred browsers' strings make most of the traffic
def _device_family(text: str) -> str:
    for name, pattern in _DEVICE_PATTERNS:
        if pattern.search(text):
            return name
    return "other" if text else ""


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
                SuspicionFlag.objects.create(stamp=stamp, rule=finding.rule, evidence=finding.evidence, scan=scan)
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

#: The stamp's own columns read by scan_record (the rest, e.g. the PIN hash, load only if asked for).
_STAMP_COLUMNS = (
    "id",
    "serial",
    "run_id",
    "number",
    "status",
    "batch_id",
    "activated_at",
    "sold_at",
    "sold_via",
    "revoked_at",
    "revoke_reason",
    "confirmed_at",
    "confirmed_place",
    "confirmed_province_id",
    "copy_confirmed_at",
)

#: A public sighting, as SQL (clone_rules.Sighting.counts, with the time since activation, which
#: comes first in each subquery's WHERE so that the (stamp, scanned_at) index starts there).
_COUNTED = f"NOT repeat AND channel <> '{Scan.Channel.STAFF.value}'"
_IN_CIRCULATION_SINCE = "coalesce(s.activated_at, '-infinity'::timestamptz)"


def _version(alias: str) -> str:
    """A row's identity and version as text: (id, xmin, ctid), "(,,)" for a missing row.

    `xmin` is the transaction that wrote this version of the row and `ctid` where it lies: every
    UPDATE writes a new version elsewhere (a transaction's own updates keep its xmin, but never the
    place), so the pair changes with each change to the row.
    """
    return f"({alias}.id, {alias}.xmin, {alias}.ctid)::text"


@functools.cache
def _facts_sql(with_digest: bool) -> str:
    """One statement for everything a scan is judged on: the stamp, its run, batch and product, how often
    and since when it was seen, where first, and its open flags (plus, for the page, a digest).

    Parameters: the new scan's network (whether it was seen already), then the serial. Sightings
    are the public scans since activation that are not reloads, one per network (scans of unknown
    network each count: clone_rules.distinct_sightings); open flags those raised since activation.

    The digest is an md5 of the identity and version (_version) of the product, producer and batch
    rows: the page caches its rendering under it. PostgreSQL writes a new version of a row on every
    UPDATE, by whatever path (the ORM, `.update()`, raw SQL), and database triggers write one of
    the product, batch or producer whenever another row the page shows changes (journey and its
    shops, photos, certificates, region and commune names, the shop listing: tracing's migration
    0006 and marketplace's 0003), so any change gives a new digest. Reading those rows' versions
    here instead cost this statement six subqueries. Nothing of the scan itself is in the digest.
    """
    from tracing.models import Producer, Product, StampRun

    t = {
        "stamp": Stamp._meta.db_table,
        "run": StampRun._meta.db_table,
        "batch": Batch._meta.db_table,
        "product": Product._meta.db_table,
        "producer": Producer._meta.db_table,
        "scan": Scan._meta.db_table,
        "flag": SuspicionFlag._meta.db_table,
    }
    columns = ", ".join(f"s.{c}" for c in _STAMP_COLUMNS)
    digest = "NULL"
    if with_digest:
        digest = f"md5(concat_ws('|', {_version('p')}, {_version('pr')}, {_version('b')}))"
    return f"""
SELECT {columns}, r.producer_id, r.gtin14 AS run_gtin14, p.id AS product_id, p.gtin AS product_gtin, b.lot_code,
       seen.sightings, seen.network_seen, seen.first_at, first_place.place_name AS first_place,
       flags.rules AS open_rules, {digest} AS page_digest
FROM {t["stamp"]} s
JOIN {t["run"]} r ON r.id = s.run_id
JOIN {t["producer"]} pr ON pr.id = r.producer_id
LEFT JOIN {t["batch"]} b ON b.id = s.batch_id
LEFT JOIN {t["product"]} p ON p.id = coalesce(b.product_id, r.product_id)
CROSS JOIN LATERAL (
    SELECT count(DISTINCT network) + count(*) FILTER (WHERE network IS NULL) AS sightings,
           coalesce(bool_or(network = %s::bigint), false) AS network_seen, min(scanned_at) AS first_at
    FROM {t["scan"]} WHERE stamp_id = s.id AND scanned_at >= {_IN_CIRCULATION_SINCE} AND {_COUNTED}
) seen
LEFT JOIN LATERAL (
    SELECT place_name FROM {t["scan"]}
    WHERE stamp_id = s.id AND scanned_at >= {_IN_CIRCULATION_SINCE} AND place_name <> ''
          AND channel <> '{Scan.Channel.STAFF.value}'
    ORDER BY scanned_at LIMIT 1
) first_place ON true
CROSS JOIN LATERAL (
    SELECT coalesce(array_agg(rule ORDER BY created_at, id), '{{}}') AS rules
    FROM {t["flag"]} WHERE stamp_id = s.id AND resolved_at IS NULL AND created_at >= {_IN_CIRCULATION_SINCE}
) flags
WHERE s.serial = %s
"""  # noqa: S608 - table names come from the models; values are parameters


@functools.cache
def _insert_scan_sql() -> str:
    return (
        f"INSERT INTO {Scan._meta.db_table} (stamp_id, serial, scanned_at, verdict, channel, device_family, "  # noqa: S608
        "repeat, network, place_name) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '') RETURNING id"
    )


@dataclass(frozen=True, slots=True)
class ScanFacts:
    """What a scan is judged on, read in one statement (see _facts_sql)."""

    stamp: Stamp
    producer_id: int
    run_gtin14: str
    product_id: int | None
    product_gtin: str
    lot_code: str | None
    sightings: int
    #: The new scan's network is among those already counted.
    network_seen: bool
    first_at: datetime.datetime | None
    first_place: str
    open_rules: list[str]
    digest: str | None


_UNREAD = object()  # scan_record(facts=…) not given: it reads them itself


def facts_query(serial: str, *, network: int | None, with_digest: bool) -> tuple[str, str, list]:
    """(prepared-statement name, SQL, parameters) of the facts of a scan from `network`: see scan_record(facts=…).

    As `also` for backend.throttling.hit_many: a CTE named `also`.
    """
    return f"hg_scan_facts{int(with_digest)}", f"also AS ({_facts_sql(with_digest)})", [network, serial]


@functools.cache
def _record_sql(with_digest: bool) -> str:
    """record_query's statement (built once: the same string object each time)."""
    return f"""facts AS ({_facts_sql(with_digest)}),
scan_in AS (
    SELECT %s::varchar AS serial, %s::timestamptz AS scanned_at, %s::varchar AS device,
           %s::boolean AS repeat, %s::text AS gtin, %s::text AS lot, %s::int AS max_sightings,
           %s::bigint AS network
),
recorded AS (
    INSERT INTO {Scan._meta.db_table}
           (stamp_id, serial, scanned_at, verdict, channel, device_family, repeat, network, place_name)
    SELECT facts.id, scan_in.serial, scan_in.scanned_at,
           CASE
               WHEN facts.id IS NULL THEN '{Verdict.UNKNOWN.value}'
               WHEN facts.status = '{StampStatus.REVOKED.value}' THEN '{Verdict.REVOKED.value}'
               WHEN facts.status = '{StampStatus.ISSUED.value}'
                    OR facts.copy_confirmed_at IS NOT NULL
                    OR cardinality(facts.open_rules) > 0
                    OR facts.sightings + (CASE WHEN scan_in.repeat OR facts.network_seen THEN 0 ELSE 1 END)
                       > scan_in.max_sightings
                    OR NOT (scan_in.gtin IS NULL
                            OR (scan_in.gtin IN (nullif(facts.product_gtin, ''), nullif(facts.run_gtin14, ''))
                                AND (scan_in.lot IS NULL OR facts.lot_code IS NULL OR scan_in.lot = facts.lot_code)))
                   THEN '{Verdict.SUSPICIOUS.value}'
               ELSE '{Verdict.GENUINE.value}'
           END,
           '{Scan.Channel.WEB.value}', scan_in.device, scan_in.repeat, scan_in.network, ''
    FROM counters CROSS JOIN scan_in LEFT JOIN facts ON true
    WHERE counters.allowed
    RETURNING id, verdict
),
also AS (
    SELECT facts.*, recorded.id AS scan_id, recorded.verdict AS scan_verdict
    FROM scan_in LEFT JOIN facts ON true LEFT JOIN recorded ON true
)"""  # noqa: S608 - table names and constants from the models; values are parameters


def record_query(
    serial: str,
    *,
    now: datetime.datetime,
    user_agent: str,
    repeat: bool,
    network: int | None,
    link: DigitalLinkPath | None,
    with_digest: bool,
) -> tuple[str, str, list]:
    """The facts of an anonymous web scan and its INSERT, as `also` for backend.throttling.hit_many.

    The counters are rate limits (tracing.scan_limits.scan_gate): the scan is inserted only if all of
    them let the request through, with the
    verdict the rules give for a scan with no location: unknown, revoked, suspicious (never
    activated, confirmed copied by an official, an open flag, a mismatching Digital Link, one
    sighting — network — too many) or genuine. That is `_verdict` over the findings of
    `clone_rules.judge_scan` and the official's finding, written in SQL so
    that a scan costs one statement; scan_record(recorded=…) judges again in Python, corrects the
    row if they ever disagree (and logs it), and writes the flags. A new rule that needs no location
    must be added here as well as in clone_rules (the tracing tests fail on any disagreement). Its
    row: the facts' columns, then the new scan's id and verdict (NULL when refused).
    """
    gtin = link.gtin14 if link is not None else None
    lot = (link.lot or None) if link is not None and gtin is not None else None
    sql = _record_sql(with_digest)
    family = device_family(user_agent)
    params = [network, serial, serial, now, family, repeat, gtin, lot, clone_rules.MAX_SIGHTINGS, network]
    return f"hg_scan_record{int(with_digest)}", sql, params


def facts_from_row(row) -> ScanFacts | None:
    """The facts from a row of the facts query (or of record_query, whose last two columns it ignores)."""
    n = len(_STAMP_COLUMNS)
    if row is None or row[0] is None:
        return None
    stamp = Stamp.from_db(connection.alias, _STAMP_COLUMNS, row[:n])
    (
        producer_id,
        run_gtin14,
        product_id,
        product_gtin,
        lot_code,
        sightings,
        network_seen,
        first_at,
        place,
        rules,
        digest,
    ) = row[n : n + 11]
    return ScanFacts(
        stamp=stamp,
        producer_id=producer_id,
        run_gtin14=run_gtin14,
        product_id=product_id,
        product_gtin=product_gtin or "",
        lot_code=lot_code,
        sightings=sightings,
        network_seen=network_seen,
        first_at=first_at,
        first_place=place or "",
        open_rules=list(rules),
        digest=digest,
    )


def read_facts(serial: str, *, network: int | None = None, with_digest: bool = False) -> ScanFacts | None:
    with connection.cursor() as cursor:
        prepared.execute(cursor, f"hg_scan_facts{int(with_digest)}", _facts_sql(with_digest), [network, serial])
        return facts_from_row(cursor.fetchone())


def _link_ok(facts: ScanFacts, link: DigitalLinkPath | None) -> bool:
    """A Digital Link's GTIN and lot must be those of the stamp's product and batch (a /t/ link always matches)."""
    if link is None or link.gtin14 is None:
        return True
    if link.gtin14 not in {g for g in (facts.product_gtin, facts.run_gtin14) if g}:
        return False
    return not (link.lot and facts.lot_code is not None and link.lot != facts.lot_code)


def _insert_scan(scan: Scan) -> None:
    with connection.cursor() as cursor:
        prepared.execute(
            cursor,
            "hg_scan_insert",
            _insert_scan_sql(),
            [
                scan.stamp_id,
                scan.serial,
                scan.scanned_at,
                scan.verdict,
                scan.channel,
                scan.device_family,
                scan.repeat,
                scan.network,
            ],
        )
        scan.pk = cursor.fetchone()[0]
    scan._state.adding = False
    scan._state.db = connection.alias


def _store(scan: Scan, recorded: tuple[int, str] | None) -> None:
    """Insert the scan, or take the one record_query inserted (correcting its verdict if SQL judged otherwise)."""
    if recorded is None:
        _insert_scan(scan)
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
    page from its cookie, tracing/recent_scans.py); `network` is the keyed hash of the visitor's
    network for this code (tracing.scan_limits.network_key; None when unknown, when it counts as
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


# -- the scratch PIN ---------------------------------------------------------------------------


class PinRefused(ValidationError):
    """The PIN was not accepted: ``code`` says why (wrong_pin, already_confirmed, not_sellable)."""


@dataclass(frozen=True, slots=True)
class Confirmation:
    stamp: Stamp
    confirmed_at: datetime.datetime
    place: str


def stamp_confirm_pin(*, serial: str, pin: str, scan_id: int | None = None) -> Confirmation:
    """Confirm the purchase with the scratch PIN: the first correct confirmation wins, exactly once.

    The stamp is updated with a conditional UPDATE … WHERE confirmed_at IS NULL, so of two
    simultaneous confirmations exactly one changes the row; the other is told it was already
    confirmed. The PIN is compared in constant time (tracing.pins). An activated stamp becomes sold.
    """
    stamp = next(iter(Stamp.objects.filter(serial=serial).order_by()[:1]), None)
    if stamp is None:
        raise PinRefused(_("This stamp code is not one of ours."), code="unknown")
    if stamp.confirmed_at is not None:
        raise PinRefused(already_confirmed_message(stamp), code="already_confirmed")
    if stamp.status not in (StampStatus.ACTIVATED, StampStatus.SOLD):
        raise PinRefused(
            _("This stamp is not on a product for sale: its PIN cannot be confirmed."), code="not_sellable"
        )
    if not pins.pin_matches(serial, pin or "", stamp.pin_hash):
        raise PinRefused(_("This PIN is not right. Check the digits under the scratch layer."), code="wrong_pin")
    place, province_id = "", None
    if scan_id is not None:
        row = Scan.objects.filter(pk=scan_id, stamp=stamp).values_list("place_name", "province_id").first()
        if row:
            place, province_id = row
    now = timezone.now()
    with transaction.atomic():
        won = Stamp.objects.filter(
            pk=stamp.pk, confirmed_at__isnull=True, status__in=(StampStatus.ACTIVATED, StampStatus.SOLD)
        ).update(confirmed_at=now, confirmed_place=place, confirmed_province_id=province_id, status=StampStatus.SOLD)
        if won != 1:
            stamp.refresh_from_db()
            raise PinRefused(already_confirmed_message(stamp), code="already_confirmed")
        Stamp.objects.filter(pk=stamp.pk, sold_at__isnull=True).update(sold_at=now, sold_via=SoldVia.CONSUMER)
        StampEvent.objects.create(
            run_id=stamp.run_id,
            action=StampEvent.Action.CONFIRMED,
            count=1,
            ranges=[[stamp.number, stamp.number]],
            reason=place,
        )
    stamp.refresh_from_db()
    return Confirmation(stamp=stamp, confirmed_at=now, place=place)


def copy_confirmed_message(stamp: Stamp) -> str:
    """What every scan of a code an official confirmed copied says first."""
    from django.utils.formats import date_format

    when = date_format(timezone.localtime(stamp.copy_confirmed_at), "DATE_FORMAT")
    return str(clone_rules.COPY_CONFIRMED_WARNING) % {"date": when}


def sold_message(stamp: Stamp) -> str:
    """'Sold on … through the online marketplace' for a stamp whose sale was recorded, else ''."""
    from django.utils.formats import date_format

    if not stamp.sold_at or stamp.sold_via == SoldVia.CONSUMER:
        return ""  # a buyer's own PIN confirmation is told by already_confirmed_message
    when = date_format(timezone.localtime(stamp.sold_at), "DATE_FORMAT")
    if stamp.sold_via == SoldVia.MARKETPLACE:
        return _("Sold on %(date)s through the Hà Giang Origin online marketplace.") % {"date": when}
    return _("Sold on %(date)s by an authorised shop.") % {"date": when}


def already_confirmed_message(stamp: Stamp) -> str:
    from django.utils.formats import date_format

    when = date_format(timezone.localtime(stamp.confirmed_at), "DATE_FORMAT") if stamp.confirmed_at else ""
    if stamp.confirmed_place:
        return _("This product's PIN was already confirmed on %(date)s near %(place)s.") % {
            "date": when,
            "place": stamp.confirmed_place,
        }
    return _("This product's PIN was already confirmed on %(date)s.") % {"date": when}


# -- officials' follow-up ------------------------------------------------------------------------


@transaction.atomic
def flag_resolve(*, by, flag: SuspicionFlag, resolution: str) -> SuspicionFlag:
    """Close a suspicion flag with what the official found (officials only)."""
    require_official(by)
    resolution = (resolution or "").strip()
    raise_if({"resolution": _("Say what you found.")} if not resolution else {})
    locked = SuspicionFlag.objects.select_for_update().get(pk=flag.pk)
    if locked.resolved_at is not None:
        raise ValidationError(_("This flag is already resolved."))
    locked.resolved_at = timezone.now()
    locked.resolved_by = by
    locked.resolution = resolution[:300]
    locked.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return locked


@atomic_with_files()
def report_create(
    *,
    serial: str = "",
    note: str = "",
    place: str = "",
    shop: str = "",
    lat=None,
    lng=None,
    photo=None,
    by=None,
) -> CounterfeitReport:
    """Record a consumer's report of a suspected fake; it appears in the officials' list at once.

    At least a note, a photo or a place is needed. The photo is re-encoded without its metadata
    (no GPS or camera data kept beyond what the consumer typed or shared).
    """
    from tracing.stamps import serials
    from tracing.uploads import process_photo

    errors: dict = {}
    serial = (serial or "").strip()[:40]
    note, place, shop = (note or "").strip(), (place or "").strip(), (shop or "").strip()
    stamp = None
    if serial:
        normalised = serials.normalise_serial(serial)
        if serials.serial_is_well_formed(normalised):
            serial = normalised
            stamp = next(iter(Stamp.objects.filter(serial=normalised).order_by()[:1]), None)
    location = None
    if lat not in (None, "") or lng not in (None, ""):
        try:
            location = scan_geometry.rounded_point(lat, lng)
        except (TypeError, ValueError) as exc:
            errors["lat"] = str(exc)
    if len(note) > 2000:
        errors["note"] = _("At most 2000 characters.")
    if not (note or photo or place or shop or location):
        errors["note"] = _("Tell us what you noticed, where, or add a photo.")
    processed = None
    if photo is not None and not errors:
        try:
            processed = process_photo(photo)
        except ValidationError as exc:
            errors["photo"] = exc.messages
    raise_if(errors)
    report = CounterfeitReport(
        stamp=stamp,
        serial=serial,
        note=note,
        place=place[:200],
        shop=shop[:200],
        location=location,
        reported_by=by if access.is_authenticated(by) else None,
    )
    if processed is not None:
        report.photo.save(processed.web.name, processed.web, save=False)
    report.save()
    return report


@transaction.atomic
def report_review(*, by, report: CounterfeitReport, status: str, note: str = "") -> CounterfeitReport:
    """Officials move a report to investigating or closed, with a note."""
    require_official(by)
    if status not in CounterfeitReport.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    report.status = status
    report.review_note = (note or "").strip()
    report.reviewed_by = by
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    return report
