"""API input (query parameters, writes) and output shapes for geo.

Query parameters are parsed by serializers so that a bad value is a 400 naming its field; the range
checks themselves live in geo.coordinates (one definition for the API, the pages and the services).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from backend.dates import ApiDateField
from geo.coordinates import MAX_LIMIT, validate_bbox, validate_lat_lng, validate_radius_m
from geo.geocoding import MAX_QUERY_LENGTH
from geo.models import AdminUnit, GrowingRegion, OpeningPeriod, ProductKind, RetailPoint

MAX_PAGE_SIZE = 10_000
DEFAULT_PAGE_SIZE = 1_000


def _as(validator, value, field: str):
    try:
        return validator(value)
    except ValueError as error:
        raise serializers.ValidationError(str(error)) from None


def check_product_kind(code: str) -> None:
    """ValidationError (naming the code) unless a product kind has this code."""
    if not ProductKind.objects.filter(code=code).exists():
        raise serializers.ValidationError(_("Unknown product kind “%(code)s”.") % {"code": code})


class ProductKindCodeField(serializers.CharField):
    """A product kind's code; an unknown code is an error that names it.

    With `checked_later=True` the field only reads the code and the view calls check_product_kind
    itself when it needs to (the nearest API: only when nothing was found, saving a query).
    """

    def __init__(self, *, checked_later: bool = False, **kwargs):
        self.checked_later = checked_later
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        if not self.checked_later:
            check_product_kind(code)
        return code


class CoordinateField(serializers.CharField):
    """A latitude or longitude, finite and in range (NaN and infinities refused)."""

    def __init__(self, *, axis: str, **kwargs):
        self.axis = axis
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if self.axis == "lat":
            return _as(lambda value: validate_lat_lng(value, 0)[0], text, "lat")
        return _as(lambda value: validate_lat_lng(0, value)[1], text, "lng")


class NearestQuerySerializer(serializers.Serializer):
    lat = CoordinateField(axis="lat")
    lng = CoordinateField(axis="lng")
    # An unknown code matches no shop: the view checks the code only when nothing was found.
    product_kind = ProductKindCodeField(required=False, max_length=30, checked_later=True)
    radius_m = serializers.CharField(required=False, max_length=30)
    limit = serializers.IntegerField(required=False, default=10, min_value=1, max_value=MAX_LIMIT)
    open_now = serializers.BooleanField(required=False, default=False)

    def validate_radius_m(self, value):
        return _as(validate_radius_m, value, "radius_m")


class BboxField(serializers.CharField):
    """min_lng,min_lat,max_lng,max_lat."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        parts = text.split(",")
        if len(parts) != 4:
            raise serializers.ValidationError(_("Give four numbers: min_lng,min_lat,max_lng,max_lat."))
        return _as(lambda values: validate_bbox(*values), parts, "in_bbox")


class RetailPointListQuerySerializer(serializers.Serializer):
    in_bbox = BboxField(required=False, max_length=200)
    product_kind = ProductKindCodeField(required=False, max_length=30)
    unit = serializers.PrimaryKeyRelatedField(queryset=AdminUnit.objects.all(), required=False)
    region = serializers.PrimaryKeyRelatedField(queryset=GrowingRegion.objects.all(), required=False)
    verification = serializers.ChoiceField(choices=RetailPoint.Verification.choices, required=False)
    include = serializers.ChoiceField(choices=[("public", "public"), ("all", "all")], required=False, default="public")
    limit = serializers.IntegerField(required=False, default=DEFAULT_PAGE_SIZE, min_value=1, max_value=MAX_PAGE_SIZE)
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10_000_000)


class RegionQuerySerializer(serializers.Serializer):
    product_kind = ProductKindCodeField(required=False, max_length=30)
    unit = serializers.PrimaryKeyRelatedField(queryset=AdminUnit.objects.all(), required=False)


class AdminUnitQuerySerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AdminUnit.Level.choices, required=False)
    valid_on = ApiDateField(required=False)
    parent = serializers.PrimaryKeyRelatedField(queryset=AdminUnit.objects.all(), required=False)


class GeocodeQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH, trim_whitespace=True)
    limit = serializers.IntegerField(required=False, default=5, min_value=1, max_value=10)


# --- outputs (documented in the schema; the views build the same dictionaries) -------------------


class OpeningStateSerializer(serializers.Serializer):
    is_open = serializers.BooleanField()
    closes_at = serializers.TimeField(allow_null=True, help_text=gettext_lazy("When open: closing time (local)."))
    opens_next = serializers.DateTimeField(allow_null=True, help_text=gettext_lazy("When closed: next opening."))


class DirectionsSerializer(serializers.Serializer):
    osm = serializers.URLField()
    google = serializers.URLField()


class NearestResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    zalo = serializers.CharField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    distance_m = serializers.FloatField()
    product_kinds = serializers.ListField(child=serializers.CharField())
    opening = OpeningStateSerializer()
    directions = DirectionsSerializer()


class NearestResponseSerializer(serializers.Serializer):
    results = NearestResultSerializer(many=True)


class FeatureCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    features = serializers.ListField(child=serializers.DictField())


class PagedFeatureCollectionSerializer(FeatureCollectionSerializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class CandidateSerializer(serializers.Serializer):
    name = serializers.CharField()
    level = serializers.CharField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    source = serializers.CharField()


class GeocodeResponseSerializer(serializers.Serializer):
    results = CandidateSerializer(many=True)


# --- writes ----------------------------------------------------------------------------------------


class OpeningPeriodSerializer(serializers.Serializer):
    weekday = serializers.ChoiceField(choices=OpeningPeriod.Weekday.choices)
    opens = serializers.TimeField()
    closes = serializers.TimeField()

    def validate(self, attrs):
        if attrs["closes"] <= attrs["opens"]:
            raise serializers.ValidationError({"closes": _("The closing time must be after the opening time.")})
        return attrs


class RetailPointWriteSerializer(serializers.Serializer):
    """Create or edit a retail point: place it by a map pin (lat and lng) or by a typed address."""

    name = serializers.CharField(max_length=150)
    kind = serializers.ChoiceField(choices=RetailPoint.Kind.choices, required=False)
    address = serializers.CharField(max_length=300)
    lat = CoordinateField(axis="lat", required=False)
    lng = CoordinateField(axis="lng", required=False)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    zalo = serializers.CharField(max_length=20, required=False, allow_blank=True)
    product_kinds = serializers.ListField(child=serializers.SlugField(max_length=30), required=False)
    opening_periods = OpeningPeriodSerializer(many=True, required=False)

    def validate(self, attrs):
        if ("lat" in attrs) != ("lng" in attrs):
            missing = "lng" if "lat" in attrs else "lat"
            raise serializers.ValidationError({missing: _("Give both lat and lng, or neither and an address.")})
        return attrs


class RetailPointSerializer(serializers.ModelSerializer):
    lat = serializers.SerializerMethodField()
    lng = serializers.SerializerMethodField()
    product_kinds = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    opening_periods = OpeningPeriodSerializer(many=True, read_only=True)
    verified_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = RetailPoint
        fields = [
            "id",
            "name",
            "kind",
            "address",
            "commune",
            "lat",
            "lng",
            "phone",
            "zalo",
            "product_kinds",
            "opening_periods",
            "verification_status",
            "verified_by",
            "verified_at",
            "is_active",
        ]
        read_only_fields = fields

    def get_lat(self, obj) -> float:
        return obj.location.y

    def get_lng(self, obj) -> float:
        return obj.location.x
