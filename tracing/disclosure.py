"""What the public may know about a producer: one definition, used by the API, the pages and open data.

A producer's record holds what the province needs to verify and reach it; only part of it is public,
and the same part everywhere — the public API (/api/v1/producers/, /production-areas/,
/certificates/), the public pages (the producer's page, the scan page and its map, the product and
batch pages, the province map, the list of participants) and the open data files:

- for every approved producer, PRODUCER_FIELDS: its name, legal form, status and the date it took
  part since, commune and district, website, descriptions, logo and position on the map;
- ORGANISATION_ONLY (address, tax number, legal representative, phone, email, Zalo) only for an
  enterprise or a cooperative: they are the organisation's own, as the national business register
  publishes them. For a household business they name a person — the owner's name, a personal
  identification number given as the tax number, the family's home, a private phone — so they are
  withheld (Decree 13/2023/ND-CP on personal data), and its position is rounded to 0.01° (about
  1 km), since it is often the family's home;
- of a production area, AREA_FIELDS: its name, size and growing regions, with its boundary for an
  organisation; a household's fields are shown only as a point rounded like the household itself;
- of a certificate, CERTIFICATE_FIELDS: everything but the scanned document (a household's
  certificate names the owner and the home address).

Never public: who works for a producer, field surveys, the status history and its reasons, the
areas' notes, yearly capacities and region warnings, certificate scans, pending changes.
"""

from __future__ import annotations

from django.contrib.gis.geos import Point
from django.utils import timezone

#: Public facts of every approved producer, in the order of the open-data files.
PRODUCER_FIELDS = (
    "id",
    "name",
    "kind",
    "status",
    "participating_since",
    "commune",
    "district",
    "address",
    "tax_number",
    "representative",
    "phone",
    "email",
    "zalo",
    "website",
    "description_vi",
    "description_en",
    "logo",
    "location",
)
#: Public for enterprises and cooperatives; withheld (blank) for household businesses.
ORGANISATION_ONLY = ("address", "tax_number", "representative", "phone", "email", "zalo")
#: Public facts of a production area ("boundary" is None for a household's areas).
AREA_FIELDS = ("id", "producer", "name", "area_ha", "growing_regions", "location", "boundary")
#: Public facts of a certificate (the scanned document is not one of them).
CERTIFICATE_FIELDS = (
    "id",
    "producer",
    "scheme",
    "scheme_label",
    "label",
    "ocop_stars",
    "number",
    "issuer",
    "scope",
    "product_kinds",
    "production_areas",
    "valid_from",
    "valid_to",
    "is_valid",
    "is_expired",
)
#: Decimal places of a published position: about 1 m for organisations, about 1 km for households.
EXACT_DECIMALS = 5
HOUSEHOLD_DECIMALS = 2


def is_household(producer) -> bool:
    return producer.kind == "household"


def withheld(producer) -> frozenset[str]:
    """The producer fields left blank for this producer."""
    return frozenset(ORGANISATION_ONLY) if is_household(producer) else frozenset()


def decimals_for(producer) -> int:
    return HOUSEHOLD_DECIMALS if is_household(producer) else EXACT_DECIMALS


def rounded_point(point: Point, producer) -> Point:
    """A position as it may be published for this producer (longitude, latitude rounded)."""
    places = decimals_for(producer)
    return Point(round(point.x, places), round(point.y, places), srid=4326)


def public_location(producer) -> Point:
    return rounded_point(producer.location, producer)


def public_producer(producer) -> dict:
    """The public facts of a producer (PRODUCER_FIELDS), withheld ones blank, the position rounded."""
    commune = producer.commune
    hidden = withheld(producer)
    values = {
        "id": producer.pk,
        "name": producer.name,
        "kind": producer.kind,
        "status": producer.status,
        "participating_since": timezone.localtime(producer.status_changed_at).date().isoformat(),
        "commune": commune.name if commune else "",
        "district": commune.parent.name if commune and commune.parent_id else "",
        "website": producer.website,
        "description_vi": producer.description_vi,
        "description_en": producer.description_en,
        "logo": producer.logo.url if producer.logo else "",
        "location": public_location(producer),
    }
    for field in ORGANISATION_ONLY:
        values[field] = "" if field in hidden else getattr(producer, field)
    return {field: values[field] for field in PRODUCER_FIELDS}


def public_area_geometry(area, producer):
    """What may be shown of a production area's place: its boundary (or point) for an organisation, a
    rounded point for a household business; None when it has no place."""
    geometry = area.boundary if area.boundary is not None else area.location
    if geometry is None:
        return None
    if not is_household(producer):
        return geometry
    return rounded_point(area.location if area.location is not None else geometry.centroid, producer)
