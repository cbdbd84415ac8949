"""The demo marketplace: every kind on sale, shops of several retailers carrying the products genuine and
in stock, and orders in every state."""

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from demo import province as spec
from marketplace.models import Listing, Order, RetailStock, SellerProfile
from marketplace.workflow import OrderStatus

pytestmark = pytest.mark.django_db


def test_the_flagship_oranges_are_on_sale_and_a_demo_shop_carries_them_genuine_and_in_stock(province):
    listing = Listing.objects.select_related("product").get(product__gtin="08938500000027")
    assert listing.producer == province["A"]
    assert listing.is_active and listing.stock > 0 and listing.pickup_points.exists()
    assert SellerProfile.objects.get(producer=listing.producer).bank_account
    rows = RetailStock.objects.filter(product=listing.product, authorised=True, in_stock=True)
    assert rows.exists()
    shop = rows.first().retail_point
    response = APIClient().get(
        "/api/v1/retail-points/nearest", {"lat": shop.location.y, "lng": shop.location.x, "product": listing.product_id}
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == shop.pk


def test_every_kind_of_product_is_listed_and_one_is_sold_out(province):
    listings = Listing.objects.filter(is_active=True).select_related("product__kind")
    assert {listing.product.kind.code for listing in listings} == {"orange", "tea", "honey"}
    assert listings.filter(stock=0).exists()
    assert listings.filter(stock__gt=0).count() >= 7


def test_several_retailers_run_shops_with_declared_and_authorised_stock(province):
    for username, shops in spec.SHOP_STAFF.items():
        retailer = User.objects.get(username=username)
        rows = RetailStock.objects.filter(retail_point__staff=retailer, retail_point__name__in=shops)
        assert rows.filter(authorised=True, in_stock=True).exists(), username
    assert RetailStock.objects.filter(in_stock=False).exists()


def test_orders_reach_every_status_and_record_the_stamps_they_shipped(province):
    statuses = set(Order.objects.values_list("status", flat=True))
    assert statuses == set(OrderStatus.values)
    completed = Order.objects.filter(status=OrderStatus.COMPLETED, stamp_serials__isnull=False).first()
    assert completed is not None
    assert Order.objects.filter(payment_method=Order.Payment.TRANSFER, paid_at__isnull=False).exists()
    assert (
        Order.objects.filter(buyer__isnull=True).exists() and Order.objects.filter(buyer__username="consumer").exists()
    )
