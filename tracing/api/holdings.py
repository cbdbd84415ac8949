"""/api/v1/certificates/ and /api/v1/production-areas/: public for approved producers, written by their staff."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, viewsets

from backend import parsers
from geo.models import ProductKind
from tracing import access, disclosure, services
from tracing.api.common import GeoJSONGeometryField, TracingModelSerializer, call_service, point_field
from tracing.models import AreaCapacity, Certificate, Producer, ProductionArea, ProductionAreaRegion


class CertificateSerializer(TracingModelSerializer):
    producer = serializers.PrimaryKeyRelatedField(queryset=Producer.objects.all())
    scheme_label = serializers.CharField(source="get_scheme_display", read_only=True)
    label = serializers.CharField(read_only=True)
    is_expired = serializers.BooleanField(read_only=True)
    is_valid = serializers.BooleanField(read_only=True)
    document = serializers.FileField(required=False, allow_null=True)
    product_kinds = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=ProductKind.objects.all(), required=False
    )
    production_areas = serializers.PrimaryKeyRelatedField(
        many=True, queryset=ProductionArea.objects.all(), required=False
    )

    class Meta:
        model = Certificate
        #: the public facts (tracing.disclosure) and, for the producer's staff and officials, the document
        fields = [*disclosure.CERTIFICATE_FIELDS, "document"]
        # Uniqueness and the OCOP rule are checked by the service, with messages that name the field.
        validators = []

    def to_representation(self, certificate):
        data = super().to_representation(certificate)
        request = self.context.get("request")
        if request is not None and access.sees_private_data(request.user, certificate.producer_id):
            return data
        return {key: data[key] for key in disclosure.CERTIFICATE_FIELDS}


class CapacitySerializer(serializers.Serializer):
    product_kind = serializers.SlugRelatedField(slug_field="code", queryset=ProductKind.objects.all())
    yearly_kg = serializers.DecimalField(max_digits=12, decimal_places=1, min_value=0)


class RegionShareSerializer(TracingModelSerializer):
    id = serializers.IntegerField(source="region.id", read_only=True)
    name = serializers.CharField(source="region.name", read_only=True)
    product_kind = serializers.CharField(source="region.product_kind.code", read_only=True)

    class Meta:
        model = ProductionAreaRegion
        fields = ["id", "name", "product_kind", "share"]


class ProductionAreaSerializer(TracingModelSerializer):
    producer = serializers.PrimaryKeyRelatedField(queryset=Producer.objects.all())
    boundary = GeoJSONGeometryField(geometry_types=("Polygon", "MultiPolygon"), required=False, allow_null=True)
    location = point_field(required=False, allow_null=True)
    capacities = CapacitySerializer(many=True, required=False)
    growing_regions = RegionShareSerializer(source="region_links", many=True, read_only=True)
    warnings = serializers.SerializerMethodField()
    # Declared: DRF drops null=True from a read-only model field (here: no boundary, no area).
    area_ha = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = ProductionArea
        fields = [
            "id",
            "producer",
            "name",
            "boundary",
            "location",
            "area_ha",
            "note",
            "capacities",
            "growing_regions",
            "warnings",
        ]
        read_only_fields = ["area_ha"]
        validators = []

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_warnings(self, area) -> list[str]:
        return area.region_warnings()

    def to_representation(self, area):
        data = super().to_representation(area)
        request = self.context.get("request")
        if request is not None and access.sees_private_data(request.user, area.producer_id):
            return data
        public = {key: data[key] for key in disclosure.AREA_FIELDS}
        if disclosure.is_household(area.producer):
            geometry = disclosure.public_area_geometry(area, area.producer)
            public["boundary"] = None
            public["location"] = self.fields["location"].to_representation(geometry) if geometry else None
        return public


class _ProducerScopedViewSet(viewsets.ModelViewSet):
    """Lists what the user may see (approved producers', own, or all for officials), filterable by producer."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filterset_fields = ["producer"]
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]

    def visible_producers(self):
        return Producer.objects.visible_to(self.request.user).values("pk")


class CertificateViewSet(_ProducerScopedViewSet):
    serializer_class = CertificateSerializer
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]

    def get_queryset(self):
        return (
            Certificate.objects.filter(producer__in=self.visible_producers())
            .prefetch_related("product_kinds", Prefetch("production_areas", ProductionArea.objects.only("pk")))
            .order_by("producer", "scheme", "-valid_from", "pk")
        )

    def perform_create(self, serializer):
        serializer.instance = call_service(services.certificate_add, by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if data.pop("producer", serializer.instance.producer) != serializer.instance.producer:
            raise serializers.ValidationError({"producer": [_("A certificate cannot move to another producer.")]})
        serializer.instance = call_service(
            services.certificate_update, by=self.request.user, certificate=serializer.instance, **data
        )

    def perform_destroy(self, instance):
        call_service(services.certificate_delete, by=self.request.user, certificate=instance)


class ProductionAreaViewSet(_ProducerScopedViewSet):
    serializer_class = ProductionAreaSerializer

    def get_queryset(self):
        return (
            ProductionArea.objects.filter(producer__in=self.visible_producers())
            .select_related("producer")  # its kind decides what the public sees (tracing.disclosure)
            .prefetch_related(
                Prefetch("capacities", AreaCapacity.objects.select_related("product_kind")),
                Prefetch("region_links", ProductionAreaRegion.objects.select_related("region__product_kind")),
            )
            .order_by("producer", "name", "pk")
        )

    @staticmethod
    def _service_data(validated: dict) -> dict:
        data = dict(validated)
        if "capacities" in data:
            data["capacities"] = [dict(item) for item in data["capacities"]]
        return data

    def perform_create(self, serializer):
        serializer.instance = call_service(
            services.production_area_add, by=self.request.user, **self._service_data(serializer.validated_data)
        )

    def perform_update(self, serializer):
        data = self._service_data(serializer.validated_data)
        if data.pop("producer", serializer.instance.producer) != serializer.instance.producer:
            raise serializers.ValidationError({"producer": [_("An area cannot move to another producer.")]})
        serializer.instance = call_service(
            services.production_area_update, by=self.request.user, area=serializer.instance, **data
        )

    def perform_destroy(self, instance):
        call_service(services.production_area_delete, by=self.request.user, area=instance)
