"""/api/v1/products/: public read of active products of approved producers; staff write their own."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from backend import parsers
from geo.models import GrowingRegion, ProductKind
from tracing import services
from tracing.api.common import PhotoSerializer, TracingModelSerializer, call_service
from tracing.api.producer_serializers import CertificateBriefSerializer
from tracing.models import Certificate, Producer, Product, ProductPhoto


class ProductSerializer(TracingModelSerializer):
    producer = serializers.PrimaryKeyRelatedField(queryset=Producer.objects.all())
    producer_name = serializers.CharField(source="producer.name", read_only=True)
    kind = serializers.SlugRelatedField(slug_field="code", queryset=ProductKind.objects.all())
    growing_region = serializers.PrimaryKeyRelatedField(
        queryset=GrowingRegion.objects.all(), required=False, allow_null=True
    )
    certificates = serializers.PrimaryKeyRelatedField(many=True, queryset=Certificate.objects.all(), required=False)
    certificate_details = CertificateBriefSerializer(source="certificates", many=True, read_only=True)
    gtin = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    photos = PhotoSerializer(many=True, read_only=True)
    audio = serializers.FileField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "producer",
            "producer_name",
            "kind",
            "name_vi",
            "name_en",
            "description_vi",
            "description_en",
            "unit",
            "net_quantity",
            "net_quantity_unit",
            "gtin",
            "growing_region",
            "certificates",
            "certificate_details",
            "is_active",
            "photos",
            "audio",
            "audio_content_type",
            "audio_duration_s",
        ]
        read_only_fields = ["audio_content_type", "audio_duration_s"]


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField()


class AudioUploadSerializer(serializers.Serializer):
    audio = serializers.FileField()


class ProductViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProductSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filterset_fields = ["producer", "kind__code", "growing_region", "is_active"]
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]

    def get_queryset(self):
        return (
            Product.objects.visible_to(self.request.user)
            .select_related("producer", "kind")
            .prefetch_related(
                Prefetch("certificates", Certificate.objects.order_by("scheme", "-valid_from")),
                Prefetch("photos", ProductPhoto.objects.order_by("position", "pk")),
            )
            .order_by("producer__name", "name_vi", "pk")
        )

    def perform_create(self, serializer):
        serializer.instance = call_service(services.product_create, by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if data.pop("producer", serializer.instance.producer) != serializer.instance.producer:
            raise serializers.ValidationError({"producer": [_("A product cannot move to another producer.")]})
        serializer.instance = call_service(
            services.product_update, by=self.request.user, product=serializer.instance, **data
        )

    @extend_schema(request={"multipart/form-data": PhotoUploadSerializer}, responses={201: PhotoSerializer})
    @action(detail=True, methods=["post"], parser_classes=[parsers.MultiPartParser])
    def photos(self, request, pk=None):
        """Add a photo (JPEG, PNG or WebP; resized, metadata removed)."""
        product = self.get_object()
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = call_service(
            services.product_photo_add, by=request.user, product=product, image=serializer.validated_data["image"]
        )
        return Response(PhotoSerializer(photo, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Removed")})
    @action(detail=True, methods=["delete"], url_path=r"photos/(?P<photo_id>\d+)")
    def photo_delete(self, request, pk=None, photo_id=None):
        """Remove a photo."""
        product = self.get_object()
        photo = product.photos.filter(pk=photo_id).first()
        if photo is None:
            raise NotFound()
        call_service(services.product_photo_delete, by=request.user, photo=photo)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["put"], request={"multipart/form-data": AudioUploadSerializer}, responses=ProductSerializer)
    @extend_schema(methods=["delete"], request=None, responses={204: OpenApiResponse(description="Removed")})
    @action(detail=True, methods=["put", "delete"], parser_classes=[parsers.MultiPartParser])
    def audio(self, request, pk=None):
        """Set (MP3, Ogg, M4A or WebM; ≤ 5 MB, ≤ 3 min) or remove the spoken description."""
        product = self.get_object()
        if request.method == "DELETE":
            call_service(services.product_audio_clear, by=request.user, product=product)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = AudioUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = call_service(
            services.product_audio_set, by=request.user, product=product, audio=serializer.validated_data["audio"]
        )
        return Response(self.get_serializer(product).data)
