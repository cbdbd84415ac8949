"""Scans of stamps, the scratch-PIN confirmation, clone flags and counterfeit reports.

Privacy: a Scan keeps the time, the verdict, the channel, a coarse device family and — only when the
consumer pressed "share my location" — a location rounded to ~110 m with its commune and province
names. No IP address, account or cookie is stored; rate limits and reload detection use keyed
hashes in the cache only (tracing/scan_limits.py).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from geo import scan_geometry
from tracing import access, clone_rules, pins
from tracing.digital_link import DigitalLinkPath
from tracing.models import Batch, BatchEvent, CounterfeitReport, Scan, Stamp, StampEvent, SuspicionFlag
from tracing.models.stamps import SoldVia, StampStatus
from tracing.services.common import raise_if, require_official

Verdict = Scan.Verdict
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
    text = (user_agent or "")[:512]
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

    @property
    def is_genuine(self) -> bool:
        return self.verdict == Verdict.GENUINE


def stamp_for_page(serial: str) -> Stamp | None:
    stamps = (
        Stamp.objects.select_related(
            "run__producer__commune",
            "run__product__kind",
            "run__product__growing_region",
            "batch__product__kind",
            "batch__product__growing_region",
        )
        .filter(serial=serial)
        .order_by()[:1]  # no ORDER BY: with LIMIT 1, PostgreSQL would walk the ordering's index instead
    )
    return next(iter(stamps), None)


def _link_matches(stamp: Stamp, link: DigitalLinkPath | None) -> bool:
    """A Digital Link's GTIN and lot must be those of the stamp's product and batch (a /t/ link always matches)."""
    if link is None or link.gtin14 is None:
        return True
    product = stamp.batch.product if stamp.batch_id else stamp.run.product
    known = {g for g in (product.gtin if product else "", stamp.run.gtin14) if g}
    if link.gtin14 not in known:
        return False
    return not (link.lot and stamp.batch_id and link.lot != stamp.batch.lot_code)


def _sighting(scan: Scan) -> clone_rules.Sighting:
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


def _is_staff_of(user, stamp: Stamp) -> bool:
    return access.is_authenticated(user) and (
        access.is_official(user) or access.member_producer_id(user) == stamp.run.producer_id
    )


def _open_flag_warnings(stamp: Stamp) -> list[str]:
    rules = SuspicionFlag.objects.filter(stamp=stamp, resolved_at__isnull=True).values_list("rule", flat=True)
    return [str(clone_rules.CONSUMER_WARNINGS[r]) for r in rules if r in clone_rules.CONSUMER_WARNINGS]


def _verdict(stamp: Stamp | None, warnings: list[str], link_ok: bool) -> str:
    if stamp is None:
        return Verdict.UNKNOWN
    if stamp.status == StampStatus.REVOKED:
        return Verdict.REVOKED
    if stamp.status == StampStatus.ISSUED or not link_ok or warnings:
        return Verdict.SUSPICIOUS
    return Verdict.GENUINE


def scan_record(
    *,
    serial: str,
    channel: str = Scan.Channel.WEB,
    user_agent: str = "",
    repeat: bool = False,
    link: DigitalLinkPath | None = None,
    user=None,
    stamp: Stamp | None = None,
) -> ScanOutcome:
    """Record one look-up of a well-formed code and judge it: genuine, unknown, revoked or suspicious.

    `repeat` says the same visitor looked at this code minutes ago (decided by the caller from the
    cache). Rules that need no location run here; the location rules run when one is shared.
    """
    stamp = stamp if stamp is not None else stamp_for_page(serial)
    if stamp is not None and _is_staff_of(user, stamp):
        channel = Scan.Channel.STAFF
    link_ok = stamp is None or _link_matches(stamp, link)
    scan = Scan(serial=serial, stamp=stamp, channel=channel, device_family=device_family(user_agent), repeat=repeat)
    outcome = ScanOutcome(serial=serial, verdict=Verdict.UNKNOWN, stamp=stamp, scan=scan, link_mismatch=not link_ok)
    if stamp is None:
        scan.verdict = Verdict.UNKNOWN
        scan.save()
        return outcome

    stats = Scan.objects.filter(stamp=stamp).aggregate(
        sightings=Count("pk", filter=Q(repeat=False) & ~Q(channel=Scan.Channel.STAFF)), first=Min("scanned_at")
    )
    latest = clone_rules.Sighting(scan_id=None, at=timezone.now(), repeat=repeat, staff=channel == Scan.Channel.STAFF)
    facts = clone_rules.StampFacts(status=stamp.status)
    # too_many_scans only needs the count: a history of placeholders of the right length stands in for it.
    history = [clone_rules.Sighting(scan_id=None, at=latest.at)] * stats["sightings"]
    findings = [
        f
        for f in (clone_rules.too_many_scans(history, latest), clone_rules.not_in_circulation(latest, facts))
        if f is not None
    ]
    with transaction.atomic():
        scan.verdict = _verdict(stamp, [f.warning for f in findings], link_ok)
        scan.save()
        for finding in findings:
            finding.evidence.setdefault("scan_ids", [])
            finding.evidence["scan_ids"] = [i for i in finding.evidence["scan_ids"] if i] + [scan.pk]
        _flag(stamp, findings, scan)
    outcome.warnings = _open_flag_warnings(stamp)
    if not link_ok:
        outcome.warnings.append(_("This link does not match the product this stamp was issued for."))
    if stamp.status == StampStatus.ISSUED:
        outcome.warnings.append(
            _("This stamp was never activated by its producer: it should not be on a product for sale.")
        )
    outcome.verdict = _verdict(stamp, outcome.warnings, link_ok)
    if outcome.verdict != scan.verdict:
        Scan.objects.filter(pk=scan.pk).update(verdict=outcome.verdict)
        scan.verdict = outcome.verdict
    outcome.sightings = stats["sightings"] + (0 if repeat or channel == Scan.Channel.STAFF else 1)
    outcome.first_seen_at = stats["first"] or scan.scanned_at
    outcome.first_place = (
        Scan.objects.filter(stamp=stamp)
        .exclude(place_name="")
        .order_by("scanned_at")
        .values_list("place_name", flat=True)
        .first()
        or ""
    )
    return outcome


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
    if stamp is None:
        return scan
    earlier = list(
        Scan.objects.filter(stamp=stamp, location__isnull=False)
        .exclude(pk=scan.pk)
        .order_by("-scanned_at")[:HISTORY_LIMIT]
    )
    distance, same_province = _distribution_facts(stamp, lat, lng, place)
    facts = clone_rules.StampFacts(
        status=stamp.status,
        confirmed_at=stamp.confirmed_at,
        confirmed_province_id=stamp.confirmed_province_id,
        confirmed_place=stamp.confirmed_place,
        distribution_km=distance,
        in_producer_province=same_province,
    )
    latest = _sighting(scan)
    findings = [
        f
        for f in (
            clone_rules.impossible_travel([_sighting(s) for s in reversed(earlier)], latest, scan_geometry.geodesic_km),
            clone_rules.outside_distribution(latest, facts) if not latest.staff else None,
            clone_rules.confirmed_elsewhere(latest, facts),
        )
        if f is not None
    ]
    _flag(stamp, findings, scan)
    if findings and scan.verdict == Verdict.GENUINE:
        scan.verdict = Verdict.SUSPICIOUS
        scan.save(update_fields=["verdict"])
    return scan


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
    from tracing import codes
    from tracing.uploads import process_photo

    errors: dict = {}
    serial = (serial or "").strip()[:40]
    note, place, shop = (note or "").strip(), (place or "").strip(), (shop or "").strip()
    stamp = None
    if serial:
        normalised = codes.normalise_serial(serial)
        if codes.serial_is_well_formed(normalised):
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
