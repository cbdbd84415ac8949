"""Checkout: a cart becomes one order per producer, with stock reserved under row locks.

The shape follows django-oscar's order placement and Saleor's stock handling:

1. A `Checkout` row with the client's token is inserted first. A repeated submit with the same
   token (double tap, retry after a timeout) either finds it committed and gets the same orders, or
   waits on the unique index until the first attempt ends.
2. `_place_locked`, in the same transaction, in named steps:
   - `_validate_cart`: the cart row is locked (one checkout per cart at a time) and must hold items;
   - `_lock_and_reserve`: the listings' rows are locked (services/stock.py: `SELECT … FOR NO KEY
     UPDATE`, in primary-key order, so two checkouts never wait on each other in a cycle),
     availability, limits and season are re-checked under the locks, and the units are taken with
     `F()` (the CHECK constraint `stock >= 0` backs the check up);
   - `_price`: one plan per producer, prices, fees and totals computed here from the locked rows,
     never taken from the client, with the delivery, pickup and payment terms checked;
   - `_payment_deadline`: when an unpaid bank transfer expires;
   - `_create_order`: each producer's order and its lines;
   - `_notify`: the placement logged; emails go out after the commit.
   Any refusal raises ValidationError and the transaction takes everything back, reserved units too.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.bilingual import localised
from backend.phones import normalise_phone
from geo.models import AdminUnit, RetailPoint
from geo.spatial import is_within_vietnam
from marketplace import conf, notifications
from marketplace.models import Cart, Checkout, Listing, Order, OrderLine, OrderStatusChange, SellerProfile
from marketplace.services import stock
from marketplace.services.catalogue import delivery_fee
from marketplace.services.common import raise_if
from marketplace.workflow import OrderStatus
from tracing.models import Producer


@dataclass(frozen=True)
class CheckoutResult:
    orders: list[Order]
    created: bool  # False when the token had already placed these orders


@dataclass(frozen=True)
class _Destination:
    """Where the orders go: home delivery (province, commune, address, pin) or pickup points by producer."""

    delivery_method: str
    province: AdminUnit | None
    commune: AdminUnit | None
    commune_name: str
    address: str
    location: Point | None
    pickup_points: dict[int, RetailPoint]

    @property
    def is_home(self) -> bool:
        return self.delivery_method == Order.Delivery.HOME

    def order_fields(self) -> dict:
        """The order's delivery fields (the place only for home delivery; the pickup point is per producer)."""
        home = self.is_home
        return {
            "delivery_method": self.delivery_method,
            "province": self.province if home else None,
            "commune": self.commune if home else None,
            "commune_name": self.commune_name if home else "",
            "address": self.address if home else "",
            "location": self.location if home else None,
        }


@dataclass(frozen=True)
class _Plan:
    """One producer's order before it is written: its listings (locked), subtotal, fee, pickup point."""

    producer: Producer
    listings: list[Listing]
    subtotal: int
    fee: int
    pickup_point: RetailPoint | None


def _previous(token: uuid.UUID, cart: Cart, buyer) -> CheckoutResult | None:
    checkout = Checkout.objects.filter(token=token).first()
    if checkout is None:
        return None
    same_buyer = buyer is not None and checkout.buyer_id == getattr(buyer, "pk", None)
    if not (same_buyer or (checkout.cart_id is not None and checkout.cart_id == cart.pk)):
        raise ValidationError({"checkout_token": _("This checkout token was already used. Reload the page.")})
    orders = list(checkout.orders.order_by("pk").prefetch_related("lines"))
    return CheckoutResult(orders=orders, created=False)


def _check_contact(*, buyer, contact_name: str, phone: str, email: str, note: str) -> tuple[str, str, str, dict]:
    errors: dict = {}
    contact_name = " ".join((contact_name or "").split())
    if not contact_name:
        errors["contact_name"] = _("Enter the name of the person receiving the order.")
    elif len(contact_name) > 150:
        errors["contact_name"] = _("At most 150 characters.")
    try:
        phone = normalise_phone(phone)
    except ValidationError as error:
        errors["phone"] = error.messages
    email = (email or "").strip() or (getattr(buyer, "email", "") if buyer is not None else "")
    if buyer is None and not email:
        errors["email"] = _("Enter your email address: we send the link to follow your order there.")
    if len(note or "") > 1000:
        errors["note"] = _("At most 1000 characters.")
    return contact_name, phone, email, errors


def _province_above(unit: AdminUnit) -> AdminUnit | None:
    for _level in range(3):
        if unit.parent_id is None:
            return None
        unit = unit.parent
        if unit.level == AdminUnit.Level.PROVINCE:
            return unit
    return None


def _check_delivery(
    errors: dict,
    *,
    delivery_method: str,
    province: AdminUnit | None,
    commune: AdminUnit | None,
    commune_name: str,
    address: str,
    location: Point | None,
) -> AdminUnit | None:
    """Check a home-delivery place; the province it is in (the commune's, when only a commune is given)."""
    if delivery_method not in Order.Delivery.values:
        errors["delivery_method"] = _("Choose home delivery or pickup at a shop.")
        return None
    if delivery_method != Order.Delivery.HOME:
        return None
    current = AdminUnit.objects.current()
    if commune is not None:
        if commune.level != AdminUnit.Level.COMMUNE or not current.filter(pk=commune.pk).exists():
            errors["commune"] = _("Choose a commune in force today.")
        elif province is None:
            province = _province_above(commune)
        elif commune.parent_id != province.pk:
            errors["commune"] = _("%(commune)s is not in %(province)s.") % {
                "commune": commune.name,
                "province": province.name,
            }
    if province is None:
        if "commune" not in errors:
            errors["province"] = _("Choose the province to deliver to.")
    elif province.level != AdminUnit.Level.PROVINCE or not current.filter(pk=province.pk).exists():
        errors["province"] = _("Choose a province in force today.")
    elif commune is None and not commune_name:
        errors["commune"] = _("Choose or type the commune or ward to deliver to.")
    if len(commune_name) > 120:
        errors["commune_name"] = _("At most 120 characters.")
    if not (address or "").strip():
        errors["address"] = _("Enter the delivery address (house number, street, village).")
    if location is not None and not is_within_vietnam(location):
        errors["location"] = _("The map pin is outside Viet Nam.")
    return province


def _line_problem(listing: Listing, quantity: int, today: datetime.date) -> str | None:
    name = localised(listing.product, "name")
    if not (listing.is_active and listing.product.is_active and listing.producer.status == "approved"):
        return _("%(product)s is no longer on sale.") % {"product": name}
    if listing.season_state(today) not in ("open", "preorder"):
        return _("%(product)s is out of season.") % {"product": name}
    if quantity < listing.min_per_order:
        return _("%(product)s: the minimum per order is %(count)d.") % {"product": name, "count": listing.min_per_order}
    if listing.max_per_order is not None and quantity > listing.max_per_order:
        return _("%(product)s: the maximum per order is %(count)d.") % {"product": name, "count": listing.max_per_order}
    if quantity > listing.stock:
        if listing.stock <= 0:
            return _("%(product)s is sold out.") % {"product": name}
        return _("%(product)s: only %(count)d left.") % {"product": name, "count": listing.stock}
    return None


def _not_delivered(producer, profile, *, province: AdminUnit, commune: AdminUnit | None) -> dict:
    if commune is not None:
        return {
            "commune": _("%(producer)s does not deliver to %(commune)s.")
            % {"producer": producer.name, "commune": commune.name}
        }
    if profile is not None and profile.delivery_areas.filter(parent=province).exists():
        return {
            "commune": _("%(producer)s delivers only to some communes of %(province)s: choose yours in the list.")
            % {"producer": producer.name, "province": province.name}
        }
    return {
        "province": _("%(producer)s does not deliver to %(commune)s.")
        % {"producer": producer.name, "commune": province.name}
    }


def checkout_place(
    *,
    cart: Cart,
    buyer,
    token: uuid.UUID,
    contact_name: str,
    phone: str,
    delivery_method: str,
    payment_method: str,
    email: str = "",
    province: AdminUnit | None = None,
    commune: AdminUnit | None = None,
    commune_name: str = "",
    address: str = "",
    location: Point | None = None,
    pickup_points: dict[int, RetailPoint] | None = None,
    note: str = "",
) -> CheckoutResult:
    """Turn the cart into one order per producer, reserving the stock; the same token returns the same orders.

    Home delivery goes to a province (any of Viet Nam's) and a commune in it: one of ours (`commune`,
    which alone also gives the province) or, where we hold no commune list, its name (`commune_name`).
    `pickup_points` maps a producer id to the shop where that producer's goods are collected (for
    pickup orders). Raises ValidationError naming the field (`items` for problems with the cart's
    contents: sold out, over the limit, out of season, no longer on sale).
    """
    buyer = buyer if getattr(buyer, "is_authenticated", False) else None
    previous = _previous(token, cart, buyer)
    if previous is not None:
        return previous
    contact_name, phone, email, errors = _check_contact(
        buyer=buyer, contact_name=contact_name, phone=phone, email=email, note=note
    )
    commune_name = " ".join((commune_name or "").split()) if commune is None else ""
    province = _check_delivery(
        errors,
        delivery_method=delivery_method,
        province=province,
        commune=commune,
        commune_name=commune_name,
        address=address,
        location=location,
    )
    if payment_method not in Order.Payment.values:
        errors["payment_method"] = _("Choose cash on delivery or bank transfer.")
    raise_if(errors)

    with transaction.atomic():
        try:
            with transaction.atomic():
                checkout = Checkout.objects.create(token=token, cart=cart, buyer=buyer)
        except IntegrityError:
            # The same token committed while we waited on the unique index: answer with its orders.
            previous = _previous(token, cart, buyer)
            if previous is None:
                raise
            return previous
        result = _place_locked(
            checkout=checkout,
            cart=cart,
            buyer=buyer,
            contact={"contact_name": contact_name, "phone": phone, "email": email, "note": (note or "").strip()},
            destination=_Destination(
                delivery_method=delivery_method,
                province=province,
                commune=commune,
                commune_name=commune_name,
                address=(address or "").strip(),
                location=location,
                pickup_points=pickup_points or {},
            ),
            payment_method=payment_method,
        )
    return result


def _place_locked(
    *, checkout: Checkout, cart: Cart, buyer, contact: dict, destination: _Destination, payment_method: str
) -> CheckoutResult:
    """The placement itself, under the locks it takes, in checkout_place's transaction."""
    quantities = _validate_cart(cart)
    listings = _lock_and_reserve(quantities)
    plans = _price(listings, quantities, destination=destination, payment_method=payment_method)
    pay_by = _payment_deadline(payment_method)
    orders = [
        _create_order(
            plan,
            quantities,
            checkout=checkout,
            buyer=buyer,
            contact=contact,
            destination=destination,
            payment_method=payment_method,
            pay_by=pay_by,
        )
        for plan in plans
    ]
    _notify(orders, buyer=buyer)
    cart.items.all().delete()
    return CheckoutResult(orders=orders, created=True)


def _validate_cart(cart: Cart) -> dict[int, int]:
    """Lock the cart (one checkout per cart at a time); its {listing id: quantity}, refused when empty."""
    Cart.objects.select_for_update().filter(pk=cart.pk).first()
    quantities = dict(cart.items.values_list("listing_id", "quantity"))
    if not quantities:
        raise ValidationError({"items": [_("Your cart is empty.")]})
    return quantities


def _lock_and_reserve(quantities: dict[int, int]) -> list[Listing]:
    """Lock the listings, check every line against them (on sale, season, limits, stock), take the units."""
    listings = stock.lock_listings(quantities)
    today = timezone.localdate()
    problems = [p for p in (_line_problem(x, quantities[x.pk], today) for x in listings) if p]
    if problems:
        raise ValidationError({"items": problems})
    stock.stock_reserve({listing.pk: quantities[listing.pk] for listing in listings})
    return listings


def _price(
    listings: list[Listing], quantities: dict[int, int], *, destination: _Destination, payment_method: str
) -> list[_Plan]:
    """One plan per producer (in producer order): its lines, subtotal, delivery fee or pickup point.

    Prices and fees come from the rows just locked, never from the client. Raises ValidationError
    naming the field when a producer does not deliver there, has no such pickup point, or takes no
    bank transfers.
    """
    by_producer: dict[int, list[Listing]] = defaultdict(list)
    for listing in listings:
        by_producer[listing.producer_id].append(listing)
    profiles = {p.producer_id: p for p in SellerProfile.objects.filter(producer_id__in=by_producer)}
    errors: dict = {}
    plans = [
        _plan_for_producer(
            by_producer[producer_id],
            quantities,
            profiles.get(producer_id),
            errors,
            destination=destination,
            payment_method=payment_method,
        )
        for producer_id in sorted(by_producer)
    ]
    raise_if(errors)
    return plans


def _plan_for_producer(
    group: list[Listing],
    quantities: dict[int, int],
    profile: SellerProfile | None,
    errors: dict,
    *,
    destination: _Destination,
    payment_method: str,
) -> _Plan:
    producer = group[0].producer
    subtotal = sum(listing.price_vnd * quantities[listing.pk] for listing in group)
    fee, pickup_point = 0, None
    if destination.is_home:
        fee = _home_delivery_fee(group, profile, errors, destination=destination, subtotal=subtotal)
    else:
        pickup_point = _pickup_point(group, errors, destination=destination)
    if payment_method == Order.Payment.TRANSFER and not (profile and profile.accepts_transfers):
        errors["payment_method"] = _("%(producer)s does not take bank transfers; choose cash on delivery.") % {
            "producer": producer.name
        }
    return _Plan(producer=producer, listings=group, subtotal=subtotal, fee=fee, pickup_point=pickup_point)


def _home_delivery_fee(
    group: list[Listing], profile: SellerProfile | None, errors: dict, *, destination: _Destination, subtotal: int
) -> int:
    """The producer's fee for delivering there (0, with the error noted, when it does not)."""
    producer = group[0].producer
    if any(not listing.home_delivery for listing in group):
        errors["delivery_method"] = _("%(producer)s offers only pickup at a shop for some of your items.") % {
            "producer": producer.name
        }
        return 0
    province, commune = destination.province, destination.commune
    fee = delivery_fee(profile, province=province, commune=commune, subtotal_vnd=subtotal)
    if fee is None:
        errors.update(_not_delivered(producer, profile, province=province, commune=commune))
        return 0
    return fee


def _pickup_point(group: list[Listing], errors: dict, *, destination: _Destination) -> RetailPoint | None:
    """The shop the buyer chose for this producer's goods, if it is public and offers every listing."""
    producer = group[0].producer
    pickup_point = destination.pickup_points.get(producer.pk)
    allowed = RetailPoint.objects.public().filter(pk=getattr(pickup_point, "pk", None))
    for listing in group:
        allowed = allowed.filter(pickup_listings=listing)
    if pickup_point is None or not allowed.exists():
        errors[f"pickup_points.{producer.pk}"] = _("Choose one of the pickup points %(producer)s offers.") % {
            "producer": producer.name
        }
    return pickup_point


def _payment_deadline(payment_method: str) -> datetime.datetime | None:
    """When an unpaid bank transfer expires (and its units go back on sale); None for cash on delivery."""
    if payment_method != Order.Payment.TRANSFER:
        return None
    return timezone.now() + datetime.timedelta(hours=conf.unpaid_transfer_hours())


def _create_order(
    plan: _Plan,
    quantities: dict[int, int],
    *,
    checkout: Checkout,
    buyer,
    contact: dict,
    destination: _Destination,
    payment_method: str,
    pay_by: datetime.datetime | None,
) -> Order:
    """The producer's order and its lines, with each product's name and price as they are now."""
    order = Order(
        producer=plan.producer,
        buyer=buyer,
        checkout=checkout,
        pickup_point=plan.pickup_point,
        payment_method=payment_method,
        pay_by=pay_by,
        subtotal_vnd=plan.subtotal,
        delivery_fee_vnd=plan.fee,
        total_vnd=plan.subtotal + plan.fee,
        **destination.order_fields(),
        **contact,
    )
    # Foreign keys were just read under lock: skip full_clean's extra lookups while the rows are held.
    order.full_clean(exclude=["checkout", "token", "producer", "buyer", "province", "commune", "pickup_point"])
    order.save()
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            listing=listing,
            product_name=listing.product.name_vi,
            unit=listing.unit,
            unit_price_vnd=listing.price_vnd,
            quantity=quantities[listing.pk],
            line_total_vnd=listing.price_vnd * quantities[listing.pk],
        )
        for listing in plan.listings
    )
    return order


def _notify(orders: list[Order], *, buyer) -> None:
    """Log each order's placement; its emails (buyer, producer) go out after the commit."""
    for order in orders:
        change = OrderStatusChange.objects.create(
            order=order, action="place", from_status="", to_status=OrderStatus.PLACED, actor=buyer
        )
        notifications.queue_order_emails(change.pk)
