"""Catalogue queries: browse and search listings (accent-insensitive Vietnamese), with the page's filters."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, Func, OuterRef, Prefetch, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from geo.models import AdminUnit, ProductKind
from geo.text import fold
from marketplace.models import Listing
from tracing.models import Certificate, Producer, ProductPhoto

MAX_QUERY_LENGTH = 100


class Folded(Func):
    """lower(unaccent(text)): the database side of geo.text.fold ('Cam sành Bắc Quang' → 'cam sanh bac quang')."""

    template = "lower(unaccent(%(expressions)s))"
    output_field = TextField()


@dataclass(frozen=True)
class CatalogueFilters:
    q: str = ""
    kind: str = ""
    producer: int | None = None
    area: int | None = None
    certificate: str = ""
    in_season: bool = False


def _search_text():
    parts = [
        "product__name_vi",
        "product__name_en",
        "producer__name",
        "product__kind__name_vi",
        "product__kind__name_en",
    ]
    pieces = []
    for part in parts:
        pieces += [Coalesce(F(part), Value("")), Value(" ")]
    return Folded(Concat(*pieces, output_field=TextField()))


def search(queryset: QuerySet, text: str) -> QuerySet:
    """Listings where every word of `text` (folded) appears in the product's, producer's or kind's names."""
    words = fold(text[:MAX_QUERY_LENGTH]).split()
    if not words:
        return queryset
    queryset = queryset.annotate(search_text=_search_text())
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset


def _area_q(unit_id: int) -> Q:
    return (
        Q(producer__commune_id=unit_id)
        | Q(producer__commune__parent_id=unit_id)
        | Q(producer__commune__parent__parent_id=unit_id)
    )


def _certificate_q(scheme: str) -> Q:
    today = timezone.localdate()
    valid = Certificate.objects.valid_on(today).filter(scheme=scheme)
    on_product = valid.filter(products=OuterRef("product_id"))
    return Q(Exists(on_product))


def catalogue(filters: CatalogueFilters) -> QuerySet:
    """Public listings matching the filters, with what a card shows, in a fixed order (kind, name)."""
    qs = Listing.objects.public()
    if filters.q.strip():
        qs = search(qs, filters.q)
    if filters.kind:
        qs = qs.filter(product__kind__code=filters.kind)
    if filters.producer:
        qs = qs.filter(producer_id=filters.producer)
    if filters.area:
        qs = qs.filter(_area_q(filters.area))
    if filters.certificate:
        qs = qs.filter(_certificate_q(filters.certificate))
    if filters.in_season:
        qs = qs.in_season()
    return (
        qs.select_related("product__kind", "product__producer", "producer", "product__growing_region")
        .prefetch_related(Prefetch("product__photos", queryset=ProductPhoto.objects.order_by("position", "pk")))
        .order_by("product__kind__code", "product__name_vi", "pk")
    )


def filter_choices() -> dict:
    """What the filter form offers: kinds, producers with listings, their areas, certificate schemes."""
    public = Listing.objects.public()
    producers = Producer.objects.filter(pk__in=public.values("producer_id")).order_by("name")
    communes = AdminUnit.objects.filter(pk__in=producers.values("commune_id"))
    area_ids = set(communes.values_list("pk", flat=True))
    area_ids |= set(communes.exclude(parent_id=None).values_list("parent_id", flat=True))
    areas = AdminUnit.objects.filter(pk__in=area_ids).exclude(level=AdminUnit.Level.COMMUNE).order_by("name")
    return {
        "kinds": list(ProductKind.objects.order_by("code")),
        "producers": list(producers),
        "areas": list(areas),
        "certificates": Certificate.Scheme.choices,
    }
