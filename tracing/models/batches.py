"""Batches (lots) of a product and their journey, as events in the GS1 CBV business-step vocabulary."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tracing import access
from tracing.models.products import Unit
from tracing.uploads import UploadPath


class BatchQuerySet(models.QuerySet):
    def public(self):
        return self.filter(product__is_active=True, producer__status="approved")

    def visible_to(self, user):
        if access.can_read_all(user):
            return self.all()
        own = access.member_producer_id(user)
        if own is not None:
            return self.filter(Q(product__is_active=True, producer__status="approved") | Q(producer_id=own))
        return self.public()


class Batch(models.Model):
    """A harvest lot of one product. `producer` repeats product.producer so lot codes are unique per producer."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        RECALLED = "recalled", _("recalled")

    producer = models.ForeignKey("tracing.Producer", on_delete=models.PROTECT, related_name="batches")
    product = models.ForeignKey("tracing.Product", on_delete=models.PROTECT, related_name="batches")
    lot_code = models.CharField(_("lot code"), max_length=20, help_text=_("Printed on the stamp (GS1 AI 10)."))
    harvest_started_on = models.DateField(_("harvest date"))
    harvest_ended_on = models.DateField(_("harvest end date"), null=True, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices)
    production_area = models.ForeignKey(
        "tracing.ProductionArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name=_("production area"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-harvest_started_on", "-pk"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        constraints = [
            models.UniqueConstraint(fields=["producer", "lot_code"], name="batch_unique_lot_per_producer"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="batch_quantity_positive"),
            models.CheckConstraint(
                condition=Q(harvest_ended_on__isnull=True) | Q(harvest_ended_on__gte=F("harvest_started_on")),
                name="batch_harvest_period",
            ),
        ]
        indexes = [models.Index(fields=["product", "-harvest_started_on"], name="batch_product_recent_idx")]

    def __str__(self):
        return f"{self.lot_code} — {self.product}"

    def units_committed(self) -> Decimal:
        """How much of this batch is already stamped or sold, in its unit: `quantity` may never go below it.

        batch_update reads it with the batch row locked.
        """
        from tracing.models.stamps import stamped_quantity

        return stamped_quantity(self)


class BatchEvent(models.Model):
    """One step of a batch's journey: what happened (a CBV business step), when, where, by whom."""

    class Type(models.TextChoices):
        # GS1 Core Business Vocabulary 2.0 business steps (https://ref.gs1.org/cbv/BizStep-…).
        COMMISSIONING = "commissioning", _("harvest")
        TRANSFORMING = "transforming", _("processing")
        PACKING = "packing", _("packing")
        INSPECTING = "inspecting", _("inspection")
        SHIPPING = "shipping", _("shipping")
        RECEIVING = "receiving", _("received at a shop")
        RETAIL_SELLING = "retail_selling", _("on sale")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="events")
    event_type = models.CharField(_("step"), max_length=15, choices=Type.choices)
    occurred_at = models.DateTimeField(_("time"))
    location = models.PointField(_("place"), geography=True, srid=4326, null=True, blank=True)
    retail_point = models.ForeignKey(
        "geo.RetailPoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batch_events",
        verbose_name=_("shop"),
    )
    actor = models.CharField(_("done by"), max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: Last changed while the batch's stamps were in circulation: the public journey says so.
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("batch event")
        verbose_name_plural = _("batch events")
        indexes = [models.Index(fields=["batch", "occurred_at"], name="batchevent_timeline_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(event_type="receiving") | Q(retail_point__isnull=False),
                name="batchevent_receiving_at_a_shop",
            ),
        ]

    def __str__(self):
        return f"{self.batch.lot_code}: {self.event_type} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def cbv_business_step(self) -> str:
        return f"https://ref.gs1.org/cbv/BizStep-{self.event_type}"


class BatchEventRevision(models.Model):
    """A journey step as it was before its producer changed or deleted it: the journey's history.

    Written by tracing.services.batches (batch_event_update / batch_event_delete), never changed;
    oversight records each one in the audit trail. `in_circulation` says whether stamps of the batch
    were already on products in circulation (then a reason is required and the public page says so).
    """

    class Action(models.TextChoices):
        EDIT = "edit", _("step corrected")
        DELETE = "delete", _("step deleted")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="journey_revisions")
    event = models.ForeignKey(BatchEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="revisions")
    event_number = models.PositiveBigIntegerField(_("step id"))
    action = models.CharField(_("change"), max_length=6, choices=Action.choices)
    before = models.JSONField(_("before"))
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=1000)
    in_circulation = models.BooleanField(_("stamps in circulation"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("journey change")
        verbose_name_plural = _("journey changes")

    def __str__(self):
        return f"{self.batch_id}/{self.event_number}: {self.action}"


class BatchEventPhoto(models.Model):
    event = models.ForeignKey(BatchEvent, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=UploadPath("events"), width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to=UploadPath("events/thumbnails"))
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("event photo")
        verbose_name_plural = _("event photos")

    def __str__(self):
        return self.image.name
