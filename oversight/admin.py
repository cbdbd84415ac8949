"""Oversight's records in the Django admin. The audit trail is read-only: it is never edited."""

from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from oversight.models import AuditEntry, Case, CheckSettings, InspectionFinding, YieldSetting


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_name", "action", "target_label")
    list_filter = ("action",)
    search_fields = ("actor_name", "target_label", "note", "target_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "status", "assignee", "opened_at", "outcome")
    list_filter = ("status", "outcome")
    raw_id_fields = ("flag", "report", "assignee", "closed_by")
    readonly_fields = ("flag", "report", "status", "outcome", "outcome_note", "closed_by", "closed_at", "opened_at")

    def has_add_permission(self, request):
        return False


@admin.register(YieldSetting)
class YieldSettingAdmin(admin.ModelAdmin):
    list_display = ("product_kind", "yield_kg_per_ha", "kg_per_litre", "updated_by", "updated_at")
    readonly_fields = ("updated_by",)


@admin.register(CheckSettings)
class CheckSettingsAdmin(admin.ModelAdmin):
    list_display = ("far_scan_km", "journey_stale_days", "updated_at")
    readonly_fields = ("updated_by",)


@admin.register(InspectionFinding)
class InspectionFindingAdmin(LeafletGeoAdmin):
    """The finding's GPS position on a Leaflet map like every other geometry (GeoDjango's own widget loads
    OpenLayers from a CDN and runs inline script, which the Content-Security-Policy refuses)."""

    list_display = ("created_at", "inspector", "serial", "retail_point", "result")
    list_filter = ("result",)
    raw_id_fields = ("stamp", "retail_point", "inspector")
    search_fields = ("serial", "note")
