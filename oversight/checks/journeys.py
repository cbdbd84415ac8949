"""The journey check: batches whose journey ends nowhere known (shipped, never received)."""

from __future__ import annotations

import datetime

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight.checks.common import MAX_ANOMALIES, Anomaly, batch_link, day_text, file_link
from tracing.models import Batch, BatchEvent


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
        values = {"lot": batch.lot_code, "producer": batch.producer.name, "date": day_text(batch.last_at)}
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
                [batch_link(batch.pk, batch.lot_code), file_link(batch.producer_id)],
                batch.last_at,
            )
        )
    return anomalies
