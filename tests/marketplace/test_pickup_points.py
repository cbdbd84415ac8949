"""Pickup points are the seller's own shops and its authorised resellers, not every shop of the province."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from marketplace.models import Listing, RetailStock
from marketplace.services import listing_create, listing_update
from tests.marketplace import factories as f

NEW_LISTING = "/ban-hang/niem-yet/moi/"


@pytest.fixture
def shops(owner, producer, other_producer, oranges):
    """The coop's own farm shop, a reseller it authorised, a shop that only declared its oranges, a shop
    another producer authorised, a stranger, and an own shop not yet verified."""
    own = f.make_shop("Cửa hàng của HTX", 22.404, 104.822, staff=[owner])
    reseller = f.make_shop("Đại lý Vĩnh Tuy", 22.30, 104.88)
    RetailStock.objects.create(retail_point=reseller, product=oranges.product, authorised=True)
    declared = f.make_shop("Tạp hoá đã khai báo", 22.31, 104.87)
    RetailStock.objects.create(retail_point=declared, product=oranges.product, authorised=False)
    others = f.make_shop("Đại lý chè", 22.32, 104.86)
    tea = f.make_product(other_producer, "Chè Shan tuyết", kind="tea")
    RetailStock.objects.create(retail_point=others, product=tea, authorised=True)
    stranger = f.make_shop("Siêu thị xa lạ", 22.8, 104.98)
    unverified = f.make_shop("Cửa hàng mới của HTX", 22.405, 104.823, staff=[owner], verified=False)
    return {
        "own": own,
        "reseller": reseller,
        "declared": declared,
        "others": others,
        "stranger": stranger,
        "unverified": unverified,
    }


def offered(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="pickup_points" value="(\d+)"', page)}


def test_the_listing_form_offers_only_the_sellers_own_shops_and_authorised_resellers(client, owner, producer, shops):
    client.force_login(owner)
    page = client.get(NEW_LISTING).content.decode()
    assert offered(page) == {shops["own"].pk, shops["reseller"].pk}
    page = client.get(f"/ban-hang/niem-yet/{producer.listings.get().pk}/").content.decode()
    assert offered(page) == {shops["own"].pk, shops["reseller"].pk}


@pytest.mark.parametrize("name", ["stranger", "declared", "others"])
def test_the_service_refuses_a_shop_that_is_neither_the_sellers_nor_authorised(owner, producer, oranges, shops, name):
    product = f.make_product(producer, "Cam sành hộp quà")
    with pytest.raises(ValidationError) as refused:
        listing_create(by=owner, product=product, price_vnd=250_000, pickup_points=[shops["own"], shops[name]])
    assert shops[name].name in refused.value.message_dict["pickup_points"][0]
    assert not Listing.objects.filter(product=product).exists()

    with pytest.raises(ValidationError) as refused:
        listing_update(by=owner, listing=oranges, pickup_points=[shops[name]])
    assert "pickup_points" in refused.value.message_dict
    assert list(oranges.pickup_points.all()) == list(Listing.objects.get(pk=oranges.pk).pickup_points.all())


def test_the_service_accepts_own_shops_and_authorised_resellers(owner, producer, shops):
    product = f.make_product(producer, "Cam sành hộp quà")
    listing = listing_create(
        by=owner, product=product, price_vnd=250_000, pickup_points=[shops["own"], shops["reseller"]]
    )
    assert set(listing.pickup_points.all()) == {shops["own"], shops["reseller"]}


def test_the_form_refuses_a_shop_posted_by_hand_with_a_400(client, owner, producer, shops):
    product = f.make_product(producer, "Cam sành hộp quà")
    client.force_login(owner)
    response = client.post(
        NEW_LISTING,
        {
            "product": product.pk,
            "price_vnd": 250000,
            "unit": "box",
            "stock": 20,
            "min_per_order": 1,
            "home_delivery": "on",
            "pickup_points": [shops["own"].pk, shops["stranger"].pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 400
    assert "Chọn điểm nhận hàng trong số cửa hàng của bạn" in response.content.decode()
    assert not Listing.objects.filter(product=product).exists()


def test_the_api_refuses_a_shop_that_is_neither_the_sellers_nor_authorised(client_of, owner, producer, shops):
    product = f.make_product(producer, "Cam sành hộp quà")
    response = client_of(owner).post(
        "/api/v1/listings/",
        {"product": product.pk, "price_vnd": 250_000, "pickup_points": [shops["stranger"].pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "pickup_points" in response.json()["error"]["fields"]
    assert not Listing.objects.filter(product=product).exists()
