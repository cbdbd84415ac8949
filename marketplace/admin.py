"""Admin: read-mostly views for administrators. Orders change only through the services (the order desk)."""

from django.contrib import admin

from marketplace.models import (
    Listing,
    Order,
    OrderLine,
    OrderStampSerial,
    OrderStatusChange,
    RetailStock,
    SellerProfile,
)


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["product", "producer", "price_vnd", "stock", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["product__name_vi", "producer__name"]
    raw_id_fields = ["product", "producer"]
    filter_horizontal = ["pickup_points"]


@admin.register(SellerProfile)
class SellerProfileAdmin(admin.ModelAdmin):
    list_display = ["producer", "bank_bin", "delivery_fee_vnd", "free_delivery_from_vnd"]
    raw_id_fields = ["producer"]
    filter_horizontal = ["delivery_areas"]


@admin.register(RetailStock)
class RetailStockAdmin(admin.ModelAdmin):
    list_display = ["retail_point", "product", "in_stock", "authorised", "updated_at"]
    list_filter = ["in_stock", "authorised"]
    raw_id_fields = ["retail_point", "product", "updated_by", "authorised_by"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ["listing", "product_name", "unit", "unit_price_vnd", "quantity", "line_total_vnd"]


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "actor", "reason", "created_at"]


class OrderStampSerialInline(admin.TabularInline):
    model = OrderStampSerial
    extra = 0
    can_delete = False
    readonly_fields = ["serial", "recorded_by", "recorded_at"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["reference", "producer", "status", "total_vnd", "payment_method", "placed_at"]
    list_filter = ["status", "payment_method", "delivery_method"]
    search_fields = ["contact_name", "phone", "email", "producer__name"]
    inlines = [OrderLineInline, OrderStatusChangeInline, OrderStampSerialInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Order._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
