"""The pages: cart and checkout without JavaScript, the buyer's order page, the producer's order desk."""

from __future__ import annotations

import csv
import io
import re
import uuid

from django.utils import timezone

from marketplace.models import Listing, Order, RetailStock
from marketplace.services import order_transition
from tests.marketplace import factories as f


def checkout_form(client, **overrides) -> dict:
    page = client.get("/thanh-toan/").content.decode()
    token = re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)
    data = {
        "checkout_token": token,
        "contact_name": "Trần Thị Bình",
        "phone": "0987654321",
        "email": "binh@example.test",
        "delivery_method": "pickup",
        "payment_method": "cod",
    }
    data.update(overrides)
    return data


def test_a_buyer_orders_through_the_pages_and_follows_the_order(client, oranges, shop, producer, owner):
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 2})
    assert "Cam sành Bắc Quang" in client.get("/gio-hang/").content.decode()

    response = client.post("/thanh-toan/", checkout_form(client, **{f"pickup_{producer.pk}": shop.pk}))

    order = Order.objects.get()
    assert response.status_code == 302 and response.url == f"/don-hang/{order.token}/"
    page = client.get(response.url).content.decode()
    assert order.reference in page and 'data-order-status="placed"' in page
    order_transition(by=owner, order=order, action="confirm")
    assert 'data-order-status="confirmed"' in client.get(response.url).content.decode()


def test_a_repeated_form_submit_places_one_order(client, oranges, shop, producer):
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 2})
    data = checkout_form(client, **{f"pickup_{producer.pk}": shop.pk})
    first = client.post("/thanh-toan/", data)
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 1})
    second = client.post("/thanh-toan/", data)
    assert first.url == second.url
    assert Order.objects.count() == 1


def test_the_checkout_form_ignores_a_tampered_price(client, oranges, shop, producer):
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 2})
    data = checkout_form(client, total_vnd="1", price_vnd="1", **{f"pickup_{producer.pk}": shop.pk})
    client.post("/thanh-toan/", data)
    assert Order.objects.get().total_vnd == 70_000


def test_checkout_errors_are_shown_next_to_the_field(client, oranges, shop, producer):
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 2})
    response = client.post("/thanh-toan/", checkout_form(client, phone="123", **{f"pickup_{producer.pk}": shop.pk}))
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert Order.objects.count() == 0


def test_a_bank_transfer_order_page_shows_a_vietqr_image(client, oranges, area):
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 2})
    data = checkout_form(
        client, delivery_method="home", commune=area["viet_quang"].pk, address="Thôn 1", payment_method="transfer"
    )
    response = client.post("/thanh-toan/", data)
    order = Order.objects.get()
    assert "vietqr.png" in client.get(response.url).content.decode()
    image = client.get(f"/don-hang/{order.token}/vietqr.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"

    import zxingcpp
    from PIL import Image

    from marketplace.vietqr import parse_emv

    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.content)))
    assert parse_emv(decoded.text)["54"] == str(order.total_vnd)


def test_an_unknown_order_link_is_a_404(client, db):
    assert client.get("/don-hang/not-a-real-token/").status_code == 404


def test_the_anonymous_buyer_cancels_with_the_secret_link(client, oranges, shop, producer):
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 2})
    url = client.post("/thanh-toan/", checkout_form(client, **{f"pickup_{producer.pk}": shop.pk})).url
    client.post(url + "huy/", {"reason": "Đặt nhầm"})
    assert Order.objects.get().status == "cancelled"
    assert Listing.objects.get(pk=oranges.pk).stock == 100


def _place(listing, shop, *, quantity=1):
    from marketplace.models import Cart
    from marketplace.services import checkout_place

    cart = Cart.objects.create()
    cart.items.create(listing=listing, quantity=quantity)
    return checkout_place(
        cart=cart,
        buyer=None,
        token=uuid.uuid4(),
        contact_name='=HYPERLINK("http://evil")',
        phone="0987654321",
        email="x@example.test",
        delivery_method="pickup",
        pickup_points={listing.producer_id: shop},
        payment_method="cod",
    ).orders[0]


def test_the_desk_shows_new_orders_first_and_todays_totals(client, owner, oranges, shop):
    older = _place(oranges, shop, quantity=2)
    order_transition(by=owner, order=older, action="confirm")
    newer = _place(oranges, shop, quantity=3)
    client.force_login(owner)
    response = client.get("/ban-hang/don-hang/")
    ids = [int(x) for x in re.findall(r'data-desk-order="(\d+)"', response.content.decode())]
    assert ids == [newer.pk, older.pk]
    assert response.context["totals"]["orders"] == 2
    assert response.context["totals"]["total_vnd"] == 5 * 35_000


def test_the_desk_runs_the_steps_and_refuses_bad_ones_with_a_message(client, owner, oranges, shop):
    order = _place(oranges, shop)
    client.force_login(owner)
    client.post(f"/ban-hang/don-hang/{order.pk}/confirm/")
    client.post(f"/ban-hang/don-hang/{order.pk}/ready/")
    assert Order.objects.get(pk=order.pk).status == "ready_for_pickup"
    response = client.post(f"/ban-hang/don-hang/{order.pk}/confirm/", follow=True)
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"


def test_the_packing_list_is_a_pdf_with_vietnamese_text(client, owner, oranges, shop):
    order = _place(oranges, shop)
    order_transition(by=owner, order=order, action="confirm")
    client.force_login(owner)
    for url in (f"/ban-hang/don-hang/{order.pk}/phieu-dong-goi.pdf", "/ban-hang/don-hang/phieu-dong-goi.pdf"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF") and b"DejaVuSans" in response.content


def test_the_csv_export_lists_the_producers_orders_safely(client, owner, stranger, oranges, tea, shop):
    mine = _place(oranges, shop, quantity=2)
    _place(tea, shop)
    client.force_login(owner)
    response = client.get("/ban-hang/don-hang/xuat.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["reference"] for row in rows] == [mine.reference]
    assert rows[0]["total_vnd"] == "70000"
    assert rows[0]["contact_name"].startswith("'=")  # a spreadsheet will not run it as a formula
    assert rows[0]["placed_at"].startswith(timezone.localdate().isoformat())


def test_a_consumer_cannot_open_the_desk(client, consumer):
    client.force_login(consumer)
    assert client.get("/ban-hang/don-hang/").status_code == 403


def test_the_shops_staff_declare_stock_and_the_producer_authorises_it(client, shop, oranges, owner):
    from backend import roles
    from marketplace.models import RetailStock
    from tests.conftest import make_user

    keeper = make_user("keeper", roles.RETAILER_STAFF)
    shop.staff.add(keeper)
    client.force_login(keeper)
    client.post(
        f"/diem-ban/{shop.pk}/hang-hoa/", {f"carry_{oranges.product_id}": "on", f"stock_{oranges.product_id}": "on"}
    )
    row = RetailStock.objects.get(retail_point=shop)
    assert row.in_stock and not row.authorised and row.updated_by == keeper

    client.force_login(owner)
    client.post("/ban-hang/dai-ly/", {"row": row.pk, "authorised": "1"})
    row.refresh_from_db()
    assert row.authorised and row.authorised_by == owner


def test_the_product_page_shows_its_origin_and_nearest_pickup_points(client, oranges, shop):
    far = f.make_shop("Cửa hàng xa", 21.03, 105.85)
    oranges.pickup_points.add(far)
    page = client.get(f"/san-pham/{oranges.pk}/", {"lat": 22.40, "lng": 104.82}).content.decode()
    assert "HTX Cam sành Việt Quang" in page
    assert page.index("Cửa hàng Cam Việt Quang") < page.index("Cửa hàng xa")


def test_a_producer_puts_a_product_on_sale_through_the_page(client, owner, producer, shop):
    product = f.make_product(producer, "Cam sành hộp quà")
    RetailStock.objects.create(retail_point=shop, product=product, authorised=True)  # a pickup point it may offer
    client.force_login(owner)
    response = client.post(
        "/ban-hang/niem-yet/moi/",
        {
            "product": product.pk,
            "price_vnd": 250000,
            "unit": "box",
            "stock": 20,
            "min_per_order": 1,
            "home_delivery": "on",
            "pickup_points": [shop.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else None
    listing = Listing.objects.get(product=product)
    assert (listing.price_vnd, listing.stock, list(listing.pickup_points.all())) == (250000, 20, [shop])
