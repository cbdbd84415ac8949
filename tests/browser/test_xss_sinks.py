"""Text that participants type reaches Leaflet's tooltips as text, never as HTML.

Leaflet's bindTooltip/bindPopup with a string set innerHTML; each test plants markup that would run
script, opens the tooltip the way a visitor does (hovering), and checks that the markup is shown as
text and that nothing ran.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_find_shop import block_the_outside_world
from tests.site_world import build_world, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '<img src=x onerror="window.__xss=1">'

#: Records script that the payload would run, before any script of the page.
WATCH = "window.__xss = 0;"


def planted(target: str):
    """The world's text, with the payload in the one field named `target`."""
    return lambda label: f"{label} {PAYLOAD}" if label == target else label


def assert_shown_as_text(tooltip, page) -> None:
    expect(tooltip).to_contain_text(PAYLOAD)
    assert tooltip.locator("img").count() == 0
    assert page.evaluate("window.__xss") == 0


def hover_until_tooltip(page, targets, tooltip):
    for index in range(targets.count()):
        targets.nth(index).dispatch_event("mouseover")
        if tooltip.count():
            return
    raise AssertionError("no tooltip opened")


def test_a_producer_name_is_text_in_the_scan_pages_origin_tooltip(page, live_server):
    world = build_world(text=planted("Tên HTX Cam sành Việt Quang"))
    block_the_outside_world(page, live_server)
    page.add_init_script(WATCH)

    page.goto(reverse("tracing:scan", args=[world["stamps"][0].serial]))
    page.locator("#origin-map").scroll_into_view_if_needed()  # Leaflet is loaded when the map comes into view
    markers = page.locator("#origin-map path.leaflet-interactive")
    expect(markers).to_have_count(2)  # the growing region and the producer
    tooltip = page.locator("#origin-map .leaflet-tooltip", has_text="Tên HTX")
    hover_until_tooltip(page, markers, tooltip)
    assert_shown_as_text(tooltip, page)


def test_the_typed_place_is_text_in_find_a_shops_origin_tooltip(page, live_server):
    build_world()
    block_the_outside_world(page, live_server)
    page.add_init_script(WATCH)

    page.goto(reverse("geo:find_shop") + "?" + f"q=Việt Quang {PAYLOAD}&lat=22.41&lng=104.82".replace(" ", "+"))
    origin = page.locator("#shop-map path.leaflet-interactive")
    expect(origin).to_have_count(1)
    tooltip = page.locator("#shop-map .leaflet-tooltip")
    hover_until_tooltip(page, origin, tooltip)
    assert_shown_as_text(tooltip, page)


def test_a_communes_name_is_text_in_the_officials_choropleth_tooltip(page, live_server):
    world = build_world(text=planted("Xã Việt Quang"))
    block_the_outside_world(page, live_server)
    page.add_init_script(WATCH)
    sign_in_browser(page.context, live_server.url, world, "official")

    page.goto(reverse("oversight:map"))
    expect(page.locator("#province-map")).to_have_attribute("data-producer-count", "2")
    units = page.locator("#province-map path.leaflet-interactive")
    tooltip = page.locator("#province-map .leaflet-tooltip", has_text="Xã Việt Quang")
    hover_until_tooltip(page, units, tooltip)
    assert_shown_as_text(tooltip, page)
