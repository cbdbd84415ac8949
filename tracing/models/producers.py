"""Producer organisations, their staff, their participation status with its history, and field surveys."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracing import access
from tracing.uploads import UploadPath


class ProducerStatus(models.TextChoices):
    """Where a producer is in the participation workflow (transitions: tracing/workflow.py)."""

    APPLIED = "applied", _("applied")
    SURVEY_SCHEDULED = "survey_scheduled", _("survey scheduled")
    SURVEYED = "surveyed", _("surveyed")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    SUSPENDED = "suspended", _("suspended")


class ProducerQuerySet(models.QuerySet):
    def public(self):
        """What consumers see: approved participants only (suspended and pending ones are hidden)."""
        return self.filter(status=Producer.Status.APPROVED)

    def managed_by(self, user):
        return self.filter(pk=access.member_producer_id(user)) if access.is_authenticated(user) else self.none()

    def visible_to(self, user):
        """Officials and administrators see all; staff see public ones and their own; others the public ones."""
        if access.can_read_all(user):
            return self.all()
        own = access.member_producer_id(user)
        if own is not None:
            return self.filter(Q(status=Producer.Status.APPROVED) | Q(pk=own))
        return self.public()


class Producer(models.Model):
    """An enterprise, cooperative or household business taking part in the traceability programme."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise")
        COOPERATIVE = "cooperative", _("cooperative")
        HOUSEHOLD = "household", _("household business")

    Status = ProducerStatus

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    tax_number = models.CharField(
        _("tax or registration number"),
        max_length=14,
        unique=True,
        help_text=_(
            "10 digits, or 10 digits + “-” + 3 digits for a branch; a household business may give "
            "the owner's 12-digit personal identification number."
        ),
    )
    address = models.CharField(_("address"), max_length=300)
    commune = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="producers",
        verbose_name=_("commune"),
        limit_choices_to={"level": "commune"},
        help_text=_("The commune in force when the organisation registered."),
    )
    location = models.PointField(_("location on the map"), geography=True, srid=4326)
    representative = models.CharField(_("representative"), max_length=150)
    phone = models.CharField(_("phone"), max_length=15)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    zalo = models.CharField(_("Zalo"), max_length=15, blank=True)
    logo = models.ImageField(_("logo"), upload_to=UploadPath("producers/logos"), blank=True)
    description_vi = models.TextField(_("description (Vietnamese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ProducerMembership",
        through_fields=("producer", "user"),
        related_name="+",
        verbose_name=_("staff"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.APPLIED)
    status_changed_at = models.DateTimeField(_("status changed at"), auto_now_add=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProducerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("producer")
        verbose_name_plural = _("producers")
        permissions = [("verify_producer", "Can survey, approve, reject, suspend and reinstate producers")]
        indexes = [models.Index(fields=["status"], name="producer_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProducerStatus.values), name="producer_status_known"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED


class ProducerMembership(models.Model):
    """A user working for a producer. `user` is unique: a person belongs to at most one organisation."""

    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="memberships")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="producer_membership")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self):
        return f"{self.user} @ {self.producer}"


class ProducerStatusChange(models.Model):
    """One step of the participation workflow: who moved the producer from which status to which, and why."""

    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=Producer.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Producer.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")

    def __str__(self):
        return f"{self.producer}: {self.from_status or '∅'} → {self.to_status}"


class ProducerChange(models.Model):
    """A change the staff asked for to what the officials verified about their organisation (its identity).

    The producer keeps its verified values — on its own pages, the scan page, the API and open data —
    until an official accepts the change; then they are replaced at once. A refusal (with its reason)
    or a withdrawal leaves them as they were. At most one change per producer waits at a time: asking
    again adds to it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        ACCEPTED = "accepted", _("accepted")
        REFUSED = "refused", _("refused")
        WITHDRAWN = "withdrawn", _("withdrawn")

    #: What an official verifies in the survey ("identity and papers", the place): changed only after review.
    FIELDS = ("kind", "name", "tax_number", "address", "commune", "location", "representative")

    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="changes")
    values = models.JSONField(_("proposed values"))
    before = models.JSONField(_("verified values when asked"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("asked by")
    )
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("change to verified data")
        verbose_name_plural = _("changes to verified data")
        indexes = [models.Index(fields=["status", "requested_at"], name="producerchange_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["producer"], condition=Q(status="pending"), name="producerchange_one_pending"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "refused", "withdrawn"]),
                name="producerchange_status_known",
            ),
        ]

    def __str__(self):
        return f"{self.producer}: {', '.join(self.values)} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @staticmethod
    def encode(field: str, value):
        """A field's value as stored in `values` (JSON): a commune by its id, a position as [lng, lat]."""
        if field == "commune":
            return value.pk if value is not None else None
        if field == "location":
            return [value.x, value.y] if value is not None else None
        return value

    def proposed(self) -> dict:
        """The proposed values as the producer's fields take them (a commune, a Point)."""
        from django.contrib.gis.geos import Point

        from geo.models import AdminUnit

        decoded = dict(self.values)
        if decoded.get("commune") is not None:
            decoded["commune"] = AdminUnit.objects.filter(pk=decoded["commune"]).first()
        if decoded.get("location") is not None:
            lng, lat = decoded["location"]
            decoded["location"] = Point(lng, lat, srid=4326)
        return decoded

    def rows(self) -> list[dict]:
        """For the pages: each changed field's label, its verified value and the proposed one, as text."""
        producer = self.producer
        rows = []
        for field, value in self.proposed().items():
            rows.append(
                {
                    "field": field,
                    "label": Producer._meta.get_field(field).verbose_name,
                    "verified": _shown(producer, field, getattr(producer, field)),
                    "proposed": _shown(producer, field, value),
                }
            )
        return rows


def _shown(producer: Producer, field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if field == "kind":
        return str(Producer.Kind(value).label)
    if field == "location":
        return f"{value.y:.5f}, {value.x:.5f}"
    return str(value)


class FieldSurvey(models.Model):
    """An official's visit to the producer: scheduled first, then recorded with a checklist, GPS and photos."""

    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="surveys")
    scheduled_for = models.DateField(_("scheduled for"))
    schedule_note = models.TextField(_("note for the producer"), blank=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    surveyed_on = models.DateField(_("surveyed on"), null=True, blank=True)
    location = models.PointField(_("GPS position"), geography=True, srid=4326, null=True, blank=True)
    identity_confirmed = models.BooleanField(_("identity and papers confirmed"), null=True, blank=True)
    certificates_genuine = models.BooleanField(_("certificates genuine"), null=True, blank=True)
    areas_as_declared = models.BooleanField(_("production areas as declared"), null=True, blank=True)
    gap_practice_seen = models.BooleanField(_("GAP practice seen"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    CHECKLIST = ("identity_confirmed", "certificates_genuine", "areas_as_declared", "gap_practice_seen")

    class Meta:
        ordering = ["-scheduled_for", "-pk"]
        verbose_name = _("field survey")
        verbose_name_plural = _("field surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(recorded_at__isnull=True)
                | (
                    Q(surveyed_on__isnull=False)
                    & Q(identity_confirmed__isnull=False)
                    & Q(certificates_genuine__isnull=False)
                    & Q(areas_as_declared__isnull=False)
                    & Q(gap_practice_seen__isnull=False)
                ),
                name="fieldsurvey_recorded_complete",
            ),
        ]

    def __str__(self):
        return f"{self.producer} — {self.surveyed_on or self.scheduled_for}"

    @property
    def is_recorded(self) -> bool:
        return self.recorded_at is not None

    @property
    def all_checks_passed(self) -> bool:
        return all(getattr(self, name) is True for name in self.CHECKLIST)


class FieldSurveyPhoto(models.Model):
    survey = models.ForeignKey(FieldSurvey, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=UploadPath("surveys"), width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to=UploadPath("surveys/thumbnails"))
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("survey photo")
        verbose_name_plural = _("survey photos")

    def __str__(self):
        return self.image.name
