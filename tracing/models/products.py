"""Products as the producer sells them: bilingual text, photos, an audio clip, GTIN, region, certificates."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.bilingual import localised
from tracing import access
from tracing.uploads import UploadPath


class Unit(models.TextChoices):
    """How a product or a batch is counted."""

    KG = "kg", _("kg")
    BOX = "box", _("box")
    JAR = "jar", _("jar")
    PACK = "pack", _("pack")


class ProductQuerySet(models.QuerySet):
    def public(self):
        """Active products of approved producers: what consumers may see."""
        return self.filter(is_active=True, producer__status="approved")

    def visible_to(self, user):
        if access.can_read_all(user):
            return self.all()
        own = access.member_producer_id(user)
        if own is not None:
            return self.filter(Q(is_active=True, producer__status="approved") | Q(producer_id=own))
        return self.public()


class Product(models.Model):
    class NetUnit(models.TextChoices):
        GRAM = "g", _("g")
        KILOGRAM = "kg", _("kg")
        MILLILITRE = "ml", _("ml")
        LITRE = "l", _("l")

    producer = models.ForeignKey("tracing.Producer", on_delete=models.PROTECT, related_name="products")
    kind = models.ForeignKey(
        "geo.ProductKind", on_delete=models.PROTECT, related_name="products", verbose_name=_("kind")
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_vi = models.TextField(_("description (Vietnamese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    unit = models.CharField(_("sold by"), max_length=5, choices=Unit.choices, default=Unit.KG)
    net_quantity = models.DecimalField(_("net quantity"), max_digits=10, decimal_places=3)
    net_quantity_unit = models.CharField(
        _("unit of the net quantity"), max_length=2, choices=NetUnit.choices, default=NetUnit.KILOGRAM
    )
    gtin = models.CharField(
        _("GTIN (barcode)"),
        max_length=14,
        blank=True,
        help_text=_("GTIN-8, 12, 13 or 14; stored as 14 digits."),
    )
    growing_region = models.ForeignKey(
        "geo.GrowingRegion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("growing region"),
    )
    certificates = models.ManyToManyField(
        "tracing.Certificate", blank=True, related_name="products", verbose_name=_("certificates")
    )
    audio = models.FileField(_("audio clip"), upload_to=UploadPath("products/audio"), blank=True)
    audio_content_type = models.CharField(max_length=20, blank=True, editable=False)
    audio_duration_s = models.FloatField(_("audio length (s)"), null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["producer", "name_vi"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["gtin"], condition=~Q(gtin=""), name="product_unique_gtin"),
            models.CheckConstraint(condition=Q(net_quantity__gt=0), name="product_net_quantity_positive"),
            models.CheckConstraint(condition=Q(gtin="") | Q(gtin__regex=r"^[0-9]{14}$"), name="product_gtin_14"),
        ]
        indexes = [models.Index(fields=["is_active", "producer"], name="product_active_idx")]

    def __str__(self):
        return self.name_vi

    @property
    def name(self) -> str:
        return localised(self, "name")

    @property
    def description(self) -> str:
        return localised(self, "description")


class ProductPhoto(models.Model):
    """A product photo, stored at web size (≤ 1600 px) with a 400 px thumbnail, without metadata."""

    MAX_PER_PRODUCT = 12

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        _("photo"), upload_to=UploadPath("products/photos"), width_field="width", height_field="height"
    )
    thumbnail = models.ImageField(upload_to=UploadPath("products/thumbnails"))
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")

    def __str__(self):
        return self.image.name
