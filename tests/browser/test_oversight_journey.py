"""An official, in a real Chromium: filters the province map to orange cooperatives in one district, opens a
producer's card and full file, then closes a counterfeit report from the work queue."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from backend import roles
from backend.roles import roles_sync_permissions
from oversight.models import AuditEntry, Case
from tests.browser.test_find_shop import block_the_outside_world
from tests.conftest import PASSWORD
from tests.geo.pages_data import ensure_product_kinds
from tests.oversight import factories as f
from tracing import services as tracing_services
from tracing.models import CounterfeitReport, Producer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    ensure_product_kinds()
    for role in roles.ROLES:
        Group.objects.get_or_create(name=role)
    roles_sync_permissions()
    places = f.make_map()
    official = f.make_official("thanh.tra")
    coop = f.make_producer("HTX Cam sành Việt Quang", commune=places["viet_quang_old"], lat=22.41, lng=104.82)
    staff = f.make_staff("lan", coop)
    product = f.make_product(staff, coop, "orange")
    second = f.make_producer("HTX Cam Vĩnh Tuy", commune=places["viet_quang_old"], lat=22.35, lng=104.90)
    f.make_product(f.make_staff("hoa", second), second, "orange", name="Cam Vĩnh Tuy")
    household = f.make_producer(
        "Hộ Cam Nà Khương", commune=places["viet_quang_old"], lat=22.45, lng=104.78, kind_of=Producer.Kind.HOUSEHOLD
    )
    f.make_product(f.make_staff("kha", household), household, "orange", name="Cam nhà")
    north = f.make_producer("HTX Cam Vị Xuyên", commune=places["vi_xuyen_commune"], lat=22.70, lng=104.85)
    f.make_product(f.make_staff("xuyen", north), north, "orange", name="Cam Vị Xuyên")
    tea = f.make_producer("HTX Chè Bắc Quang", commune=places["viet_quang_old"], lat=22.38, lng=104.75)
    f.make_product(f.make_staff("che", tea), tea, "tea", name="Chè xanh")
    batch = f.make_batch(staff, product, quantity="20")
    stamps = f.issue_and_activate(official, staff, batch, 2)
    report = tracing_services.report_create(serial=stamps[0].serial, note="Tem có vẻ in lại", shop="Chợ Việt Quang")
    return {"places": places, "official": official, "coop": coop, "report": report}


def test_an_official_filters_the_map_opens_a_producer_and_closes_a_counterfeit_report(page, live_server):
    world = _world()
    block_the_outside_world(page, live_server)
    page.goto("/accounts/login/?next=/giam-sat/ban-do/")
    page.locator('input[name="username"]').fill("thanh.tra")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('main button[type="submit"]').click()
    expect(page.locator("body.page-oversight-map #province-map")).to_be_visible()

    # Every producer shows first; then orange cooperatives of the Bắc Quang district only.
    the_map = page.locator("#province-map")
    expect(the_map).to_have_attribute("data-producer-count", "5")
    page.locator('input[name="valid_on"][value="2025-06-30"]').check()
    page.locator('select[name="product_kind"]').select_option("orange")
    page.locator('select[name="producer_kind"]').select_option("cooperative")
    bac_quang = str(world["places"]["bac_quang"].pk)
    expect(page.locator(f'select[name="unit"] option[value="{bac_quang}"]')).to_have_count(1)
    page.locator('select[name="unit"]').select_option(bac_quang)
    expect(the_map).to_have_attribute("data-producer-count", "2")
    # The map zooms to the district, where the two markers stand apart.
    expect(page.locator("[data-producer]")).to_have_count(2)
    # The choropleth counts the filtered producers per district, and the exports follow the filters.
    expect(page.locator("[data-choropleth-total]")).to_have_attribute("data-choropleth-total", "3")
    expect(page.locator('[data-export="csv"]')).to_have_attribute(
        "href",
        f"/giam-sat/ban-do/xuat.csv?product_kind=orange&producer_kind=cooperative&unit={bac_quang}&valid_on=2025-06-30",
    )

    # Open the cooperative's card, then its full file.
    page.locator(f'[data-producer="{world["coop"].pk}"]').click()
    card = page.locator("[data-producer-card]")
    expect(card).to_contain_text("HTX Cam sành Việt Quang")
    expect(card.locator('[data-card-figure="activated"]')).to_have_text("2")
    expect(card.locator("[data-card-reports] li")).to_have_count(1)
    card.locator("[data-open-file]").click()
    expect(page.locator("h1").first).to_have_text("HTX Cam sành Việt Quang")
    expect(page.locator('[data-figure="issued"]')).to_have_text("2")

    # The counterfeit report, from the work queue: take it up, then close it with an outcome.
    case = Case.objects.get(report=world["report"])
    page.goto("/giam-sat/viec/")
    page.locator(f'[data-case="{case.pk}"] a').click()
    page.locator("[data-investigate-form] button[type=submit]").click()
    expect(page.locator("[data-case-status]")).to_have_attribute("data-case-status", "investigating")
    page.locator('[data-close-form] select[name="outcome"]').select_option("counterfeit")
    page.locator('[data-close-form] textarea[name="note"]').fill("Tem giả, đã lập biên bản tại chợ Việt Quang")
    page.locator('[data-close-form] input[name="revoke"][value="code"]').check()  # and revoke the copied code
    page.locator("[data-close-form] button[type=submit]").click()
    expect(page.locator("[data-case-status]")).to_have_attribute("data-case-status", "closed")
    expect(page.locator("[data-outcome]")).to_have_attribute("data-outcome", "counterfeit")
    expect(page.locator("[data-stamp-status]")).to_have_attribute("data-stamp-status", "revoked")

    world["report"].refresh_from_db()
    assert world["report"].status == CounterfeitReport.Status.CLOSED
    assert AuditEntry.objects.filter(action="case.close", actor=world["official"]).count() == 1
    assert AuditEntry.objects.filter(action="stamps.revoke", actor=world["official"]).count() == 1

    # What a buyer scanning the copied code now reads.
    page.goto(f"/t/{world['report'].serial}")
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "revoked")
    expect(page.locator("[data-copy-confirmed]")).to_have_count(1)
    expect(page.locator("[data-warnings]")).to_contain_text("hàng giả")
