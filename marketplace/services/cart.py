"""Carts: a signed-in user's own, or an anonymous session's; merged into the user's at login."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.models import Cart, CartItem, Listing

SESSION_KEY = "marketplace_cart_id"


def cart_for_request(request, *, create: bool = False) -> Cart | None:
    """The request's cart: the user's when signed in, else the one whose id the session holds."""
    user = request.user
    if user.is_authenticated:
        cart = Cart.objects.filter(owner=user).first()
        if cart is None and create:
            cart, _created = Cart.objects.get_or_create(owner=user)
        return cart
    cart_id = request.session.get(SESSION_KEY)
    cart = Cart.objects.filter(pk=cart_id, owner__isnull=True).first() if cart_id else None
    if cart is None and create:
        cart = Cart.objects.create()
        request.session[SESSION_KEY] = cart.pk
    return cart


def _check_quantity(listing: Listing, quantity: int) -> None:
    if not (listing.is_orderable and listing.product.is_active and listing.producer.status == "approved"):
        raise ValidationError({"listing": _("This product is not on sale at the moment.")})
    if quantity < listing.min_per_order:
        raise ValidationError({"quantity": _("The minimum per order is %(count)d.") % {"count": listing.min_per_order}})
    if listing.max_per_order is not None and quantity > listing.max_per_order:
        raise ValidationError({"quantity": _("The maximum per order is %(count)d.") % {"count": listing.max_per_order}})
    if quantity > listing.stock:
        if listing.stock <= 0:
            raise ValidationError({"quantity": _("Sold out.")})
        raise ValidationError({"quantity": _("Only %(count)d left.") % {"count": listing.stock}})


@transaction.atomic
def cart_set_quantity(*, cart: Cart, listing: Listing, quantity: int) -> CartItem | None:
    """Set how many units of a listing the cart holds (0 removes it). Checked against limits and current stock."""
    if quantity < 0:
        raise ValidationError({"quantity": _("Enter 0 or more.")})
    if quantity == 0:
        CartItem.objects.filter(cart=cart, listing=listing).delete()
        cart.save(update_fields=["updated_at"])
        return None
    _check_quantity(listing, quantity)
    item, _created = CartItem.objects.update_or_create(cart=cart, listing=listing, defaults={"quantity": quantity})
    cart.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def cart_add(*, cart: Cart, listing: Listing, quantity: int) -> CartItem:
    """Add units of a listing to the cart (on top of what it already holds)."""
    if quantity < 1:
        raise ValidationError({"quantity": _("Enter 1 or more.")})
    current = CartItem.objects.filter(cart=cart, listing=listing).values_list("quantity", flat=True).first() or 0
    return cart_set_quantity(cart=cart, listing=listing, quantity=current + quantity)


@transaction.atomic
def cart_merge(*, source: Cart, target: Cart) -> None:
    """Move an anonymous cart's items into a user's cart at login, then delete it.

    Quantities add up, capped at the listing's maximum per order and current stock; listings no
    longer on sale are dropped (the cart page would refuse them at checkout anyway).
    """
    if source.pk == target.pk:
        return
    existing = {item.listing_id: item for item in target.items.all()}
    for item in source.items.select_related("listing"):
        listing = item.listing
        wanted = item.quantity + (existing[listing.pk].quantity if listing.pk in existing else 0)
        cap = min(x for x in (listing.max_per_order, listing.stock) if x is not None)
        quantity = min(wanted, cap)
        if quantity < max(1, listing.min_per_order) or not listing.is_active:
            continue
        CartItem.objects.update_or_create(cart=target, listing=listing, defaults={"quantity": quantity})
    source.delete()
    target.save(update_fields=["updated_at"])


def cart_lines(cart: Cart | None) -> list[CartItem]:
    """The cart's items with their listing, product, producer and photos, in the order they were added."""
    if cart is None:
        return []
    return list(
        cart.items.select_related("listing__product__producer", "listing__product__kind").prefetch_related(
            "listing__product__photos"
        )
    )
