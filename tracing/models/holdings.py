"""What a producer holds: certificates and production areas (with their declared yearly capacity)."""

from __future__ import annotations

import datetime

from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.bilingual import localised
from geo.models import GeographyAreaHectares
from tracing.uploads import UploadPath


class CertificateQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date):
        """Certificates in force on a day (valid_from ≤ day ≤ valid_to; no valid_to means no expiry)."""
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def valid_today(self):
        return self.valid_on(timezone.localdate())

    def expired_on(self, day: datetime.date):
        return self.filter(valid_to__lt=day)


class Certificate(models.Model):
    """A GAP, organic, OCOP or geographical-indication certificate held by a producer."""

    class Scheme(models.TextChoices):
        VIETGAP = "vietgap", _("VietGAP")
        GLOBALGAP = "globalgap", _("GlobalG.A.P.")
        ORGANIC = "organic", _("organic")
        OCOP = "ocop", _("OCOP")
        GEOGRAPHICAL_INDICATION = "gi", _("geographical indication / collective mark")
        OTHER = "other", _("other")

    producer = models.ForeignKey("tracing.Producer", on_delete=models.CASCADE, related_name="certificates")
    scheme = models.CharField(_("scheme"), max_length=10, choices=Scheme.choices)
    ocop_stars = models.PositiveSmallIntegerField(
        _("OCOP stars"), null=True, blank=True, help_text=_("1 to 5, for OCOP certificates only.")
    )
    number = models.CharField(_("certificate number"), max_length=100)
    issuer = models.CharField(_("issued by"), max_length=200)
    scope = models.TextField(_("scope"), blank=True, help_text=_("Products and areas covered, as written on it."))
    product_kinds = models.ManyToManyField(
        "geo.ProductKind", blank=True, related_name="certificates", verbose_name=_("products covered")
    )
    production_areas = models.ManyToManyField(
        "tracing.ProductionArea", blank=True, related_name="certificates", verbose_name=_("areas covered")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty if it does not expire."))
    document = models.FileField(_("document"), upload_to=UploadPath("certificates"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "-valid_from"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["producer", "scheme", "number"], name="certificate_unique_number"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="certificate_valid_period"
            ),
            models.CheckConstraint(
                condition=(Q(scheme="ocop") & Q(ocop_stars__gte=1) & Q(ocop_stars__lte=5))
                | (~Q(scheme="ocop") & Q(ocop_stars__isnull=True)),
                name="certificate_ocop_stars",
            ),
        ]

    def __str__(self):
        return f"{self.label} {self.number}"

    @property
    def label(self) -> str:
        if self.scheme == self.Scheme.OCOP and self.ocop_stars:
            return gettext("OCOP %(stars)d★") % {"stars": self.ocop_stars}
        return str(self.get_scheme_display())

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    @property
    def is_expired(self) -> bool:
        return self.valid_to is not None and self.valid_to < timezone.localdate()

    @property
    def is_valid(self) -> bool:
        return self.is_valid_on(timezone.localdate())

    @property
    def document_is_pdf(self) -> bool:
        return bool(self.document) and self.document.name.endswith(".pdf")


class ProductionArea(models.Model):
    """A farm, garden or apiary: a polygon (its area computed by PostGIS) and/or a point, with yearly capacity."""

    producer = models.ForeignKey("tracing.Producer", on_delete=models.CASCADE, related_name="production_areas")
    name = models.CharField(_("name"), max_length=150)
    boundary = models.MultiPolygonField(_("boundary"), srid=4326, null=True, blank=True)
    location = models.PointField(_("location"), geography=True, srid=4326, null=True, blank=True)
    area_ha = models.GeneratedField(
        expression=GeographyAreaHectares("boundary"), output_field=models.FloatField(), db_persist=True
    )
    growing_regions = models.ManyToManyField(
        "geo.GrowingRegion", through="ProductionAreaRegion", blank=True, related_name="production_areas"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("production area")
        verbose_name_plural = _("production areas")
        constraints = [
            models.CheckConstraint(
                condition=Q(boundary__isnull=False) | Q(location__isnull=False), name="productionarea_has_geometry"
            ),
            models.UniqueConstraint(fields=["producer", "name"], name="productionarea_unique_name"),
        ]

    def __str__(self):
        return self.name

    def region_warnings(self) -> list[str]:
        """Why officials should look twice: outside every growing region, or outside regions of a declared product.

        Uses the stored overlaps (computed by the service when the geometry was saved) and the
        prefetched capacities, so it costs no query on a prefetched list.
        """
        links = list(self.region_links.all())
        if not links:
            return [gettext("This area lies outside every registered growing region.")]
        kinds_covered = {link.region.product_kind_id for link in links}
        return [
            gettext("This area declares %(product)s but lies outside the %(product)s growing regions.")
            % {"product": localised(capacity.product_kind, "name")}
            for capacity in self.capacities.all()
            if capacity.product_kind_id not in kinds_covered
        ]


class ProductionAreaRegion(models.Model):
    """The share (0-1] of a production area that lies in a growing region, computed when the area is saved."""

    area = models.ForeignKey(ProductionArea, on_delete=models.CASCADE, related_name="region_links")
    region = models.ForeignKey("geo.GrowingRegion", on_delete=models.CASCADE, related_name="area_links")
    share = models.FloatField(_("share inside the region"))

    class Meta:
        ordering = ["-share"]
        constraints = [
            models.UniqueConstraint(fields=["area", "region"], name="productionarearegion_unique"),
            models.CheckConstraint(condition=Q(share__gt=0) & Q(share__lte=1), name="productionarearegion_share"),
        ]

    def __str__(self):
        return f"{self.area} in {self.region}: {self.share:.0%}"


class AreaCapacity(models.Model):
    """The yearly quantity (kg) of one product kind the producer declares for an area — checked against stamps."""

    area = models.ForeignKey(ProductionArea, on_delete=models.CASCADE, related_name="capacities")
    product_kind = models.ForeignKey("geo.ProductKind", on_delete=models.PROTECT, related_name="+")
    yearly_kg = models.DecimalField(_("yearly capacity (kg)"), max_digits=12, decimal_places=1)

    class Meta:
        ordering = ["product_kind"]
        verbose_name = _("declared capacity")
        verbose_name_plural = _("declared capacities")
        constraints = [
            models.UniqueConstraint(fields=["area", "product_kind"], name="areacapacity_one_per_kind"),
            models.CheckConstraint(condition=Q(yearly_kg__gt=0), name="areacapacity_positive"),
        ]

    def __str__(self):
        return f"{self.product_kind}: {self.yearly_kg} kg/yr"
