"""The geo API's nearest retail points: parameters, the registered filters' conditions, results."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.api.common import (
    BAD_REQUEST,
    int_range,
    num_range,
    reject_unknown,
)
from geo.coordinates import MAX_LIMIT, directions_urls
from geo.filters import nearest_filters
from geo.nearest import NearestRow, nearest_retail_point_rows
from geo.serializers import (
    NearestQuerySerializer,
    NearestResponseSerializer,
    check_product_kind,
)


def nearest_extra_conditions(request) -> tuple[list[tuple[str, list]], tuple[str, list] | None]:
    """The hook for apps above geo: filters registered with geo.filters.register_nearest_filter.

    Each registered parameter present in the request adds its condition (e.g. the marketplace's
    `product=ID`: authorised resellers with this product in stock): as the candidate source the
    search walks when the filter provides one and no other filter's source is used yet, else in SQL
    (the statement is then prepared once and reused). Returns (SQL conditions, source or None); a
    value the filter refuses is a 400 naming the parameter.
    """
    extra_sql, source = [], None
    for name, registered in nearest_filters().items():
        if name not in request.query_params:
            continue
        arguments = registered.arguments(request.query_params[name], request.query_params)
        try:
            if source is None and registered.has_source():
                source = registered.source(*arguments)
                if source is not None:
                    source = (source[0], list(source[1]))
                    continue
            condition = registered.sql(*arguments)
        except ValueError as error:
            raise serializers.ValidationError({name: [str(error)]}) from None
        if condition is not None:
            extra_sql.append((condition[0], list(condition[1])))
    return extra_sql, source


def _nearest_parameters() -> list[OpenApiParameter]:
    parameters = [
        OpenApiParameter("lat", num_range(-90, 90), required=True, description="Latitude, -90…90 (WGS84)."),
        OpenApiParameter("lng", num_range(-180, 180), required=True, description="Longitude, -180…180 (WGS84)."),
        OpenApiParameter("product_kind", str, description="Product kind code, e.g. orange."),
        OpenApiParameter("radius_m", num_range(1, 500_000), description="Only within this distance, 1–500000 metres."),
        OpenApiParameter("limit", int_range(1, MAX_LIMIT), description="How many, 1–50 (default 10)."),
        OpenApiParameter("open_now", bool, description="Only shops open now (Việt Nam time)."),
    ]
    for name, registered in nearest_filters().items():
        parameters.append(OpenApiParameter(name, registered.openapi_type, description=registered.description))
    return parameters


def _nearest_result(row: NearestRow) -> dict:
    state = row.opening
    lat, lng = row.lat, row.lng
    return {
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "address": row.address,
        "phone": row.phone,
        "zalo": row.zalo,
        "lat": round(lat, 6),
        "lng": round(lng, 6),
        "distance_m": round(row.distance_m, 1),
        "product_kinds": row.product_kinds,
        "opening": {
            "is_open": state.is_open,
            "closes_at": state.closes_at.strftime("%H:%M") if state.closes_at else None,
            "opens_next": state.opens_next.isoformat() if state.opens_next else None,
        },
        "directions": directions_urls(lat, lng),
    }


# One parser for every request: a serializer deep-copies its declared fields on each instantiation,
# which cost several times the validation itself. `run_validation` keeps no state on the instance, and
# it raises the same ValidationError (detail per field) as `is_valid`.
_NEAREST_QUERY = NearestQuerySerializer()
_NEAREST_PARAMETERS = frozenset(_NEAREST_QUERY.fields)


class NearestRetailPointsView(APIView):
    """The nearest genuine shops to a point, nearest first, with distance, opening state and directions."""

    permission_classes = [permissions.AllowAny]

    @property
    def empty_query_parameters_refused(self) -> tuple[str, ...]:
        """The apps' filters read an empty value as a value, and refuse it (backend/schema.py)."""
        return tuple(nearest_filters())

    @extend_schema(
        operation_id="retail_points_nearest",
        parameters=_nearest_parameters(),
        responses={200: NearestResponseSerializer, 400: BAD_REQUEST},
    )
    def get(self, request):
        reject_unknown(request, [*_NEAREST_PARAMETERS, *nearest_filters()])
        params = _NEAREST_QUERY.run_validation(request.query_params)
        extra_sql, source = nearest_extra_conditions(request)
        # One statement: the nearest shops with their product kinds and opening state (no model instances).
        rows = nearest_retail_point_rows(
            lat=params["lat"],
            lng=params["lng"],
            at=timezone.now(),
            limit=params["limit"],
            radius_m=params.get("radius_m"),
            product_kind=params.get("product_kind"),
            open_now=params["open_now"],
            extra_sql=extra_sql,
            source=source,
        )
        if not rows and params.get("product_kind"):
            # The only case where an unknown code can hide: say so rather than "nothing near you".
            try:
                check_product_kind(params["product_kind"])
            except serializers.ValidationError as error:
                raise serializers.ValidationError({"product_kind": error.detail}) from None
        return Response({"results": [_nearest_result(row) for row in rows]})
