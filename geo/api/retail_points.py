"""The geo API's retail points: the map's pages, one shop, writes and officials' verification."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from backend.roles import RETAILER_STAFF, user_has_role
from geo import services
from geo.api.common import (
    BAD_REQUEST,
    GEOJSON,
    geojson_response,
    int_range,
    parse_query,
    reject_unknown,
    service_call,
)
from geo.containment import retail_points_in_bbox, retail_points_in_region, retail_points_in_unit
from geo.geojson import retail_points_geojson_page
from geo.models import RetailPoint
from geo.serializers import (
    MAX_PAGE_SIZE,
    PagedFeatureCollectionSerializer,
    RetailPointListQuerySerializer,
    RetailPointSerializer,
    RetailPointWriteSerializer,
)


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
                "limit", int_range(1, MAX_PAGE_SIZE), description="Features per page, 1–10000 (default 1000)."
            ),
            OpenApiParameter("offset", int_range(0, 10_000_000), description="Features to skip."),
        ],
        responses={(200, GEOJSON): PagedFeatureCollectionSerializer, 400: BAD_REQUEST},
    )
    def get(self, request):
        reject_unknown(request, RetailPointListQuerySerializer().fields)
        params = parse_query(RetailPointListQuerySerializer, request)
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
        return geojson_response(body)

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
        point = service_call(services.retail_point_create, user=request.user, **serializer.validated_data)
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
        point = service_call(
            services.retail_point_update, user=request.user, retail_point=point, **serializer.validated_data
        )
        return Response(RetailPointSerializer(self._get(request, point.pk)).data)


class _VerificationView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    service = None

    @extend_schema(request=None, responses={200: RetailPointSerializer})
    def post(self, request, pk: int):
        point = get_object_or_404(RetailPoint, pk=pk)
        point = service_call(type(self).service, user=request.user, retail_point=point)
        return Response(RetailPointSerializer(point).data)


class RetailPointVerifyView(_VerificationView):
    """An official verifies a retail point: it becomes visible to consumers."""

    service = staticmethod(services.retail_point_verify)


class RetailPointSuspendView(_VerificationView):
    """An official suspends a retail point: consumers no longer see it."""

    service = staticmethod(services.retail_point_suspend)
