"""A consumer at phone size: open a stamp `make run` prints, see "genuine", the map and the journey, confirm
the PIN, open it again and see that it was already confirmed."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from demo.build import province_build
from demo.producers import accounts_ensure
from geo.loading import load_geography
from tests.browser.test_find_shop import block_the_outside_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def demo_stamps():
    """The demo province, as `manage.py seed_demo` builds it; the stamps it prints."""
    accounts_ensure()
    load_geography()
    return province_build().stamps


def test_a_consumer_checks_a_stamp_confirms_the_pin_and_is_warned_the_next_time(page, live_server):
    stamps = demo_stamps()
    genuine = next(s for s in stamps if s.note == "genuine")
    path = urlsplit(genuine.url).path
    block_the_outside_world(page, live_server)

    page.goto(path)
    verdict = page.locator("[data-verdict]")
    expect(verdict).to_have_attribute("data-verdict", "genuine")
    expect(verdict.locator(".verdict-word")).to_have_text(re.compile("Hàng chính hãng|Genuine product"))
    expect(page.locator("h1")).to_contain_text("Cam sành Bắc Quang")
    expect(page.locator("[data-journey] li")).to_have_count(4)  # harvest, packing, shipping, received at a shop
    expect(page.locator("#origin-map")).to_be_visible()
    page.locator("#origin-map").scroll_into_view_if_needed()  # Leaflet is loaded when the map comes into view
    expect(page.locator("#origin-map .leaflet-interactive")).to_have_count(2)  # the region and the producer

    page.locator("#id_pin").fill(genuine.pin)
    page.locator(".pin-form button[type=submit]").click()
    expect(page.locator("[data-confirmed]")).to_have_attribute("data-confirmed", "yes")

    page.goto(path)
    expect(page.locator("[data-already-confirmed]")).to_be_visible()
    expect(page.locator(".pin-form")).to_have_count(0)
