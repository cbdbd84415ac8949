"""Paying by transfer on the phone that shows the order: copy each detail, read the holder's name whole."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from marketplace.models import Cart, SellerProfile
from marketplace.services import checkout_place
from tests.browser.test_find_shop import block_the_outside_world
from tests.marketplace import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOLDER = "HOP TAC XA NONG NGHIEP DICH VU TONG HOP CAM SANH VINH TUY BAC QUANG"

# For each word of the element's text: the number of line boxes it is drawn on (2 = cut across lines).
WORD_LINES_JS = """
(element) => {
  const node = element.firstChild;
  const lines = [];
  let start = 0;
  for (const word of node.textContent.split(" ")) {
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, start + word.length);
    const tops = new Set([...range.getClientRects()].map((box) => Math.round(box.top)));
    lines.push([word, tops.size]);
    start += word.length + 1;
  }
  return lines;
}
"""


def transfer_order():
    area = f.make_map()
    coop = f.make_producer(commune=area["viet_quang"])
    product = f.make_product(coop, "Cam sành Bắc Quang")
    f.make_terms(coop, areas=[area["province"]], fee=30_000)
    SellerProfile.objects.filter(producer=coop).update(bank_account_name=HOLDER)
    listing = f.make_listing(product, price_vnd=35_000, stock=10)
    cart = Cart.objects.create()
    cart.items.create(listing=listing, quantity=2)
    return checkout_place(
        cart=cart,
        buyer=None,
        token=uuid.uuid4(),
        contact_name="Trần Thị Bình",
        phone="0987654321",
        email="binh@example.test",
        delivery_method="home",
        commune=area["viet_quang"],
        address="Số 12, thôn Tân Thành",
        payment_method="transfer",
    ).orders[0]


def test_a_buyer_copies_the_transfer_details_on_a_phone(page, live_server):
    order = transfer_order()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    block_the_outside_world(page, live_server)
    page.goto(f"/don-hang/{order.token}/")

    holder = page.locator('[data-pay="holder"]')
    expect(holder).to_have_text(HOLDER)
    assert all(lines == 1 for _word, lines in holder.evaluate(WORD_LINES_JS)), holder.evaluate(WORD_LINES_JS)
    assert holder.evaluate("(e) => e.scrollWidth <= e.clientWidth && getComputedStyle(e).textOverflow !== 'ellipsis'")
    box = holder.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390

    account = page.locator('[data-pay="account"] + button')
    account.click()
    expect(account).to_have_text("Đã sao chép")
    assert page.evaluate("navigator.clipboard.readText()") == f.BANK_ACCOUNT
    page.locator('[data-pay="amount"] + button').click()
    assert page.evaluate("navigator.clipboard.readText()") == str(order.total_vnd)
    page.locator('[data-pay="reference"] + button').click()
    assert page.evaluate("navigator.clipboard.readText()") == order.reference
    expect(page.locator("[data-copy-status]")).to_have_text(f"Đã sao chép: {order.reference}")

    save = page.locator("[data-save-qr]")
    with page.expect_download() as download:
        save.click()
    assert download.value.suggested_filename == f"VietQR-{order.reference}.png"


def test_without_javascript_the_details_are_plain_text(browser, live_server):
    order = transfer_order()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", base_url=live_server.url, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(f"/don-hang/{order.token}/")
        expect(page.locator('[data-pay="account"]')).to_have_text(f.BANK_ACCOUNT)
        expect(page.locator('[data-pay="reference"]')).to_have_text(order.reference)
        expect(page.locator("button.copy").first).to_be_hidden()
    finally:
        context.close()
