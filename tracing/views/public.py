"""Public pages: the list of participants, a producer, a product, a batch's journey, and the producers
layer of the province map.

What a visitor sees is decided by the querysets' visible_to(): anonymous visitors and consumers see
approved producers only (pending, rejected and suspended ones answer 404); a producer's staff also
see their own records (with a notice that they are not public), officials see everything.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tracing import access, disclosure
from tracing.models import Batch, BatchEvent, Certificate, Producer, Product, ProductionArea
from tracing.services.batches import removed_after_circulation
from tracing.views.common import (
    area_features,
    collection,
    feature,
    map_config,
    producer_feature,
    regions_collection,
    with_validity,
)

PAGE_SIZE = 30
BATCHES_SHOWN = 10


def _valid_certificates(certificates, today) -> list[Certificate]:
    return [certificate for certificate in certificates if certificate.is_valid_on(today)]


@require_GET
def producer_list(request):
    """The approved participants of the programme, with what they grow and their valid certificates."""
    producers = (
        Producer.objects.public()
        .select_related("commune", "commune__parent")
        .prefetch_related(
            Prefetch("products", queryset=Product.objects.filter(is_active=True).select_related("kind")),
            "certificates",
        )
        .order_by("name")
    )
    page = Paginator(producers, PAGE_SIZE).get_page(request.GET.get("trang"))
    for producer in page:
        producer.kinds = sorted({product.kind for product in producer.products.all()}, key=lambda kind: kind.code)
        producer.valid_certificates = _valid_certificates(producer.certificates.all(), timezone.localdate())
    return render(
        request,
        "tracing/producers/list.html",
        {"page": page, "can_apply": not access.is_official(request.user)},
    )


def _notice(request, producer: Producer) -> str:
    """Why a page that consumers cannot see is shown to this visitor (own staff or an official)."""
    if producer.is_public:
        return ""
    return _("Not public: consumers cannot see this page while the producer's status is “%(status)s”.") % {
        "status": producer.get_status_display()
    }


@require_GET
def producer_page(request, pk: int):
    producer = get_object_or_404(
        Producer.objects.visible_to(request.user).select_related("commune", "commune__parent"), pk=pk
    )
    areas = list(ProductionArea.objects.filter(producer=producer))
    products = (
        Product.objects.visible_to(request.user)
        .filter(producer=producer)
        .select_related("kind")
        .prefetch_related("photos")
        .order_by("name_vi")
    )
    return render(
        request,
        "tracing/producers/page.html",
        {
            "producer": producer,
            "public": disclosure.public_producer(producer),
            "notice": _notice(request, producer),
            "certificates": with_validity(producer.certificates.prefetch_related("product_kinds")),
            "products": products,
            "areas": areas,
            "areas_map": map_config(
                ("area", collection(area_features(areas, public_for=producer))),
                ("producer", collection([producer_feature(producer)])),
            ),
        },
    )


@require_GET
def product_page(request, pk: int):
    """A product as consumers see it: photos, the audio clip, producer, certificates, region on a map, batches."""
    product = get_object_or_404(
        Product.objects.visible_to(request.user).select_related(
            "producer", "producer__commune", "kind", "growing_region"
        ),
        pk=pk,
    )
    batches = Batch.objects.filter(product=product).select_related("production_area")
    region_ids = [product.growing_region_id] if product.growing_region_id else []
    return render(
        request,
        "tracing/products/page.html",
        {
            "product": product,
            "producer": product.producer,
            "verified": product.producer.is_public,
            "notice": _notice(request, product.producer),
            "photos": product.photos.all(),
            "certificates": with_validity(product.certificates.all()),
            "batches": batches[:BATCHES_SHOWN],
            "batch_count": batches.count(),
            "region_map": map_config(
                ("region", regions_collection(region_ids)),
                ("producer", collection([producer_feature(product.producer)])),
            ),
        },
    )


def _event_point(event: BatchEvent):
    if event.location is not None:
        return event.location
    if event.retail_point_id is not None:
        return event.retail_point.location
    return None


@require_GET
def batch_page(request, pk: int):
    """A batch's journey from harvest to shop: a timeline (Vietnam time) and the same steps on a map."""
    batch = get_object_or_404(
        Batch.objects.visible_to(request.user).select_related(
            "product", "product__kind", "producer", "producer__commune", "production_area"
        ),
        pk=pk,
    )
    events = list(
        BatchEvent.objects.filter(batch=batch)
        .select_related("retail_point")
        .prefetch_related("photos")
        .order_by("occurred_at", "pk")
    )
    steps = []
    for number, event in enumerate(events, start=1):
        point = _event_point(event)
        if point is not None:
            label = f"{number}. {event.get_event_type_display()}"
            steps.append(feature(point, name=label, order=number))
    areas = [batch.production_area] if batch.production_area_id else []
    return render(
        request,
        "tracing/batches/page.html",
        {
            "batch": batch,
            "product": batch.product,
            "producer": batch.producer,
            "notice": _notice(request, batch.producer),
            "events": events,
            "removed_steps": removed_after_circulation(batch),
            "journey_map": map_config(
                ("area", collection(area_features(areas, public_for=batch.producer))),
                ("producer", collection([producer_feature(batch.producer)])),
                ("journey", collection(steps)),
                route=True,
            ),
        },
    )


@require_GET
def producers_geojson(request):
    """Approved producers as GeoJSON points for the province map, with the product kinds they sell."""
    producers = (
        Producer.objects.public()
        .select_related("commune")
        .prefetch_related(Prefetch("products", queryset=Product.objects.filter(is_active=True).select_related("kind")))
        .order_by("pk")
    )
    features = []
    for producer in producers:
        kinds = sorted({product.kind.code for product in producer.products.all()})
        features.append(
            feature(
                disclosure.public_location(producer),
                name=producer.name,
                kind=producer.get_kind_display(),
                commune=producer.commune.name,
                product_kinds=kinds,
                url=reverse("tracing:producer", args=[producer.pk]),
            )
        )
    data = collection(features)
    # Foreign members (allowed by RFC 7946): the words the map script shows, in the visitor's language.
    data["label"] = _("Producers")
    data["text"] = {"open": _("See the producer"), "verified": _("verified producer")}
    return JsonResponse(data)
