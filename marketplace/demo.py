"""Demo records for the marketplace (`manage.py seed_demo`): the demo product on sale, and shops carrying it.

Idempotent, and made through the services like any producer's or shop's own work: the demo
producer sets its bank account and delivery areas and lists its product with pickup at the demo
retailer's shops; the retailer's shops that sell that kind of product declare it in stock, and the
producer confirms them as authorised resellers, so "genuine, in stock" on Find a shop and the
nearest-shop API have something to show. Records that already exist are left as they are (a demo
user may have changed them).
"""

from __future__ import annotations

from geo.models import AdminUnit, RetailPoint
from marketplace import services
from marketplace.models import Listing, RetailStock, SellerProfile
from tracing.models import ProducerMembership, Product

DEMO_BANK = {
    "bank_bin": "970436",  # Vietcombank's BIN (a real bank; the account number is made up)
    "bank_account": "0011000123456",
    "bank_account_name": "HTX CAM SANH BAC QUANG DEMO",
    "delivery_fee_vnd": 30_000,
    "free_delivery_from_vnd": 500_000,
}
DEMO_PRICE_VND = 180_000
DEMO_STOCK = 120


def _province_of(unit: AdminUnit | None) -> AdminUnit | None:
    for _level in range(4):
        if unit is None or unit.level == AdminUnit.Level.PROVINCE:
            return unit
        unit = unit.parent
    return None


def market_demo(*, producer_user, retailer_user) -> dict:
    """Put the demo producer's products on sale and in the demo retailer's shops; what it made or found."""
    membership = ProducerMembership.objects.filter(user=producer_user).select_related("producer__commune").first()
    if membership is None:
        raise ValueError("Run the stamps demo first: it creates the demo producer.")
    producer = membership.producer
    products = list(Product.objects.filter(producer=producer, is_active=True).select_related("kind"))
    shops = list(
        RetailPoint.objects.filter(
            staff=retailer_user, is_active=True, verification_status=RetailPoint.Verification.VERIFIED
        ).prefetch_related("product_kinds")
    )
    if not SellerProfile.objects.filter(producer=producer).exists():
        province = _province_of(producer.commune)
        services.seller_profile_update(
            by=producer_user, producer=producer, delivery_areas=[province] if province else [], **DEMO_BANK
        )
    # Resellers first: a listing may offer pickup only at the producer's own or authorised shops.
    stocked = []
    for shop in shops:
        kinds = set(shop.product_kinds.all())
        for product in products:
            if product.kind not in kinds:
                continue
            if not RetailStock.objects.filter(retail_point=shop, product=product).exists():
                services.retail_stock_declare(by=retailer_user, retail_point=shop, items=[(product, True)])
                services.retail_stock_authorise(by=producer_user, retail_point=shop, product=product)
            stocked.append(shop)
    listings = []
    for product in products:
        listing = Listing.objects.filter(product=product).first()
        if listing is None:
            pickup = [shop for shop in shops if product.kind in shop.product_kinds.all()]
            listing = services.listing_create(
                by=producer_user,
                product=product,
                price_vnd=DEMO_PRICE_VND,
                stock=DEMO_STOCK,
                max_per_order=10,
                home_delivery=True,
                pickup_points=pickup,
            )
        listings.append(listing)
    return {"listings": listings, "shops": stocked}
