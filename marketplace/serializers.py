"""API input and output shapes for the marketplace. Prices and totals are output only: the server computes them."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.dates import ApiDateField
from geo import coordinates
from geo.models import AdminUnit, RetailPoint
from marketplace.models import CartItem, Listing, Order, OrderLine, OrderStatusChange, RetailStock
from marketplace.payments import order_vietqr_payload
from marketplace.workflow import Carrier, OrderStatus
from tracing.models import Certificate, Product


class ProducerBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProductBriefSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="kind.code")
    producer = ProducerBriefSerializer()

    class Meta:
        model = Product
        fields = ["id", "name_vi", "name_en", "kind", "gtin", "producer"]


class ListingSerializer(serializers.ModelSerializer):
    product = ProductBriefSerializer(read_only=True)
    season_state = serializers.SerializerMethodField()
    is_orderable = serializers.BooleanField(read_only=True)
    pickup_points = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "product",
            "price_vnd",
            "unit",
            "stock",
            "min_per_order",
            "max_per_order",
            "home_delivery",
            "pickup_points",
            "available_from",
            "available_to",
            "allow_preorder",
            "is_active",
            "season_state",
            "is_orderable",
            "updated_at",
        ]

    def get_season_state(self, listing) -> str:
        return listing.season_state()


class ListingWriteSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False)
    price_vnd = serializers.IntegerField(min_value=1, max_value=2_000_000_000, required=False)
    unit = serializers.ChoiceField(choices=Listing._meta.get_field("unit").choices, required=False)
    stock = serializers.IntegerField(min_value=0, max_value=2_000_000_000, required=False)
    min_per_order = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)
    max_per_order = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, allow_null=True)
    home_delivery = serializers.BooleanField(required=False)
    pickup_points = serializers.PrimaryKeyRelatedField(queryset=RetailPoint.objects.all(), many=True, required=False)
    available_from = ApiDateField(required=False, allow_null=True)
    available_to = ApiDateField(required=False, allow_null=True)
    allow_preorder = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


class CatalogueQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    kind = serializers.SlugField(required=False, allow_blank=True, max_length=30)
    producer = serializers.IntegerField(required=False, min_value=1)
    area = serializers.IntegerField(required=False, min_value=1)
    certificate = serializers.ChoiceField(choices=Certificate.Scheme.choices, required=False, allow_blank=True)
    in_season = serializers.BooleanField(required=False, default=False)
    mine = serializers.BooleanField(required=False, default=False)
    limit = serializers.IntegerField(required=False, min_value=1)
    offset = serializers.IntegerField(required=False, min_value=0)


class CartItemSerializer(serializers.ModelSerializer):
    listing = serializers.IntegerField(source="listing_id")
    product_name = serializers.CharField(source="listing.product.name_vi")
    producer = serializers.IntegerField(source="listing.producer_id")
    unit = serializers.CharField(source="listing.unit")
    unit_price_vnd = serializers.IntegerField(source="listing.price_vnd")
    line_total_vnd = serializers.SerializerMethodField()

    class Meta:
        model = CartItem
        fields = ["listing", "product_name", "producer", "unit", "quantity", "unit_price_vnd", "line_total_vnd"]

    def get_line_total_vnd(self, item) -> int:
        return item.listing.price_vnd * item.quantity


class CartSerializer(serializers.Serializer):
    items = CartItemSerializer(many=True)
    total_vnd = serializers.IntegerField(help_text="Goods only; delivery fees are computed at checkout.")


class CartItemWriteSerializer(serializers.Serializer):
    listing = serializers.PrimaryKeyRelatedField(queryset=Listing.objects.all())
    quantity = serializers.IntegerField(min_value=0, max_value=1_000_000, help_text="0 removes the item.")


class CheckoutSerializer(serializers.Serializer):
    checkout_token = serializers.UUIDField(help_text="A fresh UUID per checkout; resending it returns the same orders.")
    contact_name = serializers.CharField(max_length=150)
    phone = serializers.CharField(max_length=30)
    email = serializers.EmailField(required=False, allow_blank=True)
    delivery_method = serializers.ChoiceField(choices=Order.Delivery.choices)
    province = serializers.PrimaryKeyRelatedField(
        queryset=AdminUnit.objects.filter(level=AdminUnit.Level.PROVINCE),
        required=False,
        allow_null=True,
        help_text="For home delivery: the province (any of Viet Nam's 34); optional when `commune` is given.",
    )
    commune = serializers.PrimaryKeyRelatedField(
        queryset=AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE), required=False, allow_null=True
    )
    commune_name = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        help_text="For home delivery to a commune or ward that is not in the list: its name.",
    )
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    lat = serializers.FloatField(required=False, allow_null=True, help_text="Map pin latitude (WGS84).")
    lng = serializers.FloatField(required=False, allow_null=True, help_text="Map pin longitude (WGS84).")
    pickup_points = serializers.DictField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text="For pickup: producer id → retail point id, one per producer in the cart.",
    )
    payment_method = serializers.ChoiceField(choices=Order.Payment.choices)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)

    def validate(self, data):
        lat, lng = data.get("lat"), data.get("lng")
        if (lat is None) != (lng is None):
            raise serializers.ValidationError({"lat": [_("Give both lat and lng, or neither.")]})
        if lat is not None:
            try:
                data["location"] = coordinates.point(lat, lng)
            except ValueError as error:
                raise serializers.ValidationError({"lat": [str(error)]}) from None
        points = {}
        for producer_id, point_id in (data.get("pickup_points") or {}).items():
            if not str(producer_id).isdigit():
                raise serializers.ValidationError({"pickup_points": [_("Keys are producer ids.")]})
            point = RetailPoint.objects.filter(pk=point_id).first()
            if point is None:
                raise serializers.ValidationError(
                    {"pickup_points": [_("Unknown retail point %(id)s.") % {"id": point_id}]}
                )
            points[int(producer_id)] = point
        data["pickup_points"] = points
        return data


@extend_schema_field(
    {"type": "string", "description": "An order status: " + ", ".join(OrderStatus.values) + " (empty: none yet)."}
)
class OrderStatusField(serializers.CharField):
    """An order status. A plain string in the schema: an enum named "status" would collide with other apps'
    (drf-spectacular names enums by field name; ENUM_NAME_OVERRIDES in settings would also solve it)."""


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ["listing", "product_name", "unit", "unit_price_vnd", "quantity", "line_total_vnd"]


class OrderStatusChangeSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_username", default=None)
    from_status = OrderStatusField(allow_blank=True)
    to_status = OrderStatusField()

    class Meta:
        model = OrderStatusChange
        fields = ["action", "from_status", "to_status", "actor", "reason", "created_at"]


class OrderSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    status = OrderStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display")
    producer = ProducerBriefSerializer()
    pickup_point = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    province = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    commune = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    lines = OrderLineSerializer(many=True)
    history = OrderStatusChangeSerializer(many=True)
    vietqr_payload = serializers.SerializerMethodField()
    carrier_label = serializers.CharField(source="get_carrier_display", read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "reference",
            "status",
            "status_label",
            "producer",
            "contact_name",
            "phone",
            "email",
            "delivery_method",
            "province",
            "commune",
            "commune_name",
            "address",
            "delivery_address",
            "pickup_point",
            "payment_method",
            "paid_at",
            "pay_by",
            "subtotal_vnd",
            "delivery_fee_vnd",
            "total_vnd",
            "note",
            "carrier",
            "carrier_label",
            "tracking_number",
            "placed_at",
            "lines",
            "history",
            "vietqr_payload",
        ]

    def get_vietqr_payload(self, order) -> str | None:
        return order_vietqr_payload(order)


class CheckoutResponseSerializer(serializers.Serializer):
    orders = OrderSerializer(many=True)
    links = serializers.ListField(child=serializers.URLField(), help_text="The secret link to follow each order.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ShipSerializer(ReasonSerializer):
    carrier = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="Who delivers it: " + ", ".join(Carrier.values) + " (own: the seller's own delivery).",
    )
    tracking_number = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text="The carrier's tracking number (6–30 letters, digits or hyphens); optional for own delivery.",
    )


class StampSerialsSerializer(serializers.Serializer):
    serials = serializers.ListField(child=serializers.CharField(max_length=40), min_length=1, max_length=1000)


class StampSerialsResponseSerializer(serializers.Serializer):
    serials = serializers.ListField(child=serializers.CharField())


class RetailStockSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name_vi", read_only=True)
    producer = serializers.IntegerField(source="product.producer_id", read_only=True)

    class Meta:
        model = RetailStock
        fields = ["product", "product_name", "producer", "in_stock", "updated_at", "authorised", "authorised_at"]


class RetailStockItemSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.select_related("producer"))
    in_stock = serializers.BooleanField()


class RetailStockWriteSerializer(serializers.Serializer):
    items = RetailStockItemSerializer(many=True, allow_empty=True)
    replace = serializers.BooleanField(
        default=False, help_text="Remove the shop's other products from its list (a full declaration)."
    )
