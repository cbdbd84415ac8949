"""Cross-checks (plan III.8): registered capacity, batches and certificates against activated stamps,
scans against the distribution area, journeys that end nowhere known.

Each check returns Anomaly objects: one sentence a person can act on, and links to the evidence.
They are computed when asked (nothing is stored), each by a few aggregate queries; the distances
are measured by PostGIS (geo/oversight_queries.GeodesicDistance).

Capacity: a producer's yearly potential for a product kind is, over its production areas that
declare that kind, the polygon's area × the kind's yield (YieldSetting, or the documented defaults
in oversight/models.py); an area known only by a point counts with the yearly quantity its producer
declared. Activated quantity: stamps activated in the calendar year × the product's net quantity,
in kg (litres through the kind's kg per litre).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, FloatField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.bilingual import localised
from backend.formatting import decimal_text
from geo.expressions import GeodesicDistance
from geo.models import ProductKind
from marketplace.models import RetailStock
from oversight.models import (
    DEFAULT_KG_PER_LITRE,
    DEFAULT_YIELDS_KG_PER_HA,
    FALLBACK_YIELD_KG_PER_HA,
    CheckSettings,
    YieldSetting,
)
from tracing.models import AreaCapacity, Batch, BatchEvent, Certificate, Scan, Stamp, StampEvent
from tracing.models.stamps import StampStatus, units_allowed

MAX_ANOMALIES = 200
_NO_DISTANCE = 1e12


@dataclass
class Anomaly:
    check: str
    sentence: str
    producer_id: int | None = None
    links: list[tuple[str, str]] = field(default_factory=list)
    at: datetime.datetime | datetime.date | None = None


# Lazy: read on each page in its language (translated at import, they stayed in the server's language).
CHECKS = {
    "capacity": gettext_lazy("Activated above what the production areas can yield"),
    "batch": gettext_lazy("Activated above the batch quantity"),
    "certificate": gettext_lazy("Activations relying on an expired certificate"),
    "far_scan": gettext_lazy("Scanned far outside the distribution area"),
    "journey": gettext_lazy("Journeys that end nowhere known"),
}


def _kg(value) -> str:
    return decimal_text(value, places=0)


def _day(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return date_format(value, "DATE_FORMAT")


def _file_link(producer_id: int) -> tuple[str, str]:
    return (_("producer's file"), reverse("oversight:producer_file", args=[producer_id]))


def _batch_link(batch_id: int, lot_code: str) -> tuple[str, str]:
    return (_("batch %(lot)s") % {"lot": lot_code}, reverse("tracing:batch", args=[batch_id]))


# -- yields ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Yield:
    kg_per_ha: Decimal
    kg_per_litre: Decimal
    is_default: bool


def yields() -> dict[int, Yield]:
    """{product kind id: its yield}: the officials' setting, else the documented default for the kind."""
    saved = {s.product_kind_id: s for s in YieldSetting.objects.all()}
    result = {}
    for kind in ProductKind.objects.all():
        setting = saved.get(kind.pk)
        if setting is not None:
            result[kind.pk] = Yield(setting.yield_kg_per_ha, setting.kg_per_litre, False)
        else:
            result[kind.pk] = Yield(
                DEFAULT_YIELDS_KG_PER_HA.get(kind.code, FALLBACK_YIELD_KG_PER_HA),
                DEFAULT_KG_PER_LITRE.get(kind.code, Decimal("1")),
                True,
            )
    return result


def kg_per_stamp(net_quantity: Decimal, net_unit: str, kg_per_litre: Decimal) -> Decimal:
    factor = {"kg": Decimal(1), "g": Decimal("0.001"), "l": kg_per_litre, "ml": kg_per_litre / 1000}
    return Decimal(net_quantity) * factor.get(net_unit, Decimal(1))


# -- the checks --------------------------------------------------------------------------------


def capacity_anomalies(*, year: int, producer_id: int | None = None) -> list[Anomaly]:
    """Producers whose stamps activated in a year weigh more than their areas can yield for that kind."""
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    stamps = Stamp.objects.filter(activated_at__gte=start, activated_at__lt=end, batch__isnull=False)
    capacities = AreaCapacity.objects.all()
    if producer_id is not None:
        stamps = stamps.filter(run__producer_id=producer_id)
        capacities = capacities.filter(area__producer_id=producer_id)
    kind_yields = yields()
    activated: dict = defaultdict(lambda: [0, Decimal(0)])
    names = {}
    for pid, name, kind_id, net, unit, n in (
        stamps.values_list(
            "run__producer_id",
            "run__producer__name",
            "batch__product__kind_id",
            "batch__product__net_quantity",
            "batch__product__net_quantity_unit",
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        entry = activated[(pid, kind_id)]
        entry[0] += n
        entry[1] += n * kg_per_stamp(net, unit, kind_yields[kind_id].kg_per_litre)
        names[pid] = name
    if not activated:
        return []
    potential: dict = defaultdict(lambda: {"kg": Decimal(0), "ha": Decimal(0), "declared": Decimal(0)})
    for pid, kind_id, area_ha, declared in capacities.values_list(
        "area__producer_id", "product_kind_id", "area__area_ha", "yearly_kg"
    ):
        entry = potential[(pid, kind_id)]
        if area_ha:
            hectares = Decimal(str(round(area_ha, 4)))
            entry["ha"] += hectares
            entry["kg"] += hectares * kind_yields[kind_id].kg_per_ha
        else:
            entry["declared"] += declared
            entry["kg"] += declared
    kinds = {k.pk: k for k in ProductKind.objects.all()}
    anomalies = []
    for (pid, kind_id), (count, kg) in sorted(activated.items()):
        limit = potential.get((pid, kind_id), {"kg": Decimal(0), "ha": Decimal(0), "declared": Decimal(0)})
        if kg <= limit["kg"]:
            continue
        kind = kinds[kind_id]
        values = {
            "producer": names[pid],
            "count": decimal_text(count),
            "product": localised(kind, "name"),
            "year": year,
            "kg": _kg(kg),
            "limit": _kg(limit["kg"]),
            "ha": decimal_text(limit["ha"], places=2),
            "yield": _kg(kind_yields[kind_id].kg_per_ha),
        }
        if limit["kg"] == 0:
            sentence = (
                _(
                    "%(producer)s activated %(count)s stamps of %(product)s in %(year)s (%(kg)s kg), but none of its "
                    "production areas declares %(product)s."
                )
                % values
            )
        else:
            sentence = (
                _(
                    "%(producer)s activated %(count)s stamps of %(product)s in %(year)s (%(kg)s kg), more than its "
                    "production areas can yield: %(limit)s kg (%(ha)s ha × %(yield)s kg/ha, plus declared areas "
                    "without a boundary)."
                )
                % values
            )
        anomalies.append(
            Anomaly(
                "capacity",
                sentence,
                pid,
                [
                    _file_link(pid),
                    (_("stamp figures"), reverse("oversight:monitoring") + f"?producer={pid}"),
                    (_("yields"), reverse("oversight:settings")),
                ],
                datetime.date(year, 12, 31),
            )
        )
    return anomalies


def batch_anomalies(*, producer_id: int | None = None) -> list[Anomaly]:
    """Batches carrying more active stamps than their quantity allows (e.g. the quantity was lowered later)."""
    batches = (
        Batch.objects.annotate(
            active=Count("stamps", filter=Q(stamps__status__in=(StampStatus.ACTIVATED, StampStatus.SOLD)))
        )
        .filter(active__gt=0)
        .select_related("product", "producer")
    )
    if producer_id is not None:
        batches = batches.filter(producer_id=producer_id)
    anomalies = []
    for batch in batches[:10_000]:
        allowed = units_allowed(batch)
        if batch.active <= allowed:
            continue
        sentence = _(
            "Batch %(lot)s of %(producer)s carries %(active)s active stamps, but its quantity (%(quantity)s %(unit)s) "
            "allows only %(allowed)s."
        ) % {
            "lot": batch.lot_code,
            "producer": batch.producer.name,
            "active": decimal_text(batch.active),
            "quantity": decimal_text(batch.quantity),
            "unit": batch.get_unit_display(),
            "allowed": decimal_text(allowed),
        }
        anomalies.append(
            Anomaly(
                "batch",
                sentence,
                batch.producer_id,
                [_batch_link(batch.pk, batch.lot_code), _file_link(batch.producer_id)],
                batch.updated_at,
            )
        )
    return anomalies


def certificate_anomalies(*, producer_id: int | None = None) -> list[Anomaly]:
    """Activations onto a batch whose product relied on a certificate not valid on the activation day."""
    events = StampEvent.objects.filter(action=StampEvent.Action.ACTIVATED, batch__isnull=False)
    if producer_id is not None:
        events = events.filter(run__producer_id=producer_id)
    events = list(
        events.values(
            "pk",
            "created_at",
            "count",
            "batch_id",
            "batch__lot_code",
            "batch__product_id",
            "run__producer_id",
            "run__producer__name",
        ).order_by("-created_at")[:5000]
    )
    product_ids = {e["batch__product_id"] for e in events}
    certificates = defaultdict(list)
    through = Certificate.products.through
    for row in through.objects.filter(product_id__in=product_ids).select_related("certificate"):
        certificates[row.product_id].append(row.certificate)
    anomalies = []
    for event in events:
        day = timezone.localtime(event["created_at"]).date()
        for certificate in certificates.get(event["batch__product_id"], []):
            if certificate.is_valid_on(day):
                continue
            values = {
                "date": _day(day),
                "count": decimal_text(event["count"]),
                "lot": event["batch__lot_code"],
                "producer": event["run__producer__name"],
                "certificate": f"{certificate.label} {certificate.number}",
            }
            if certificate.valid_to is not None and certificate.valid_to < day:
                values["when"] = _day(certificate.valid_to)
                sentence = (
                    _(
                        "On %(date)s, %(count)s stamps were activated onto batch %(lot)s of %(producer)s while its "
                        "certificate %(certificate)s had expired on %(when)s."
                    )
                    % values
                )
            else:
                values["when"] = _day(certificate.valid_from)
                sentence = (
                    _(
                        "On %(date)s, %(count)s stamps were activated onto batch %(lot)s of %(producer)s while its "
                        "certificate %(certificate)s was valid only from %(when)s."
                    )
                    % values
                )
            anomalies.append(
                Anomaly(
                    "certificate",
                    sentence,
                    event["run__producer_id"],
                    [
                        _batch_link(event["batch_id"], event["batch__lot_code"]),
                        (
                            _("certificates"),
                            reverse("oversight:producer_file", args=[event["run__producer_id"]]) + "#certificates",
                        ),
                    ],
                    event["created_at"],
                )
            )
    return anomalies


def far_scan_anomalies(
    *, far_km: int, since: datetime.date | None = None, producer_id: int | None = None
) -> list[Anomaly]:
    """Public scans that shared a location farther than `far_km` from every known place of the stamp's
    distribution: the producer, the batch's production area, the shops the batch reached and the
    product's authorised resellers."""
    scans = Scan.objects.filter(location__isnull=False, stamp__batch__isnull=False).exclude(channel=Scan.Channel.STAFF)
    if since is not None:
        scans = scans.filter(scanned_at__date__gte=since)
    if producer_id is not None:
        scans = scans.filter(stamp__run__producer_id=producer_id)
    return _far_scans(scans, far_km)


def _far_scans(scans, far_km: int) -> list[Anomaly]:
    shop_distance = Subquery(
        BatchEvent.objects.filter(batch_id=OuterRef("stamp__batch_id"), retail_point__isnull=False)
        .annotate(d=GeodesicDistance(F("retail_point__location"), OuterRef("location")))
        .order_by("d")
        .values("d")[:1],
        output_field=FloatField(),
    )
    reseller_distance = Subquery(
        RetailStock.objects.filter(product_id=OuterRef("stamp__batch__product_id"), authorised=True)
        .annotate(d=GeodesicDistance(F("retail_point__location"), OuterRef("location")))
        .order_by("d")
        .values("d")[:1],
        output_field=FloatField(),
    )
    big = Value(_NO_DISTANCE, output_field=FloatField())
    rows = (
        scans.annotate(
            nearest_m=Least(
                Coalesce(GeodesicDistance(F("location"), F("stamp__run__producer__location")), big),
                Coalesce(GeodesicDistance(F("location"), F("stamp__batch__production_area__location")), big),
                Coalesce(shop_distance, big),
                Coalesce(reseller_distance, big),
                output_field=FloatField(),
            )
        )
        .filter(nearest_m__gt=far_km * 1000)
        .values(
            "pk",
            "scanned_at",
            "place_name",
            "nearest_m",
            "stamp__serial",
            "stamp__batch_id",
            "stamp__batch__lot_code",
            "stamp__run__producer_id",
            "stamp__run__producer__name",
        )
        .order_by("-scanned_at")[:MAX_ANOMALIES]
    )
    anomalies = []
    for row in rows:
        sentence = _(
            "Stamp %(serial)s of %(producer)s (batch %(lot)s) was scanned %(place)s on %(date)s, %(km)s km from "
            "the nearest place it was distributed to."
        ) % {
            "serial": row["stamp__serial"],
            "producer": row["stamp__run__producer__name"],
            "lot": row["stamp__batch__lot_code"],
            "place": (_("near %(place)s") % {"place": row["place_name"]}) if row["place_name"] else _("somewhere"),
            "date": _day(row["scanned_at"]),
            "km": decimal_text(row["nearest_m"] / 1000, places=0),
        }
        anomalies.append(
            Anomaly(
                "far_scan",
                sentence,
                row["stamp__run__producer_id"],
                [
                    (
                        _("stamp %(serial)s") % {"serial": row["stamp__serial"]},
                        reverse("oversight:inspect_stamp", args=[row["stamp__serial"]]),
                    ),
                    _batch_link(row["stamp__batch_id"], row["stamp__batch__lot_code"]),
                    _file_link(row["stamp__run__producer_id"]),
                ],
                row["scanned_at"],
            )
        )
    return anomalies


def journey_anomalies(*, stale_days: int, producer_id: int | None = None) -> list[Anomaly]:
    """Batches whose latest step is a shipment never received (older than `stale_days`), a sale that names
    no shop, or a reception at a shop that is not verified."""
    latest = BatchEvent.objects.filter(batch=OuterRef("pk")).order_by("-occurred_at", "-pk")
    batches = Batch.objects.annotate(
        last_type=Subquery(latest.values("event_type")[:1]),
        last_at=Subquery(latest.values("occurred_at")[:1]),
        last_shop=Subquery(latest.values("retail_point_id")[:1]),
        last_shop_status=Subquery(latest.values("retail_point__verification_status")[:1]),
        last_shop_name=Subquery(latest.values("retail_point__name")[:1]),
    ).select_related("producer")
    if producer_id is not None:
        batches = batches.filter(producer_id=producer_id)
    cutoff = timezone.now() - datetime.timedelta(days=stale_days)
    batches = batches.filter(
        Q(last_type=BatchEvent.Type.SHIPPING, last_at__lt=cutoff)
        | Q(last_type=BatchEvent.Type.RETAIL_SELLING, last_shop__isnull=True)
        | (
            Q(last_type__in=(BatchEvent.Type.RECEIVING, BatchEvent.Type.RETAIL_SELLING), last_shop__isnull=False)
            & ~Q(last_shop_status="verified")
        )
    ).order_by("-last_at")[:MAX_ANOMALIES]
    anomalies = []
    for batch in batches:
        values = {"lot": batch.lot_code, "producer": batch.producer.name, "date": _day(batch.last_at)}
        if batch.last_type == BatchEvent.Type.SHIPPING:
            sentence = (
                _("Batch %(lot)s of %(producer)s was shipped on %(date)s and no shop has recorded receiving it.")
                % values
            )
        elif batch.last_shop is None:
            sentence = _("Batch %(lot)s of %(producer)s went on sale on %(date)s without naming the shop.") % values
        else:
            values["shop"] = batch.last_shop_name
            sentence = (
                _("Batch %(lot)s of %(producer)s last arrived on %(date)s at %(shop)s, a shop that is not verified.")
                % values
            )
        anomalies.append(
            Anomaly(
                "journey",
                sentence,
                batch.producer_id,
                [_batch_link(batch.pk, batch.lot_code), _file_link(batch.producer_id)],
                batch.last_at,
            )
        )
    return anomalies


def all_anomalies(*, producer_id: int | None = None, year: int | None = None) -> dict[str, list[Anomaly]]:
    """Every check's findings, by check (the thresholds from CheckSettings)."""
    settings = CheckSettings.current()
    year = year or timezone.localdate().year
    return {
        "capacity": capacity_anomalies(year=year, producer_id=producer_id),
        "batch": batch_anomalies(producer_id=producer_id),
        "certificate": certificate_anomalies(producer_id=producer_id),
        "far_scan": far_scan_anomalies(far_km=settings.far_scan_km, producer_id=producer_id),
        "journey": journey_anomalies(stale_days=settings.journey_stale_days, producer_id=producer_id),
    }
