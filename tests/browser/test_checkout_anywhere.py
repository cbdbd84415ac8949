"""A buyer in Hà Nội orders Hà Giang oranges home: province first, then the commune typed (we hold no list)."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from geo.models import AdminUnit
from marketplace.models import Order
from tests.browser.test_find_shop import block_the_outside_world
from tests.marketplace import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_buyer_chooses_the_province_then_a_listed_or_typed_commune(page, live_server):
    area = f.make_map()
    hanoi = AdminUnit.objects.create(
        level="province", code="01", name="Thành phố Hà Nội", valid_from=datetime.date(2025, 7, 1)
    )
    coop = f.make_producer(commune=area["viet_quang"])
    oranges = f.make_listing(f.make_product(coop, "Cam sành Bắc Quang"))
    profile = f.make_terms(coop, areas=[area["province"]], fee=30_000)
    profile.nationwide_fee_vnd = 45_000
    profile.save()
    block_the_outside_world(page, live_server)

    page.goto(f"/san-pham/{oranges.pk}/")
    page.locator("[data-add-to-cart]").click()
    page.locator("[data-checkout]").click()
    page.locator('input[name="delivery_method"][value="home"]').check()

    province = page.locator('select[name="province"]')
    commune_list = page.locator("[data-commune-list]")
    expect(commune_list).to_be_hidden()  # province first
    province.select_option(str(area["province"].pk))
    expect(commune_list).to_be_visible()
    visible = page.locator('select[name="commune"] option:not([disabled])')
    assert sorted(visible.all_inner_texts()) == sorted(["Chọn xã/phường", "Xã Việt Quang", "Xã Vĩnh Tuy"])

    province.select_option(str(hanoi.pk))
    expect(commune_list).to_be_hidden()
    page.locator('input[name="commune_name"]').fill("Phường Ba Đình")
    page.locator('input[name="address"]').fill("Số 1 Hoàng Diệu")
    page.locator('input[name="contact_name"]').fill("Trần Thị Bình")
    page.locator('input[name="phone"]').fill("0987 654 321")
    page.locator('input[name="email"]').fill("binh@example.test")
    page.locator('input[name="payment_method"][value="cod"]').check()
    page.locator("[data-place-order]").click()

    expect(page.locator("[data-order-status]")).to_be_visible()
    order = Order.objects.get()
    assert (order.province, order.commune_name, order.delivery_fee_vnd) == (hanoi, "Phường Ba Đình", 45_000)
    expect(page.locator(".order-facts")).to_contain_text("Số 1 Hoàng Diệu, Phường Ba Đình, Thành phố Hà Nội")
