"""The demo marketplace: producers' selling terms and listings, shops' stock and their authorisation,
and orders in every state, through marketplace's services on the days they happened.

Orders are placed with a checkout token derived from the order's key (uuid5), so a second run
finds the same orders instead of placing new ones; carts are made as the cart page makes them.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import User

from demo import province as spec
from demo.clock import Clock
from geo.models import AdminUnit, RetailPoint
from marketplace import services
from marketplace.models import Cart, Checkout, Listing, Order, RetailStock, SellerProfile
from tracing.models import Producer, Product, Stamp
from tracing.models.stamps import StampStatus

TOKEN_NAMESPACE = uuid.UUID("6b1f8e40-5d0a-4c8e-9a57-0d3c2f7a4b10")
DELIVERY_FEE_VND = 30_000
FREE_DELIVERY_FROM_VND = 500_000


def _tuyen_quang_2025() -> AdminUnit | None:
    return AdminUnit.objects.current().filter(level=AdminUnit.Level.PROVINCE, code="08").first()


def selling_terms_ensure(producer: Producer, user: User, item: spec.Producer, clock: Clock, days: int) -> None:
    """Bank account (for VietQR transfers) and home delivery across the province, once."""
    if SellerProfile.objects.filter(producer=producer).exists():
        return
    bank = dict(zip(("bank_bin", "bank_account", "bank_account_name"), item.bank, strict=True)) if item.bank else {}
    province = _tuyen_quang_2025()
    with clock.at(days=days, hour=11):
        services.seller_profile_update(
            by=user,
            producer=producer,
            delivery_areas=[province] if province else [],
            delivery_fee_vnd=DELIVERY_FEE_VND,
            free_delivery_from_vnd=FREE_DELIVERY_FROM_VND,
            **bank,
        )


def listing_ensure(product: Product, user: User, item: spec.Product, clock: Clock, days: int) -> Listing:
    listing = Listing.objects.filter(product=product).first()
    if listing is not None:
        return listing
    season = {}
    if item.season:
        opened, closes_in = item.season
        season = {"available_from": clock.day(opened), "available_to": clock.day(-closes_in)}
    with clock.at(days=days, hour=11, minute=30):
        return services.listing_create(
            by=user,
            product=product,
            price_vnd=item.price_vnd,
            stock=item.listing_stock,
            max_per_order=item.max_per_order,
            # Pickup (and pickup only) once its shops are authorised resellers: pickups_ensure.
            home_delivery=item.home_delivery or bool(item.pickup_shops),
            **season,
        )


def pickups_ensure(products: dict[str, Product], clock: Clock, days: int) -> int:
    """Each listing offers pickup at its shops, once they are the producer's authorised resellers (a seller may
    offer pickup only at its own or authorised shops, so this follows stock_ensure)."""
    made = 0
    for item in spec.PRODUCERS:
        for product_spec in item.products:
            product = products.get(product_spec.key)
            listing = Listing.objects.filter(product=product).first() if product else None
            if listing is None or not product_spec.pickup_shops or listing.pickup_points.exists():
                continue
            user = User.objects.get(username=item.username)
            with clock.at(days=days, hour=10):
                services.listing_update(
                    by=user,
                    listing=listing,
                    pickup_points=list(RetailPoint.objects.filter(name__in=product_spec.pickup_shops)),
                    home_delivery=product_spec.home_delivery,
                )
            made += 1
    return made


def stock_ensure(products: dict[str, Product], users: dict[str, User], clock: Clock, days: int) -> int:
    """Each demo shop declares the products it carries; their producers confirm it as a reseller."""
    staff_of = {shop: username for username, shops in spec.SHOP_STAFF.items() for shop in shops}
    shops = {s.name: s for s in RetailPoint.objects.filter(name__in=list(spec.STOCK))}
    made = 0
    for position, (shop_name, items) in enumerate(spec.STOCK.items()):
        shop = shops[shop_name]
        retailer = users[staff_of[shop_name]]
        for product_key, in_stock in items:
            product = products.get(product_key)
            if product is None or RetailStock.objects.filter(retail_point=shop, product=product).exists():
                continue
            with clock.at(days=days - position % 4, hour=8 + position % 8):
                services.retail_stock_declare(by=retailer, retail_point=shop, items=[(product, in_stock)])
            producer_user = User.objects.filter(producer_membership__producer=product.producer).order_by("pk").first()
            with clock.at(days=days - position % 4 - 1, hour=15):
                services.retail_stock_authorise(by=producer_user, retail_point=shop, product=product)
            made += 1
    return made


def _token(key: str) -> uuid.UUID:
    return uuid.uuid5(TOKEN_NAMESPACE, f"demo-order-{key}")


def order_ensure(item: spec.Order, products: dict[str, Product], users: dict[str, User], clock: Clock) -> list[Order]:
    """Place the order on its day, then move it along its history, each step on its own day (once)."""
    token = _token(item.key)
    existing = Checkout.objects.filter(token=token).first()
    if existing is not None:
        return list(existing.orders.order_by("pk"))
    buyer = users.get(item.buyer) if item.buyer else None
    listings = {
        key: Listing.objects.select_related("product", "producer").get(product=products[key]) for key, _n in item.lines
    }
    with clock.at(days=item.days):
        cart = Cart.objects.create()
        for key, quantity in item.lines:
            services.cart_set_quantity(cart=cart, listing=listings[key], quantity=quantity)
        pickup = {}
        if item.delivery == Order.Delivery.PICKUP:
            shop = RetailPoint.objects.get(name=item.pickup)
            pickup = {listing.producer_id: shop for listing in listings.values()}
        commune = (
            AdminUnit.objects.current().get(level=AdminUnit.Level.COMMUNE, name=item.commune) if item.commune else None
        )
        result = services.checkout_place(
            cart=cart,
            buyer=buyer,
            token=token,
            contact_name=item.contact_name,
            phone=item.phone,
            email=item.email,
            delivery_method=item.delivery,
            payment_method=item.payment,
            commune=commune,
            address=item.address,
            pickup_points=pickup,
            note=item.note,
        )
    for order in result.orders:
        seller = User.objects.filter(producer_membership__producer_id=order.producer_id).order_by("pk").first()
        for action, days in item.history:
            with clock.at(days=days):
                _step(order, action, item, seller=seller, buyer=buyer)
    return result.orders


def _step(order: Order, action: str, item: spec.Order, *, seller: User, buyer: User | None) -> None:
    if action == "mark_paid":
        services.order_mark_paid(by=seller, order=order, reason="Đã nhận chuyển khoản (demo).")
    elif action == "expire":
        services.orders_expire(producer_id=order.producer_id)
    elif action == "cancel" and item.cancelled_by_buyer:
        # a guest cancels through the secret link of the order page; a signed-in buyer as themselves
        services.order_transition(by=buyer, order=order, action="cancel", reason=item.reason, token=order.token)
    else:
        if action == "ship" and item.stamps:
            services.order_record_stamp_serials(by=seller, order=order, serials=_sellable_serials(order, item.stamps))
        services.order_transition(
            by=seller, order=order, action=action, reason=item.reason if action == "cancel" else ""
        )


def _sellable_serials(order: Order, count: int) -> list[str]:
    """Activated stamps of the ordered product that no buyer confirmed and no order took, oldest batch first."""
    product_id = order.lines.values_list("listing__product_id", flat=True).first()
    return list(
        Stamp.objects.filter(
            batch__product_id=product_id, status=StampStatus.ACTIVATED, confirmed_at__isnull=True, scans__isnull=True
        )
        .order_by("batch__harvest_started_on", "-number")
        .values_list("serial", flat=True)[:count]
    )
