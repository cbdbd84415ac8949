"""The stamp API (public contract): verify a code, confirm its PIN, report a fake; runs, activation,
revocation and printing for producers and officials, with object-level permissions in the services."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend import parsers
from backend.job_views import JobSerializer
from tracing import resolver
from tracing.api.common import TracingModelSerializer, call_service
from tracing.api.schema import ChoiceStringField
from tracing.models import Batch, Producer, Product, Scan, StampRun
from tracing.models.stamps import MAX_RUN_SIZE
from tracing.stamps import follow_up, layouts, lifecycle, scan_sql, serials
from tracing.stamps import runs as stamp_services
from tracing.stamps import scans as scan_services
from tracing.stamps.confirmation import PinRefused, stamp_confirm_pin
from tracing.stamps.scan_limits import ReportThrottle, StampConfirmThrottle, StampThrottle, network_key
from tracing.stamps.selection import MAX_LIST, Selection


class UnknownCode(exceptions.NotFound):
    default_code = "unknown_code"


def _parse_serial_or_404(raw: str) -> str:
    try:
        return serials.parse_serial(raw)
    except ValueError as exc:
        raise UnknownCode(str(exc)) from None


# -- verification (public) -------------------------------------------------------------------


class _ProductOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    gtin = serializers.CharField()
    kind = serializers.CharField()


class _ProducerOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    verified = serializers.BooleanField()


class _BatchOut(serializers.Serializer):
    lot_code = serializers.CharField()
    harvest_started_on = serializers.DateField()
    harvest_ended_on = serializers.DateField(allow_null=True)


class StampVerificationSerializer(serializers.Serializer):
    serial = serializers.CharField()
    verdict = ChoiceStringField(choices=Scan.Verdict.choices)
    verdict_label = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())
    product = _ProductOut(allow_null=True)
    producer = _ProducerOut()
    batch = _BatchOut(allow_null=True)
    scan_count = serializers.IntegerField(
        help_text=(
            "Separate sightings of this stamp since its activation, this one included: one per network "
            "(IPv4 /24, IPv6 /64), not counting reloads or the producer's staff and officials."
        )
    )
    first_scanned_at = serializers.DateTimeField(allow_null=True)
    first_scanned_near = serializers.CharField(help_text="Commune and province of the first located scan, if any.")
    pin_confirmed_at = serializers.DateTimeField(allow_null=True)
    page_url = serializers.URLField()


def verification_payload(request, outcome) -> dict:
    stamp = outcome.stamp
    batch = stamp.batch
    product = batch.product if batch is not None else stamp.run.product
    producer = stamp.run.producer
    return {
        "serial": stamp.serial,
        "verdict": outcome.verdict,
        "verdict_label": str(Scan.Verdict(outcome.verdict).label),
        "warnings": outcome.warnings,
        "product": (
            {"id": product.pk, "name": product.name, "gtin": product.gtin, "kind": product.kind.code}
            if product is not None
            else None
        ),
        "producer": {"id": producer.pk, "name": producer.name, "verified": producer.status == Producer.Status.APPROVED},
        "batch": (
            {
                "lot_code": batch.lot_code,
                "harvest_started_on": batch.harvest_started_on,
                "harvest_ended_on": batch.harvest_ended_on,
            }
            if batch is not None
            else None
        ),
        "scan_count": outcome.sightings,
        "first_scanned_at": outcome.first_seen_at,
        "first_scanned_near": outcome.first_place,
        "pin_confirmed_at": stamp.confirmed_at,
        "page_url": request.build_absolute_uri(reverse("tracing:scan", args=[stamp.serial])),
    }


class StampVerifyView(APIView):
    """CORS for any origin, like the resolver: third-party apps call it from their own pages."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [StampThrottle]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return resolver.add_cors(response)

    @extend_schema(exclude=True)
    def head(self, request, serial: str):
        """The GET's status without recording a scan (a HEAD is not a look at the stamp)."""
        parsed = _parse_serial_or_404(serial)
        if scan_sql.read_facts(parsed) is None:
            raise UnknownCode(_("This stamp code is not one of ours: the product may not be genuine."))
        return Response(status=status.HTTP_200_OK)

    @extend_schema(
        summary="Verify a stamp code (records a scan)",
        description=(
            "What a third-party app calls after reading a stamp's QR code: the verdict (genuine, unknown, "
            "revoked, suspicious), product, producer, batch and how often it was scanned. Each call is "
            "recorded as a scan with channel `api`. Rate-limited per client and per code (429)."
        ),
        responses={200: StampVerificationSerializer, 404: OpenApiResponse(description="Malformed or unknown code.")},
    )
    def get(self, request, serial: str):
        parsed = _parse_serial_or_404(serial)
        outcome = scan_services.scan_record(
            serial=parsed,
            channel=Scan.Channel.API,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            network=network_key(request, parsed),
            user=request.user,
        )
        if outcome.stamp is None:
            raise UnknownCode(_("This stamp code is not one of ours: the product may not be genuine."))
        return Response(StampVerificationSerializer(verification_payload(request, outcome)).data)


class PinConfirmSerializer(serializers.Serializer):
    pin = serializers.CharField(max_length=20)


class PinConfirmedSerializer(serializers.Serializer):
    serial = serializers.CharField()
    confirmed_at = serializers.DateTimeField()
    confirmed_near = serializers.CharField()


class AlreadyConfirmed(exceptions.APIException):
    status_code = 409
    default_code = "already_confirmed"


class StampConfirmView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [StampConfirmThrottle]

    @extend_schema(
        summary="Confirm a purchase with the scratch PIN",
        description="The first correct confirmation wins; later ones get 409 with when and where it happened.",
        request=PinConfirmSerializer,
        responses={
            200: PinConfirmedSerializer,
            400: OpenApiResponse(description="Wrong PIN."),
            409: OpenApiResponse(description="Already confirmed."),
        },
    )
    def post(self, request, serial: str):
        parsed = _parse_serial_or_404(serial)
        data = PinConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            done = stamp_confirm_pin(serial=parsed, pin=data.validated_data["pin"])
        except PinRefused as exc:
            if exc.code == "already_confirmed":
                raise AlreadyConfirmed(exc.messages[0]) from None
            if exc.code == "unknown":
                raise UnknownCode(exc.messages[0]) from None
            raise serializers.ValidationError({"pin": exc.messages}) from None
        return Response({"serial": parsed, "confirmed_at": done.confirmed_at, "confirmed_near": done.place})


class ReportSerializer(serializers.Serializer):
    serial = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    shop = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    lat = serializers.FloatField(required=False, allow_null=True, default=None)
    lng = serializers.FloatField(required=False, allow_null=True, default=None)
    photo = serializers.FileField(required=False, allow_null=True, default=None)  # checked by tracing.uploads


class ReportCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="The number to quote to the inspectors, e.g. HG-2026-7KQ3MZ.")
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReportCreateView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ReportThrottle]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser]

    @extend_schema(
        summary="Report a suspected fake",
        description=(
            "A photo (multipart), the place, the shop and a note; officials see it at once. 5 an hour per client."
        ),
        request={"multipart/form-data": ReportSerializer, "application/json": ReportSerializer},
        responses={201: ReportCreatedSerializer},
    )
    def post(self, request):
        data = ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = call_service(follow_up.report_create, by=request.user, **data.validated_data)
        return Response(
            {"id": report.pk, "reference": report.reference, "status": report.status, "created_at": report.created_at},
            status=status.HTTP_201_CREATED,
        )


# -- runs, activation, revocation (producers and officials) ----------------------------------------


class StampRunSerializer(TracingModelSerializer):
    producer = serializers.PrimaryKeyRelatedField(queryset=Producer.objects.all())
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_RUN_SIZE)
    job = serializers.UUIDField(source="job_id", read_only=True, allow_null=True)
    pins_available = serializers.BooleanField(read_only=True)

    class Meta:
        model = StampRun
        fields = [
            "id",
            "producer",
            "product",
            "gtin14",
            "quantity",
            "status",
            "note",
            "issued_at",
            "job",
            "pins_available",
        ]
        read_only_fields = ["gtin14", "status", "issued_at"]


@extend_schema(summary="Stamp runs: officials issue and see all; producers see their own")
class StampRunListView(generics.ListCreateAPIView):
    serializer_class = StampRunSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return stamp_services.runs_visible_to(self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = call_service(
            stamp_services.stamps_issue,
            by=self.request.user,
            producer=data["producer"],
            product=data.get("product"),
            quantity=data["quantity"],
            note=data.get("note", ""),
        )


@extend_schema(summary="One stamp run")
class StampRunDetailView(generics.RetrieveAPIView):
    serializer_class = StampRunSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return stamp_services.runs_visible_to(self.request.user)


class PrintRequestSerializer(serializers.Serializer):
    layout = ChoiceStringField(choices=[(name, name) for name in layouts.PRESETS], default="a4-3x8-70x37")
    first = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    last = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class StampRunPrintView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Queue a print file of a run's labels (PDF, or a ZIP of PDFs for large ranges)",
        request=PrintRequestSerializer,
        responses={202: JobSerializer},
    )
    def post(self, request, pk: int):
        run = generics.get_object_or_404(stamp_services.runs_visible_to(request.user), pk=pk)
        data = PrintRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = call_service(stamp_services.stamps_print, by=request.user, run=run, **data.validated_data)
        return Response(JobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class SelectionSerializer(serializers.Serializer):
    first = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    last = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    serials = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=MAX_LIST
    )

    def selection(self) -> Selection:
        data = self.validated_data
        return call_service(Selection.of, first=data["first"], last=data["last"], serials=data["serials"])


class ActivateSerializer(SelectionSerializer):
    batch = serializers.PrimaryKeyRelatedField(queryset=Batch.objects.all())


class RevokeSerializer(SelectionSerializer):
    reason = serializers.CharField(max_length=300)


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class StampActivateView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Activate stamps onto one of your batches (a range of one run, or a list); all or nothing",
        request=ActivateSerializer,
        responses={200: CountSerializer},
    )
    def post(self, request):
        data = ActivateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = call_service(
            lifecycle.stamps_activate,
            by=request.user,
            batch=data.validated_data["batch"],
            selection=data.selection(),
        )
        return Response({"count": count})


class StampRevokeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Revoke stamps with a reason (the producer's staff for their runs, officials for any)",
        request=RevokeSerializer,
        responses={200: CountSerializer},
    )
    def post(self, request):
        data = RevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = call_service(
            lifecycle.stamps_revoke,
            by=request.user,
            selection=data.selection(),
            reason=data.validated_data["reason"],
        )
        return Response({"count": count})


__all__ = [
    "ReportCreateView",
    "StampActivateView",
    "StampConfirmView",
    "StampRevokeView",
    "StampRunDetailView",
    "StampRunListView",
    "StampRunPrintView",
    "StampVerifyView",
]
