"""The permission matrix over the API: owner, other producer, buyer, other buyer, anonymous, official."""

from __future__ import annotations

import pytest

from marketplace.models import Listing, Order, RetailStock
from tests.marketplace import factories as f

PERSONAS = ["seller", "other_seller", "buyer", "other_buyer", "anonymous", "official"]


@pytest.fixture
def order(client_of, buyer, oranges, shop, coop):
    client = client_of(buyer)
    client.post("/api/v1/cart/items/", {"listing": oranges.pk, "quantity": 2}, format="json")
    response = client.post("/api/v1/checkout/", f.pickup_checkout(shop, coop), format="json")
    return Order.objects.get(pk=response.json()["orders"][0]["id"])


@pytest.fixture
def persona(request, seller, other_seller, buyer, other_buyer, official):
    users = {
        "seller": seller,
        "other_seller": other_seller,
        "buyer": buyer,
        "other_buyer": other_buyer,
        "anonymous": None,
        "official": official,
    }
    return lambda name: users[name]


READ = {"seller": 200, "other_seller": 404, "buyer": 200, "other_buyer": 404, "anonymous": 403, "official": 404}


@pytest.mark.parametrize("who", PERSONAS)
def test_an_order_is_visible_only_to_its_buyer_and_its_producer(who, persona, client_of, order):
    client = client_of(persona(who))
    assert client.get(f"/api/v1/orders/{order.pk}/").status_code == READ[who]
    listed = client.get("/api/v1/orders/")
    if who == "anonymous":
        assert listed.status_code == 403
    else:
        ids = [row["id"] for row in listed.json()["results"]]
        assert ids == ([order.pk] if READ[who] == 200 else [])


CONFIRM = {"seller": 200, "other_seller": 404, "buyer": 403, "other_buyer": 404, "anonymous": 403, "official": 404}


@pytest.mark.parametrize("who", PERSONAS)
def test_only_the_producers_staff_confirm_an_order(who, persona, client_of, order):
    response = client_of(persona(who)).post(f"/api/v1/orders/{order.pk}/confirm/", {}, format="json")
    assert response.status_code == CONFIRM[who]
    assert Order.objects.get(pk=order.pk).status == ("confirmed" if CONFIRM[who] == 200 else "placed")


CANCEL = {"seller": 200, "other_seller": 404, "buyer": 200, "other_buyer": 404, "anonymous": 403, "official": 404}


@pytest.mark.parametrize("who", PERSONAS)
def test_the_buyer_and_the_producer_may_cancel_a_new_order(who, persona, client_of, order):
    response = client_of(persona(who)).post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "Đổi ý"}, format="json")
    assert response.status_code == CANCEL[who]


def test_a_refused_transition_is_a_409(client_of, seller, order):
    response = client_of(seller).post(f"/api/v1/orders/{order.pk}/complete/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


EDIT_LISTING = {"seller": 200, "other_seller": 403, "buyer": 403, "other_buyer": 403, "anonymous": 403, "official": 403}


@pytest.mark.parametrize("who", PERSONAS)
def test_only_the_producers_staff_change_a_listing(who, persona, client_of, oranges):
    response = client_of(persona(who)).patch(f"/api/v1/listings/{oranges.pk}/", {"price_vnd": 1000}, format="json")
    assert response.status_code == EDIT_LISTING[who]
    assert Listing.objects.get(pk=oranges.pk).price_vnd == (1000 if EDIT_LISTING[who] == 200 else 35_000)


def test_a_producer_lists_only_its_own_products(client_of, seller, other_coop, coop):
    product = f.make_product(coop, "Cam sành loại 1")
    foreign = f.make_product(other_coop, "Chè búp")
    client = client_of(seller)
    assert (
        client.post("/api/v1/listings/", {"product": foreign.pk, "price_vnd": 5000}, format="json").status_code == 403
    )
    response = client.post("/api/v1/listings/", {"product": product.pk, "price_vnd": 5000, "stock": 3}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["stock"] == 3


def test_an_unapproved_producer_cannot_sell(client_of, area):
    applicant = f.make_producer("HTX mới", commune=area["viet_quang"], status="applied")
    staff = f.make_staff("newbie", applicant)
    product = f.make_product(applicant)
    response = client_of(staff).post("/api/v1/listings/", {"product": product.pk, "price_vnd": 5000}, format="json")
    assert response.status_code == 400
    assert "product" in response.json()["error"]["fields"]


def test_a_bad_listing_value_is_a_400_naming_the_field(client_of, seller, oranges):
    response = client_of(seller).patch(
        f"/api/v1/listings/{oranges.pk}/", {"min_per_order": 5, "max_per_order": 2}, format="json"
    )
    assert response.status_code == 400
    assert "max_per_order" in response.json()["error"]["fields"]


@pytest.fixture
def shop_staff(db, shop):
    from backend import roles
    from tests.conftest import make_user

    user = make_user("shopkeeper", roles.RETAILER_STAFF)
    shop.staff.add(user)
    return user


DECLARE = {"shop_staff": 200, "seller": 403, "buyer": 403, "anonymous": 403, "official": 403}


@pytest.mark.parametrize("who", list(DECLARE))
def test_only_the_shops_staff_declare_its_stock(who, persona, shop_staff, client_of, shop, oranges):
    user = shop_staff if who == "shop_staff" else persona(who)
    body = {"items": [{"product": oranges.product_id, "in_stock": True}]}
    response = client_of(user).put(f"/api/v1/retail-points/{shop.pk}/stock/", body, format="json")
    assert response.status_code == DECLARE[who]
    assert RetailStock.objects.filter(retail_point=shop).exists() == (DECLARE[who] == 200)


AUTHORISE = {"seller": 200, "other_seller": 403, "buyer": 403, "anonymous": 403, "official": 403}


@pytest.mark.parametrize("who", list(AUTHORISE))
def test_only_the_products_producer_authorises_a_reseller(who, persona, client_of, shop, oranges, shop_staff):
    RetailStock.objects.create(retail_point=shop, product=oranges.product, in_stock=True)
    url = f"/api/v1/retail-points/{shop.pk}/stock/{oranges.product_id}/authorisation"
    response = client_of(persona(who)).post(url)
    assert response.status_code == AUTHORISE[who]
    assert RetailStock.objects.get(retail_point=shop).authorised == (AUTHORISE[who] == 200)


def test_everyone_sees_a_public_shops_stock_with_its_freshness(client_of, shop, oranges):
    RetailStock.objects.create(retail_point=shop, product=oranges.product, in_stock=True, authorised=True)
    [row] = client_of().get(f"/api/v1/retail-points/{shop.pk}/stock/").json()
    assert row["product"] == oranges.product_id and row["in_stock"] and row["authorised"]
    assert row["updated_at"]


PAGES = {"seller": 200, "other_seller": 404, "buyer": 403, "anonymous": 302, "official": 403}


@pytest.mark.parametrize("who", list(PAGES))
def test_the_order_desk_page_of_an_order_is_the_producers_only(who, persona, client, order):
    user = persona(who)
    if user is not None:
        client.force_login(user)
    assert client.get(f"/ban-hang/don-hang/{order.pk}/").status_code == PAGES[who]
