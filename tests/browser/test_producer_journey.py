"""A cooperative applies on a phone, an official surveys and approves it on another phone, then the
cooperative describes a product with a photo and a spoken clip that consumers find on its page."""

from __future__ import annotations

import base64
import datetime
import io
import re

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from PIL import Image
from playwright.sync_api import expect

from backend import roles
from backend.roles import roles_sync_permissions
from geo.models import AdminUnit, GrowingRegion, ProductKind
from tests.conftest import PASSWORD, make_user
from tests.tracing.conftest import valid_tax_number
from tests.tracing.media import mp3_silence
from tracing.models import Batch, FieldSurvey, Producer, Product, ProductionArea

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMPTY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
KINDS = {
    "orange": ("Cam sành", "King orange"),
    "tea": ("Chè Shan tuyết", "Shan tuyet tea"),
    "honey": ("Mật ong bạc hà", "Mint honey"),
}
SCRIPT_ERRORS: list[str] = []
OFFICIAL_POSITION = {"latitude": 22.4950, "longitude": 104.8670}  # at the cooperative, in Bắc Quang


def phone(browser, live_server, **options):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", base_url=live_server.url, **options
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda error: SCRIPT_ERRORS.append(f"{page.url}: {error}"))
    # Map tiles and anything not served by us get an empty PNG: no network in tests.
    page.route(
        lambda url: not url.startswith(live_server.url),
        lambda route: route.fulfill(status=200, content_type="image/png", body=EMPTY_PNG),
    )
    return context, page


def log_in(page, username: str, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('main button[type="submit"]').click()


def photo_png() -> bytes:
    image = Image.new("RGB", (640, 480), (230, 140, 30))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_cooperative_applies_is_surveyed_and_approved_then_publishes_a_product_with_photo_and_audio(
    browser, live_server
):
    roles_sync_permissions()  # transactional tests start without the role groups
    for code, (name_vi, name_en) in KINDS.items():
        ProductKind.objects.get_or_create(code=code, defaults={"name_vi": name_vi, "name_en": name_en})
    province = AdminUnit.objects.create(
        level="province", code="08", name="Tuyên Quang", valid_from=datetime.date(2025, 7, 1)
    )
    AdminUnit.objects.create(level="commune", code="02635", name="Xã Việt Quang", parent=province)
    GrowingRegion.objects.create(
        name="Vùng cam sành Bắc Quang",
        product_kind=ProductKind.objects.get(code="orange"),
        boundary=MultiPolygon(Polygon.from_bbox((104.6, 22.2, 105.2, 22.8)), srid=4326),
        boundary_source="test",
    )
    make_user("hoa", roles.CONSUMER)
    make_user("thanh", roles.OFFICIAL, is_staff=True)
    tax_number = valid_tax_number()

    # 1. Hoa applies for her cooperative on her phone: organisation, a pin on the map, a drawn area.
    coop_context, coop = phone(browser, live_server)
    log_in(coop, "hoa", "/co-so/dang-ky/")
    expect(coop).to_have_url(re.compile(r"/co-so/dang-ky/$"))
    coop.locator('select[name="kind"]').select_option("cooperative")
    coop.locator('input[name="name"]').fill("HTX Cam sành Việt Quang")
    coop.locator('input[name="tax_number"]').fill(tax_number)
    coop.locator('input[name="address"]').fill("Thôn Tân Thành")
    coop.locator('select[name="commune"]').select_option(label="Xã Việt Quang, Tuyên Quang")
    organisation_map = coop.locator("[data-pick-map]").nth(0)
    organisation_map.click(position={"x": 190, "y": 150})
    expect(coop.locator('input[name="lat"]')).not_to_have_value("")
    coop.locator('input[name="representative"]').fill("Lê Thị Hoa")
    coop.locator('input[name="phone"]').fill("0912 345 678")
    coop.locator('input[name="area-name"]').fill("Đồi cam Tân Thành")
    area_map = coop.locator("[data-pick-map]").nth(1)
    for x, y in [(150, 120), (250, 120), (250, 220), (150, 220)]:
        area_map.click(position={"x": x, "y": y})
    expect(coop.locator('input[name="area-boundary"]')).to_have_value(re.compile(r'"type":"Polygon"'))
    coop.locator('input[name="area-capacity_orange"]').fill("8000")
    coop.locator("[data-submit-application]").click()
    expect(coop.locator("[data-producer-status]")).to_have_attribute("data-producer-status", "applied")
    producer = Producer.objects.get(tax_number=tax_number)
    area = ProductionArea.objects.get(producer=producer)
    assert area.boundary is not None and area.area_ha > 0
    assert area.capacities.get().yearly_kg == 8000

    # 2. Thanh, an official, schedules the survey, records it on site with GPS and a photo, and approves.
    official_context, official = phone(browser, live_server, geolocation=OFFICIAL_POSITION, permissions=["geolocation"])
    log_in(official, "thanh", "/giam-sat/ho-so/")
    official.locator(f'[data-producer="{producer.pk}"] a').first.click()
    official.locator("[data-schedule-form] button[type=submit]").click()
    expect(official.locator("[data-producer-status]")).to_have_attribute("data-producer-status", "survey_scheduled")
    official.locator("[data-record-survey]").click()
    official.locator("[data-pick-gps]").click()
    expect(official.locator('input[name="lat"]')).to_have_value("22.495000")
    for check in ("identity_confirmed", "certificates_genuine", "areas_as_declared", "gap_practice_seen"):
        official.locator(f'input[name="{check}"][value="yes"]').check()
    official.locator('textarea[name="findings"]').fill("Đồi cam đúng như khai báo, ghi chép VietGAP đầy đủ.")
    official.locator('input[name="photos"]').set_input_files(
        [{"name": "doi-cam.png", "mimeType": "image/png", "buffer": photo_png()}]
    )
    official.locator("[data-save-survey]").click()
    expect(official.locator("[data-producer-status]")).to_have_attribute("data-producer-status", "surveyed")
    official.locator('textarea[name="reason"]').fill("Đủ điều kiện tham gia.")
    official.locator('[data-decision="approve"]').click()
    expect(official.locator("[data-producer-status]")).to_have_attribute("data-producer-status", "approved")
    survey = FieldSurvey.objects.get(producer=producer)
    assert survey.location.y == pytest.approx(22.495) and survey.photos.count() == 1

    # 3. Hoa sees the approval, adds a product with a photo and a recorded clip, and opens its public page.
    coop.goto("/co-so/")
    expect(coop.locator("[data-producer-status]")).to_have_attribute("data-producer-status", "approved")
    coop.locator("[data-new-product]").click()
    coop.locator('select[name="kind"]').select_option(label="Cam sành")
    coop.locator('input[name="name_vi"]').fill("Cam sành Việt Quang")
    coop.locator('input[name="name_en"]').fill("Viet Quang king oranges")
    coop.locator('textarea[name="description_vi"]').fill("Cam chín cây, vỏ xanh, ngọt đậm.")
    coop.locator('input[name="net_quantity"]').fill("5")
    coop.locator('input[name="photos"]').set_input_files(
        [{"name": "cam.png", "mimeType": "image/png", "buffer": photo_png()}]
    )
    coop.locator('input[name="audio"]').set_input_files(
        [{"name": "gioi-thieu.mp3", "mimeType": "audio/mpeg", "buffer": mp3_silence(4)}]
    )
    coop.locator("[data-save-product]").click()
    expect(coop.locator("[data-photos] img")).to_have_count(1)
    product = Product.objects.get(producer=producer)
    assert product.audio_content_type == "audio/mpeg"

    # 4. She records today's harvest as a batch and its first step, placed on the map.
    coop.goto(f"/co-so/lo/moi/?san-pham={product.pk}")
    coop.locator('input[name="lot_code"]').fill("CAM-VQ-01")
    coop.locator('input[name="quantity"]').fill("800")
    coop.locator("[data-batch-form] button[type=submit]").click()
    coop.locator('select[name="event_type"]').select_option("commissioning")
    coop.locator("[data-pick-map]").click(position={"x": 180, "y": 140})
    coop.locator('textarea[name="note"]').first.fill("Hái buổi sáng")
    coop.locator("[data-add-event]").click()
    expect(coop.locator("[data-journey] li[data-event]")).to_have_count(1)
    batch = Batch.objects.get(lot_code="CAM-VQ-01")
    assert batch.events.get().location is not None

    # 5. A consumer, not logged in, finds the product page with its photo, sound and verified producer.
    visitor_context, visitor = phone(browser, live_server)
    visitor.goto(f"/nha-san-xuat/san-pham/{product.pk}/")
    expect(visitor.locator("[data-product-name]")).to_have_text("Cam sành Việt Quang")
    expect(visitor.locator("[data-verified]")).to_be_visible()
    expect(visitor.locator("[data-product-photo]")).to_be_visible()
    audio = visitor.locator("audio[data-audio]")
    expect(audio).to_have_attribute("preload", "none")
    assert visitor.evaluate("document.querySelector('audio[data-audio] source').src").endswith(".mp3")
    expect(visitor.locator("[data-feature-map]")).to_be_visible()

    visitor.goto(f"/nha-san-xuat/lo/{batch.pk}/")
    expect(visitor.locator(".journey-step")).to_have_count(1)

    # 6. The approved cooperative is a layer of the province map.
    visitor.goto("/ban-do/")
    overlays = visitor.locator(".leaflet-control-layers-overlays label")
    expect(overlays.filter(has_text=re.compile("Producers|Nhà sản xuất"))).to_have_count(1)
    expect(visitor.locator("path.leaflet-interactive[fill='#f4c542']")).to_have_count(1)
    assert SCRIPT_ERRORS == []

    for context in (visitor_context, official_context, coop_context):
        context.close()
