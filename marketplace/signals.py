"""Signal receivers (connected in MarketplaceConfig.ready)."""

from __future__ import annotations

from marketplace.models import Cart
from marketplace.services.cart import SESSION_KEY, cart_merge


def merge_cart_at_login(sender, request, user, **kwargs) -> None:
    """The anonymous cart of the session joins the user's cart when they log in."""
    if request is None or not hasattr(request, "session"):
        return
    cart_id = request.session.pop(SESSION_KEY, None)
    if not cart_id:
        return
    source = Cart.objects.filter(pk=cart_id, owner__isnull=True).first()
    if source is None:
        return
    target, _created = Cart.objects.get_or_create(owner=user)
    cart_merge(source=source, target=target)
