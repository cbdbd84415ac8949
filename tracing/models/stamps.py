"""Electronic stamps: runs issued to producers, the stamps themselves, their log, scans, flags and reports.

A stamp's life: issued (in a run, to a producer) → activated (onto one of the producer's batches) →
sold (the consumer confirmed the scratch PIN, or a shop/order recorded the sale); or revoked at any
point before sale, with who and why. Every change is written by tracing/stamps/runs.py, which
also appends a StampEvent; nothing else saves a Stamp.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.storage import private_storage  # the clear PIN lists; migration 0002 names it here
from tracing import access
from tracing.uploads import UploadPath

#: Largest run an official may issue at once.
MAX_RUN_SIZE = 100_000


class StampStatus(models.TextChoices):
    ISSUED = "issued", _("issued")
    ACTIVATED = "activated", _("activated")
    SOLD = "sold", _("sold")
    REVOKED = "revoked", _("revoked")


class SoldVia(models.TextChoices):
    SHOP = "shop", _("a shop")
    MARKETPLACE = "marketplace", _("the online marketplace")
    CONSUMER = "consumer", _("a buyer's PIN confirmation")


class StampRun(models.Model):
    """N stamps issued by an official to an approved producer; filled by a background job for large N."""

    class Status(models.TextChoices):
        ISSUING = "issuing", _("being issued")
        ISSUED = "issued", _("issued")
        FAILED = "failed", _("failed")

    producer = models.ForeignKey(
        "tracing.Producer", on_delete=models.PROTECT, related_name="stamp_runs", verbose_name=_("producer")
    )
    product = models.ForeignKey(
        "tracing.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stamp_runs",
        verbose_name=_("product"),
        help_text=_("Printed on the labels; with a GTIN the QR code is a GS1 Digital Link. Empty: any product."),
    )
    gtin14 = models.CharField(
        _("GTIN when issued"), max_length=14, blank=True, help_text=_("Kept so links printed with it resolve forever.")
    )
    quantity = models.PositiveIntegerField(_("number of stamps"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ISSUING)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    job = models.ForeignKey("backend.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    pins_file = models.FileField(storage=private_storage, upload_to="stamp-pins/", blank=True, editable=False)
    pins_downloaded_at = models.DateTimeField(_("PIN list downloaded at"), null=True, blank=True)
    pins_downloaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("stamp run")
        verbose_name_plural = _("stamp runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_RUN_SIZE), name="stamprun_quantity_range"
            ),
            models.CheckConstraint(condition=Q(gtin14="") | Q(gtin14__regex=r"^[0-9]{14}$"), name="stamprun_gtin14"),
        ]

    def __str__(self):
        return _("Run %(number)d · %(count)s stamps") % {"number": self.pk or 0, "count": self.quantity}

    @property
    def pins_available(self) -> bool:
        return bool(self.pins_file) and self.pins_downloaded_at is None


class StampQuerySet(models.QuerySet):
    def visible_to(self, user):
        if access.can_read_all(user):
            return self.all()
        own = access.member_producer_id(user)
        return self.filter(run__producer_id=own) if own is not None else self.none()


class Stamp(models.Model):
    Status = StampStatus

    serial = models.CharField(_("serial"), max_length=14, unique=True)
    run = models.ForeignKey(StampRun, on_delete=models.PROTECT, related_name="stamps")
    number = models.PositiveIntegerField(_("number in the run"))
    pin_hash = models.CharField(max_length=70, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=StampStatus.choices, default=StampStatus.ISSUED)
    batch = models.ForeignKey(
        "tracing.Batch", on_delete=models.PROTECT, null=True, blank=True, related_name="stamps", verbose_name=_("batch")
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    sold_at = models.DateTimeField(_("sold at"), null=True, blank=True)
    # db_default: stamp runs are written with COPY, which knows only database defaults.
    sold_via = models.CharField(
        _("sold through"), max_length=12, choices=SoldVia.choices, blank=True, default="", db_default=""
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)
    confirmed_at = models.DateTimeField(_("PIN confirmed at"), null=True, blank=True)
    confirmed_place = models.CharField(_("confirmed near"), max_length=200, blank=True)
    confirmed_province = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: An official found this code copied onto counterfeit products (closing a case): every scan says so.
    #: Who and why: the stamp log (StampEvent "copy_confirmed") and the audit trail.
    copy_confirmed_at = models.DateTimeField(_("confirmed copied at"), null=True, blank=True)

    objects = StampQuerySet.as_manager()

    class Meta:
        ordering = ["run", "number"]
        verbose_name = _("stamp")
        verbose_name_plural = _("stamps")
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="stamp_unique_number_in_run"),
            models.CheckConstraint(condition=Q(status__in=StampStatus.values), name="stamp_status_known"),
            models.CheckConstraint(
                condition=Q(status__in=["issued", "revoked"]) | Q(batch__isnull=False), name="stamp_active_has_batch"
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked") | (Q(revoked_at__isnull=False) & ~Q(revoke_reason="")),
                name="stamp_revoked_with_reason",
            ),
            models.CheckConstraint(condition=Q(serial__regex=r"^[0-9A-Z]{14}$"), name="stamp_serial_format"),
        ]
        indexes = [models.Index(fields=["batch", "status"], name="stamp_batch_status_idx")]

    def __str__(self):
        return self.serial

    @property
    def is_genuine_state(self) -> bool:
        return self.status in (StampStatus.ACTIVATED, StampStatus.SOLD)


class StampEvent(models.Model):
    """One change to stamps (the log): what, to which numbers of which run, by whom, when and why."""

    class Action(models.TextChoices):
        ISSUED = "issued", _("issued")
        ACTIVATED = "activated", _("activated")
        SOLD = "sold", _("sold")
        CONFIRMED = "confirmed", _("PIN confirmed")
        REVOKED = "revoked", _("revoked")
        PINS_DOWNLOADED = "pins_downloaded", _("PIN list downloaded")
        LABELS_PRINTED = "labels_printed", _("labels printed")
        COPY_CONFIRMED = "copy_confirmed", _("confirmed copied")

    run = models.ForeignKey(StampRun, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    batch = models.ForeignKey("tracing.Batch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    count = models.PositiveIntegerField(_("stamps"))
    #: The run numbers concerned, as inclusive [first, last] ranges (a range activation is one pair).
    ranges = models.JSONField(default=list)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("stamp log entry")
        verbose_name_plural = _("stamp log")
        indexes = [models.Index(fields=["run", "created_at"], name="stampevent_run_idx")]

    def __str__(self):
        return f"{self.run_id}: {self.action} ×{self.count}"

    def covers(self, number: int) -> bool:
        return any(first <= number <= last for first, last in self.ranges)


class Scan(models.Model):
    """One look-up of a stamp code (page or API). No IP address, no account, no exact place unless shared."""

    class Verdict(models.TextChoices):
        GENUINE = "genuine", _("genuine")
        UNKNOWN = "unknown", _("unknown code")
        REVOKED = "revoked", _("revoked")
        SUSPICIOUS = "suspicious", _("suspicious")

    class Channel(models.TextChoices):
        WEB = "web", _("scan page")
        API = "api", _("API")
        STAFF = "staff", _("producer staff or official")

    # No index of its own: scan_stamp_time_idx (stamp, scanned_at) serves every look-up by stamp, and
    # each scan inserted maintains one index fewer.
    stamp = models.ForeignKey(
        Stamp, on_delete=models.PROTECT, null=True, blank=True, related_name="scans", db_index=False
    )
    serial = models.CharField(_("code"), max_length=14)
    scanned_at = models.DateTimeField(_("time"), auto_now_add=True)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices, default=Channel.WEB)
    device_family = models.CharField(_("device"), max_length=20, blank=True)
    #: A keyed hash, per code, of the network the scan came from (IPv4 /24, IPv6 /64), never the address:
    #: sightings from one network count once (tracing.stamps.scan_limits.network_key). Empty for older scans.
    network = models.BigIntegerField(_("network (keyed hash)"), null=True, blank=True)
    #: The same visitor looked at this code again within minutes (a reload): not an extra sighting.
    repeat = models.BooleanField(default=False)
    #: Only when the consumer pressed "share my location"; rounded to ~100 m (tracing.stamps.scans).
    # Most scans share no location: the location and province indexes leave those rows out (partial,
    # see Meta), so recording such a scan maintains two indexes fewer.
    location = models.PointField(
        _("shared location"), geography=True, srid=4326, null=True, blank=True, spatial_index=False
    )
    place_name = models.CharField(_("near"), max_length=200, blank=True)
    province = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["scanned_at", "pk"]
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        indexes = [
            models.Index(fields=["stamp", "scanned_at"], name="scan_stamp_time_idx"),
            models.Index(fields=["scanned_at"], name="scan_time_idx"),
            models.Index(fields=["province"], name="scan_province_idx", condition=Q(province__isnull=False)),
            # Created by SQL in migration 0005: Django's PostGIS schema editor drops the condition of a
            # spatial index.
            GistIndex(fields=["location"], name="scan_location_gist", condition=Q(location__isnull=False)),
        ]

    def __str__(self):
        return f"{self.serial} {self.scanned_at:%Y-%m-%d %H:%M} {self.verdict}"

    @property
    def network_tag(self) -> str:
        """Six hex digits naming the scan's network on the officials' pages (equal tags: one network)."""
        return "" if self.network is None else f"{self.network & 0xFFFFFF:06x}"


class SuspicionFlag(models.Model):
    """A clone rule fired for a stamp: the evidence for officials (scan ids, distances, times)."""

    stamp = models.ForeignKey(Stamp, on_delete=models.CASCADE, related_name="flags")
    rule = models.CharField(_("rule"), max_length=30)
    evidence = models.JSONField(_("evidence"), default=dict)
    scan = models.ForeignKey(Scan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("suspicious stamp")
        verbose_name_plural = _("suspicious stamps")
        constraints = [
            models.UniqueConstraint(
                fields=["stamp", "rule"], condition=Q(resolved_at__isnull=True), name="suspicionflag_one_open_per_rule"
            )
        ]

    def __str__(self):
        return f"{self.stamp_id}: {self.rule}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def raised_before_activation(self) -> bool:
        """Raised before the stamp was activated: officials see it, buyers' verdicts no longer count it."""
        activated_at = self.stamp.activated_at
        return activated_at is not None and self.created_at < activated_at


# A report's reference: no 0/O, 1/I/L, so it survives being read out over the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6  # 31⁶ ≈ 887 million per year: guessing another's reference is hopeless


def new_report_reference(year: int | None = None) -> str:
    """A fresh random reference such as "HG-2026-7KQ3MZ" (not derived from the id, so it tells nothing)."""
    from django.utils import timezone

    year = year or timezone.localdate().year
    return f"HG-{year}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def normalise_report_reference(text: str) -> str:
    """What a person typed ("hg 2026 7kq3mz", "HG-2026-7KQ3MZ ") in the stored spelling."""
    compact = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if compact.startswith("HG") and len(compact) == 2 + 4 + REFERENCE_LENGTH and compact[2:6].isdigit():
        return f"HG-{compact[2:6]}-{compact[6:]}"
    return (text or "").strip().upper()


class CounterfeitReport(models.Model):
    """A consumer's report of a suspected fake, from the scan page or the API; officials follow it up."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        INVESTIGATING = "investigating", _("being investigated")
        CLOSED = "closed", _("closed")

    reference = models.CharField(
        _("reference number"), max_length=20, unique=True, default=new_report_reference, editable=False
    )
    stamp = models.ForeignKey(Stamp, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports")
    serial = models.CharField(_("stamp code"), max_length=40, blank=True)
    photo = models.ImageField(_("photo"), upload_to=UploadPath("reports"), blank=True)
    location = models.PointField(_("place on the map"), geography=True, srid=4326, null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    shop = models.CharField(_("shop"), max_length=200, blank=True)
    note = models.TextField(_("what did you notice?"), blank=True, max_length=2000)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.NEW)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("officials' note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("counterfeit report")
        verbose_name_plural = _("counterfeit reports")
        indexes = [models.Index(fields=["status", "-created_at"], name="report_status_idx")]

    def __str__(self):
        # No date: this label is stored in the audit trail and read in either language.
        return f"{self.serial or '—'} · #{self.pk}"


# -- what a batch may carry ---------------------------------------------------------------------

_KG_PER = {"kg": Decimal(1), "g": Decimal("0.001")}


def units_allowed(batch) -> int:
    """How many stamps a batch can carry: one per unit sold.

    A batch counted in kg with a product sold by net weight (1 kg box, 500 g bag) carries
    quantity ÷ net weight stamps; a batch counted in boxes, jars or packs carries one per unit.
    """
    product = batch.product
    if batch.unit == "kg" and product.net_quantity_unit in _KG_PER and product.net_quantity:
        per_stamp_kg = product.net_quantity * _KG_PER[product.net_quantity_unit]
        return int(batch.quantity // per_stamp_kg)
    return int(batch.quantity // 1)


def stamped_count(batch) -> int:
    """Stamps activated onto the batch or sold with it (revoked ones no longer count)."""
    return Stamp.objects.filter(batch=batch, status__in=(StampStatus.ACTIVATED, StampStatus.SOLD)).count()


def stamped_quantity(batch) -> Decimal:
    """What the stamps on a batch account for, in the batch's unit (for Batch.units_committed)."""
    count = stamped_count(batch)
    product = batch.product
    if batch.unit == "kg" and product.net_quantity_unit in _KG_PER and product.net_quantity:
        return count * product.net_quantity * _KG_PER[product.net_quantity_unit]
    return Decimal(count)
