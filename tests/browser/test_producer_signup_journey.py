"""From the producers' guide to a sent application, on a phone: sign up, apply, correct a mistake without
choosing the logo and the certificate scan again."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from backend.roles import roles_sync_permissions
from geo.models import AdminUnit
from tests.browser.test_find_shop import block_the_outside_world
from tests.tracing.conftest import png_bytes, valid_tax_number
from tests.tracing.media import minimal_pdf
from tracing.models import Producer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_producer_signs_up_from_the_guide_and_a_mistake_keeps_the_chosen_files(page, live_server, settings):
    roles_sync_permissions()
    province = AdminUnit.objects.create(
        level="province", code="08", name="Tuyên Quang", valid_from=datetime.date(2025, 7, 1)
    )
    AdminUnit.objects.create(level="commune", code="02635", name="Xã Việt Quang", parent=province)
    block_the_outside_world(page, live_server)

    page.goto("/huong-dan-tem/")
    page.locator("[data-apply]").click()
    page.locator('input[name="username"]').fill("htx.tanthanh")
    page.locator('input[name="email"]').fill("htx@example.test")
    page.locator('input[name="password1"]').fill("ha-giang-tea-2026")
    page.locator('input[name="password2"]').fill("ha-giang-tea-2026")
    page.locator('main button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/co-so/dang-ky/$"))

    page.locator('select[name="kind"]').select_option("cooperative")
    page.locator('input[name="name"]').fill("HTX Cam sành Tân Thành")
    page.locator('input[name="tax_number"]').fill("12345")  # the mistake
    page.locator('input[name="address"]').fill("Thôn Tân Thành")
    page.locator('select[name="commune"]').select_option(label="Xã Việt Quang, Tuyên Quang")
    page.locator("[data-pick-map]").nth(0).click(position={"x": 190, "y": 150})
    page.locator('input[name="representative"]').fill("Lê Thị Hoa")
    page.locator('input[name="phone"]').fill("0912 345 678")
    page.locator('input[name="logo"]').set_input_files(
        {"name": "logo-tan-thanh.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.locator('select[name="cert-scheme"]').select_option("vietgap")
    page.locator('input[name="cert-number"]').fill("VG-2025-12")
    page.locator('input[name="cert-issuer"]').fill("Trung tâm Chứng nhận Phù hợp")
    page.locator('input[name="cert-valid_from"]').fill("2025-01-01")
    page.locator('input[name="cert-document"]').set_input_files(
        {"name": "chung-nhan.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf()}
    )
    page.locator("[data-submit-application]").click()

    expect(page.locator('[data-held-file="logo"]')).to_contain_text("logo-tan-thanh.png")
    expect(page.locator('[data-held-file="cert-document"]')).to_contain_text("chung-nhan.pdf")
    page.locator('input[name="tax_number"]').fill(valid_tax_number())
    page.locator("[data-submit-application]").click()

    expect(page.locator("[data-producer-status]")).to_have_attribute("data-producer-status", "applied")
    producer = Producer.objects.get(name="HTX Cam sành Tân Thành")
    assert producer.logo
    assert producer.certificates.get().document
