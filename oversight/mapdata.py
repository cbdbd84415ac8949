"""What the officials' province map shows: producer markers, the choropleth, a producer's card, exports.

Every list here is answered by a constant number of queries whatever the number of producers: the
markers and the choropleth are each one statement built by geo (GeoJSON made by PostgreSQL).
"""

from __future__ import annotations

import io
import json

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, F, OuterRef, Q, QuerySet
from django.utils import timezone

from backend import csvfiles
from geo import oversight_queries
from tracing.models import Certificate, CounterfeitReport, Producer, Product, Scan, Stamp, SuspicionFlag
from tracing.models.stamps import StampStatus

#: Markers sent for one viewport; beyond that the page asks to zoom in (the choropleth shows the rest).
MAX_MARKERS = 2000


def _product_kind_codes():
    return ArraySubquery(
        Product.objects.filter(producer=OuterRef("pk"), is_active=True)
        .order_by("kind__code")
        .values_list("kind__code", flat=True)
        .distinct()
    )


def _valid_schemes(today):
    return ArraySubquery(
        Certificate.objects.valid_on(today)
        .filter(producer=OuterRef("pk"))
        .order_by("scheme")
        .values_list("scheme", flat=True)
        .distinct()
    )


def marker_properties() -> dict:
    return {
        "name": F("name"),
        "status": F("status"),
        "kind": F("kind"),
        "commune": F("commune__name"),
        "product_kinds": _product_kind_codes(),
    }


def markers_geojson(producers: QuerySet, bbox=None, *, limit: int = MAX_MARKERS) -> tuple[dict, bool]:
    """The producers of a filtered queryset inside the viewport as GeoJSON (one query), and whether cut."""
    qs = oversight_queries.points_in_bbox(producers, bbox) if bbox else producers
    features, more = oversight_queries.points_geojson_page(qs, properties=marker_properties(), limit=limit)
    return {"type": "FeatureCollection", "features": json.loads(features), "more": more}, more


def legend_breaks(counts: list[int], classes: int = 5) -> list[int]:
    """Upper bounds of up to `classes` equal-count classes over the non-zero counts (ascending, unique)."""
    values = sorted(c for c in counts if c > 0)
    if not values:
        return []
    breaks = []
    for i in range(1, classes + 1):
        value = values[min(len(values) - 1, max(0, round(i * len(values) / classes) - 1))]
        if not breaks or value > breaks[-1]:
            breaks.append(value)
    return breaks


def choropleth(producers: QuerySet, *, level: str, day) -> dict:
    """Units of a level with the number of filtered producers inside each (PostGIS), and legend classes.

    When none of the units has a boundary (the 2025 communes: the loaded data has their centres at most),
    `areas` holds the areas they came from that have one (the former districts, approximate), with the
    producers inside each, so that the map still fills polygons; the legend classes are then the areas'.
    Otherwise `areas` is empty. Two statements at most.
    """
    data = json.loads(oversight_queries.unit_counts_geojson(producers, level=level, valid_on=day))
    counts = [feature["properties"]["count"] for feature in data["features"]]
    data["total"] = sum(counts)
    data["level"] = level
    data["areas"] = []
    if data["features"] and not any(feature["properties"]["has_boundary"] for feature in data["features"]):
        areas = json.loads(oversight_queries.predecessor_area_counts_geojson(producers, level=level, valid_on=day))
        data["areas"] = areas["features"]
    fill_counts = [feature["properties"]["count"] for feature in data["areas"]] if data["areas"] else counts
    data["breaks"] = legend_breaks(fill_counts)
    return data


def producer_card(producer: Producer) -> dict:
    """A producer's figures for the map's card: certificates, stamps by stage, scans, open reports and flags."""
    today = timezone.localdate()
    stamps = Stamp.objects.filter(run__producer=producer).aggregate(
        issued=Count("pk"),
        activated=Count("pk", filter=Q(activated_at__isnull=False)),
        sold=Count("pk", filter=Q(status=StampStatus.SOLD)),
        revoked=Count("pk", filter=Q(status=StampStatus.REVOKED)),
    )
    scans = Scan.objects.filter(stamp__run__producer=producer, repeat=False).exclude(channel=Scan.Channel.STAFF)
    scan_figures = scans.aggregate(scans=Count("pk"), scanned=Count("stamp", distinct=True))
    certificates = [
        {
            "id": c.pk,
            "label": c.label,
            "number": c.number,
            "valid_from": c.valid_from,
            "valid_to": c.valid_to,
            "valid": c.is_valid_on(today),
            "expires_in_days": (c.valid_to - today).days if c.valid_to and c.valid_to >= today else None,
        }
        for c in producer.certificates.all()
    ]
    reports = CounterfeitReport.objects.filter(stamp__run__producer=producer).exclude(
        status=CounterfeitReport.Status.CLOSED
    )
    flags = SuspicionFlag.objects.filter(stamp__run__producer=producer, resolved_at__isnull=True)
    return {
        "id": producer.pk,
        "name": producer.name,
        "kind": producer.kind,
        "kind_label": str(producer.get_kind_display()),
        "status": producer.status,
        "status_label": str(producer.get_status_display()),
        "commune": producer.commune.name if producer.commune_id else "",
        "certificates": certificates,
        "stamps": {
            "issued": stamps["issued"],
            "activated": stamps["activated"],
            "scanned": scan_figures["scanned"],
            "scans": scan_figures["scans"],
            "sold": stamps["sold"],
            "revoked": stamps["revoked"],
        },
        "open_reports": list(reports.values("pk", "serial", "created_at", "status")[:20]),
        "open_flags": list(flags.values("pk", "rule", "created_at", "stamp__serial")[:20]),
    }


EXPORT_FIELDS = (
    "id",
    "name",
    "kind",
    "status",
    "status_since",
    "commune",
    "address",
    "product_kinds",
    "valid_certificates",
    "lat",
    "lng",
)


def export_rows(producers: QuerySet) -> list[dict]:
    """The filtered producers as flat rows (for the CSV export): 2 queries whatever their number."""
    today = timezone.localdate()
    qs = producers.select_related("commune").annotate(
        product_kind_codes=_product_kind_codes(), valid_schemes=_valid_schemes(today)
    )
    rows = []
    for producer in qs:
        rows.append(
            {
                "id": producer.pk,
                "name": producer.name,
                "kind": producer.kind,
                "status": producer.status,
                "status_since": timezone.localtime(producer.status_changed_at).date().isoformat(),
                "commune": producer.commune.name if producer.commune_id else "",
                "address": producer.address,
                "product_kinds": " ".join(producer.product_kind_codes or []),
                "valid_certificates": " ".join(producer.valid_schemes or []),
                "lat": round(producer.location.y, 6),
                "lng": round(producer.location.x, 6),
            }
        )
    return rows


def export_csv(producers: QuerySet) -> str:
    buffer = io.StringIO()
    writer = csvfiles.DictWriter(buffer, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    writer.writerows(export_rows(producers))
    return buffer.getvalue()


def export_geojson(producers: QuerySet) -> str:
    properties = {
        "name": F("name"),
        "kind": F("kind"),
        "status": F("status"),
        "commune": F("commune__name"),
        "address": F("address"),
        "product_kinds": _product_kind_codes(),
        "valid_certificates": _valid_schemes(timezone.localdate()),
    }
    return oversight_queries.points_geojson(producers, properties=properties)
