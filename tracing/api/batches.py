"""/api/v1/batches/ and /api/v1/batches/{id}/events/: lots and their journey."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from backend import parsers
from backend.dates import ApiDateField
from geo.models import RetailPoint
from tracing import access, services
from tracing.api.common import PhotoSerializer, TracingModelSerializer, call_service, point_field
from tracing.api.schema import ChoiceStringField
from tracing.models import Batch, BatchEvent, Product, ProductionArea


class BatchSerializer(TracingModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    producer = serializers.PrimaryKeyRelatedField(read_only=True)
    product_name = serializers.CharField(source="product.name_vi", read_only=True)
    production_area = serializers.PrimaryKeyRelatedField(
        queryset=ProductionArea.objects.all(), required=False, allow_null=True
    )
    unit = ChoiceStringField(choices=Batch._meta.get_field("unit").choices, required=False)

    class Meta:
        model = Batch
        fields = [
            "id",
            "producer",
            "product",
            "product_name",
            "lot_code",
            "harvest_started_on",
            "harvest_ended_on",
            "quantity",
            "unit",
            "production_area",
            "status",
            "note",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        validators = []  # the lot code's uniqueness per producer is checked by the service


class BatchFromPreviousSerializer(serializers.Serializer):
    harvest_started_on = ApiDateField()
    harvest_ended_on = ApiDateField(required=False, allow_null=True, default=None)
    lot_code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class BatchEventSerializer(TracingModelSerializer):
    event_label = serializers.CharField(source="get_event_type_display", read_only=True)
    cbv_business_step = serializers.CharField(read_only=True)
    location = point_field(required=False, allow_null=True)
    retail_point = serializers.PrimaryKeyRelatedField(
        queryset=RetailPoint.objects.all(), required=False, allow_null=True
    )
    retail_point_name = serializers.CharField(source="retail_point.name", read_only=True, default=None, allow_null=True)
    photos = PhotoSerializer(many=True, read_only=True)
    new_photos = serializers.ListField(
        child=serializers.FileField(), write_only=True, required=False, default=list, max_length=20
    )

    class Meta:
        model = BatchEvent
        fields = [
            "id",
            "event_type",
            "event_label",
            "cbv_business_step",
            "occurred_at",
            "location",
            "retail_point",
            "retail_point_name",
            "actor",
            "note",
            "photos",
            "new_photos",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class BatchEventChangeSerializer(BatchEventSerializer):
    """A correction: any of the step's fields, and why (required once stamps of the batch are on products)."""

    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000, write_only=True)

    class Meta(BatchEventSerializer.Meta):
        fields = [*BatchEventSerializer.Meta.fields, "corrected_at", "reason"]
        read_only_fields = ["created_at", "corrected_at"]


class BatchEventDeleteSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class BatchViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = BatchSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filterset_fields = ["producer", "product", "status"]
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]

    def get_queryset(self):
        return (
            Batch.objects.visible_to(self.request.user).select_related("product").order_by("-harvest_started_on", "-pk")
        )

    def perform_create(self, serializer):
        serializer.instance = call_service(services.batch_create, by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if data.pop("product", serializer.instance.product) != serializer.instance.product:
            raise serializers.ValidationError({"product": [_("A batch cannot move to another product.")]})
        serializer.instance = call_service(
            services.batch_update, by=self.request.user, batch=serializer.instance, **data
        )

    @extend_schema(request=BatchFromPreviousSerializer, responses={201: BatchSerializer})
    @action(detail=True, methods=["post"])
    def next(self, request, pk=None):
        """A new batch with this one as the template (same product, unit, area; quantity unless given)."""
        previous = self.get_object()
        serializer = BatchFromPreviousSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {key: value for key, value in serializer.validated_data.items() if value not in (None, "")}
        batch = call_service(services.batch_create_from_previous, by=request.user, previous=previous, **data)
        return Response(BatchSerializer(batch, context=self.get_serializer_context()).data, status=201)

    @extend_schema(methods=["get"], responses=BatchEventSerializer(many=True))
    @extend_schema(methods=["post"], request=BatchEventSerializer, responses={201: BatchEventSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def events(self, request, pk=None):
        """The journey in time order; add a step (times in order, after the harvest; receiving after shipping)."""
        batch = self.get_object()
        if request.method == "GET":
            events = batch.events.select_related("retail_point").prefetch_related("photos")
            return Response(BatchEventSerializer(events, many=True, context=self.get_serializer_context()).data)
        serializer = BatchEventSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["photos"] = data.pop("new_photos", [])
        event = call_service(services.batch_event_add, by=request.user, batch=batch, **data)
        return Response(
            BatchEventSerializer(event, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(methods=["patch"], request=BatchEventChangeSerializer, responses={200: BatchEventChangeSerializer})
    @extend_schema(methods=["delete"], request=BatchEventDeleteSerializer, responses={204: None})
    @action(detail=True, methods=["patch", "delete"], url_path=r"events/(?P<event_pk>[0-9]+)", pagination_class=None)
    def event(self, request, pk=None, event_pk=None):
        """Correct (PATCH) or delete a step (its producer's staff); the journey stays consistent, the step
        as it was is kept for officials, and once stamps are on products a `reason` is required."""
        batch = self.get_object()
        if not access.can_manage(request.user, batch.producer_id):
            raise Http404
        event = get_object_or_404(BatchEvent, pk=event_pk, batch=batch)
        if request.method == "DELETE":
            serializer = BatchEventDeleteSerializer(data=request.data or request.query_params)
            serializer.is_valid(raise_exception=True)
            call_service(services.batch_event_delete, by=request.user, event=event, **serializer.validated_data)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = BatchEventChangeSerializer(
            event, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = {key: value for key, value in serializer.validated_data.items() if key != "new_photos"}
        if "new_photos" in request.data:
            raise serializers.ValidationError({"new_photos": [_("Add photos with a new step.")]})
        event = call_service(services.batch_event_update, by=request.user, event=event, **data)
        return Response(BatchEventChangeSerializer(event, context=self.get_serializer_context()).data)
