"""The geo API's regions and administrative units, as GeoJSON built by PostgreSQL."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.views import APIView

from geo.api.common import (
    BAD_REQUEST,
    GEOJSON,
    geojson_response,
    parse_query,
    reject_unknown,
)
from geo.geojson import admin_units_geojson, regions_geojson
from geo.models import AdminUnit, GrowingRegion
from geo.serializers import (
    AdminUnitQuerySerializer,
    FeatureCollectionSerializer,
    RegionQuerySerializer,
)


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
        reject_unknown(request, RegionQuerySerializer().fields)
        params = parse_query(RegionQuerySerializer, request)
        regions = GrowingRegion.objects.order_by("product_kind__code", "name", "pk")
        if params.get("product_kind"):
            regions = regions.filter(product_kind__code=params["product_kind"])
        if params.get("unit"):
            regions = regions.filter(units=params["unit"])
        return geojson_response(regions_geojson(regions))


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
        reject_unknown(request, AdminUnitQuerySerializer().fields)
        params = parse_query(AdminUnitQuerySerializer, request)
        units = AdminUnit.objects.order_by("level", "code", "valid_from", "pk")
        if params.get("level"):
            units = units.filter(level=params["level"])
        if params.get("valid_on"):
            units = units.valid_on(params["valid_on"])
        if params.get("parent"):
            units = units.filter(parent=params["parent"])
        return geojson_response(admin_units_geojson(units))
