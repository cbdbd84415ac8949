"""The far-scan check: genuine stamps scanned far outside their product's distribution area."""

from __future__ import annotations

import datetime

from django.db.models import F, FloatField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils.translation import gettext as _

from backend.formatting import decimal_text
from geo.expressions import GeodesicDistance
from marketplace.models import RetailStock
from oversight.checks.common import _NO_DISTANCE, MAX_ANOMALIES, Anomaly, batch_link, day_text, file_link
from tracing.models import BatchEvent, Scan


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
            "date": day_text(row["scanned_at"]),
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
                    batch_link(row["stamp__batch_id"], row["stamp__batch__lot_code"]),
                    file_link(row["stamp__run__producer_id"]),
                ],
                row["scanned_at"],
            )
        )
    return anomalies
