"""Shipping an order names its carrier and tracking number: the buyer reads them on the order page,
in the shipping email and in the API."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from marketplace.models import Order
from marketplace.notifications import send_order_emails
from marketplace.services import order_transition
from marketplace.workflow import OrderStatus
from tests.marketplace.test_order_workflow import force_status, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(oranges, area, consumer):
    order = place(oranges, buyer=consumer, delivery="home", commune=area["viet_quang"])
    return force_status(order, OrderStatus.CONFIRMED)


def test_the_seller_ships_with_a_tracking_number_the_buyer_reads_on_the_page_and_in_the_email(
    client, confirmed, owner, consumer
):
    client.force_login(owner)
    desk = client.get(f"/ban-hang/don-hang/{confirmed.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'name="carrier"' in desk and 'name="tracking_number"' in desk and "Mã vận đơn" in desk
    response = client.post(
        f"/ban-hang/don-hang/{confirmed.pk}/ship/", {"carrier": "viettel_post", "tracking_number": " vtp 1234-5678 "}
    )
    assert response.status_code == 302
    order = Order.objects.get(pk=confirmed.pk)
    assert (order.status, order.carrier, order.tracking_number) == ("shipped", "viettel_post", "VTP1234-5678")

    client.force_login(consumer)
    page = client.get(f"/don-hang/{order.token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Viettel Post" in page and "VTP1234-5678" in page and "Shipped with" in page
    vi = client.get(f"/don-hang/{order.token}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Gửi qua" in vi and "mã vận đơn" in vi

    mail.outbox.clear()
    send_order_emails(order.history.get(action="ship").pk)
    to_buyer = next(m for m in mail.outbox if m.to == [order.email])
    assert "VTP1234-5678" in to_buyer.body and "Viettel Post" in to_buyer.body and "mã vận đơn" in to_buyer.body


@pytest.mark.parametrize(
    ("carrier", "number", "message"),
    [
        ("ghn", "", "tracking number"),
        ("ghn", "GHN<script>", "letters, digits or hyphens"),
        ("ghn", "12345", "letters, digits or hyphens"),
        ("ghn", "A" * 31, "letters, digits or hyphens"),
        ("", "GHN123456", "Choose the carrier"),
        ("dhl-moon", "GHN123456", "Select a valid choice"),
    ],
)
def test_a_bad_tracking_number_is_refused_with_a_message_and_the_order_stays(
    client, confirmed, owner, carrier, number, message
):
    client.force_login(owner)
    response = client.post(
        f"/ban-hang/don-hang/{confirmed.pk}/ship/",
        {"carrier": carrier, "tracking_number": number},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert message in response.content.decode()
    order = Order.objects.get(pk=confirmed.pk)
    assert (order.status, order.carrier, order.tracking_number) == ("confirmed", "", "")


def test_own_delivery_needs_no_number_and_another_producer_cannot_ship(client, confirmed, owner, stranger):
    client.force_login(stranger)
    refused = client.post(f"/ban-hang/don-hang/{confirmed.pk}/ship/", {"carrier": "own"})
    assert refused.status_code in (403, 404)
    assert Order.objects.get(pk=confirmed.pk).status == "confirmed"
    client.force_login(owner)
    client.post(f"/ban-hang/don-hang/{confirmed.pk}/ship/", {"carrier": "own"})
    order = Order.objects.get(pk=confirmed.pk)
    assert (order.status, order.carrier, order.tracking_number) == ("shipped", "own", "")


def test_the_api_ships_with_a_tracking_number_and_shows_it(client_of, confirmed, owner, consumer):
    api = client_of(owner)
    bad = api.post(f"/api/v1/orders/{confirmed.pk}/ship/", {"carrier": "ghtk", "tracking_number": "x"}, format="json")
    assert bad.status_code == 400 and "tracking_number" in bad.json()["error"]["fields"]
    ok = api.post(
        f"/api/v1/orders/{confirmed.pk}/ship/", {"carrier": "ghtk", "tracking_number": "S123456.7"}, format="json"
    )
    assert ok.status_code == 400  # a dot is not part of any carrier's numbers
    ok = api.post(
        f"/api/v1/orders/{confirmed.pk}/ship/", {"carrier": "ghtk", "tracking_number": "s1234567"}, format="json"
    )
    assert ok.status_code == 200
    body = client_of(consumer).get(f"/api/v1/orders/{confirmed.pk}/").json()
    assert (body["status"], body["carrier"], body["carrier_label"], body["tracking_number"]) == (
        "shipped",
        "ghtk",
        "GHTK",
        "S1234567",
    )


def test_only_shipping_takes_a_carrier(confirmed, owner):
    from marketplace.workflow import shipping_details

    with pytest.raises(ValidationError):
        order_transition(by=owner, order=confirmed, action="cancel", reason="Hết hàng", carrier="ghn")
    assert shipping_details("", "") == ("", "")
