"""The officials' province map in a real Chromium: the default view (the map in force since July 2025)
fills polygons by the number of producers, with the legend's classes."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from backend import roles
from backend.roles import roles_sync_permissions
from tests.browser.test_find_shop import block_the_outside_world
from tests.conftest import PASSWORD
from tests.geo.pages_data import ensure_product_kinds
from tests.oversight import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLASS_COLOURS = ["#d9f0d3", "#a6dba0", "#5aae61", "#1b7837", "#00441b"]

# Filled polygons of the map's overlay: Leaflet's SVG paths drawn with straight segments (a circle marker
# is drawn with arcs), with their fill colour and opacity.
FILLED_POLYGONS = """() => Array.from(document.querySelectorAll("#province-map .leaflet-overlay-pane path"))
  .filter((path) => !/[aA]/.test(path.getAttribute("d") || "") && path.getAttribute("fill") !== "none")
  .map((path) => ({fill: path.getAttribute("fill"), opacity: Number(path.getAttribute("fill-opacity"))}))"""


def test_the_default_map_fills_polygons_by_producer_count_with_a_legend(page, live_server):
    ensure_product_kinds()
    for role in roles.ROLES:
        Group.objects.get_or_create(name=role)
    roles_sync_permissions()
    places = f.make_map()
    f.make_official("thanh.tra")
    for name, lat in (("HTX Cam sành Việt Quang", 22.41), ("HTX Cam Vĩnh Tuy", 22.35)):
        f.make_producer(name, commune=places["viet_quang_old"], lat=lat, lng=104.82)
    block_the_outside_world(page, live_server)
    page.goto("/accounts/login/?next=/giam-sat/ban-do/")
    page.locator('input[name="username"]').fill("thanh.tra")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('main button[type="submit"]').click()
    expect(page.locator('input[name="valid_on"][value="2025-07-01"]')).to_be_checked()
    expect(page.locator("[data-choropleth-total]")).to_have_attribute("data-choropleth-total", "2")

    expect(page.locator("[data-legend-class]")).to_have_count(1)
    polygons = page.evaluate(FILLED_POLYGONS)
    shaded = [polygon for polygon in polygons if polygon["fill"] in CLASS_COLOURS and polygon["opacity"] >= 0.5]
    assert shaded, f"no polygon filled by producer count on the default map: {polygons}"
    legend_swatch = page.locator("[data-legend-class] .swatch").evaluate("(node) => node.style.backgroundColor")
    assert legend_swatch  # the legend's class has its colour
    expect(page.locator("[data-choropleth-areas]")).to_have_count(1)
