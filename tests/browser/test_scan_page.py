"""A consumer at phone size: open a demo stamp, see "genuine", the map and the journey, confirm the PIN,
open it again and see that it was already confirmed."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.gis.geos import MultiPolygon
from playwright.sync_api import expect

from backend import roles
from geo.models import AdminUnit, GrowingRegion, ProductKind
from tests.browser.test_find_shop import block_the_outside_world
from tests.conftest import make_user
from tests.geo.pages_data import ensure_product_kinds
from tests.tracing.conftest import square
from tracing.demo import stamps_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def demo_stamps():
    ensure_product_kinds()
    AdminUnit.objects.create(level="commune", code="00688", name="Phường Hà Giang 1")
    GrowingRegion.objects.create(
        name="Vùng cam sành Bắc Quang",
        product_kind=ProductKind.objects.get(code="orange"),
        boundary=MultiPolygon(square(104.75, 22.40, 0.25), srid=4326),
        boundary_source="test",
    )
    official = make_user("official", roles.OFFICIAL)
    producer = make_user("producer", roles.PRODUCER_STAFF)
    return stamps_demo(official=official, producer_user=producer, count=6, activate=4)


def test_a_consumer_checks_a_stamp_confirms_the_pin_and_is_warned_the_next_time(page, live_server):
    stamps = demo_stamps()
    genuine = next(s for s in stamps if s["status"] == "activated")
    path = urlsplit(genuine["url"]).path
    block_the_outside_world(page, live_server)

    page.goto(path)
    verdict = page.locator("[data-verdict]")
    expect(verdict).to_have_attribute("data-verdict", "genuine")
    expect(verdict.locator(".verdict-word")).to_have_text(re.compile("Hàng chính hãng|Genuine product"))
    expect(page.locator("h1")).to_contain_text("Cam sành Bắc Quang")
    expect(page.locator("[data-journey] li")).to_have_count(3)
    expect(page.locator("#origin-map")).to_be_visible()
    expect(page.locator("#origin-map .leaflet-interactive")).to_have_count(2)  # the region and the producer

    page.locator("#id_pin").fill(genuine["pin"])
    page.locator(".pin-form button[type=submit]").click()
    expect(page.locator("[data-confirmed]")).to_have_attribute("data-confirmed", "yes")

    page.goto(path)
    expect(page.locator("[data-already-confirmed]")).to_be_visible()
    expect(page.locator(".pin-form")).to_have_count(0)
