"""Admin pages for tracing's records, with Leaflet maps for geometries.

The participation status is read-only here: it changes only through the workflow (officials' pages
and API), which keeps its history and sends its emails.
"""

from django.contrib import admin
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin, LeafletGeoAdminMixin

from tracing.models import (
    AreaCapacity,
    Batch,
    BatchEvent,
    BatchEventPhoto,
    Certificate,
    FieldSurvey,
    FieldSurveyPhoto,
    Producer,
    ProducerMembership,
    ProducerStatusChange,
    Product,
    ProductionArea,
    ProductPhoto,
)


class MembershipInline(admin.TabularInline):
    model = ProducerMembership
    fk_name = "producer"
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["added_by", "added_at"]


class StatusChangeInline(admin.TabularInline):
    model = ProducerStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "reason", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Producer)
class ProducerAdmin(LeafletGeoAdmin):
    list_display = ["name", "kind", "tax_number", "commune", "status", "status_changed_at"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "tax_number", "representative", "phone"]
    readonly_fields = ["status", "status_changed_at", "created_at"]
    raw_id_fields = ["commune"]
    inlines = [MembershipInline, StatusChangeInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class SurveyPhotoInline(admin.TabularInline):
    model = FieldSurveyPhoto
    extra = 0
    readonly_fields = ["image", "thumbnail", "width", "height"]


@admin.register(FieldSurvey)
class FieldSurveyAdmin(LeafletGeoAdmin):
    list_display = ["producer", "scheduled_for", "surveyed_on", "recorded_by"]
    list_filter = ["scheduled_for"]
    search_fields = ["producer__name"]
    readonly_fields = ["scheduled_by", "recorded_by", "recorded_at"]
    inlines = [SurveyPhotoInline]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "producer", "issuer", "valid_from", "valid_to", "expired"]
    list_filter = ["scheme"]
    search_fields = ["number", "producer__name", "issuer"]
    filter_horizontal = ["product_kinds", "production_areas"]

    @admin.display(boolean=True, description=_("expired"))
    def expired(self, certificate):
        return certificate.is_expired


class CapacityInline(admin.TabularInline):
    model = AreaCapacity
    extra = 0


@admin.register(ProductionArea)
class ProductionAreaAdmin(LeafletGeoAdmin):
    list_display = ["name", "producer", "area_ha"]
    search_fields = ["name", "producer__name"]
    readonly_fields = ["area_ha"]
    inlines = [CapacityInline]


class ProductPhotoInline(admin.TabularInline):
    model = ProductPhoto
    extra = 0
    readonly_fields = ["image", "thumbnail", "width", "height"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name_vi", "producer", "kind", "unit", "gtin", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name_vi", "name_en", "gtin", "producer__name"]
    readonly_fields = ["audio_content_type", "audio_duration_s"]
    filter_horizontal = ["certificates"]
    inlines = [ProductPhotoInline]


class BatchEventInline(LeafletGeoAdminMixin, admin.StackedInline):
    model = BatchEvent
    extra = 0
    readonly_fields = ["recorded_by", "created_at"]


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["lot_code", "product", "producer", "harvest_started_on", "quantity", "unit", "status"]
    list_filter = ["status"]
    search_fields = ["lot_code", "product__name_vi", "producer__name"]
    readonly_fields = ["producer", "created_by", "created_at"]
    inlines = [BatchEventInline]


class EventPhotoInline(admin.TabularInline):
    model = BatchEventPhoto
    extra = 0
    readonly_fields = ["image", "thumbnail", "width", "height"]


@admin.register(BatchEvent)
class BatchEventAdmin(LeafletGeoAdmin):
    list_display = ["batch", "event_type", "occurred_at", "retail_point", "actor"]
    list_filter = ["event_type"]
    search_fields = ["batch__lot_code", "actor"]
    readonly_fields = ["recorded_by", "created_at"]
    inlines = [EventPhotoInline]
