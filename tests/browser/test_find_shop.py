"""Find a shop in a real phone-sized Chromium: type a place, see the nearest shops listed and mapped."""

import base64

import pytest
from playwright.sync_api import expect

from tests.geo.pages_data import make_bac_quang_shops, make_places

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMPTY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def block_the_outside_world(page, live_server):
    """Map tiles (and anything else not served by us) get an empty PNG: no network in tests."""
    page.route(
        lambda url: not url.startswith(live_server.url),
        lambda route: route.fulfill(status=200, content_type="image/png", body=EMPTY_PNG),
    )


def metres(label: str) -> float:
    """'850 m' / '9,7 km' (Vietnamese decimals) → metres."""
    number, unit = label.replace("\u00a0", " ").split(" ")
    value = float(number.replace(".", "").replace(",", "."))
    return value * 1000 if unit == "km" else value


def test_typing_bac_quang_lists_shops_by_distance_with_a_marker_each(page, live_server):
    make_places()
    make_bac_quang_shops()
    block_the_outside_world(page, live_server)

    page.goto("/cua-hang/")
    page.locator('input[name="q"]').fill("Bắc Quang")
    page.locator('.find-shop-form button[type="submit"]').click()

    items = page.locator("[data-shop-list] .shop")
    expect(items.first).to_be_visible()
    names = items.locator(".shop-name").all_inner_texts()
    assert names[0] == "Cam sành Việt Quang"
    assert "Cửa hàng chưa xác minh" not in names
    distances = [metres(text) for text in items.locator("[data-distance]").all_inner_texts()]
    assert len(distances) == len(names) == 4
    assert distances == sorted(distances)

    # The map, loaded after the list, shows one marker per listed shop.
    expect(page.locator("#shop-map")).to_be_visible()
    expect(page.locator("#shop-map .leaflet-marker-icon")).to_have_count(len(names))


def test_the_list_and_the_map_stay_in_step(page, live_server):
    make_places()
    shops = make_bac_quang_shops()
    block_the_outside_world(page, live_server)

    page.goto("/cua-hang/?q=bac+quang&product_kind=orange")
    expect(page.locator("#shop-map .leaflet-marker-icon")).to_have_count(2)

    # A marker selects its list item.
    first = page.locator(f"#shop-{shops['viet_quang'].pk}")
    second = page.locator(f"#shop-{shops['vinh_tuy'].pk}")
    page.locator('#shop-map .leaflet-marker-icon[title="Cam sành Việt Quang"]').click()
    expect(first).to_have_class("shop is-selected")
    expect(second).to_have_class("shop")

    # A list item's "show on map" button centres its marker and opens its popup.
    second.locator("[data-show-on-map]").click()
    expect(page.locator(".leaflet-popup-content", has_text="Sạp chợ Vĩnh Tuy")).to_be_visible()
    expect(second).to_have_class("shop is-selected")
    expect(first).to_have_class("shop")


def test_use_my_location_searches_around_the_browser_position(browser, live_server):
    make_places()
    make_bac_quang_shops()
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="vi-VN",
        base_url=live_server.url,
        geolocation={"latitude": 21.03, "longitude": 105.85},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        block_the_outside_world(page, live_server)
        page.goto("/cua-hang/")
        page.locator("[data-use-location]").click()
        page.wait_for_url("**/cua-hang/?*lat=21.03*")
        expect(page.locator("[data-shop-list] .shop .shop-name").first).to_have_text("Mật ong Hà Giang tại Hà Nội")
    finally:
        context.close()
