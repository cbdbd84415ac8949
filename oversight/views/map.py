"""The officials' province map of participating cooperatives and enterprises, its card and exports.

The page reuses the province map (static/geo/map.js and province_map.js: regions, units, shops) and
adds its own layers with static/oversight/map.js: producers of the viewport (server-filtered, see
oversight/api.py) and the choropleth of producers per administrative unit.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from geo.views import map_config as geo_map_config
from oversight import mapdata
from oversight.filters import OversightMapForm, producers_matching
from oversight.views.common import official_required
from tracing.models import Producer

STATUS_COLOURS = {
    "applied": "#8a978f",
    "survey_scheduled": "#3a6fb0",
    "surveyed": "#7a4fa0",
    "approved": "#1f5f3b",
    "rejected": "#4d5a53",
    "suspended": "#b3261e",
}


def map_config() -> dict:
    """The public province map's settings (geo.views.map_config) with the officials' producer layers."""
    config = geo_map_config(can_verify=True)
    config["api"].update(
        producers=reverse("api-oversight-markers"),
        unitCounts=reverse("api-oversight-unit-counts"),
    )
    config.update(
        card=reverse("oversight:map_card", args=[0]),
        exports={"csv": reverse("oversight:map_export_csv"), "geojson": reverse("oversight:map_export_geojson")},
        statusLabels={value: str(label).capitalize() for value, label in Producer.Status.choices},
        producerKindLabels={value: str(label).capitalize() for value, label in Producer.Kind.choices},
        statusColours=STATUS_COLOURS,
    )
    config["text"].update(
        {
            "producers": _("Producers"),
            "choropleth": _("Producers per unit"),
            "formerArea": _("former district"),
            "formerAreaApproximate": _("former district, approximate area"),
            "areasNote": _(
                "The 2025 communes have no boundaries in the map data yet: the filled areas are the former "
                "districts they came from (approximate), the circles the communes."
            ),
            "producerCount": _("Producers in view: %(count)s"),
            "producersTooMany": _("Zoom in: only the first %(count)s producers in view are shown."),
            "noProducers": _("No producer matches these filters."),
            "total": _("Matching producers: %(count)s"),
            "cardFailed": _("This producer's card could not be loaded."),
            "none": _("none"),
        }
    )
    return config


@require_GET
@official_required
def map_page(request):
    form = OversightMapForm(request.GET or None)
    form.is_valid()
    return render(
        request,
        "oversight/map.html",
        {
            "form": form,
            "product_kinds": map_config()["productKinds"],
            "map_config": map_config(),
            "status_colours": [(value, label, STATUS_COLOURS[value]) for value, label in Producer.Status.choices],
        },
    )


def _filtered(request):
    form = OversightMapForm(request.GET)
    if not form.is_valid():
        raise ValidationError(form.errors.as_text())
    return producers_matching(form.cleaned_data)


def _bad_request(exc) -> HttpResponse:
    return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")


@require_GET
@official_required
def export_csv(request):
    """The filtered producers (every one, not only the viewport) as CSV."""
    try:
        producers = _filtered(request)
    except ValidationError as exc:
        return _bad_request(exc)
    response = HttpResponse("\ufeff" + mapdata.export_csv(producers), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="producers-filtered.csv"'
    return response


@require_GET
@official_required
def export_geojson(request):
    try:
        producers = _filtered(request)
    except ValidationError as exc:
        return _bad_request(exc)
    response = HttpResponse(mapdata.export_geojson(producers), content_type="application/geo+json")
    response["Content-Disposition"] = 'attachment; filename="producers-filtered.geojson"'
    return response


@require_GET
@official_required
def card(request, pk: int):
    """The card shown when an official clicks a producer on the map (an HTML fragment)."""
    producer = get_object_or_404(Producer.objects.select_related("commune"), pk=pk)
    return render(request, "oversight/_card.html", {"card": mapdata.producer_card(producer), "producer": producer})
