"""Publication: the public list, open data that parses and carries only public fields, the embeddable widget."""

import csv
import io
import json

import pytest

from oversight.publication import PUBLIC_FIELDS
from tests.oversight import factories as f
from tracing.models import Producer

pytestmark = pytest.mark.django_db

# A household business's owner: their name, phone, email and Zalo are personal data (tracing.disclosure).
PERSONAL_VALUES = ("Lò Văn Chứ", "0987654321", "pao.nha@example.test", "0987650000")


@pytest.fixture
def participants(places, producer, owner, other_producer):
    product = f.make_product(owner, producer, "orange")
    f.make_certificate(owner, producer, scheme="vietgap", number="VG-9", products=[product])
    f.make_area(owner, producer, name="Vườn", hectare_square_at=(104.82, 22.41, 0.001))
    household = f.make_producer(
        "Hộ Lò Văn Páo",
        commune=places["viet_quang_old"],
        lat=22.412345,
        lng=104.823456,
        kind_of=Producer.Kind.HOUSEHOLD,
        tax_number="001234567890",  # a personal identification number
        address="Nhà riêng, thôn Tân Thành",
    )
    Producer.objects.filter(pk=household.pk).update(
        representative="Lò Văn Chứ", phone="0987654321", email="pao.nha@example.test", zalo="0987650000"
    )
    f.make_product(f.make_staff("pao", household), household, "honey", name="Mật ong bạc hà")
    hidden = f.make_producer("HTX Đang Chờ", commune=places["viet_quang_old"], lat=22.4, lng=104.8, status="applied")
    return {"coop": producer, "household": household, "hidden": hidden, "rival": other_producer}


def _no_personal_data(text: str):
    for value in PERSONAL_VALUES:
        assert value not in text


def test_open_data_json_parses_and_lists_approved_producers_with_public_fields_only(client, participants):
    response = client.get("/open-data/producers.json")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    body = json.loads(response.content)
    assert body["fields"] == list(PUBLIC_FIELDS)
    names = {item["name"] for item in body["producers"]}
    assert names == {"HTX Cam sành Việt Quang", "HTX Chè Phìn Hồ", "Hộ Lò Văn Páo"}
    for item in body["producers"]:
        assert tuple(item) == PUBLIC_FIELDS
    coop = next(item for item in body["producers"] if item["name"] == "HTX Cam sành Việt Quang")
    assert coop["certificates"][0]["number"] == "VG-9" and coop["product_kinds"] == ["orange"]
    assert coop["area_ha"] > 1
    household = next(item for item in body["producers"] if item["name"] == "Hộ Lò Văn Páo")
    assert household["tax_number"] == "" and household["address"] == ""
    assert (household["lat"], household["lng"]) == (22.41, 104.82)
    _no_personal_data(response.content.decode())
    assert "001234567890" not in response.content.decode()


def test_open_data_csv_parses_with_the_same_fields_and_rows(client, participants):
    response = client.get("/open-data/producers.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == PUBLIC_FIELDS
    assert len(rows) == 3
    _no_personal_data(response.content.decode())
    assert "001234567890" not in response.content.decode()


def test_open_data_geojson_is_built_by_postgis_and_rounds_households(client, participants):
    response = client.get("/open-data/producers.geojson")
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 3
    for feature in data["features"]:
        assert set(feature["properties"]) <= set(PUBLIC_FIELDS)
    household = next(ft for ft in data["features"] if ft["properties"]["name"] == "Hộ Lò Văn Páo")
    assert household["geometry"]["coordinates"] == [104.82, 22.41]
    assert household["properties"]["tax_number"] == "" and household["properties"]["address"] == ""
    coop = next(ft for ft in data["features"] if ft["properties"]["name"] == "HTX Cam sành Việt Quang")
    assert coop["geometry"]["coordinates"] == [104.82, 22.41]
    assert coop["properties"]["certificates"] == ["vietgap VG-9"]
    _no_personal_data(response.content.decode())
    assert "001234567890" not in response.content.decode()


def test_the_public_list_filters_and_prints_and_offers_the_widget(client, participants, places):
    page = client.get("/danh-sach-tham-gia/").content.decode()
    assert 'data-participant-count="3"' in page and "HTX Đang Chờ" not in page
    assert "/open-data/producers.csv" in page and "&lt;iframe" in page
    page = client.get("/danh-sach-tham-gia/", {"product_kind": "honey"}).content.decode()
    assert 'data-participant-count="1"' in page and "Hộ Lò Văn Páo" in page
    page = client.get("/danh-sach-tham-gia/", {"unit": places["vi_xuyen"].pk}).content.decode()
    assert 'data-participant-count="1"' in page and "HTX Chè Phìn Hồ" in page


def test_only_the_widget_may_be_framed_by_other_sites(client, participants):
    widget = client.get("/open-data/widget/")
    assert widget.status_code == 200 and "X-Frame-Options" not in widget
    assert "HTX Cam sành Việt Quang" in widget.content.decode()
    assert client.get("/danh-sach-tham-gia/")["X-Frame-Options"] == "DENY"


def test_the_open_data_csv_does_not_let_a_producer_name_run_as_a_formula(client, places):
    hostile = "=cmd|' /C calc'!A0"
    f.make_producer(hostile, commune=places["viet_quang_old"], lat=22.41, lng=104.82, website="https://a.example")
    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/producers.csv").content.decode("utf-8-sig"))))
    assert [row["name"] for row in rows] == ["'" + hostile]
