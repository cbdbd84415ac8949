"""The permission matrix over the API: owner, other producer, buyer, other buyer, anonymous, official."""

from __future__ import annotations

import pytest

from marketplace.models import Listing, Order, RetailStock
from tests.marketplace import factories as f

PERSONAS = ["owner", "stranger", "consumer", "other_consumer", "anonymous", "official"]


@pytest.fixture
def order(client_of, consumer, oranges, shop, producer):
    client = client_of(consumer)
    client.post("/api/v1/cart/items/", {"listing": oranges.pk, "quantity": 2}, format="json")
    response = client.post("/api/v1/checkout/", f.pickup_checkout(shop, producer), format="json")
    return Order.objects.get(pk=response.json()["orders"][0]["id"])


@pytest.fixture
def persona(request, owner, stranger, consumer, other_consumer, official):
    users = {
        "owner": owner,
        "stranger": stranger,
        "consumer": consumer,
        "other_consumer": other_consumer,
        "anonymous": None,
        "official": official,
    }
    return lambda name: users[name]


READ = {"owner": 200, "stranger": 404, "consumer": 200, "other_consumer": 404, "anonymous": 403, "official": 404}


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


CONFIRM = {"owner": 200, "stranger": 404, "consumer": 403, "other_consumer": 404, "anonymous": 403, "official": 404}


@pytest.mark.parametrize("who", PERSONAS)
def test_only_the_producers_staff_confirm_an_order(who, persona, client_of, order):
    response = client_of(persona(who)).post(f"/api/v1/orders/{order.pk}/confirm/", {}, format="json")
    assert response.status_code == CONFIRM[who]
    assert Order.objects.get(pk=order.pk).status == ("confirmed" if CONFIRM[who] == 200 else "placed")


CANCEL = {"owner": 200, "stranger": 404, "consumer": 200, "other_consumer": 404, "anonymous": 403, "official": 404}


@pytest.mark.parametrize("who", PERSONAS)
def test_the_buyer_and_the_producer_may_cancel_a_new_order(who, persona, client_of, order, oranges):
    assert Listing.objects.get(pk=oranges.pk).stock == 98  # the order holds two units
    response = client_of(persona(who)).post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "Đổi ý"}, format="json")
    assert response.status_code == CANCEL[who]
    order.refresh_from_db()
    if CANCEL[who] == 200:
        assert order.status == "cancelled"
        assert Listing.objects.get(pk=oranges.pk).stock == 100  # the units are on sale again
        assert [change.action for change in order.history.all()] == ["place", "cancel"]
    else:
        assert order.status == "placed"
        assert Listing.objects.get(pk=oranges.pk).stock == 98
        assert [change.action for change in order.history.all()] == ["place"]


def test_a_refused_transition_is_a_409(client_of, owner, order):
    response = client_of(owner).post(f"/api/v1/orders/{order.pk}/complete/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


EDIT_LISTING = {
    "owner": 200,
    "stranger": 403,
    "consumer": 403,
    "other_consumer": 403,
    "anonymous": 403,
    "official": 403,
}


@pytest.mark.parametrize("who", PERSONAS)
def test_only_the_producers_staff_change_a_listing(who, persona, client_of, oranges):
    response = client_of(persona(who)).patch(f"/api/v1/listings/{oranges.pk}/", {"price_vnd": 1000}, format="json")
    assert response.status_code == EDIT_LISTING[who]
    assert Listing.objects.get(pk=oranges.pk).price_vnd == (1000 if EDIT_LISTING[who] == 200 else 35_000)


def test_a_producer_lists_only_its_own_products(client_of, owner, other_producer, producer):
    product = f.make_product(producer, "Cam sành loại 1")
    foreign = f.make_product(other_producer, "Chè búp")
    client = client_of(owner)
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


def test_a_bad_listing_value_is_a_400_naming_the_field(client_of, owner, oranges):
    response = client_of(owner).patch(
        f"/api/v1/listings/{oranges.pk}/", {"min_per_order": 5, "max_per_order": 2}, format="json"
    )
    assert response.status_code == 400
    assert "max_per_order" in response.json()["error"]["fields"]


@pytest.fixture
def retailer(retailer, shop):
    shop.staff.add(retailer)
    return retailer


DECLARE = {"retailer": 200, "owner": 403, "consumer": 403, "anonymous": 403, "official": 403}


@pytest.mark.parametrize("who", list(DECLARE))
def test_only_the_shops_staff_declare_its_stock(who, persona, retailer, client_of, shop, oranges):
    user = retailer if who == "retailer" else persona(who)
    body = {"items": [{"product": oranges.product_id, "in_stock": True}]}
    response = client_of(user).put(f"/api/v1/retail-points/{shop.pk}/stock/", body, format="json")
    assert response.status_code == DECLARE[who]
    assert RetailStock.objects.filter(retail_point=shop).exists() == (DECLARE[who] == 200)


AUTHORISE = {"owner": 200, "stranger": 403, "consumer": 403, "anonymous": 403, "official": 403}


@pytest.mark.parametrize("who", list(AUTHORISE))
def test_only_the_products_producer_authorises_a_reseller(who, persona, client_of, shop, oranges, retailer):
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


PAGES = {"owner": 200, "stranger": 404, "consumer": 403, "anonymous": 302, "official": 403}


@pytest.mark.parametrize("who", list(PAGES))
def test_the_order_desk_page_of_an_order_is_the_producers_only(who, persona, client, order):
    user = persona(who)
    if user is not None:
        client.force_login(user)
    assert client.get(f"/ban-hang/don-hang/{order.pk}/").status_code == PAGES[who]
