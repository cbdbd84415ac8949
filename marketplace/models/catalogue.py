"""What producers sell (listings and their selling terms) and what shops declare they carry."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracing.models.products import Unit


class SellerProfile(models.Model):
    """A producer's terms for online sales: the bank account for transfers and where it delivers, at what fee."""

    producer = models.OneToOneField("tracing.Producer", on_delete=models.CASCADE, related_name="seller_profile")
    bank_bin = models.CharField(
        _("bank BIN"), max_length=6, blank=True, help_text=_("The 6-digit NAPAS code of the bank, e.g. 970405.")
    )
    bank_account = models.CharField(_("account number"), max_length=19, blank=True)
    bank_account_name = models.CharField(_("account holder"), max_length=100, blank=True)
    delivery_areas = models.ManyToManyField(
        "geo.AdminUnit",
        blank=True,
        related_name="+",
        verbose_name=_("delivers to"),
        help_text=_("Provinces or communes served by home delivery (a province covers all its communes)."),
    )
    delivery_fee_vnd = models.PositiveIntegerField(
        _("delivery fee (đồng)"), default=0, help_text=_("For home delivery in the areas above.")
    )
    nationwide_fee_vnd = models.PositiveIntegerField(
        _("delivery fee elsewhere in Viet Nam (đồng)"),
        null=True,
        blank=True,
        help_text=_("Empty: no home delivery outside the areas above."),
    )
    free_delivery_from_vnd = models.PositiveBigIntegerField(
        _("free delivery from (đồng)"), null=True, blank=True, help_text=_("Empty: the fee always applies.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("selling terms")
        verbose_name_plural = _("selling terms")
        constraints = [
            models.CheckConstraint(condition=Q(bank_bin="") | Q(bank_bin__regex=r"^[0-9]{6}$"), name="seller_bank_bin"),
        ]

    def __str__(self):
        return str(self.producer)

    @property
    def accepts_transfers(self) -> bool:
        return bool(self.bank_bin and self.bank_account)

    def delivery_fee_for(self, subtotal_vnd: int, *, in_areas: bool = True) -> int | None:
        """The fee for home delivery of goods worth `subtotal_vnd` (free from the threshold on), inside the
        delivery areas or elsewhere in Viet Nam; None when the producer does not deliver there."""
        fee = self.delivery_fee_vnd if in_areas else self.nationwide_fee_vnd
        if fee is None:
            return None
        if self.free_delivery_from_vnd is not None and subtotal_vnd >= self.free_delivery_from_vnd:
            return 0
        return fee


class ListingQuerySet(models.QuerySet):
    def public(self):
        """Listings consumers see: active, of an active product of an approved producer."""
        return self.filter(is_active=True, product__is_active=True, producer__status="approved")

    def in_season(self, day: datetime.date | None = None):
        """Orderable on the day: inside the season window, or before it when pre-orders are allowed."""
        day = day or timezone.localdate()
        started = Q(available_from__isnull=True) | Q(available_from__lte=day) | Q(allow_preorder=True)
        not_over = Q(available_to__isnull=True) | Q(available_to__gte=day)
        return self.filter(started & not_over)

    def in_stock(self):
        return self.filter(stock__gt=0)


class Listing(models.Model):
    """A product offered online by its producer: price per unit in whole đồng, stock, limits, delivery, season."""

    producer = models.ForeignKey("tracing.Producer", on_delete=models.PROTECT, related_name="listings")
    product = models.OneToOneField("tracing.Product", on_delete=models.PROTECT, related_name="listing")
    price_vnd = models.PositiveIntegerField(_("price per unit (đồng)"))
    unit = models.CharField(_("sold by"), max_length=5, choices=Unit.choices, default=Unit.KG)
    stock = models.IntegerField(_("in stock"), default=0, help_text=_("Units available to order now."))
    min_per_order = models.PositiveIntegerField(_("minimum per order"), default=1)
    max_per_order = models.PositiveIntegerField(_("maximum per order"), null=True, blank=True)
    home_delivery = models.BooleanField(_("home delivery"), default=True)
    pickup_points = models.ManyToManyField(
        "geo.RetailPoint", blank=True, related_name="pickup_listings", verbose_name=_("pickup points")
    )
    available_from = models.DateField(_("season from"), null=True, blank=True)
    available_to = models.DateField(_("season to"), null=True, blank=True)
    allow_preorder = models.BooleanField(_("pre-orders before the season"), default=False)
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        ordering = ["product__name_vi", "pk"]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints = [
            # The last line of defence against overselling: no transaction can commit a negative stock.
            models.CheckConstraint(condition=Q(stock__gte=0), name="listing_stock_not_negative"),
            models.CheckConstraint(condition=Q(price_vnd__gt=0), name="listing_price_positive"),
            models.CheckConstraint(condition=Q(min_per_order__gte=1), name="listing_min_at_least_one"),
            models.CheckConstraint(
                condition=Q(max_per_order__isnull=True) | Q(max_per_order__gte=F("min_per_order")),
                name="listing_max_not_below_min",
            ),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True)
                | Q(available_to__isnull=True)
                | Q(available_to__gte=F("available_from")),
                name="listing_season_window",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "producer"], name="listing_active_idx")]

    def __str__(self):
        return str(self.product)

    def season_state(self, day: datetime.date | None = None) -> str:
        """'open', 'preorder' (before the season, pre-orders allowed), 'not_yet' or 'over'."""
        day = day or timezone.localdate()
        if self.available_to is not None and day > self.available_to:
            return "over"
        if self.available_from is not None and day < self.available_from:
            return "preorder" if self.allow_preorder else "not_yet"
        return "open"

    @property
    def is_orderable(self) -> bool:
        return self.is_active and self.season_state() in ("open", "preorder")


class RetailStock(models.Model):
    """A shop's declaration that it carries a product (and whether it has it now), and the producer's authorisation.

    The locator's "genuine, in stock" filter is exactly: authorised by the producer and in stock.
    `location` is a copy of the shop's location that the database itself keeps equal (triggers of
    migration 0002), so that the nearest resellers of a product are found by walking the GiST index
    `retailstock_near_idx` over (product, location) of the genuine, in-stock rows only.
    """

    retail_point = models.ForeignKey("geo.RetailPoint", on_delete=models.CASCADE, related_name="stock_rows")
    product = models.ForeignKey("tracing.Product", on_delete=models.CASCADE, related_name="retail_stock")
    in_stock = models.BooleanField(_("in stock"), default=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    authorised = models.BooleanField(_("authorised reseller"), default=False)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    authorised_at = models.DateTimeField(_("authorised at"), null=True, blank=True)
    # Set by the database on every insert and update, and when the shop moves: never written by Python.
    location = models.PointField(geography=True, srid=4326, editable=False, spatial_index=False)

    class Meta:
        ordering = ["retail_point", "product"]
        verbose_name = _("retail stock")
        verbose_name_plural = _("retail stock")
        constraints = [
            models.UniqueConstraint(fields=["retail_point", "product"], name="retailstock_one_per_product"),
        ]
        indexes = [
            # The nearest-shop filter probes (product, shop) pairs that are genuine and in stock.
            models.Index(
                fields=["product", "retail_point"],
                name="retailstock_genuine_idx",
                condition=Q(authorised=True, in_stock=True),
            ),
            # The nearest resellers of a product: a KNN walk (location <-> point) among that product's
            # genuine, in-stock rows (btree_gist gives the product column its GiST operator class).
            GistIndex(
                fields=["product", "location"],
                name="retailstock_near_idx",
                condition=Q(authorised=True, in_stock=True),
            ),
        ]

    def __str__(self):
        return f"{self.retail_point} · {self.product}"
