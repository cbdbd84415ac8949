"""seed_demo's marketplace part: the demo product on sale, and demo shops carrying it, genuine and in stock."""

import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from marketplace.models import Listing, RetailStock, SellerProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(tmp_path, monkeypatch):
    from backend.management.commands import seed_demo

    monkeypatch.setattr(seed_demo, "DEMO_STAMPS_FILE", tmp_path / "demo-stamps.txt")
    call_command("seed_demo", "--quiet", stdout=io.StringIO())


def test_the_demo_product_is_on_sale_and_the_demo_shops_carry_it_genuine_and_in_stock(seeded):
    listing = Listing.objects.select_related("product").get()
    assert listing.is_active and listing.stock > 0 and listing.pickup_points.exists()
    assert SellerProfile.objects.get(producer=listing.producer).bank_account
    rows = RetailStock.objects.filter(product=listing.product, authorised=True, in_stock=True)
    assert rows.exists()
    shop = rows.first().retail_point
    lat, lng = shop.location.y, shop.location.x
    response = APIClient().get("/api/v1/retail-points/nearest", {"lat": lat, "lng": lng, "product": listing.product_id})
    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == shop.pk


def test_seeding_again_adds_nothing(seeded):
    counts = (Listing.objects.count(), RetailStock.objects.count(), SellerProfile.objects.count())
    call_command("seed_demo", "--quiet", stdout=io.StringIO())
    assert (Listing.objects.count(), RetailStock.objects.count(), SellerProfile.objects.count()) == counts
