"""The serializers of /api/v1/producers/: a producer (reduced to its public facts for anyone but its
staff and officials), its waiting change, workflow history, field surveys and staff, and the bodies
of the workflow and staff actions (tracing/api/producers.py)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.dates import ApiDateField
from geo.models import AdminUnit
from tracing import access, disclosure, services
from tracing.api.common import PhotoSerializer, TracingModelSerializer, point_field
from tracing.models import Certificate, FieldSurvey, Producer, ProducerChange, ProducerStatusChange


class CertificateBriefSerializer(TracingModelSerializer):
    label = serializers.CharField(read_only=True)
    is_expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = Certificate
        fields = ["id", "scheme", "label", "ocop_stars", "number", "valid_from", "valid_to", "is_expired"]


#: How the API spells each public fact of a producer (tracing.disclosure); unlisted facts keep their name.
API_SPELLING = {
    "kind": ("kind", "kind_label"),
    "status": ("status", "status_label"),
    "participating_since": ("status_changed_at",),
    "commune": ("commune", "commune_name"),
    "district": ("district_name",),
}
#: What anyone may read of an approved producer; its own staff and officials read every field.
PUBLIC_KEYS = (
    *(key for fact in disclosure.PRODUCER_FIELDS for key in API_SPELLING.get(fact, (fact,))),
    "certificates",
)


class ProducerChangeSerializer(TracingModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, default=None)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)

    class Meta:
        model = ProducerChange
        fields = [
            "id",
            "status",
            "values",
            "before",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "reason",
        ]


class ProducerSerializer(TracingModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    commune = serializers.PrimaryKeyRelatedField(queryset=AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE))
    commune_name = serializers.CharField(source="commune.name", read_only=True)
    district_name = serializers.CharField(source="commune.parent.name", read_only=True, allow_null=True)
    location = point_field()
    # Normalised by the service ("0912 345 678" → "0912345678"), so typed forms may be longer.
    tax_number = serializers.CharField(max_length=30)
    phone = serializers.CharField(max_length=30)
    zalo = serializers.CharField(max_length=30, required=False, allow_blank=True)
    logo = serializers.FileField(required=False, allow_null=True)
    certificates = CertificateBriefSerializer(many=True, read_only=True)
    pending_change = serializers.SerializerMethodField(
        help_text="A change to verified data waiting for an official (staff and officials only); the other fields "
        "keep the verified values until it is accepted."
    )

    class Meta:
        model = Producer
        fields = [
            "id",
            "kind",
            "kind_label",
            "name",
            "tax_number",
            "address",
            "commune",
            "commune_name",
            "district_name",
            "location",
            "representative",
            "phone",
            "email",
            "website",
            "zalo",
            "logo",
            "description_vi",
            "description_en",
            "status",
            "status_label",
            "status_changed_at",
            "certificates",
            "pending_change",
        ]
        read_only_fields = ["status", "status_changed_at"]

    @extend_schema_field(ProducerChangeSerializer(allow_null=True))
    def get_pending_change(self, producer) -> dict | None:
        waiting = getattr(producer, "pending_changes", None)  # prefetched by the view's queryset
        change = (waiting[0] if waiting else None) if waiting is not None else services.pending_change(producer)
        return ProducerChangeSerializer(change).data if change is not None else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and access.sees_private_data(request.user, instance.pk):
            return data
        public = {key: data[key] for key in PUBLIC_KEYS}
        for field in disclosure.withheld(instance):
            public[field] = ""
        public["location"] = self.fields["location"].to_representation(disclosure.public_location(instance))
        return public


class StatusChangeSerializer(TracingModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, default=None)
    to_status_label = serializers.CharField(source="get_to_status_display", read_only=True)

    class Meta:
        model = ProducerStatusChange
        fields = ["id", "from_status", "to_status", "to_status_label", "actor", "reason", "created_at"]


class HistorySerializer(serializers.Serializer):
    allowed_actions = serializers.ListField(child=serializers.CharField())
    history = StatusChangeSerializer(many=True)


class SurveyScheduleSerializer(serializers.Serializer):
    scheduled_for = ApiDateField()
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class SurveyRecordSerializer(serializers.Serializer):
    surveyed_on = ApiDateField()
    location = point_field(allow_null=True, required=False, default=None)
    identity_confirmed = serializers.BooleanField()
    certificates_genuine = serializers.BooleanField()
    areas_as_declared = serializers.BooleanField()
    gap_practice_seen = serializers.BooleanField()
    findings = serializers.CharField(allow_blank=True, required=False, default="", max_length=10000)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=20)


class FieldSurveySerializer(TracingModelSerializer):
    location = point_field(read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    scheduled_by = serializers.CharField(source="scheduled_by.username", read_only=True, default=None)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True, default=None)

    class Meta:
        model = FieldSurvey
        fields = [
            "id",
            "scheduled_for",
            "schedule_note",
            "scheduled_by",
            "surveyed_on",
            "location",
            "identity_confirmed",
            "certificates_genuine",
            "areas_as_declared",
            "gap_practice_seen",
            "findings",
            "recorded_by",
            "recorded_at",
            "photos",
        ]


class StaffMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    added_at = serializers.DateTimeField(read_only=True)


class StaffAddSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)


PRODUCER_WRITE_FIELDS = set(ProducerSerializer.Meta.fields) - {
    "id",
    "kind_label",
    "status",
    "status_label",
    "status_changed_at",
    "commune_name",
    "district_name",
    "certificates",
    "pending_change",
}
