"""The geo REST API: regions, administrative units, retail points (map, nearest, writes), geocoding.

Views parse and check the input (400 naming the field), call geo.nearest / geo.containment / geo.geojson /
geo.services, and answer.
GeoJSON bodies are built by PostgreSQL and passed through as text.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from backend.api_errors import ErrorSerializer
from backend.roles import RETAILER_STAFF, user_has_role
from geo import geocoding, services
from geo.containment import retail_points_in_bbox, retail_points_in_region, retail_points_in_unit
from geo.coordinates import MAX_LIMIT, directions_urls
from geo.filters import nearest_filters
from geo.geocoding import MAX_QUERY_LENGTH
from geo.geojson import admin_units_geojson, regions_geojson, retail_points_geojson_page
from geo.models import AdminUnit, GrowingRegion, RetailPoint
from geo.nearest import NearestRow, nearest_retail_point_rows
from geo.serializers import (
    MAX_PAGE_SIZE,
    AdminUnitQuerySerializer,
    FeatureCollectionSerializer,
    GeocodeQuerySerializer,
    GeocodeResponseSerializer,
    NearestQuerySerializer,
    NearestResponseSerializer,
    PagedFeatureCollectionSerializer,
    RegionQuerySerializer,
    RetailPointListQuerySerializer,
    RetailPointSerializer,
    RetailPointWriteSerializer,
    check_product_kind,
)

GEOJSON = "application/geo+json"

BAD_REQUEST = OpenApiResponse(ErrorSerializer, description="A parameter is missing or invalid; `fields` names it.")


def _integer(minimum: int, maximum: int) -> dict:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


def _number(minimum: float, maximum: float) -> dict:
    return {"type": "number", "minimum": minimum, "maximum": maximum}


def _parse(serializer_class, request):
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _reject_unknown(request, known) -> None:
    unknown = sorted(set(request.query_params) - set(known) - {"format"})
    if unknown:
        raise serializers.ValidationError({name: [_("Unknown parameter.")] for name in unknown})


def _geojson_response(body: str) -> HttpResponse:
    return HttpResponse(body, content_type=GEOJSON)


def _service_call(function, **kwargs):
    """Run a service, turning its Django errors into the API's 400/403."""
    try:
        return function(**kwargs)
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        raise serializers.ValidationError(detail) from None


# --- regions and administrative units ---------------------------------------------------------------


class RegionListView(APIView):
    """Growing regions (tea, orange, honey…) as GeoJSON, coloured by product kind."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("product_kind", str, description="Product kind code, e.g. orange."),
            OpenApiParameter("unit", int, description="Only regions lying in this administrative unit (id)."),
        ],
        responses={(200, GEOJSON): FeatureCollectionSerializer, 400: BAD_REQUEST},
    )
    def get(self, request):
        _reject_unknown(request, RegionQuerySerializer().fields)
        params = _parse(RegionQuerySerializer, request)
        regions = GrowingRegion.objects.order_by("product_kind__code", "name", "pk")
        if params.get("product_kind"):
            regions = regions.filter(product_kind__code=params["product_kind"])
        if params.get("unit"):
            regions = regions.filter(units=params["unit"])
        return _geojson_response(regions_geojson(regions))


class AdminUnitListView(APIView):
    """Administrative units as GeoJSON: the pre-2025 and the current map coexist, filter by `valid_on`."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("level", str, enum=AdminUnit.Level.values),
            OpenApiParameter("valid_on", OpenApiTypes.DATE, description="Only units in force on this day."),
            OpenApiParameter("parent", int, description="Only the units directly under this one (id)."),
        ],
        responses={(200, GEOJSON): FeatureCollectionSerializer, 400: BAD_REQUEST},
    )
    def get(self, request):
        _reject_unknown(request, AdminUnitQuerySerializer().fields)
        params = _parse(AdminUnitQuerySerializer, request)
        units = AdminUnit.objects.order_by("level", "code", "valid_from", "pk")
        if params.get("level"):
            units = units.filter(level=params["level"])
        if params.get("valid_on"):
            units = units.valid_on(params["valid_on"])
        if params.get("parent"):
            units = units.filter(parent=params["parent"])
        return _geojson_response(admin_units_geojson(units))


# --- retail points ----------------------------------------------------------------------------------


def _visible_retail_points(request, include: str):
    """Public points for everyone; with include=all, officials see every point and retailers add their own."""
    points = RetailPoint.objects.all()
    if include != "all":
        return points.public()
    user = request.user
    if services.can_verify_retail_points(user):
        return points
    if user_has_role(user, RETAILER_STAFF):
        own = RetailPoint.staff.through.objects.filter(retailpoint_id=OuterRef("pk"), user_id=user.pk)
        return points.filter(Q(is_active=True, verification_status=RetailPoint.Verification.VERIFIED) | Q(Exists(own)))
    raise PermissionDenied(_("Only officials and retailer staff can see points that are not public."))


class RetailPointCollectionView(APIView):
    """Retail points in a map viewport (GeoJSON built by the database), and adding a retail point."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="retail_points_map",
        parameters=[
            OpenApiParameter("in_bbox", str, description="min_lng,min_lat,max_lng,max_lat (WGS84 degrees)."),
            OpenApiParameter("product_kind", str, description="Product kind code, e.g. orange."),
            OpenApiParameter("unit", int, description="Only points inside this administrative unit (id)."),
            OpenApiParameter("region", int, description="Only points inside this growing region (id)."),
            OpenApiParameter("verification", str, enum=RetailPoint.Verification.values),
            OpenApiParameter(
                "include",
                str,
                enum=["public", "all"],
                description="all: officials see every point, retailer staff add their own (default public).",
            ),
            OpenApiParameter(
                "limit", _integer(1, MAX_PAGE_SIZE), description="Features per page, 1–10000 (default 1000)."
            ),
            OpenApiParameter("offset", _integer(0, 10_000_000), description="Features to skip."),
        ],
        responses={(200, GEOJSON): PagedFeatureCollectionSerializer, 400: BAD_REQUEST},
    )
    def get(self, request):
        _reject_unknown(request, RetailPointListQuerySerializer().fields)
        params = _parse(RetailPointListQuerySerializer, request)
        points = _visible_retail_points(request, params["include"])
        if params.get("in_bbox"):
            points = retail_points_in_bbox(*params["in_bbox"], queryset=points)
        if params.get("unit"):
            points = retail_points_in_unit(params["unit"], queryset=points)
        if params.get("region"):
            points = retail_points_in_region(params["region"], queryset=points)
        if params.get("product_kind"):
            points = points.filter(product_kinds__code=params["product_kind"])
        if params.get("verification"):
            points = points.filter(verification_status=params["verification"])
        limit, offset = params["limit"], params["offset"]
        features, has_more = retail_points_geojson_page(points.order_by("pk"), limit=limit, offset=offset)
        url = request.build_absolute_uri()
        next_url = replace_query_param(replace_query_param(url, "limit", limit), "offset", offset + limit)
        if offset <= 0:
            previous_url = None
        elif offset - limit <= 0:
            previous_url = remove_query_param(url, "offset")
        else:
            previous_url = replace_query_param(url, "offset", offset - limit)
        body = (
            '{"type":"FeatureCollection","features":'
            + features
            + ',"next":'
            + (json.dumps(next_url) if has_more else "null")
            + ',"previous":'
            + (json.dumps(previous_url) if previous_url else "null")
            + "}"
        )
        return _geojson_response(body)

    @extend_schema(
        operation_id="retail_points_create",
        request=RetailPointWriteSerializer,
        responses={201: RetailPointSerializer, 400: BAD_REQUEST},
    )
    def post(self, request):
        if not services.can_create_retail_point(request.user):
            raise PermissionDenied(_("Only retailer staff can add a retail point."))
        serializer = RetailPointWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        point = _service_call(services.retail_point_create, user=request.user, **serializer.validated_data)
        return Response(RetailPointSerializer(point).data, status=status.HTTP_201_CREATED)


class RetailPointDetailView(APIView):
    """One retail point: public ones for everyone, the others for their staff and officials; edits by its staff."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def _get(self, request, pk: int) -> RetailPoint:
        point = get_object_or_404(
            RetailPoint.objects.prefetch_related("product_kinds", "opening_periods").select_related("verified_by"),
            pk=pk,
        )
        is_public = point.is_active and point.verification_status == RetailPoint.Verification.VERIFIED
        if not (
            is_public
            or services.can_verify_retail_points(request.user)
            or services.can_edit_retail_point(request.user, point)
        ):
            raise RetailPoint.DoesNotExist
        return point

    @extend_schema(responses={200: RetailPointSerializer})
    def get(self, request, pk: int):
        try:
            point = self._get(request, pk)
        except RetailPoint.DoesNotExist:
            raise NotFound() from None
        return Response(RetailPointSerializer(point).data)

    @extend_schema(request=RetailPointWriteSerializer, responses={200: RetailPointSerializer, 400: BAD_REQUEST})
    def patch(self, request, pk: int):
        point = get_object_or_404(RetailPoint, pk=pk)
        if not services.can_edit_retail_point(request.user, point):
            raise PermissionDenied(_("You can only edit your own retail points."))
        serializer = RetailPointWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        point = _service_call(
            services.retail_point_update, user=request.user, retail_point=point, **serializer.validated_data
        )
        return Response(RetailPointSerializer(self._get(request, point.pk)).data)


class _VerificationView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    service = None

    @extend_schema(request=None, responses={200: RetailPointSerializer})
    def post(self, request, pk: int):
        point = get_object_or_404(RetailPoint, pk=pk)
        point = _service_call(type(self).service, user=request.user, retail_point=point)
        return Response(RetailPointSerializer(point).data)


class RetailPointVerifyView(_VerificationView):
    """An official verifies a retail point: it becomes visible to consumers."""

    service = staticmethod(services.retail_point_verify)


class RetailPointSuspendView(_VerificationView):
    """An official suspends a retail point: consumers no longer see it."""

    service = staticmethod(services.retail_point_suspend)


# --- nearest ----------------------------------------------------------------------------------------


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
        OpenApiParameter("lat", _number(-90, 90), required=True, description="Latitude, -90…90 (WGS84)."),
        OpenApiParameter("lng", _number(-180, 180), required=True, description="Longitude, -180…180 (WGS84)."),
        OpenApiParameter("product_kind", str, description="Product kind code, e.g. orange."),
        OpenApiParameter("radius_m", _number(1, 500_000), description="Only within this distance, 1–500000 metres."),
        OpenApiParameter("limit", _integer(1, MAX_LIMIT), description="How many, 1–50 (default 10)."),
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
        _reject_unknown(request, [*_NEAREST_PARAMETERS, *nearest_filters()])
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


# --- geocoding --------------------------------------------------------------------------------------


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
            OpenApiParameter("limit", _integer(1, 10), description="How many candidates, 1–10 (default 5)."),
        ],
        responses={200: GeocodeResponseSerializer, 400: BAD_REQUEST},
    )
    def get(self, request):
        _reject_unknown(request, GeocodeQuerySerializer().fields)
        params = _parse(GeocodeQuerySerializer, request)
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
