"""The geo API's geocoding: an address or place name to points (through geo.geocoding's seam)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from geo import geocoding
from geo.api.common import (
    BAD_REQUEST,
    int_range,
    parse_query,
    reject_unknown,
)
from geo.geocoding import MAX_QUERY_LENGTH
from geo.serializers import (
    GeocodeQuerySerializer,
    GeocodeResponseSerializer,
)


class GeocodeView(APIView):
    """Places matching a typed name or address: our gazetteer first (accents optional), then the provider."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="geocode",
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_LENGTH},
                required=True,
                description="A place or address, e.g. Bắc Quang.",
            ),
            OpenApiParameter("limit", int_range(1, 10), description="How many candidates, 1–10 (default 5)."),
        ],
        responses={200: GeocodeResponseSerializer, 400: BAD_REQUEST},
    )
    def get(self, request):
        reject_unknown(request, GeocodeQuerySerializer().fields)
        params = parse_query(GeocodeQuerySerializer, request)
        try:
            candidates = geocoding.geocode(params["q"], limit=params["limit"])
        except ValueError as error:
            raise serializers.ValidationError({"q": [str(error)]}) from None
        return Response(
            {
                "results": [
                    {"name": c.name, "level": c.level, "lat": c.lat, "lng": c.lng, "source": c.source}
                    for c in candidates
                ]
            }
        )
