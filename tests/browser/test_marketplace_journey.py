"""A buyer on a phone finds oranges, orders them for pickup at the nearest shop, and sees the producer confirm."""

from __future__ import annotations

import base64

import pytest
from django.utils import translation
from playwright.sync_api import expect

from backend.roles import roles_sync_permissions
from marketplace.models import Order
from marketplace.workflow import OrderStatus
from tests.conftest import PASSWORD
from tests.marketplace import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMPTY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
BUYER_POSITION = {"latitude": 22.4052, "longitude": 104.8204}  # in Việt Quang


def offline(page, live_server):
    """Map tiles and anything not served by us get an empty PNG: no network in tests."""
    page.route(
        lambda url: not url.startswith(live_server.url),
        lambda route: route.fulfill(status=200, content_type="image/png", body=EMPTY_PNG),
    )


def test_find_oranges_order_for_pickup_at_the_nearest_shop_and_see_the_producer_confirm(browser, live_server):
    roles_sync_permissions()  # transactional tests start without the role groups
    area = f.make_map()
    coop = f.make_producer(commune=area["viet_quang"])
    seller = f.make_staff("cam_viet_quang", coop)
    nearest = f.make_shop("Cửa hàng Cam Việt Quang", 22.4060, 104.8210)
    farther = f.make_shop("Sạp chợ Vĩnh Tuy", 22.2700, 104.8800)
    oranges = f.make_listing(f.make_product(coop, "Cam sành Bắc Quang"), pickup_points=[farther, nearest])
    beekeepers = f.make_producer("HTX Mật ong Mèo Vạc", commune=area["vinh_tuy"])
    f.make_listing(f.make_product(beekeepers, "Mật ong bạc hà", kind="honey"))

    buyer_context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="vi-VN",
        base_url=live_server.url,
        geolocation=BUYER_POSITION,
        permissions=["geolocation"],
    )
    buyer = buyer_context.new_page()
    buyer.set_default_timeout(15_000)
    offline(buyer, live_server)

    # Find oranges, typed without accents as on many phones.
    buyer.goto("/san-pham/")
    buyer.locator('input[name="q"]').fill("cam sanh")
    buyer.locator('.catalogue-filters button[type="submit"]').click()
    cards = buyer.locator("[data-listings] [data-listing]")
    expect(cards).to_have_count(1)
    cards.first.locator("a").click()

    # Add two kilos to the cart and check out.
    buyer.locator('input[name="quantity"]').fill("2")
    buyer.locator("[data-add-to-cart]").click()
    expect(buyer.locator(f'[data-cart-item="{oranges.pk}"]')).to_be_visible()
    buyer.locator("[data-checkout]").click()

    # Pickup at the nearest shop: "nearest first" sorts the shops by distance and picks the first.
    buyer.locator('input[name="delivery_method"][value="pickup"]').check()
    buyer.locator("[data-locate]").click()
    pickup = buyer.locator(f'input[name="pickup_{coop.pk}"]')
    expect(pickup.first).to_have_value(str(nearest.pk))
    expect(pickup.first).to_be_checked()
    buyer.locator('input[name="contact_name"]').fill("Trần Thị Bình")
    buyer.locator('input[name="phone"]').fill("0987 654 321")
    buyer.locator('input[name="email"]').fill("binh@example.test")
    buyer.locator('input[name="payment_method"][value="cod"]').check()
    buyer.locator("[data-place-order]").click()

    status = buyer.locator("[data-order-status]")
    expect(status).to_have_attribute("data-order-status", "placed")
    order = Order.objects.get()
    assert order.pickup_point_id == nearest.pk and order.total_vnd == 70_000
    order_url = buyer.url

    # The producer, on another phone, logs in and confirms from the order desk.
    producer_context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", base_url=live_server.url
    )
    producer = producer_context.new_page()
    producer.set_default_timeout(15_000)
    offline(producer, live_server)
    producer.goto("/accounts/login/?next=/ban-hang/don-hang/")
    producer.locator('input[name="username"]').fill(seller.username)
    producer.locator('input[name="password"]').fill(PASSWORD)
    producer.locator('main button[type="submit"]').click()
    producer.locator(f'[data-desk-order="{order.pk}"] a').click()
    producer.locator('[data-action="confirm"]').click()
    expect(producer.locator("[data-order-status]")).to_have_attribute("data-order-status", "confirmed")

    # The buyer sees "confirmed", in Vietnamese.
    with translation.override("vi"):
        confirmed = str(OrderStatus.CONFIRMED.label)
    buyer.goto(order_url)
    expect(status).to_have_attribute("data-order-status", "confirmed")
    expect(status).to_have_text(confirmed[:1].upper() + confirmed[1:])

    producer_context.close()
    buyer_context.close()
