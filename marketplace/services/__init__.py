"""Every write of the marketplace goes through these functions (pages, API, admin, commands).

Keyword-only arguments; `by` is the acting user, checked against the object's owner; input is
validated (ValidationError naming the field); one transaction; emails after the commit.
"""

from marketplace.services.cart import cart_add, cart_for_request, cart_lines, cart_merge, cart_set_quantity
from marketplace.services.catalogue import (
    delivers_to,
    delivery_fee,
    listing_create,
    listing_update,
    pickup_point_choices,
    retail_stock_authorise,
    retail_stock_declare,
    seller_profile_update,
)
from marketplace.services.checkout import CheckoutResult, checkout_place
from marketplace.services.orders import (
    TransitionNotAllowed,
    order_mark_paid,
    order_record_stamp_serials,
    order_transition,
    orders_expire,
)

__all__ = [
    "CheckoutResult",
    "TransitionNotAllowed",
    "cart_add",
    "cart_for_request",
    "cart_lines",
    "cart_merge",
    "cart_set_quantity",
    "checkout_place",
    "delivers_to",
    "delivery_fee",
    "listing_create",
    "listing_update",
    "order_mark_paid",
    "order_record_stamp_serials",
    "order_transition",
    "orders_expire",
    "pickup_point_choices",
    "retail_stock_authorise",
    "retail_stock_declare",
    "seller_profile_update",
]
