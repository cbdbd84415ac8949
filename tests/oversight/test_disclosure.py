"""What is public about a producer is one definition (tracing.disclosure), and every public channel — the API,
the pages and open data — shows exactly that: an organisation's public facts, never a household owner's
personal data, never what only the staff and officials see."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from oversight.publication import PUBLIC_FIELDS
from tests.oversight import factories as f
from tests.tracing.conftest import upload
from tests.tracing.media import minimal_pdf
from tracing import disclosure, services
from tracing.api.producer_serializers import API_SPELLING, PUBLIC_KEYS
from tracing.models import Producer

pytestmark = pytest.mark.django_db

HOUSEHOLD = {
    "tax_number": "001234567890",  # the owner's personal identification number
    "address": "Nhà riêng số 7 thôn Tân Thành",
    "representative": "Lò Văn Páo",
    "phone": "0987654321",
    "email": "pao.nha@example.test",
    "zalo": "0987650000",
}
COOPERATIVE = {
    "tax_number": "0101234567",
    "address": "Tổ 3 đường Cầu Treo",
    "representative": "Nguyễn Thị Lành",
    "phone": "0912000111",
    "email": "htx.vietquang@example.test",
    "zalo": "0912000222",
    "website": "https://htx-vietquang.example",
    "description_vi": "Hợp tác xã trồng cam sành từ năm 1998.",
}
# What is never public, whoever the producer: the staff, an area's note, a certificate's scan.
PRIVATE = ("nhanvien_noibo", "Ghi chú nội bộ về vườn", "/media/certificates/")


@pytest.fixture
def world(places, official):
    coop = f.make_producer("HTX Cam sành Việt Quang", commune=places["viet_quang_old"], lat=22.4187654, lng=104.8198765)
    Producer.objects.filter(pk=coop.pk).update(**COOPERATIVE)
    household = f.make_producer(
        "Hộ kinh doanh Mật ong Páo",
        commune=places["viet_quang_old"],
        lat=22.4123456,
        lng=104.8234567,
        kind_of=Producer.Kind.HOUSEHOLD,
        tax_number=HOUSEHOLD["tax_number"],
        address=HOUSEHOLD["address"],
    )
    Producer.objects.filter(pk=household.pk).update(**{k: v for k, v in HOUSEHOLD.items() if k != "tax_number"})
    result = {"official": official}
    for key, producer in (("coop", coop), ("household", household)):
        producer.refresh_from_db()
        staff = f.make_staff("nhanvien_noibo" if key == "household" else "lan", producer)
        product = f.make_product(staff, producer, "honey", name=f"Mật ong {key}")
        corner = (104.8211111, 22.4311111) if key == "household" else (104.8611111, 22.4611111)
        area = f.make_area(staff, producer, name=f"Vườn {key}", hectare_square_at=(*corner, 0.001))
        services.production_area_update(by=staff, area=area, note="Ghi chú nội bộ về vườn")
        services.certificate_add(
            by=staff,
            producer=producer,
            scheme="vietgap",
            number=f"VG-{key}",
            issuer="Chi cục Trồng trọt",
            valid_from=timezone.localdate() - datetime.timedelta(days=10),
            document=upload("giay-chung-nhan.pdf", minimal_pdf(), "application/pdf"),
        )
        batch = f.make_batch(staff, product, lot=f"LO-{key}", production_area=area)
        stamp = f.issue_and_activate(official, staff, batch, 1)[0]
        result[key] = {"producer": producer, "staff": staff, "product": product, "batch": batch, "stamp": stamp}
    return result


def public_channels(world) -> dict[str, str]:
    """Every public place a producer appears, as an anonymous visitor reads it."""
    urls = {}
    for key in ("coop", "household"):
        w = world[key]
        producer = w["producer"]
        urls |= {
            f"api producer {key}": f"/api/v1/producers/{producer.pk}/",
            f"api areas {key}": f"/api/v1/production-areas/?producer={producer.pk}",
            f"api certificates {key}": f"/api/v1/certificates/?producer={producer.pk}",
            f"page {key}": f"/nha-san-xuat/{producer.pk}/",
            f"product page {key}": f"/nha-san-xuat/san-pham/{w['product'].pk}/",
            f"batch page {key}": f"/nha-san-xuat/lo/{w['batch'].pk}/",
            f"scan page {key}": f"/t/{w['stamp'].serial}",
            f"scan map {key}": f"/t/{w['stamp'].serial}/nguon-goc.geojson",
        }
    return urls | {
        "api list": "/api/v1/producers/",
        "participants list": "/nha-san-xuat/",
        "province map": "/nha-san-xuat/ban-do.geojson",
        "participants page": "/danh-sach-tham-gia/",
        "widget": "/open-data/widget/",
        "open data csv": "/open-data/producers.csv",
        "open data json": "/open-data/producers.json",
        "open data geojson": "/open-data/producers.geojson",
    }


def read(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def as_text(body: str) -> str:
    """JSON escapes non-ASCII letters: compare with them decoded."""
    return body.encode().decode("unicode_escape", errors="ignore") if "\\u" in body else body


def test_no_public_channel_shows_a_household_owners_personal_data_or_its_exact_position(client, world):
    for channel, url in public_channels(world).items():
        body = read(client, url)
        text = as_text(body)
        for field, value in HOUSEHOLD.items():
            assert value not in text, f"{channel} shows the household's {field}"
        for exact in ("22.4123", "104.8234", "22.431", "104.821"):  # the home and the fields, to the metre
            assert exact not in body, f"{channel} shows a household position more precise than 0.01°"


@pytest.mark.parametrize("private", PRIVATE)
def test_no_public_channel_shows_what_only_staff_and_officials_see(client, world, private):
    for channel, url in public_channels(world).items():
        assert private not in as_text(read(client, url)), f"{channel} shows {private!r}"


def _api_facts(keys) -> set[str]:
    spelled = {key: fact for fact, keys_of in API_SPELLING.items() for key in keys_of}
    return {spelled.get(key, key) for key in keys} - {"certificates"}


def test_api_pages_and_open_data_expose_exactly_the_one_list_of_public_facts(client, world):
    facts = set(disclosure.PRODUCER_FIELDS)
    # The API: the public keys spell the facts, and an anonymous reader gets exactly those keys.
    assert _api_facts(PUBLIC_KEYS) == facts
    detail = client.get(f"/api/v1/producers/{world['coop']['producer'].pk}/").json()
    assert tuple(detail) == PUBLIC_KEYS
    # Open data: every file has the facts (the position as lat/lng) and what the producer grows and holds.
    open_facts = (
        set(PUBLIC_FIELDS) - {"lat", "lng", "url", "product_kinds", "products", "certificates", "area_ha"}
    ) | {"location"}
    assert open_facts == facts
    json_body = client.get("/open-data/producers.json").json()
    assert json_body["fields"] == list(PUBLIC_FIELDS)
    assert all(tuple(item) == PUBLIC_FIELDS for item in json_body["producers"])
    geojson = client.get("/open-data/producers.geojson").json()
    assert all(set(feature["properties"]) == set(PUBLIC_FIELDS) - {"lat", "lng"} for feature in geojson["features"])
    # Every channel shows every public fact of an organisation.
    coop = world["coop"]["producer"]
    for channel in ("/open-data/producers.json", "/open-data/producers.csv", "/open-data/producers.geojson"):
        body = as_text(read(client, channel))
        for field, value in COOPERATIVE.items():
            assert value in body, f"{channel} lacks the cooperative's {field}"
    for field, value in COOPERATIVE.items():
        assert detail[field] == value
    page = read(client, f"/nha-san-xuat/{coop.pk}/")
    facts_html = re.search(r"<dl class=\"facts\" data-public-facts>.*?</dl>", page, re.S).group(0)
    for field, value in COOPERATIVE.items():
        if field != "description_vi":
            assert value in facts_html, f"the page lacks the cooperative's {field}"
    assert COOPERATIVE["description_vi"] in page and "Việt Quang" in facts_html and "Bắc Quang" in facts_html
    assert "22.41877" in page and "104.81988" in page  # its position, to the metre, on the map


def test_a_household_business_is_published_with_its_public_facts_only(client, world):
    household = world["household"]["producer"]
    detail = client.get(f"/api/v1/producers/{household.pk}/").json()
    assert tuple(detail) == PUBLIC_KEYS
    assert {field: detail[field] for field in disclosure.ORGANISATION_ONLY} == dict.fromkeys(
        disclosure.ORGANISATION_ONLY, ""
    )
    assert detail["location"]["coordinates"] == [104.82, 22.41]
    record = next(p for p in client.get("/open-data/producers.json").json()["producers"] if p["id"] == household.pk)
    assert {field: record[field] for field in disclosure.ORGANISATION_ONLY} == dict.fromkeys(
        disclosure.ORGANISATION_ONLY, ""
    )
    assert (record["lat"], record["lng"]) == (22.41, 104.82)
    assert record["name"] == detail["name"] == "Hộ kinh doanh Mật ong Páo"
    areas = client.get(f"/api/v1/production-areas/?producer={household.pk}").json()["results"]
    assert [set(area) for area in areas] == [set(disclosure.AREA_FIELDS)]
    assert areas[0]["boundary"] is None and areas[0]["location"]["coordinates"] == [104.82, 22.43]


def test_the_producers_own_staff_and_officials_still_read_the_whole_record(world):
    household = world["household"]["producer"]
    for reader in (world["household"]["staff"], world["official"]):
        client = APIClient()
        client.force_authenticate(reader)
        detail = client.get(f"/api/v1/producers/{household.pk}/").json()
        assert (detail["phone"], detail["tax_number"]) == (HOUSEHOLD["phone"], HOUSEHOLD["tax_number"])
        area = client.get(f"/api/v1/production-areas/?producer={household.pk}").json()["results"][0]
        assert area["note"] == "Ghi chú nội bộ về vườn" and area["boundary"] is not None
        certificate = client.get(f"/api/v1/certificates/?producer={household.pk}").json()["results"][0]
        assert certificate["document"]
    stranger = APIClient()
    stranger.force_authenticate(world["coop"]["staff"])  # another producer's staff is the public here
    assert stranger.get(f"/api/v1/producers/{household.pk}/").json()["phone"] == ""
