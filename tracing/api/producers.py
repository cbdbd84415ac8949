"""/api/v1/producers/: public read of approved producers, application, staff edits and officials' decisions."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response

from backend import parsers
from backend.dates import ApiDateField
from backend.schema import CONFLICT
from geo.models import AdminUnit
from tracing import access, disclosure, services
from tracing.api.common import (
    DecisionReasonSerializer,
    PhotoSerializer,
    TracingModelSerializer,
    call_service,
    point_field,
)
from tracing.models import (
    Certificate,
    FieldSurvey,
    Producer,
    ProducerChange,
    ProducerMembership,
    ProducerStatusChange,
)
from tracing.workflow import allowed_actions


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


@extend_schema_view(
    list=extend_schema(
        summary="Producers: approved ones for everyone; own and all for staff and officials",
        description=(
            "Anyone reads an approved producer's public fields only; a household business's address, tax "
            "number, representative, phone, email and Zalo are blank and its location is rounded to 0.01°. "
            "The producer's own staff and officials read every field."
        ),
    ),
    create=extend_schema(summary="Register an organisation and apply to take part"),
)
class ProducerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProducerSerializer
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filterset_fields = ["status", "kind", "commune"]

    def get_queryset(self):
        certificates = Certificate.objects.order_by("scheme", "-valid_from")
        return (
            Producer.objects.visible_to(self.request.user)
            .select_related("commune", "commune__parent")
            .prefetch_related(
                Prefetch("certificates", queryset=certificates),
                Prefetch(
                    "changes",
                    queryset=ProducerChange.objects.filter(status=ProducerChange.Status.PENDING).select_related(
                        "requested_by", "decided_by"
                    ),
                    to_attr="pending_changes",
                ),
            )
            .order_by("name", "pk")
        )

    def perform_create(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in PRODUCER_WRITE_FIELDS}
        serializer.instance = call_service(services.producer_apply, by=self.request.user, **data)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in PRODUCER_WRITE_FIELDS}
        serializer.instance = call_service(
            services.producer_update, by=self.request.user, producer=serializer.instance, **data
        )
        serializer.instance.__dict__.pop("pending_changes", None)  # prefetched before the update: read it again

    # --- The workflow -----------------------------------------------------------------------

    def _decision(self, request, function):
        producer = self.get_object()
        serializer = DecisionReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call_service(function, by=request.user, producer=producer, reason=serializer.validated_data["reason"])
        producer.refresh_from_db()
        return Response(self.get_serializer(producer).data)

    @extend_schema(
        request=DecisionReasonSerializer,
        responses={200: ProducerSerializer, 409: CONFLICT},
        summary="Approve a surveyed producer",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decision(request, services.producer_approve)

    @extend_schema(
        request=DecisionReasonSerializer,
        responses={200: ProducerSerializer, 409: CONFLICT},
        summary="Reject a surveyed producer",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decision(request, services.producer_reject)

    @extend_schema(
        request=DecisionReasonSerializer,
        responses={200: ProducerSerializer, 409: CONFLICT},
        summary="Suspend an approved producer",
    )
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._decision(request, services.producer_suspend)

    @extend_schema(
        request=DecisionReasonSerializer,
        responses={200: ProducerSerializer, 409: CONFLICT},
        summary="Lift a suspension",
    )
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return self._decision(request, services.producer_reinstate)

    @extend_schema(
        request=DecisionReasonSerializer,
        responses={200: ProducerSerializer, 409: CONFLICT},
        summary="Apply again after a rejection",
    )
    @action(detail=True, methods=["post"])
    def reapply(self, request, pk=None):
        return self._decision(request, services.producer_reapply)

    # --- Changes to verified data -------------------------------------------------------------

    def _pending(self, producer: Producer) -> ProducerChange:
        change = services.pending_change(producer)
        if change is None:
            raise NotFound(_("No change waits for review."))
        return change

    def _change_decision(self, request, function):
        producer = self.get_object()
        serializer = DecisionReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = call_service(
            function, by=request.user, change=self._pending(producer), reason=serializer.validated_data["reason"]
        )
        return Response(ProducerChangeSerializer(change).data)

    @extend_schema(
        request=DecisionReasonSerializer,
        responses=ProducerChangeSerializer,
        summary="Accept the change to verified data that waits (officials)",
    )
    @action(detail=True, methods=["post"], url_path="accept-change")
    def accept_change(self, request, pk=None):
        return self._change_decision(request, services.producer_change_accept)

    @extend_schema(
        request=DecisionReasonSerializer,
        responses=ProducerChangeSerializer,
        summary="Refuse the change to verified data that waits, with the reason (officials)",
    )
    @action(detail=True, methods=["post"], url_path="refuse-change")
    def refuse_change(self, request, pk=None):
        return self._change_decision(request, services.producer_change_refuse)

    @extend_schema(request=None, responses=ProducerChangeSerializer, summary="Withdraw the change that waits (staff)")
    @action(detail=True, methods=["post"], url_path="withdraw-change")
    def withdraw_change(self, request, pk=None):
        producer = self.get_object()
        change = call_service(services.producer_change_withdraw, by=request.user, change=self._pending(producer))
        return Response(ProducerChangeSerializer(change).data)

    @extend_schema(
        request=SurveyScheduleSerializer,
        responses={200: FieldSurveySerializer, 409: CONFLICT},
        summary="Schedule the survey",
    )
    @action(detail=True, methods=["post"], url_path="schedule-survey")
    def schedule_survey(self, request, pk=None):
        producer = self.get_object()
        serializer = SurveyScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        survey = call_service(
            services.producer_schedule_survey, by=request.user, producer=producer, **serializer.validated_data
        )
        return Response(FieldSurveySerializer(survey, context=self.get_serializer_context()).data)

    @extend_schema(
        request=SurveyRecordSerializer,
        responses={200: FieldSurveySerializer, 409: CONFLICT},
        summary="Record the survey",
    )
    @action(detail=True, methods=["post"], url_path="record-survey")
    def record_survey(self, request, pk=None):
        producer = self.get_object()
        serializer = SurveyRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        survey = call_service(
            services.producer_record_survey, by=request.user, producer=producer, **serializer.validated_data
        )
        return Response(FieldSurveySerializer(survey, context=self.get_serializer_context()).data)

    # --- What only the producer's staff and officials read ----------------------------------

    def _private_object(self) -> Producer:
        producer = self.get_object()
        if not (access.can_manage(self.request.user, producer.pk) or access.can_read_all(self.request.user)):
            raise ApiPermissionDenied()
        return producer

    @extend_schema(responses=HistorySerializer, summary="The workflow history and the next steps (staff, officials)")
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        producer = self._private_object()
        changes = producer.status_changes.select_related("actor")
        data = {"allowed_actions": [str(a) for a in allowed_actions(producer.status)], "history": changes}
        return Response(HistorySerializer(data).data)

    @extend_schema(responses=FieldSurveySerializer(many=True), summary="Field surveys (staff, officials)")
    @action(detail=True, methods=["get"], pagination_class=None)
    def surveys(self, request, pk=None):
        producer = self._private_object()
        surveys = producer.surveys.select_related("scheduled_by", "recorded_by").prefetch_related("photos")
        return Response(FieldSurveySerializer(surveys, many=True, context=self.get_serializer_context()).data)

    @extend_schema(
        methods=["get"], responses=StaffMemberSerializer(many=True), summary="Staff members (staff, officials)"
    )
    @extend_schema(
        methods=["post"],
        request=StaffAddSerializer,
        responses={201: StaffMemberSerializer},
        summary="Add a staff member by username",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def staff(self, request, pk=None):
        producer = self._private_object()
        if request.method == "GET":
            memberships = producer.memberships.select_related("user")
            return Response(StaffMemberSerializer(memberships, many=True).data)
        serializer = StaffAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = get_user_model().objects.filter(username=serializer.validated_data["username"], is_active=True).first()
        if user is None:
            raise serializers.ValidationError({"username": [_("No active account has this username.")]})
        membership = call_service(services.producer_staff_add, by=request.user, producer=producer, user=user)
        return Response(StaffMemberSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description="Removed")}, summary="Remove a staff member"
    )
    @action(detail=True, methods=["delete"], url_path=r"staff/(?P<user_id>\d+)")
    def staff_remove(self, request, pk=None, user_id=None):
        producer = self._private_object()
        membership = (
            ProducerMembership.objects.filter(producer=producer, user_id=user_id).select_related("user").first()
        )
        if membership is None:
            raise NotFound()
        call_service(services.producer_staff_remove, by=request.user, producer=producer, user=membership.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
