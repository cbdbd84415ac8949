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

One module per check: capacity, records (batches and certificates), scans (far scans), journeys;
common holds the Anomaly and what their sentences share.
"""

from __future__ import annotations

from django.utils import timezone

from oversight.checks.capacity import Yield, capacity_anomalies, kg_per_stamp, yields
from oversight.checks.common import CHECKS, MAX_ANOMALIES, Anomaly
from oversight.checks.journeys import journey_anomalies
from oversight.checks.records import batch_anomalies, certificate_anomalies
from oversight.checks.scans import far_scan_anomalies
from oversight.models import CheckSettings


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


__all__ = [
    "CHECKS",
    "MAX_ANOMALIES",
    "Anomaly",
    "Yield",
    "all_anomalies",
    "batch_anomalies",
    "capacity_anomalies",
    "certificate_anomalies",
    "far_scan_anomalies",
    "journey_anomalies",
    "kg_per_stamp",
    "yields",
]
