"""Home delivery to any province of Viet Nam: the buyer picks the province, then a commune we hold or its
typed name; the seller delivers to chosen provinces or communes at one fee, and elsewhere at another."""

from __future__ import annotations

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.db import connection

from geo.models import AdminUnit
from marketplace.models import Order, SellerProfile
from tests.marketplace import factories as f
from tests.marketplace.test_pages import checkout_form

REFORM = datetime.date(2025, 7, 1)


@pytest.fixture
def hanoi(db):
    """A 2025 province we hold no commune list for (as all but Tuyên Quang in the loaded data)."""
    return AdminUnit.objects.create(level="province", code="01", name="Thành phố Hà Nội", valid_from=REFORM)


def terms(producer, *, areas, fee=30_000, nationwide=None, free_from=None):
    SellerProfile.objects.filter(producer=producer).delete()
    profile = f.make_terms(producer, areas=areas, fee=fee, free_from=free_from)
    profile.nationwide_fee_vnd = nationwide
    profile.save()
    return profile


def home(client, **fields) -> dict:
    return checkout_form(client, delivery_method="home", address="Số 1 Hoàng Diệu", payment_method="cod", **fields)


def test_a_buyer_in_a_province_without_our_commune_list_types_the_commune(client, producer, oranges, area, hanoi):
    terms(producer, areas=[area["province"]], fee=30_000, nationwide=45_000)
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 2})

    response = client.post("/thanh-toan/", home(client, province=hanoi.pk, commune_name="Phường  Ba Đình "))

    assert response.status_code == 302, response.context["form"].errors
    order = Order.objects.get()
    assert (order.province, order.commune, order.commune_name) == (hanoi, None, "Phường Ba Đình")
    assert order.delivery_fee_vnd == 45_000  # elsewhere in Viet Nam
    page = client.get(response.url).content.decode()
    assert "Số 1 Hoàng Diệu, Phường Ba Đình, Thành phố Hà Nội" in page


def test_inside_the_sellers_areas_the_areas_fee_applies(client, producer, oranges, area, hanoi):
    terms(producer, areas=[area["province"]], fee=30_000, nationwide=45_000)
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 2})
    response = client.post("/thanh-toan/", home(client, province=area["province"].pk, commune=area["viet_quang"].pk))
    assert response.status_code == 302, response.context["form"].errors
    order = Order.objects.get()
    assert (order.province, order.commune, order.delivery_fee_vnd) == (area["province"], area["viet_quang"], 30_000)


def test_the_free_delivery_threshold_covers_the_fee_elsewhere_too(client, producer, oranges, area, hanoi):
    terms(producer, areas=[], nationwide=45_000, free_from=100_000)
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 3})  # 105.000 đ
    client.post("/thanh-toan/", home(client, province=hanoi.pk, commune_name="Phường Ba Đình"))
    assert Order.objects.get().delivery_fee_vnd == 0


def test_a_seller_delivering_to_chosen_provinces_refuses_the_others(
    client_of, consumer, producer, oranges, area, hanoi
):
    terms(producer, areas=[hanoi], fee=50_000)
    client = client_of(consumer)
    client.post("/api/v1/cart/items/", {"listing": oranges.pk, "quantity": 1}, format="json")

    response = client.post("/api/v1/checkout/", f.home_checkout(area["viet_quang"]), format="json")
    assert response.status_code == 400
    assert "không giao hàng đến Xã Việt Quang" in response.json()["error"]["fields"]["commune"][0]
    body = {
        **f.home_checkout(area["viet_quang"]),
        "commune": None,
        "province": area["province"].pk,
        "commune_name": "X",
    }
    response = client.post("/api/v1/checkout/", body, format="json")
    assert "không giao hàng đến Tuyên Quang" in response.json()["error"]["fields"]["province"][0]
    assert not Order.objects.exists()

    body = {**f.home_checkout(hanoi), "commune": None, "province": hanoi.pk, "commune_name": "Phường Hoàn Kiếm"}
    response = client.post("/api/v1/checkout/", body, format="json")
    assert response.status_code == 201, response.content
    assert Order.objects.get().delivery_fee_vnd == 50_000


def test_the_checkout_offers_the_provinces_the_cart_is_delivered_to(client, producer, oranges, area, hanoi):
    terms(producer, areas=[area["viet_quang"]])
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 1})
    page = client.get("/thanh-toan/").content.decode()
    province_select = re.search(r'<select name="province".*?</select>', page, re.S).group(0)
    assert f'value="{area["province"].pk}"' in province_select and f'value="{hanoi.pk}"' not in province_select
    commune_select = re.search(r'<select name="commune".*?</select>', page, re.S).group(0)
    assert f'<option value="{area["viet_quang"].pk}" data-province="{area["province"].pk}">' in commune_select
    assert f'value="{area["vinh_tuy"].pk}"' not in commune_select

    terms(producer, areas=[area["viet_quang"]], nationwide=60_000)
    province_select = re.search(
        r'<select name="province".*?</select>', client.get("/thanh-toan/").content.decode(), re.S
    )
    assert f'value="{hanoi.pk}"' in province_select.group(0)
    assert f'value="{area["old_province"].pk}"' not in province_select.group(0)  # abolished in 2025


def test_a_commune_outside_the_chosen_province_is_refused(client_of, consumer, producer, oranges, area, hanoi):
    terms(producer, areas=[], nationwide=45_000)
    client = client_of(consumer)
    client.post("/api/v1/cart/items/", {"listing": oranges.pk, "quantity": 1}, format="json")
    response = client.post("/api/v1/checkout/", f.home_checkout(area["viet_quang"], province=hanoi.pk), format="json")
    assert response.status_code == 400
    assert "commune" in response.json()["error"]["fields"]
    assert not Order.objects.exists()


def test_a_province_without_a_commune_is_refused(client_of, consumer, producer, oranges, area, hanoi):
    terms(producer, areas=[], nationwide=45_000)
    client = client_of(consumer)
    client.post("/api/v1/cart/items/", {"listing": oranges.pk, "quantity": 1}, format="json")
    body = {**f.home_checkout(area["viet_quang"]), "commune": None, "province": hanoi.pk}
    response = client.post("/api/v1/checkout/", body, format="json")
    assert response.status_code == 400
    assert "commune" in response.json()["error"]["fields"]


def test_a_seller_with_communes_in_a_province_asks_for_one_of_them(client_of, consumer, producer, oranges, area):
    terms(producer, areas=[area["viet_quang"]])
    client = client_of(consumer)
    client.post("/api/v1/cart/items/", {"listing": oranges.pk, "quantity": 1}, format="json")
    body = {
        **f.home_checkout(area["viet_quang"]),
        "commune": None,
        "province": area["province"].pk,
        "commune_name": "Xã Lạ",
    }
    response = client.post("/api/v1/checkout/", body, format="json")
    assert response.status_code == 400
    assert "commune" in response.json()["error"]["fields"]


def test_the_api_takes_a_province_and_a_typed_commune(client_of, consumer, producer, oranges, hanoi):
    terms(producer, areas=[], nationwide=45_000)
    client = client_of(consumer)
    client.post("/api/v1/cart/items/", {"listing": oranges.pk, "quantity": 1}, format="json")
    body = {**f.home_checkout(hanoi), "commune": None, "province": hanoi.pk, "commune_name": "Phường Ba Đình"}
    response = client.post("/api/v1/checkout/", body, format="json")
    assert response.status_code == 201, response.content
    [order] = response.json()["orders"]
    assert (order["province"], order["commune"], order["commune_name"]) == (hanoi.pk, None, "Phường Ba Đình")
    assert order["delivery_address"] == "Số 12, thôn Tân Thành, Phường Ba Đình, Thành phố Hà Nội"
    assert order["delivery_fee_vnd"] == 45_000


def test_a_commune_alone_still_gives_its_province(client_of, consumer, oranges, area):
    client = client_of(consumer)
    client.post("/api/v1/cart/items/", {"listing": oranges.pk, "quantity": 1}, format="json")
    response = client.post("/api/v1/checkout/", f.home_checkout(area["viet_quang"]), format="json")
    assert response.status_code == 201, response.content
    assert Order.objects.get().province == area["province"]


def test_the_seller_delivers_to_whole_provinces_and_elsewhere_at_another_fee(client, owner, producer, area, hanoi):
    client.force_login(owner)
    page = client.get("/ban-hang/cai-dat/").content.decode()
    assert re.search(rf'<optgroup label="Cả tỉnh">\s*<option value="{hanoi.pk}">Thành phố Hà Nội</option>', page)
    response = client.post(
        "/ban-hang/cai-dat/",
        {
            "delivery_areas": [hanoi.pk, area["viet_quang"].pk],
            "delivery_fee_vnd": "30000",
            "nationwide_fee_vnd": "55000",
        },
    )
    assert response.status_code == 302
    profile = SellerProfile.objects.get(producer=producer)
    assert set(profile.delivery_areas.all()) == {hanoi, area["viet_quang"]}
    assert (profile.delivery_fee_vnd, profile.nationwide_fee_vnd) == (30_000, 55_000)


def test_orders_placed_before_provinces_were_asked_get_their_communes_province(client, oranges, area):
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 1})
    client.post("/thanh-toan/", home(client, commune=area["viet_quang"].pk))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:  # as stored before migration 0004 (the test rolls it back)
        editor.remove_constraint(Order, next(c for c in Order._meta.constraints if c.name == "order_delivery_complete"))
    Order.objects.update(province=None)
    migration = importlib.import_module("marketplace.migrations.0004_delivery_anywhere_in_viet_nam")
    migration.province_of_home_orders(apps, None)
    assert Order.objects.get().province == area["province"]
