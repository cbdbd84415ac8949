"""Admin for the geography: every geometry is edited on a Leaflet map (django-leaflet)."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from geo import services
from geo.models import (
    AdminUnit,
    GrowingRegion,
    OpeningException,
    OpeningPeriod,
    Place,
    ProductKind,
    RetailPoint,
)
from geo.text import fold


class FoldedSearchMixin:
    """Search `search_name` without accents or case: 'bac quang', 'Bắc Quang' and 'BAC QUANG' agree."""

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, fold(search_term))


@admin.register(ProductKind)
class ProductKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name_vi", "name_en", "colour")
    search_fields = ("code", "name_vi", "name_en")


@admin.register(AdminUnit)
class AdminUnitAdmin(FoldedSearchMixin, LeafletGeoAdmin):
    list_display = (
        "name",
        "code",
        "level",
        "kind",
        "parent",
        "valid_from",
        "valid_to",
        "has_boundary",
        "boundary_is_approximate",
    )
    list_filter = ("level", "kind", "boundary_is_approximate", "valid_from", "valid_to")
    search_fields = ("search_name", "code")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent", "successors")
    readonly_fields = ("predecessor_list",)
    fieldsets = (
        (None, {"fields": ("level", "code", "kind", "name", "name_ascii", "parent")}),
        (_("Validity"), {"fields": ("valid_from", "valid_to", "successors", "predecessor_list")}),
        (_("Map"), {"fields": ("centre", "boundary", "boundary_is_approximate", "boundary_source")}),
    )

    @admin.display(boolean=True, description=_("boundary"))
    def has_boundary(self, unit):
        return unit.boundary is not None

    @admin.display(description=_("predecessors"))
    def predecessor_list(self, unit):
        return ", ".join(f"{p.name} ({p.code})" for p in unit.predecessors.all()) or "—"


@admin.register(GrowingRegion)
class GrowingRegionAdmin(LeafletGeoAdmin):
    list_display = (
        "name",
        "product_kind",
        "area_display",
        "designation",
        "elevation_min_m",
        "elevation_max_m",
        "boundary_is_approximate",
    )
    list_filter = ("product_kind", "designation", "boundary_is_approximate")
    search_fields = ("name", "name_en", "designation_detail")
    list_select_related = ("product_kind",)
    autocomplete_fields = ("units",)
    readonly_fields = ("area_ha",)
    fieldsets = (
        (None, {"fields": ("name", "name_en", "product_kind", "designation", "designation_detail")}),
        (_("Description"), {"fields": ("description_vi", "description_en", "elevation_min_m", "elevation_max_m")}),
        (_("Map"), {"fields": ("boundary", "area_ha", "boundary_is_approximate", "boundary_source", "units")}),
    )

    @admin.display(description=_("area (ha)"), ordering="area_ha")
    def area_display(self, region):
        return f"{region.area_ha:,.0f}" if region.area_ha is not None else "—"


@admin.register(Place)
class PlaceAdmin(FoldedSearchMixin, LeafletGeoAdmin):
    list_display = ("name", "kind", "unit", "population", "source", "external_id")
    list_filter = ("kind", "source")
    search_fields = ("search_name", "external_id")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)


class OpeningPeriodInline(admin.TabularInline):
    model = OpeningPeriod
    extra = 0


class OpeningExceptionInline(admin.TabularInline):
    model = OpeningException
    extra = 0


@admin.register(RetailPoint)
class RetailPointAdmin(LeafletGeoAdmin):
    list_display = ("name", "kind", "commune", "phone", "verification_status", "verified_by", "is_active")
    list_filter = ("verification_status", "kind", "is_active", "product_kinds")
    search_fields = ("name", "address", "phone", "zalo")
    list_select_related = ("commune", "verified_by")
    autocomplete_fields = ("commune", "staff")
    filter_horizontal = ("product_kinds",)
    readonly_fields = ("verified_by", "verified_at", "created_at", "updated_at")
    inlines = (OpeningPeriodInline, OpeningExceptionInline)
    actions = ("verify_selected", "suspend_selected")
    fieldsets = (
        (None, {"fields": ("name", "kind", "product_kinds", "photo", "is_active")}),
        (_("Contact"), {"fields": ("address", "commune", "phone", "zalo", "staff")}),
        (_("Map"), {"fields": ("location",)}),
        (
            _("Verification"),
            {"fields": ("verification_status", "verified_by", "verified_at", "created_at", "updated_at")},
        ),
    )

    def has_verify_permission(self, request):
        return services.can_verify_retail_points(request.user)

    @admin.action(description=_("Verify the selected retail points"), permissions=["verify"])
    def verify_selected(self, request, queryset):
        now = timezone.now()
        with transaction.atomic():
            for retail_point in queryset:
                services.retail_point_verify(user=request.user, retail_point=retail_point, at=now)
        count = len(queryset)
        self.message_user(request, _("Retail points verified: %(count)d.") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Suspend the selected retail points"), permissions=["verify"])
    def suspend_selected(self, request, queryset):
        now = timezone.now()
        with transaction.atomic():
            for retail_point in queryset:
                services.retail_point_suspend(user=request.user, retail_point=retail_point, at=now)
        count = len(queryset)
        self.message_user(request, _("Retail points suspended: %(count)d.") % {"count": count}, messages.SUCCESS)


@admin.register(OpeningPeriod)
class OpeningPeriodAdmin(admin.ModelAdmin):
    list_display = ("retail_point", "weekday", "opens", "closes")
    list_filter = ("weekday",)
    search_fields = ("retail_point__name",)
    list_select_related = ("retail_point",)
    autocomplete_fields = ("retail_point",)


@admin.register(OpeningException)
class OpeningExceptionAdmin(admin.ModelAdmin):
    list_display = ("retail_point", "date", "closed", "opens", "closes", "note")
    list_filter = ("closed", "date")
    search_fields = ("retail_point__name", "note")
    list_select_related = ("retail_point",)
    autocomplete_fields = ("retail_point",)
    date_hierarchy = "date"
