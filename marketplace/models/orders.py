"""Carts, checkouts and orders (one per producer), their lines, status history and sold stamp serials."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from marketplace.workflow import OPEN_STATUSES, Carrier, OrderStatus


class Cart(models.Model):
    """A shopping cart: a signed-in user's (one each), or an anonymous session's (kept by id in the session)."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="cart"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        indexes = [models.Index(fields=["updated_at"], name="cart_updated_idx")]

    def __str__(self):
        return f"cart {self.pk}"


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    listing = models.ForeignKey("marketplace.Listing", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "listing"], name="cartitem_one_per_listing"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cartitem_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.listing}"


class Checkout(models.Model):
    """One press of "Place order": its token makes a repeated submit return the same orders."""

    token = models.UUIDField(unique=True)
    cart = models.ForeignKey(Cart, on_delete=models.SET_NULL, null=True, related_name="+")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return str(self.token)


def new_order_token() -> str:
    return secrets.token_urlsafe(24)  # 192 random bits: the buyer's secret link


class OrderQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def for_producer_desk(self):
        """New orders first, then those still in progress, then the finished ones; newest first within each."""
        rank = models.Case(
            models.When(status=OrderStatus.PLACED, then=models.Value(0)),
            models.When(status__in=OPEN_STATUSES, then=models.Value(1)),
            default=models.Value(2),
            output_field=models.IntegerField(),
        )
        return self.annotate(desk_rank=rank).order_by("desk_rank", "-placed_at", "-pk")


class Order(models.Model):
    """What one buyer bought from one producer in one checkout. Totals are fixed at placement, by the server."""

    Status = OrderStatus

    class Delivery(models.TextChoices):
        HOME = "home", _("home delivery")
        PICKUP = "pickup", _("pickup at a shop")

    class Payment(models.TextChoices):
        CASH = "cod", _("cash on delivery")
        TRANSFER = "transfer", _("bank transfer (VietQR)")

    producer = models.ForeignKey("tracing.Producer", on_delete=models.PROTECT, related_name="orders")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    checkout = models.ForeignKey(Checkout, on_delete=models.PROTECT, related_name="orders")
    token = models.CharField(max_length=40, unique=True, default=new_order_token, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    contact_name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20)
    email = models.EmailField(_("email"), blank=True)
    delivery_method = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)
    province = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("province")
    )
    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )
    # Where the commune or ward is not among the units we hold (we hold those of the former Hà Giang only).
    commune_name = models.CharField(_("commune or ward"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    location = models.PointField(_("location on the map"), geography=True, srid=4326, null=True, blank=True)
    pickup_point = models.ForeignKey(
        "geo.RetailPoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pickup_orders",
        verbose_name=_("pickup point"),
    )
    payment_method = models.CharField(_("payment"), max_length=10, choices=Payment.choices)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    pay_by = models.DateTimeField(_("pay by"), null=True, blank=True, help_text=_("Unpaid transfers expire then."))
    subtotal_vnd = models.PositiveBigIntegerField(_("goods (đồng)"))
    delivery_fee_vnd = models.PositiveBigIntegerField(_("delivery fee (đồng)"))
    total_vnd = models.PositiveBigIntegerField(_("total (đồng)"))
    note = models.TextField(_("note"), blank=True, max_length=1000)
    carrier = models.CharField(_("carrier"), max_length=20, choices=Carrier.choices, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=30, blank=True)
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_known"),
            models.CheckConstraint(
                condition=Q(total_vnd=F("subtotal_vnd") + F("delivery_fee_vnd")), name="order_total_adds_up"
            ),
            models.CheckConstraint(
                condition=(Q(delivery_method="pickup") & Q(pickup_point__isnull=False))
                | (
                    Q(delivery_method="home")
                    & Q(province__isnull=False)
                    & (Q(commune__isnull=False) | ~Q(commune_name=""))
                    & ~Q(address="")
                ),
                name="order_delivery_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["producer", "status", "-placed_at"], name="order_desk_idx"),
            models.Index(fields=["buyer", "-placed_at"], name="order_buyer_idx"),
            models.Index(
                fields=["pay_by"],
                name="order_unpaid_transfer_idx",
                condition=Q(payment_method="transfer", paid_at__isnull=True, status__in=["placed", "confirmed"]),
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        """The order number buyers quote and put in the bank transfer: HG followed by 7 digits."""
        return f"HG{self.pk:07d}"

    @property
    def delivery_address(self) -> str:
        """Where a home delivery goes: "Số 12, thôn Tân Thành, Xã Việt Quang, Tỉnh Tuyên Quang" ('' for pickup)."""
        if self.delivery_method != self.Delivery.HOME:
            return ""
        commune = self.commune.name if self.commune_id else self.commune_name
        province = self.province.name if self.province_id else ""
        return ", ".join(part for part in (self.address, commune, province) if part)

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    @property
    def awaits_transfer(self) -> bool:
        return (
            self.payment_method == self.Payment.TRANSFER
            and self.paid_at is None
            and self.status in (OrderStatus.PLACED, OrderStatus.CONFIRMED)
        )

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines.all())


class OrderLine(models.Model):
    """One product in an order, with its name and price as they were when the order was placed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    listing = models.ForeignKey("marketplace.Listing", on_delete=models.PROTECT, related_name="order_lines")
    product_name = models.CharField(_("product"), max_length=200)
    unit = models.CharField(_("unit"), max_length=5)
    unit_price_vnd = models.PositiveIntegerField(_("unit price (đồng)"))
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total_vnd = models.PositiveBigIntegerField(_("amount (đồng)"))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orderline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(line_total_vnd=F("unit_price_vnd") * F("quantity")), name="orderline_total_adds_up"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product_name}"


class OrderStatusChange(models.Model):
    """One step in an order's life: who did what when, from which status to which, and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=OrderStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("order status change")
        verbose_name_plural = _("order history")

    def __str__(self):
        return f"{self.order}: {self.from_status or '∅'} → {self.to_status} ({self.action})"


class OrderStampSerial(models.Model):
    """A stamp serial the producer recorded as shipped in an order: each stamp is sold at most once."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="stamp_serials")
    serial = models.CharField(_("stamp serial"), max_length=20, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("sold stamp")
        verbose_name_plural = _("sold stamps")

    def __str__(self):
        return self.serial
