"""Public pages of producers, products and batches, through the Django client: who sees what, in vi and en."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from tests.conftest import make_user
from tests.tracing.conftest import BAC_QUANG, HA_GIANG, apply_as, approve
from tests.tracing.media import mp3_silence
from tracing import services

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}


def page(client, url, **headers):
    response = client.get(url, **headers)
    return response, response.content.decode()


@pytest.fixture
def shown(world, owner, official, orange_region):
    """The owner's approved cooperative with a product in a region, an expired certificate, audio and a journey."""
    producer, product, batch = world["producer"], world["product"], world["batch"]
    expired = services.certificate_add(
        by=owner,
        producer=producer,
        scheme="organic",
        number="ORG-OLD",
        issuer="Cục Trồng trọt",
        valid_from=datetime.date(2019, 1, 1),
        valid_to=datetime.date(2022, 1, 1),
    )
    services.product_update(
        by=owner,
        product=product,
        name_en="Bac Quang king oranges",
        description_vi="Cam sành chín cây.",
        description_en="Tree-ripened king oranges.",
        growing_region=orange_region,
        certificates=[world["certificate"], expired],
    )
    services.product_audio_set(by=owner, product=product, audio=_upload("clip.mp3", mp3_silence(2)))
    harvest = timezone.make_aware(datetime.datetime.combine(batch.harvest_started_on, datetime.time(7, 30)))
    services.batch_event_add(
        by=owner, batch=batch, event_type="commissioning", occurred_at=harvest, location=BAC_QUANG, note="Hái sáng"
    )
    services.batch_event_add(
        by=owner,
        batch=batch,
        event_type="packing",
        occurred_at=harvest + datetime.timedelta(hours=5),
        location=HA_GIANG,
    )
    return {**world, "expired": expired}


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize(("headers", "words"), [(VI, "Nhà sản xuất"), (EN, "Certificates")])
def test_the_product_page_shows_everything_a_consumer_needs_in_both_languages(client, shown, headers, words):
    product = shown["product"]
    response, html = page(client, f"/nha-san-xuat/san-pham/{product.pk}/", **headers)
    assert response.status_code == 200
    assert product.photos.first().image.url in html
    assert '<audio controls preload="none"' in html and product.audio.url in html
    assert "data-verified" in html
    assert "VG-1" in html and "ORG-OLD" in html
    assert "data-expired" in html.split("ORG-OLD")[1].split("</li>")[0]
    assert "region-map" in html and "Vùng cam sành Bắc Quang" in html
    assert "CAM-2025-01" in html
    if headers is EN:
        assert "Bac Quang king oranges" in html and "Tree-ripened king oranges." in html
    else:
        assert "Cam sành Bắc Quang" in html and "Cam sành chín cây." in html
    assert words in html or headers is VI


def test_the_product_page_map_carries_the_growing_region_polygon(client, shown):
    _response, html = page(client, f"/nha-san-xuat/san-pham/{shown['product'].pk}/")
    config = json.loads(html.split('<script id="region-map" type="application/json">')[1].split("</script>")[0])
    styles = [layer["style"] for layer in config["layers"]]
    assert styles == ["region", "producer"]
    assert config["layers"][0]["geojson"]["features"][0]["geometry"]["type"] == "MultiPolygon"


@pytest.mark.parametrize("headers", [VI, EN])
def test_the_producer_page_shows_organisation_certificates_products_and_areas(client, shown, headers):
    producer = shown["producer"]
    response, html = page(client, f"/nha-san-xuat/{producer.pk}/", **headers)
    assert response.status_code == 200
    assert producer.name in html and producer.representative in html
    assert "VG-1" in html and "data-expired" in html
    assert f"/nha-san-xuat/san-pham/{shown['product'].pk}/" in html
    assert "Vườn 1" in html and 'data-feature-map="areas-map"' in html


@pytest.mark.parametrize("headers", [VI, EN])
def test_the_batch_page_shows_the_journey_in_vietnam_time_and_on_a_map(client, shown, headers):
    batch = shown["batch"]
    response, html = page(client, f"/nha-san-xuat/lo/{batch.pk}/", **headers)
    assert response.status_code == 200
    assert html.count('data-event="') == 2
    assert "T07:30:00+07:00" in html  # the harvest time, in Asia/Ho_Chi_Minh
    config = json.loads(html.split('<script id="journey-map" type="application/json">')[1].split("</script>")[0])
    journey = next(layer for layer in config["layers"] if layer["style"] == "journey")
    assert [f["properties"]["order"] for f in journey["geojson"]["features"]] == [1, 2]
    assert config["route"] is True


def test_the_list_of_participants_shows_approved_producers_only(client, world, commune, official):
    pending = apply_as(make_user("dao"), commune, name="HTX Đang chờ")
    suspended = approve(apply_as(make_user("vu"), commune, name="HTX Bị đình chỉ"), official)
    services.producer_suspend(by=official, producer=suspended, reason="Vi phạm")
    response, html = page(client, "/nha-san-xuat/")
    assert response.status_code == 200
    assert world["producer"].name in html and "HTX Chè Shan tuyết Phìn Hồ" in html
    assert pending.name not in html and "HTX Bị đình chỉ" not in html


def test_pages_of_a_suspended_producer_are_hidden_from_consumers(client, shown, official, consumer):
    producer, product, batch = shown["producer"], shown["product"], shown["batch"]
    services.producer_suspend(by=official, producer=producer, reason="Kiểm tra lại")
    urls = [f"/nha-san-xuat/{producer.pk}/", f"/nha-san-xuat/san-pham/{product.pk}/", f"/nha-san-xuat/lo/{batch.pk}/"]
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(consumer)
    for url in urls:
        assert client.get(url).status_code == 404
    assert producer.name not in client.get("/nha-san-xuat/").content.decode()


def test_a_pending_producer_is_404_for_the_public_but_visible_to_its_staff_and_officials(
    client, producer, owner, official, stranger, other_producer
):
    url = f"/nha-san-xuat/{producer.pk}/"
    assert client.get(url).status_code == 404
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    response, html = page(client, url)
    assert response.status_code == 200 and "data-not-public" in html
    client.force_login(official)
    assert client.get(url).status_code == 200


def test_an_inactive_product_is_hidden_from_consumers(client, world, owner):
    services.product_update(by=owner, product=world["product"], is_active=False)
    assert client.get(f"/nha-san-xuat/san-pham/{world['product'].pk}/").status_code == 404
    client.force_login(owner)
    assert client.get(f"/nha-san-xuat/san-pham/{world['product'].pk}/").status_code == 200


def test_the_province_map_layer_lists_approved_producers_with_their_product_kinds(client, world, commune, official):
    apply_as(make_user("dao"), commune, name="HTX Đang chờ")
    response = client.get("/nha-san-xuat/ban-do.geojson", **EN)
    data = response.json()
    assert response.status_code == 200 and data["type"] == "FeatureCollection"
    names = {feature["properties"]["name"]: feature for feature in data["features"]}
    assert set(names) == {world["producer"].name, "HTX Chè Shan tuyết Phìn Hồ"}
    own = names[world["producer"].name]
    assert own["geometry"] == {"type": "Point", "coordinates": [pytest.approx(104.9784), pytest.approx(22.8233)]}
    assert own["properties"]["product_kinds"] == ["orange"]
    assert own["properties"]["url"] == f"/nha-san-xuat/{world['producer'].pk}/"
    assert data["label"] == "Producers"


def test_the_province_map_page_loads_the_producers_layer(client):
    html = client.get("/ban-do/").content.decode()
    assert "tracing/producer/province_producers.js" in html
    assert 'data-url="/nha-san-xuat/ban-do.geojson"' in html


def test_list_pages_use_a_bounded_number_of_queries(client, world, commune, official, django_assert_max_num_queries):
    for index in range(6):
        approve(apply_as(make_user(f"coop{index}"), commune, name=f"HTX số {index}"), official)
    with django_assert_max_num_queries(12):
        assert client.get("/nha-san-xuat/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/nha-san-xuat/ban-do.geojson").status_code == 200


def test_product_and_batch_pages_use_a_bounded_number_of_queries(client, shown, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        assert client.get(f"/nha-san-xuat/san-pham/{shown['product'].pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/nha-san-xuat/lo/{shown['batch'].pk}/").status_code == 200
