"""Units reserved at checkout (services/stock.py) come back whenever the placement is refused or the order ends."""

from __future__ import annotations

from marketplace.models import Cart, Checkout, Listing, Order
from marketplace.services import order_transition
from tests.marketplace import factories as f


def _stocks(*listings) -> list[int]:
    return [Listing.objects.get(pk=listing.pk).stock for listing in listings]


def test_a_refusal_after_the_units_are_reserved_takes_them_back_for_every_producer(
    client_of, consumer, oranges, tea, shop, producer, other_producer
):
    """The units are taken before the orders are priced; a producer refusing transfers undoes it all."""
    other_producer.seller_profile.bank_bin = ""
    other_producer.seller_profile.bank_account = ""
    other_producer.seller_profile.save()
    client = client_of(consumer)
    for listing, quantity in ((oranges, 3), (tea, 2)):
        response = client.post("/api/v1/cart/items/", {"listing": listing.pk, "quantity": quantity}, format="json")
        assert response.status_code == 200, response.content
    body = f.pickup_checkout(
        shop,
        producer,
        pickup_points={str(producer.pk): shop.pk, str(other_producer.pk): shop.pk},
        payment_method="transfer",
    )

    response = client.post("/api/v1/checkout/", body, format="json")

    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["payment_method"]
    assert _stocks(oranges, tea) == [100, 50]
    assert not Order.objects.exists()
    assert not Checkout.objects.exists()
    assert Cart.objects.get(owner=consumer).items.count() == 2


def test_cancelling_puts_back_exactly_the_units_each_line_reserved(
    client_of, consumer, owner, oranges, tea, shop, producer, other_producer
):
    client = client_of(consumer)
    for listing, quantity in ((oranges, 3), (tea, 2)):
        client.post("/api/v1/cart/items/", {"listing": listing.pk, "quantity": quantity}, format="json")
    body = f.pickup_checkout(shop, producer, pickup_points={str(producer.pk): shop.pk, str(other_producer.pk): shop.pk})
    assert client.post("/api/v1/checkout/", body, format="json").status_code == 201
    assert _stocks(oranges, tea) == [97, 48]

    order_transition(by=owner, order=Order.objects.get(producer=producer), action="cancel", reason="Hết hàng")

    assert _stocks(oranges, tea) == [100, 48]
