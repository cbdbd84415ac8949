"""What the geo API's views share: the GeoJSON media type, the 400 answer, query parsing, service errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from backend.api_errors import ErrorSerializer

GEOJSON = "application/geo+json"

BAD_REQUEST = OpenApiResponse(ErrorSerializer, description="A parameter is missing or invalid; `fields` names it.")


def int_range(minimum: int, maximum: int) -> dict:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


def num_range(minimum: float, maximum: float) -> dict:
    return {"type": "number", "minimum": minimum, "maximum": maximum}


def parse_query(serializer_class, request):
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def reject_unknown(request, known) -> None:
    unknown = sorted(set(request.query_params) - set(known) - {"format"})
    if unknown:
        raise serializers.ValidationError({name: [_("Unknown parameter.")] for name in unknown})


def geojson_response(body: str) -> HttpResponse:
    return HttpResponse(body, content_type=GEOJSON)


def service_call(function, **kwargs):
    """Run a service, turning its Django errors into the API's 400/403."""
    try:
        return function(**kwargs)
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        raise serializers.ValidationError(detail) from None
