"""{% load marketplace %}: a record's text in the reader's language. Amounts: `vnd` of {% load formatting %}."""

from django import template

register = template.Library()


@register.filter
def localised(obj, field: str) -> str:
    from backend.bilingual import localised as pick

    return pick(obj, field)


@register.inclusion_tag("marketplace/_header_cart.html", takes_context=True)
def header_cart(context) -> dict:
    """The header's cart link with the number of units in the cart, for consumers and visitors not signed in.

    A visitor without a session (no cookie yet) costs no query. A page rendered once for many visitors
    (the cached scan page sets `shared_render`) shows the link without a number: it must not carry the
    first visitor's cart to everyone.
    """
    from django.db.models import Sum

    from backend.roles import CONSUMER
    from marketplace.models import CartItem
    from marketplace.services.cart import SESSION_KEY

    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None:
        return {"show": False}
    if user.is_authenticated and CONSUMER not in context.get("user_roles", ()):
        return {"show": False}
    count = None
    if not context.get("shared_render"):
        if user.is_authenticated:
            items = CartItem.objects.filter(cart__owner=user)
        else:
            cart_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
            items = CartItem.objects.filter(cart_id=cart_id, cart__owner__isnull=True) if cart_id else None
        count = (items.aggregate(total=Sum("quantity"))["total"] if items is not None else None) or 0
    return {"show": True, "count": count}
