"""/api/v1/producers/: public read of approved producers, application, staff edits and officials' decisions.

The viewset; its serializers and what the public reads of a producer are in producer_serializers.py.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response

from backend import parsers
from backend.schema import CONFLICT
from tracing import access, services
from tracing.api.common import DecisionReasonSerializer, call_service
from tracing.api.producer_serializers import (
    PRODUCER_WRITE_FIELDS,
    FieldSurveySerializer,
    HistorySerializer,
    ProducerChangeSerializer,
    ProducerSerializer,
    StaffAddSerializer,
    StaffMemberSerializer,
    SurveyRecordSerializer,
    SurveyScheduleSerializer,
)
from tracing.models import Certificate, Producer, ProducerChange, ProducerMembership
from tracing.workflow import allowed_actions


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
