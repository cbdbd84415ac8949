"""Certificates and production areas of a producer (written by its staff)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from backend.storage import atomic_with_files
from geo.models import ProductKind
from geo.spatial import overlap_with_regions
from tracing.models import AreaCapacity, Certificate, Producer, ProductionArea, ProductionAreaRegion
from tracing.services.common import apply_changes, check_location, check_owned, raise_if, require_manager, save
from tracing.uploads import process_document

CERTIFICATE_FIELDS = {
    "scheme",
    "ocop_stars",
    "number",
    "issuer",
    "scope",
    "valid_from",
    "valid_to",
    "product_kinds",
    "production_areas",
    "document",
}
AREA_FIELDS = {"name", "boundary", "location", "note", "capacities"}


def _clean_certificate(certificate: Certificate, errors: dict) -> None:
    if certificate.scheme == Certificate.Scheme.OCOP:
        if certificate.ocop_stars is None or not 1 <= certificate.ocop_stars <= 5:
            errors["ocop_stars"] = _("An OCOP certificate has 1 to 5 stars.")
    elif certificate.ocop_stars is not None:
        errors["ocop_stars"] = _("Stars are given only for OCOP certificates.")
    if certificate.valid_to and certificate.valid_from and certificate.valid_to < certificate.valid_from:
        errors["valid_to"] = _("The end of validity is before its start.")
    duplicate = Certificate.objects.filter(
        producer_id=certificate.producer_id, scheme=certificate.scheme, number=certificate.number.strip()
    ).exclude(pk=certificate.pk)
    if certificate.number.strip() and duplicate.exists():
        errors["number"] = _("This certificate is already registered.")


def _save_certificate(certificate: Certificate, *, document, has_document: bool, kinds, areas) -> Certificate:
    errors: dict = {}
    certificate.number, certificate.issuer = certificate.number.strip(), certificate.issuer.strip()
    _clean_certificate(certificate, errors)
    if areas is not None:
        areas = check_owned(
            errors, "production_areas", areas, certificate.producer_id, _("Choose your own production areas.")
        )
    if has_document:
        if document is None:
            certificate.document = ""
        else:
            try:
                cleaned = process_document(document)
            except ValidationError as exc:
                errors["document"] = exc.messages
            else:
                certificate.document.save(cleaned.name, cleaned, save=False)
    raise_if(errors)
    save(certificate)
    if kinds is not None:
        certificate.product_kinds.set(kinds)
    if areas is not None:
        certificate.production_areas.set(areas)
    return certificate


@atomic_with_files()
def certificate_add(
    *,
    by,
    producer: Producer,
    scheme: str,
    number: str,
    issuer: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    ocop_stars: int | None = None,
    scope: str = "",
    product_kinds: Iterable[ProductKind] = (),
    production_areas: Iterable[ProductionArea] = (),
    document: File | None = None,
) -> Certificate:
    """Register a certificate of the producer, with its scan (a PDF or an image, checked by content)."""
    require_manager(by, producer.pk)
    certificate = Certificate(
        producer=producer,
        scheme=scheme,
        number=number,
        issuer=issuer,
        valid_from=valid_from,
        valid_to=valid_to,
        ocop_stars=ocop_stars,
        scope=scope,
    )
    return _save_certificate(
        certificate,
        document=document,
        has_document=document is not None,
        kinds=list(product_kinds),
        areas=list(production_areas),
    )


@atomic_with_files()
def certificate_update(*, by, certificate: Certificate, **changes) -> Certificate:
    """Correct or renew a certificate (its producer's staff). `document=None` removes the scan."""
    require_manager(by, certificate.producer_id)
    has_document, document = "document" in changes, changes.pop("document", None)
    kinds = changes.pop("product_kinds", None)
    areas = changes.pop("production_areas", None)
    apply_changes(certificate, changes, CERTIFICATE_FIELDS)
    return _save_certificate(
        certificate,
        document=document,
        has_document=has_document,
        kinds=list(kinds) if kinds is not None else None,
        areas=list(areas) if areas is not None else None,
    )


@transaction.atomic
def certificate_delete(*, by, certificate: Certificate) -> None:
    """Remove a certificate entered by mistake; products stop relying on it."""
    require_manager(by, certificate.producer_id)
    certificate.delete()


# --- Production areas --------------------------------------------------------------------------


def _as_multipolygon(boundary: GEOSGeometry | None, errors: dict) -> MultiPolygon | None:
    if boundary is None:
        return None
    if isinstance(boundary, Polygon):
        boundary = MultiPolygon(boundary, srid=boundary.srid or 4326)
    if not isinstance(boundary, MultiPolygon):
        errors["boundary"] = _("Draw the boundary as a polygon.")
        return None
    if boundary.srid is None:
        boundary.srid = 4326
    if not boundary.valid:
        errors["boundary"] = _("The boundary crosses itself; redraw it.")
        return None
    return boundary


def _capacities(items: Iterable, errors: dict) -> list[tuple[ProductKind, Decimal]]:
    """[(kind, kg)] from pairs or {"product_kind", "yearly_kg"} dicts; one per kind, each above zero."""
    result, seen = [], set()
    for item in items:
        kind, kg = (item["product_kind"], item["yearly_kg"]) if isinstance(item, dict) else item
        try:
            kg = Decimal(str(kg))
        except (InvalidOperation, ValueError):
            kg = Decimal(0)
        if not kg.is_finite() or kg <= 0:
            errors["capacities"] = _("A yearly capacity is a number of kilograms above zero.")
        elif kind.pk in seen:
            errors["capacities"] = _("Declare each product once per area.")
        seen.add(kind.pk)
        result.append((kind, kg))
    return result


def _store_regions(area: ProductionArea) -> None:
    area.region_links.all().delete()
    geometry = area.boundary if area.boundary is not None else area.location
    ProductionAreaRegion.objects.bulk_create(
        ProductionAreaRegion(area=area, region=region, share=share)
        for region, share in overlap_with_regions(geometry)
        if share > 0
    )


def _save_area(area: ProductionArea, errors: dict, *, capacities, geometry_changed: bool) -> ProductionArea:
    area.name = area.name.strip()
    if area.boundary is None and area.location is None and "boundary" not in errors:
        errors["boundary"] = _("Draw the area on the map or place a point.")
    if geometry_changed:
        check_location(errors, "boundary", area.boundary)
        check_location(errors, "location", area.location)
    if ProductionArea.objects.filter(producer_id=area.producer_id, name=area.name).exclude(pk=area.pk).exists():
        errors["name"] = _("You already have an area with this name.")
    pairs = _capacities(capacities, errors) if capacities is not None else None
    raise_if(errors)
    save(area, exclude=["area_ha"])
    if pairs is not None:
        area.capacities.all().delete()
        AreaCapacity.objects.bulk_create(AreaCapacity(area=area, product_kind=k, yearly_kg=kg) for k, kg in pairs)
    if geometry_changed:
        _store_regions(area)
    area.refresh_from_db(fields=["area_ha"])
    return area


@transaction.atomic
def production_area_add(
    *,
    by,
    producer: Producer,
    name: str,
    boundary: Polygon | MultiPolygon | None = None,
    location: Point | None = None,
    note: str = "",
    capacities: Iterable = (),
) -> ProductionArea:
    """Declare a production area: a polygon and/or a point in Viet Nam, and its yearly capacity per product.

    Its overlap with the growing regions is stored; `area.region_warnings()` says when it lies
    outside them (a warning for the officials, not an error). The area in hectares is computed by
    PostGIS from the polygon.
    """
    require_manager(by, producer.pk)
    errors: dict = {}
    boundary = _as_multipolygon(boundary, errors)
    area = ProductionArea(producer=producer, name=name, boundary=boundary, location=location, note=note)
    return _save_area(area, errors, capacities=list(capacities), geometry_changed=True)


@transaction.atomic
def production_area_update(*, by, area: ProductionArea, **changes) -> ProductionArea:
    """Change an area (its producer's staff); overlaps are recomputed when the geometry changes."""
    require_manager(by, area.producer_id)
    capacities = changes.pop("capacities", None)
    geometry_changed = "boundary" in changes or "location" in changes
    errors: dict = {}
    if "boundary" in changes:
        changes["boundary"] = _as_multipolygon(changes["boundary"], errors)
    apply_changes(area, changes, AREA_FIELDS)
    return _save_area(
        area,
        errors,
        capacities=list(capacities) if capacities is not None else None,
        geometry_changed=geometry_changed,
    )


@transaction.atomic
def production_area_delete(*, by, area: ProductionArea) -> None:
    """Remove an area; refused while a batch comes from it."""
    require_manager(by, area.producer_id)
    try:
        with transaction.atomic():
            area.delete()
    except ProtectedError as exc:
        raise ValidationError(_("Batches come from this area: it cannot be removed.")) from exc
