"""The officials' map API under /api/v1/oversight/: producer markers of a viewport, the choropleth,
a producer's card. Officials and administrators only; everyone else gets 403 (401 when anonymous).

Each list answers in a constant number of queries: the filters are parsed once, then one statement
builds the GeoJSON in PostgreSQL (geo/oversight_queries.py).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oversight import mapdata
from oversight.filters import OversightMapForm, choropleth_level, producers_matching
from tracing import access
from tracing.models import Producer

FILTER_PARAMETERS = [
    OpenApiParameter("product_kind", str, description="Product kind code, e.g. orange."),
    OpenApiParameter("status", str, description="Participation status (applied, approved, suspended…)."),
    OpenApiParameter("producer_kind", str, description="enterprise, cooperative or household."),
    OpenApiParameter("scheme", str, description="Holding a certificate of this scheme valid today."),
    OpenApiParameter("expiring_days", int, description="Holding a certificate expiring within N days."),
    OpenApiParameter("unit", int, description="Inside this administrative unit (id)."),
    OpenApiParameter("valid_on", str, description="Administrative map: 2025-06-30 or 2025-07-01."),
]
KNOWN = {p.name for p in FILTER_PARAMETERS} | {"verification", "in_bbox", "limit", "level", "format"}


class IsOfficial(permissions.BasePermission):
    """The one officials' rule (tracing.access.is_official) for every officials' API view."""

    message = _("This is for the province's officials.")

    def has_permission(self, request, view):
        return access.is_official(request.user)


def parse_filters(request) -> dict:
    unknown = sorted(set(request.query_params) - KNOWN)
    if unknown:
        raise serializers.ValidationError({name: [_("Unknown parameter.")] for name in unknown})
    form = OversightMapForm(request.query_params)
    if not form.is_valid():
        raise serializers.ValidationError({name: [str(m) for m in msgs] for name, msgs in form.errors.items()})
    return form.cleaned_data


def parse_bbox(value: str):
    if not value:
        return None
    parts = value.split(",")
    if len(parts) != 4:
        raise serializers.ValidationError({"in_bbox": [_("Give min_lng,min_lat,max_lng,max_lat.")]})
    try:
        from geo.coordinates import validate_bbox

        return validate_bbox(*parts)
    except ValueError as exc:
        raise serializers.ValidationError({"in_bbox": [str(exc)]}) from None


def parse_limit(value: str) -> int:
    if not value:
        return mapdata.MAX_MARKERS
    if not value.isdigit() or not 1 <= int(value) <= mapdata.MAX_MARKERS:
        raise serializers.ValidationError(
            {"limit": [_("limit must be between 1 and %(max)d.") % {"max": mapdata.MAX_MARKERS}]}
        )
    return int(value)


class ProducerMarkersView(APIView):
    """Producers matching the filters inside the viewport, as GeoJSON; `more` says the list was cut."""

    permission_classes = [IsOfficial]

    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("in_bbox", str, description="min_lng,min_lat,max_lng,max_lat"),
            OpenApiParameter("limit", int, description=f"At most this many markers (≤ {mapdata.MAX_MARKERS})."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        cleaned = parse_filters(request)
        bbox = parse_bbox(request.query_params.get("in_bbox", ""))
        limit = parse_limit(request.query_params.get("limit", ""))
        data, _more = mapdata.markers_geojson(producers_matching(cleaned), bbox, limit=limit)
        return Response(data)


class UnitCountsView(APIView):
    """The choropleth: filtered producers counted per administrative unit by PostGIS, with legend classes."""

    permission_classes = [IsOfficial]

    @extend_schema(parameters=FILTER_PARAMETERS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        cleaned = parse_filters(request)
        # The unit filter narrows the markers, not the choropleth: every unit keeps its count.
        unfiltered_unit = {**cleaned, "unit_obj": None}
        data = mapdata.choropleth(
            producers_matching(unfiltered_unit), level=choropleth_level(cleaned["day"]), day=cleaned["day"]
        )
        return Response(data)


class ProducerCardView(APIView):
    """One producer's card: certificates, stamps issued / activated / scanned / sold, open reports."""

    permission_classes = [IsOfficial]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        producer = get_object_or_404(Producer.objects.select_related("commune"), pk=pk)
        return Response(mapdata.producer_card(producer))
