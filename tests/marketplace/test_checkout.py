"""Checkout through the API: one order per producer, server-side totals, delivery rules, the idempotent retry."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from marketplace.models import Listing, Order
from marketplace.vietqr import parse_emv
from tests.marketplace import factories as f


def add(client, listing, quantity):
    response = client.post("/api/v1/cart/items/", {"listing": listing.pk, "quantity": quantity}, format="json")
    assert response.status_code == 200, response.content
    return response


def test_an_anonymous_buyer_checks_out_for_pickup_and_gets_a_secret_link(client_of, oranges, shop, producer):
    client = client_of()
    add(client, oranges, 3)

    response = client.post("/api/v1/checkout/", f.pickup_checkout(shop, producer), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    [order] = body["orders"]
    assert order["status"] == "placed"
    assert order["total_vnd"] == 3 * 35_000
    assert order["delivery_fee_vnd"] == 0
    assert order["pickup_point"] == shop.pk
    assert client_of().get(body["links"][0]).status_code == 200
    assert Listing.objects.get(pk=oranges.pk).stock == 97
    assert client.get("/api/v1/cart/").json()["items"] == []


def test_a_cart_with_two_producers_becomes_two_orders(
    client_of, consumer, oranges, tea, shop, producer, other_producer
):
    client = client_of(consumer)
    add(client, oranges, 2)
    add(client, tea, 1)
    body = f.pickup_checkout(shop, producer, pickup_points={str(producer.pk): shop.pk, str(other_producer.pk): shop.pk})

    response = client.post("/api/v1/checkout/", body, format="json")

    assert response.status_code == 201, response.content
    orders = response.json()["orders"]
    assert sorted((o["producer"]["id"], o["total_vnd"]) for o in orders) == sorted(
        [(producer.pk, 70_000), (other_producer.pk, 120_000)]
    )
    assert Order.objects.filter(buyer=consumer).count() == 2


def test_a_tampered_request_cannot_change_prices_fees_or_totals(client_of, consumer, oranges, area):
    client = client_of(consumer)
    client.post(
        "/api/v1/cart/items/",
        {"listing": oranges.pk, "quantity": 4, "price_vnd": 1, "unit_price_vnd": 1, "line_total_vnd": 4},
        format="json",
    )
    body = f.home_checkout(
        area["viet_quang"], total_vnd=1, subtotal_vnd=1, delivery_fee_vnd=0, price_vnd=1, payment_method="cod"
    )

    response = client.post("/api/v1/checkout/", body, format="json")

    assert response.status_code == 201, response.content
    [order] = response.json()["orders"]
    assert order["lines"][0]["unit_price_vnd"] == 35_000
    assert order["subtotal_vnd"] == 140_000
    assert order["delivery_fee_vnd"] == 30_000  # below the 500,000 đ free-delivery threshold
    assert order["total_vnd"] == 170_000


def test_delivery_is_free_from_the_producers_threshold(client_of, consumer, oranges, area):
    client = client_of(consumer)
    add(client, oranges, 15)  # 525,000 đ
    response = client.post("/api/v1/checkout/", f.home_checkout(area["viet_quang"]), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["orders"][0]["delivery_fee_vnd"] == 0


def test_a_price_change_after_adding_to_the_cart_is_charged_at_the_current_price(
    client_of, consumer, oranges, shop, producer
):
    client = client_of(consumer)
    add(client, oranges, 1)
    Listing.objects.filter(pk=oranges.pk).update(price_vnd=40_000)
    response = client.post("/api/v1/checkout/", f.pickup_checkout(shop, producer), format="json")
    assert response.json()["orders"][0]["total_vnd"] == 40_000


def test_the_same_checkout_token_returns_the_same_order(client_of, consumer, oranges, shop, producer):
    client = client_of(consumer)
    add(client, oranges, 2)
    body = f.pickup_checkout(shop, producer)

    first = client.post("/api/v1/checkout/", body, format="json")
    add(client, oranges, 1)  # the cart changes between the two submits: the retry still answers the first
    again = client.post("/api/v1/checkout/", body, format="json")

    assert first.status_code == 201 and again.status_code == 200
    assert [o["id"] for o in again.json()["orders"]] == [o["id"] for o in first.json()["orders"]]
    assert Order.objects.count() == 1
    assert Listing.objects.get(pk=oranges.pk).stock == 98


def test_someone_elses_checkout_token_reveals_nothing(client_of, consumer, other_consumer, oranges, shop, producer):
    client = client_of(consumer)
    add(client, oranges, 2)
    body = f.pickup_checkout(shop, producer)
    client.post("/api/v1/checkout/", body, format="json")

    stranger = client_of(other_consumer)
    add(stranger, oranges, 1)
    response = stranger.post("/api/v1/checkout/", body, format="json")

    assert response.status_code == 400
    assert "checkout_token" in response.json()["error"]["fields"]


def test_home_delivery_outside_the_producers_area_is_refused_naming_the_commune(client_of, consumer, tea, area):
    client = client_of(consumer)
    add(client, tea, 1)
    response = client.post("/api/v1/checkout/", f.home_checkout(area["vinh_tuy"]), format="json")
    assert response.status_code == 400
    assert "commune" in response.json()["error"]["fields"]
    assert Order.objects.count() == 0
    assert Listing.objects.get(pk=tea.pk).stock == 50


def test_an_abolished_commune_is_refused(client_of, consumer, oranges, area):
    client = client_of(consumer)
    add(client, oranges, 1)
    response = client.post("/api/v1/checkout/", f.home_checkout(area["old_commune"]), format="json")
    assert response.status_code == 400
    assert "commune" in response.json()["error"]["fields"]


def test_a_pickup_point_the_producer_does_not_offer_is_refused(client_of, consumer, oranges, producer):
    other_shop = f.make_shop("Sạp chợ Vĩnh Tuy", 22.27, 104.88)
    client = client_of(consumer)
    add(client, oranges, 1)
    response = client.post("/api/v1/checkout/", f.pickup_checkout(other_shop, producer), format="json")
    assert response.status_code == 400
    assert f"pickup_points.{producer.pk}" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phone": "12"}, "phone"),
        ({"contact_name": "  "}, "contact_name"),
        ({"delivery_method": "drone"}, "delivery_method"),
        ({"payment_method": "bitcoin"}, "payment_method"),
        ({"checkout_token": "not-a-uuid"}, "checkout_token"),
        ({"lat": 95, "lng": 104.8}, "lat"),
        ({"email": ""}, "email"),  # anonymous buyers need it to receive their link
    ],
)
def test_bad_checkout_input_is_a_400_naming_the_field(client_of, oranges, shop, producer, change, field):
    client = client_of()
    add(client, oranges, 1)
    response = client.post("/api/v1/checkout/", f.pickup_checkout(shop, producer, **change), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_more_than_the_stock_is_refused_naming_the_product(client_of, consumer, oranges, shop, producer):
    client = client_of(consumer)
    add(client, oranges, 5)
    Listing.objects.filter(pk=oranges.pk).update(stock=3)
    response = client.post("/api/v1/checkout/", f.pickup_checkout(shop, producer), format="json")
    assert response.status_code == 400
    assert "chỉ còn 3" in response.json()["error"]["fields"]["items"][0]  # Vietnamese first
    english = client.post(
        "/api/v1/checkout/", f.pickup_checkout(shop, producer), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "only 3 left" in english.json()["error"]["fields"]["items"][0]


def test_adding_more_than_the_maximum_per_order_is_refused(client_of, oranges):
    Listing.objects.filter(pk=oranges.pk).update(max_per_order=10)
    response = client_of().post("/api/v1/cart/items/", {"listing": oranges.pk, "quantity": 11}, format="json")
    assert response.status_code == 400
    assert "quantity" in response.json()["error"]["fields"]


def test_a_listing_of_a_suspended_producer_cannot_be_bought(client_of, oranges, producer):
    producer.status = "suspended"
    producer.save()
    response = client_of().post("/api/v1/cart/items/", {"listing": oranges.pk, "quantity": 1}, format="json")
    assert response.status_code == 400
    assert "listing" in response.json()["error"]["fields"]


def test_a_bank_transfer_order_carries_a_valid_vietqr_code(client_of, consumer, oranges, area):
    client = client_of(consumer)
    add(client, oranges, 2)
    response = client.post("/api/v1/checkout/", f.home_checkout(area["viet_quang"]), format="json")
    [order] = response.json()["orders"]

    fields = parse_emv(order["vietqr_payload"])  # raises if the CRC is wrong

    assert fields["00"] == "01"
    assert fields["01"] == "12"  # dynamic: one payment of this amount
    assert fields["38"]["00"] == "A000000727"
    assert fields["38"]["01"] == {"00": f.BANK_BIN, "01": f.BANK_ACCOUNT}
    assert fields["38"]["02"] == "QRIBFTTA"
    assert fields["53"] == "704"
    assert fields["54"] == str(order["total_vnd"]) == "100000"
    assert fields["58"] == "VN"
    assert fields["62"]["08"] == order["reference"]


def test_a_tampered_vietqr_payload_fails_its_crc(client_of, consumer, oranges, area):
    client = client_of(consumer)
    add(client, oranges, 2)
    payload = client.post("/api/v1/checkout/", f.home_checkout(area["viet_quang"]), format="json").json()["orders"][0][
        "vietqr_payload"
    ]
    tampered = payload.replace("5406100000", "540510000")
    with translation.override("en"), pytest.raises(ValueError, match="checksum"):
        parse_emv(tampered)


def test_transfers_are_refused_when_the_producer_has_no_bank_account(client_of, consumer, oranges, area, producer):
    producer.seller_profile.bank_bin = ""
    producer.seller_profile.bank_account = ""
    producer.seller_profile.save()
    client = client_of(consumer)
    add(client, oranges, 1)
    response = client.post("/api/v1/checkout/", f.home_checkout(area["viet_quang"]), format="json")
    assert response.status_code == 400
    assert "payment_method" in response.json()["error"]["fields"]


@pytest.mark.django_db(transaction=True)  # the worker closes the connection between tasks
def test_buyer_and_producer_are_emailed_by_the_worker_when_an_order_is_placed(
    client_of, consumer, owner, oranges, shop, producer
):
    client = client_of(consumer)
    add(client, oranges, 1)
    mail.outbox.clear()
    response = client.post("/api/v1/checkout/", f.pickup_checkout(shop, producer), format="json")
    reference = response.json()["orders"][0]["reference"]
    assert mail.outbox == []  # not in the request: the background worker sends them
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(["binh@example.test", owner.email, producer.email])
    buyer_mail = next(m for m in mail.outbox if m.to == ["binh@example.test"])
    assert reference in buyer_mail.subject
    assert "/don-hang/" in buyer_mail.body


def test_the_anonymous_cart_joins_the_users_cart_at_login(client, consumer, oranges, tea):
    from tests.conftest import PASSWORD

    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 2})
    client.post("/gio-hang/them/", {"listing": tea.pk, "quantity": 1})
    from marketplace.models import Cart

    mine = Cart.objects.create(owner=consumer)
    mine.items.create(listing=oranges, quantity=1)

    response = client.post("/accounts/login/", {"username": consumer.username, "password": PASSWORD})

    assert response.status_code == 302
    quantities = dict(Cart.objects.get(owner=consumer).items.values_list("listing_id", "quantity"))
    assert quantities == {oranges.pk: 3, tea.pk: 1}
    assert Cart.objects.filter(owner__isnull=True).count() == 0
