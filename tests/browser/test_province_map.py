"""The province map in a real Chromium: regions drawn by product, legend, filters that re-query."""

import datetime

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from playwright.sync_api import expect

from geo.models import AdminUnit, GrowingRegion, ProductKind
from tests.browser.test_find_shop import block_the_outside_world
from tests.geo.pages_data import ensure_product_kinds, make_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def square(lng: float, lat: float, half: float) -> MultiPolygon:
    return MultiPolygon(
        Polygon(
            (
                (lng - half, lat - half),
                (lng + half, lat - half),
                (lng + half, lat + half),
                (lng - half, lat + half),
                (lng - half, lat - half),
            )
        ),
        srid=4326,
    )


def make_province_map_data():
    ensure_product_kinds()
    kinds = {kind.code: kind for kind in ProductKind.objects.all()}
    GrowingRegion.objects.create(
        name="Cam sành Bắc Quang",
        product_kind=kinds["orange"],
        boundary=square(104.85, 22.45, 0.08),
        boundary_source="Drawn around the communes of the geographical indication (test)",
        boundary_is_approximate=True,
    )
    GrowingRegion.objects.create(
        name="Chè Shan tuyết Hoàng Su Phì",
        product_kind=kinds["tea"],
        boundary=square(104.68, 22.74, 0.08),
        boundary_source="test",
        boundary_is_approximate=True,
    )
    GrowingRegion.objects.create(
        name="Mật ong bạc hà Đồng Văn",
        product_kind=kinds["honey"],
        boundary=square(105.3, 23.2, 0.1),
        boundary_source="test",
        boundary_is_approximate=True,
    )
    AdminUnit.objects.create(
        level="province",
        code="02",
        kind="Tỉnh",
        name="Hà Giang",
        boundary=square(104.98, 22.8, 0.6),
        valid_to=datetime.date(2025, 6, 30),
    )
    AdminUnit.objects.create(
        level="province",
        code="08",
        kind="Tỉnh",
        name="Tuyên Quang",
        boundary=square(105.0, 22.4, 1.0),
        valid_from=datetime.date(2025, 7, 1),
    )
    AdminUnit.objects.create(
        level="district",
        code="034",
        kind="Huyện",
        name="Bắc Quang",
        boundary=square(104.85, 22.45, 0.1),
        boundary_is_approximate=True,
        valid_to=datetime.date(2025, 6, 30),
    )
    # Far enough apart not to be clustered at the province's zoom.
    make_shop("Cam sành Việt Quang", 22.41509, 104.80682, ("orange",))
    make_shop("Chè Hoàng Su Phì", 22.74085, 104.67956, ("tea",))
    make_shop("Mật ong Đồng Văn", 23.27841, 105.36291, ("honey",))


def test_the_province_map_draws_regions_legend_and_filters_shops(page, live_server):
    make_province_map_data()
    block_the_outside_world(page, live_server)

    page.goto("/ban-do/")
    legend = page.locator(".map-legend")
    for name in ("Chè Shan tuyết", "Cam sành", "Mật ong bạc hà"):
        expect(legend).to_contain_text(name)

    # Three regions and one province outline are SVG paths; three shops are markers.
    expect(page.locator("#province-map path.leaflet-interactive")).to_have_count(4)
    markers = page.locator("#province-map .leaflet-marker-icon")
    expect(markers).to_have_count(3)

    page.locator('select[name="product_kind"]').select_option("honey")
    expect(markers).to_have_count(1)
    expect(page.locator('#province-map .leaflet-marker-icon[title="Mật ong Đồng Văn"]')).to_have_count(1)
    expect(page.locator("#province-map path.leaflet-interactive")).to_have_count(2)  # honey region + province

    page.locator('select[name="product_kind"]').select_option("")
    expect(markers).to_have_count(3)


def test_the_map_date_switches_between_the_old_and_the_merged_province(page, live_server):
    make_province_map_data()
    block_the_outside_world(page, live_server)

    page.goto("/ban-do/")
    unit = page.locator('select[name="unit"]')
    expect(unit.locator("option", has_text="Tuyên Quang")).to_have_count(1)
    expect(unit.locator("option", has_text="Hà Giang")).to_have_count(0)

    page.locator('input[name="valid_on"][value="2025-06-30"]').check()
    expect(unit.locator("option", has_text="Hà Giang")).to_have_count(1)
    expect(unit.locator("option", has_text="Tuyên Quang")).to_have_count(0)

    # Choosing a unit zooms to it and keeps only the shops inside it: the shop just north of the
    # district is in view but not in the district.
    make_shop("Cam sành ngoài huyện", 22.58, 104.85, ("orange",))
    unit.select_option(label="Bắc Quang")
    markers = page.locator("#province-map .leaflet-marker-icon")
    expect(markers).to_have_count(1)
    expect(markers.first).to_have_attribute("title", "Cam sành Việt Quang")


@pytest.mark.parametrize(
    ("language", "shown", "raw"), [("vi", "01/07/2025", "2025-07-01"), ("en", "Jul 1, 2025", "2025-07-01")]
)
def test_a_units_popup_gives_its_dates_as_the_language_writes_them(page, live_server, language, shown, raw):
    make_province_map_data()
    block_the_outside_world(page, live_server)
    page.context.add_cookies([{"name": "hg_language", "value": language, "url": live_server.url}])

    page.goto("/ban-do/")
    # Units are outlines: a click on the merged province's left edge (in the units' colour) opens its popup.
    outline = page.locator('#province-map path[stroke="#5c4b8a"]').first
    height = outline.bounding_box()["height"]
    outline.click(position={"x": 1, "y": height / 2})
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Tuyên Quang")
    expect(popup).to_contain_text(shown)
    expect(popup).not_to_contain_text(raw)
