"""Listings, retail stock, carts and orders."""

from marketplace.models.catalogue import Listing, ListingQuerySet, RetailStock, SellerProfile
from marketplace.models.orders import (
    Cart,
    CartItem,
    Checkout,
    Order,
    OrderLine,
    OrderStampSerial,
    OrderStatusChange,
)

__all__ = [
    "Cart",
    "CartItem",
    "Checkout",
    "Listing",
    "ListingQuerySet",
    "Order",
    "OrderLine",
    "OrderStampSerial",
    "OrderStatusChange",
    "RetailStock",
    "SellerProfile",
]
