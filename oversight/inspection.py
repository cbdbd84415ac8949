"""The official view of a stamp during an inspection on site: batch, authorised resellers, whether the
shop being inspected is one of them, and the stamp's scan history with its counts (raw, by whom,
networks, and the sightings the verdict counts).

Authorised resellers of a stamp are the shops its producer authorised for the product (marketplace's
RetailStock.authorised) and the shops its batch's journey reached (a "received at a shop" step).
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.models import RetailPoint
from marketplace.models import RetailStock
from tracing.models import BatchEvent, Scan, Stamp
from tracing.stamps.scans import scan_counts

SCANS_SHOWN = 50


def authorised_shop_ids(stamp: Stamp) -> set[int]:
    if stamp.batch_id is None:
        return set()
    from_stock = RetailStock.objects.filter(product_id=stamp.batch.product_id, authorised=True).values_list(
        "retail_point_id", flat=True
    )
    from_journey = BatchEvent.objects.filter(batch_id=stamp.batch_id, retail_point__isnull=False).values_list(
        "retail_point_id", flat=True
    )
    return set(from_stock) | set(from_journey)


@dataclass
class OfficialView:
    stamp: Stamp
    resellers: list
    shop: RetailPoint | None
    shop_is_authorised: bool | None
    scans: list
    journey: list
    counts: dict


def official_view(stamp: Stamp, shop: RetailPoint | None) -> OfficialView:
    ids = authorised_shop_ids(stamp)
    resellers = list(RetailPoint.objects.filter(pk__in=ids).order_by("name")) if ids else []
    journey = (
        list(
            BatchEvent.objects.filter(batch_id=stamp.batch_id)
            .select_related("retail_point")
            .order_by("occurred_at", "pk")
        )
        if stamp.batch_id
        else []
    )
    scans = list(Scan.objects.filter(stamp=stamp).order_by("-scanned_at", "-pk")[:SCANS_SHOWN])
    return OfficialView(
        stamp=stamp,
        resellers=resellers,
        shop=shop,
        shop_is_authorised=(shop.pk in ids) if shop is not None else None,
        scans=scans,
        journey=journey,
        counts=scan_counts(stamp),
    )
