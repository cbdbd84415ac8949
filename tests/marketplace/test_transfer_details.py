"""A buyer paying on the phone that shows the code cannot scan it: every detail is on the page as text."""

from __future__ import annotations

import html
import re

from marketplace.models import Order
from tests.marketplace import factories as f
from tests.marketplace.test_pages import checkout_form


def pay_value(page: str, name: str) -> str:
    return html.unescape(re.search(rf'data-pay="{name}">(.*?)</span>', page).group(1))


def copy_values(page: str) -> list[str]:
    return [
        html.unescape(value) for value in re.findall(r'<button type="button" class="copy" data-copy="([^"]*)"', page)
    ]


def test_the_order_page_shows_each_transfer_detail_as_text_with_a_copy_button(client, oranges, area):
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 2})
    data = checkout_form(
        client, delivery_method="home", commune=area["viet_quang"].pk, address="Thôn 1", payment_method="transfer"
    )
    page = client.get(client.post("/thanh-toan/", data).url).content.decode()
    order = Order.objects.get()

    assert pay_value(page, "bank") == "Vietcombank — Ngân hàng TMCP Ngoại Thương Việt Nam"
    assert pay_value(page, "account") == f.BANK_ACCOUNT
    assert pay_value(page, "holder") == "HTX Cam sanh Viet Quang"
    assert pay_value(page, "amount").replace("\xa0", " ") == "100.000 ₫"  # 2 × 35.000 + 30.000 delivery
    assert pay_value(page, "reference") == order.reference
    assert copy_values(page) == ["Vietcombank", f.BANK_ACCOUNT, "HTX Cam sanh Viet Quang", "100000", order.reference]
    image = f"/don-hang/{order.token}/vietqr.png"
    assert f'href="{image}" download="VietQR-{order.reference}.png"' in page


def test_the_copy_buttons_need_no_inline_script(client, oranges, area):
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 1})
    data = checkout_form(
        client, delivery_method="home", commune=area["viet_quang"].pk, address="Thôn 1", payment_method="transfer"
    )
    page = client.get(client.post("/thanh-toan/", data).url).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts and all(re.search(r'\bsrc="', tag) for tag in scripts)
    assert '/static/marketplace/copy.js"' in page
    assert not re.search(r"\son[a-z]+=", page)
    # Without JavaScript the buttons stay hidden: the values are plain text.
    assert all(" hidden>" in tag for tag in re.findall(r'<button type="button" class="copy"[^>]*>', page))


def test_the_checkout_done_page_shows_how_to_pay_each_producers_order(client, oranges, tea, area):
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 2})
    client.post("/gio-hang/them/", {"listing": tea.pk, "quantity": 1})
    data = checkout_form(
        client, delivery_method="home", commune=area["viet_quang"].pk, address="Thôn 1", payment_method="transfer"
    )
    response = client.post("/thanh-toan/", data)
    assert response.url.startswith("/thanh-toan/xong/")
    page = client.get(response.url).content.decode()
    orders = list(Order.objects.order_by("pk"))
    assert len(orders) == 2
    for order in orders:
        assert f'data-transfer="{order.reference}"' in page
        assert f'download="VietQR-{order.reference}.png"' in page
    assert copy_values(page).count(f.BANK_ACCOUNT) == 2


def test_a_cash_order_shows_no_transfer(client, oranges, shop, producer):
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 1})
    page = client.get(client.post("/thanh-toan/", checkout_form(client, **{f"pickup_{producer.pk}": shop.pk})).url)
    assert "data-transfer" not in page.content.decode()
    assert "copy.js" not in page.content.decode()
