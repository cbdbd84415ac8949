"""The records checks: activations above a batch's quantity, and activations relying on an expired certificate."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.formatting import decimal_text
from oversight.checks.common import Anomaly, batch_link, day_text, file_link
from tracing.models import Batch, Certificate, StampEvent
from tracing.models.stamps import StampStatus, units_allowed


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
                [batch_link(batch.pk, batch.lot_code), file_link(batch.producer_id)],
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
                "date": day_text(day),
                "count": decimal_text(event["count"]),
                "lot": event["batch__lot_code"],
                "producer": event["run__producer__name"],
                "certificate": f"{certificate.label} {certificate.number}",
            }
            if certificate.valid_to is not None and certificate.valid_to < day:
                values["when"] = day_text(certificate.valid_to)
                sentence = (
                    _(
                        "On %(date)s, %(count)s stamps were activated onto batch %(lot)s of %(producer)s while its "
                        "certificate %(certificate)s had expired on %(when)s."
                    )
                    % values
                )
            else:
                values["when"] = day_text(certificate.valid_from)
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
                        batch_link(event["batch_id"], event["batch__lot_code"]),
                        (
                            _("certificates"),
                            reverse("oversight:producer_file", args=[event["run__producer_id"]]) + "#certificates",
                        ),
                    ],
                    event["created_at"],
                )
            )
    return anomalies
