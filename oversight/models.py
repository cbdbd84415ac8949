"""Officials' own records: the audit trail, the work queue of suspicious stamps and counterfeit reports,
the yields and thresholds the cross-checks use, and findings of inspections on site.

Everything else officials look at (producers, stamps, scans, orders) belongs to tracing and marketplace:
oversight reads it and writes to it only through those apps' services.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracing.uploads import UploadPath


class AuditEntry(models.Model):
    """One official action: who did what to which record, when, and the record before and after.

    Written only by oversight.audit.record(); never changed or deleted by the application.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150, help_text=_("The username, kept if the account goes."))
    action = models.CharField(_("action"), max_length=60)
    target_type = models.CharField(_("record type"), max_length=60, blank=True)
    target_id = models.CharField(_("record id"), max_length=40, blank=True)
    target_label = models.CharField(_("record"), max_length=200, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_label}"


class CaseOutcome(models.TextChoices):
    COUNTERFEIT = "counterfeit", _("counterfeit confirmed")
    MISUSE = "misuse", _("genuine stamp misused (wrong product or shop)")
    PRODUCER_ERROR = "producer_error", _("producer's mistake, corrected")
    FALSE_ALARM = "false_alarm", _("no problem found")
    INCONCLUSIVE = "inconclusive", _("not enough evidence")
    RECORDED_ELSEWHERE = "elsewhere", _("closed on the stamps desk (see its note)")


class Case(models.Model):
    """A suspicious stamp (a clone flag) or a counterfeit report in the officials' work queue.

    Exactly one of `flag` and `report` is set. The flag's or report's own state (resolved, report
    status) is kept by tracing's services; the case adds who works on it and how it ended.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        INVESTIGATING = "investigating", _("being investigated")
        CLOSED = "closed", _("closed")

    Outcome = CaseOutcome

    flag = models.OneToOneField(
        "tracing.SuspicionFlag", on_delete=models.CASCADE, null=True, blank=True, related_name="case"
    )
    report = models.OneToOneField(
        "tracing.CounterfeitReport", on_delete=models.CASCADE, null=True, blank=True, related_name="case"
    )
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="oversight_cases",
        verbose_name=_("assigned to"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CaseOutcome.choices, blank=True)
    outcome_note = models.TextField(_("what was found"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["opened_at", "pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=(Q(flag__isnull=False) & Q(report__isnull=True))
                | (Q(flag__isnull=True) & Q(report__isnull=False)),
                name="case_one_subject",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(outcome="")),
                name="case_closed_with_outcome",
            ),
        ]
        indexes = [models.Index(fields=["status", "opened_at"], name="case_queue_idx")]

    def __str__(self):
        return _("case #%(number)s") % {"number": self.pk}

    @property
    def kind(self) -> str:
        return "flag" if self.flag_id else "report"

    @property
    def subject_id(self) -> int:
        return self.flag_id or self.report_id

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


#: Yields used by the capacity cross-check when officials have not set their own (kg per hectare per
#: year of what is sold): cam sành oranges 15 t/ha of fruit; Shan tuyết tea 1 t/ha of dried tea (about
#: 5 t of fresh leaves); mint honey 150 kg per hectare of declared apiary/foraging area. Sources:
#: Hà Giang agriculture department figures for mature orchards and old tea gardens; generous on purpose,
#: so that only clearly impossible quantities are reported.
DEFAULT_YIELDS_KG_PER_HA = {"orange": Decimal("15000"), "tea": Decimal("1000"), "honey": Decimal("150")}
#: For a kind not listed above.
FALLBACK_YIELD_KG_PER_HA = Decimal("10000")
#: kg per litre for products sold by volume (honey is ~1.4 kg/l; others as water).
DEFAULT_KG_PER_LITRE = {"honey": Decimal("1.4")}


class YieldSetting(models.Model):
    """How much one hectare can yield in a year for a product kind, as officials set it (kg/ha/year)."""

    product_kind = models.OneToOneField(
        "geo.ProductKind", on_delete=models.CASCADE, related_name="yield_setting", verbose_name=_("product")
    )
    yield_kg_per_ha = models.DecimalField(_("yield (kg per hectare per year)"), max_digits=10, decimal_places=1)
    kg_per_litre = models.DecimalField(
        _("kg per litre"),
        max_digits=5,
        decimal_places=3,
        default=Decimal("1"),
        help_text=_("To count products sold by volume (honey ≈ 1.4)."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product_kind"]
        verbose_name = _("yield")
        verbose_name_plural = _("yields")
        constraints = [
            models.CheckConstraint(condition=Q(yield_kg_per_ha__gt=0), name="yieldsetting_positive"),
            models.CheckConstraint(condition=Q(kg_per_litre__gt=0), name="yieldsetting_density_positive"),
        ]

    def __str__(self):
        return f"{self.product_kind}: {self.yield_kg_per_ha} kg/ha"


class CheckSettings(models.Model):
    """The thresholds of the cross-checks (one row, pk=1)."""

    far_scan_km = models.PositiveIntegerField(
        _("a scan is far when it is more than (km)"),
        default=150,
        help_text=_("From the producer, the production area and every shop the batch reached."),
    )
    journey_stale_days = models.PositiveIntegerField(
        _("a shipment is lost after (days)"), default=14, help_text=_("Shipped and never received by a shop.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cross-check settings")
        verbose_name_plural = _("cross-check settings")
        constraints = [
            models.CheckConstraint(condition=Q(far_scan_km__gte=1), name="checksettings_far_positive"),
            models.CheckConstraint(condition=Q(journey_stale_days__gte=1), name="checksettings_stale_positive"),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> CheckSettings:
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class InspectionFinding(models.Model):
    """What an inspector found in a shop about one stamp: with the GPS position and a photo."""

    class Result(models.TextChoices):
        CONFORM = "conform", _("in order")
        UNAUTHORISED_SHOP = "unauthorised", _("shop is not an authorised reseller")
        SUSPECTED_FAKE = "fake", _("suspected counterfeit")
        WRONG_PRODUCT = "wrong_product", _("stamp on the wrong product")
        OTHER = "other", _("other problem")

    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    serial = models.CharField(_("stamp code"), max_length=14, blank=True)
    stamp = models.ForeignKey("tracing.Stamp", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    retail_point = models.ForeignKey(
        "geo.RetailPoint", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("shop")
    )
    shop_authorised = models.BooleanField(_("shop authorised"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=14, choices=Result.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    location = models.PointField(_("GPS position"), geography=True, srid=4326, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("GPS accuracy (m)"), null=True, blank=True)
    photo = models.ImageField(_("photo"), upload_to=UploadPath("inspections"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")

    def __str__(self):
        return f"{self.serial or '—'} · {self.get_result_display()}"
