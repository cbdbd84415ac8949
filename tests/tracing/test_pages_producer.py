"""Producers' own pages through the Django client: the application, the status page, certificates,
areas, products (photos, audio), batches and journey events — and who may open or post each of them."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.utils import timezone

from tests.conftest import make_user
from tests.tracing.conftest import png_bytes, upload, valid_tax_number
from tests.tracing.media import minimal_pdf, mp3_silence, windows_program
from tracing import services
from tracing.models import Batch, BatchEvent, Certificate, Producer, ProducerMembership, Product, ProductionArea

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
SQUARE_IN_BAC_QUANG = {
    "type": "Polygon",
    "coordinates": [[[104.85, 22.45], [104.86, 22.45], [104.86, 22.46], [104.85, 22.46], [104.85, 22.45]]],
}

SQUARE_IN_PARIS = {"type": "Polygon", "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]]}


def application(commune, **overrides) -> dict:
    data = {
        "kind": "cooperative",
        "name": "HTX Cam sành Vĩnh Tuy",
        "tax_number": valid_tax_number(),
        "address": "Thôn Khiềm, xã Vĩnh Tuy",
        "commune": commune.pk,
        "lat": "22.4950",
        "lng": "104.8670",
        "representative": "Hoàng Văn Bình",
        "phone": "0912 345 678",
        "email": "htx@example.test",
        "description_vi": "Cam sành trồng theo VietGAP.",
        "cert-scheme": "vietgap",
        "cert-number": "VG-2024-77",
        "cert-issuer": "Trung tâm Chứng nhận Phù hợp",
        "cert-valid_from": "2024-01-01",
        "cert-valid_to": "2027-01-01",
        "cert-document": upload("chung-nhan.pdf", minimal_pdf()),
        "area-name": "Đồi cam Khiềm",
        "area-boundary": json.dumps(SQUARE_IN_BAC_QUANG),
        "area-capacity_orange": "12000",
    }
    data.update(overrides)
    return data


def error_under(html: str, field_id: str) -> str:
    """The page from the input `field_id` up to the next form field: its own errors are in there."""
    start = html.index(f'id="{field_id}"')
    end = html.find('class="field', start)
    return html[start : end if end != -1 else len(html)]


# --- The application -------------------------------------------------------------------------


def test_a_user_applies_with_a_certificate_and_a_drawn_area_in_one_submission(
    client, owner, commune, orange_region, mailbox, official, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    assert client.get("/co-so/dang-ky/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/co-so/dang-ky/", application(commune))
    assert response.status_code == 302 and response["Location"] == "/co-so/"
    producer = Producer.objects.get(name="HTX Cam sành Vĩnh Tuy")
    assert producer.status == "applied" and ProducerMembership.objects.get(user=owner).producer == producer
    area = ProductionArea.objects.get(producer=producer)
    assert area.area_ha == pytest.approx(118, rel=0.05)  # 0.01° × 0.01° at 22.45° N
    assert [(c.product_kind.code, c.yearly_kg) for c in area.capacities.all()] == [("orange", 12000)]
    certificate = Certificate.objects.get(producer=producer)
    assert certificate.document.name.endswith(".pdf") and list(certificate.production_areas.all()) == [area]
    page = client.get("/co-so/").content.decode()
    assert 'data-producer-status="applied"' in page and "VG-2024-77" in page and "Đồi cam Khiềm" in page
    assert any("HTX Cam sành Vĩnh Tuy" in message.subject for message in mailbox)


def test_the_certificate_and_the_area_are_optional_when_applying(client, owner, commune):
    client.force_login(owner)
    data = application(commune)
    for key in [k for k in data if k.startswith(("cert-", "area-"))]:
        del data[key]
    assert client.post("/co-so/dang-ky/", data).status_code == 302
    assert Producer.objects.get().certificates.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field_id", "message"),
    [
        ({"tax_number": "0100233489"}, "id_tax_number", "check digit"),
        ({"lat": "", "lng": ""}, "id_lat", "Place your organisation on the map"),
        ({"cert-document": upload("cert.pdf", windows_program())}, "id_cert-document", "PDF"),
        ({"cert-valid_to": "2020-01-01"}, "id_cert-valid_to", "before its start"),
        ({"area-boundary": json.dumps(SQUARE_IN_PARIS)}, "id_area-boundary", "outside Viet Nam"),
    ],
    ids=["tax-number", "no-pin", "renamed-exe", "validity", "area-in-paris"],
)
def test_a_refused_application_shows_the_error_with_its_field_and_saves_nothing(
    client, owner, commune, overrides, field_id, message
):
    client.force_login(owner)
    response = client.post("/co-so/dang-ky/", application(commune, **overrides), **EN)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in error_under(html, field_id)
    assert not Producer.objects.exists() and not ProducerMembership.objects.exists()
    assert 'value="HTX Cam sành Vĩnh Tuy"' in html  # what was typed is kept


def test_anonymous_visitors_are_sent_to_log_in_before_applying(client, commune):
    response = client.get("/co-so/dang-ky/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post("/co-so/dang-ky/", application(commune)).status_code == 302
    assert not Producer.objects.exists()


def test_a_member_is_sent_to_their_organisation_and_an_official_cannot_apply(
    client, producer, owner, official, commune
):
    client.force_login(owner)
    assert client.get("/co-so/dang-ky/")["Location"] == "/co-so/"
    client.force_login(official)
    assert client.post("/co-so/dang-ky/", application(commune)).status_code == 403
    assert Producer.objects.count() == 1


# --- The status page -------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, EN])
def test_the_status_page_shows_the_step_and_the_whole_history(client, producer, owner, official, headers):
    services.producer_schedule_survey(
        by=official, producer=producer, scheduled_for=timezone.localdate(), note="Mang giấy tờ"
    )
    client.force_login(owner)
    html = client.get("/co-so/", **headers).content.decode()
    assert 'data-producer-status="survey_scheduled"' in html
    assert "data-pending-survey" in html and "Mang giấy tờ" in html
    assert "data-history" in html and html.count("<tr><td><time") == 2 and "official1" in html


def test_a_rejected_producer_reads_the_reason_and_applies_again_from_its_page(client, producer, owner, official):
    services.producer_schedule_survey(by=official, producer=producer, scheduled_for=timezone.localdate())
    services.producer_record_survey(
        by=official,
        producer=producer,
        surveyed_on=timezone.localdate(),
        location=None,
        identity_confirmed=True,
        certificates_genuine=False,
        areas_as_declared=True,
        gap_practice_seen=True,
        findings="Chứng nhận giả",
    )
    services.producer_reject(by=official, producer=producer, reason="Chứng nhận không hợp lệ")
    client.force_login(owner)
    html = client.get("/co-so/").content.decode()
    assert "Chứng nhận không hợp lệ" in html and "data-reapply" in html
    assert client.post("/co-so/nop-lai/", {"reason": "Đã bổ sung chứng nhận mới"}).status_code == 302
    producer.refresh_from_db()
    assert producer.status == "applied"


def test_the_reapply_button_is_only_for_rejected_producers(client, producer, owner):
    client.force_login(owner)
    assert "data-reapply" not in client.get("/co-so/").content.decode()
    client.post("/co-so/nop-lai/", {"reason": "x"})
    producer.refresh_from_db()
    assert producer.status == "applied" and producer.status_changes.count() == 1


def test_the_organisation_page_saves_contacts_and_sends_changes_to_verified_data_for_review(
    client, approved_producer, owner
):
    client.force_login(owner)
    html = client.get("/co-so/ho-so/").content.decode()
    assert "disabled" not in re.search(r'<input[^>]*name="tax_number"[^>]*>', html).group(0)
    new_number = valid_tax_number()
    data = {
        "kind": "enterprise",
        "name": "HTX Cam sành Bắc Quang mới",
        "tax_number": new_number,
        "address": approved_producer.address,
        "commune": approved_producer.commune_id,
        "lat": "22.8233",
        "lng": "104.9784",
        "representative": "Nguyễn Văn An",
        "phone": "0912345679",
    }
    assert client.post("/co-so/ho-so/", data).status_code == 302
    verified = Producer.objects.get(pk=approved_producer.pk)
    assert (verified.name, verified.kind, verified.tax_number) == (
        approved_producer.name,
        "cooperative",
        approved_producer.tax_number,
    )
    assert verified.phone == "0912345679"
    waiting = services.pending_change(verified)
    assert waiting.values == {"kind": "enterprise", "name": "HTX Cam sành Bắc Quang mới", "tax_number": new_number}


# --- Certificates and areas ------------------------------------------------------------------


def test_certificates_are_added_edited_and_removed_from_the_pages(client, approved_producer, owner):
    client.force_login(owner)
    data = {"scheme": "ocop", "ocop_stars": "4", "number": "OCOP-4", "issuer": "UBND tỉnh", "valid_from": "2024-05-01"}
    assert client.post("/co-so/chung-nhan/moi/", data).status_code == 302
    certificate = Certificate.objects.get(number="OCOP-4")
    assert certificate.ocop_stars == 4
    assert client.post(f"/co-so/chung-nhan/{certificate.pk}/", {**data, "ocop_stars": ""}, **EN).status_code == 400
    assert client.post(f"/co-so/chung-nhan/{certificate.pk}/", {**data, "valid_to": "2026-05-01"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.valid_to == datetime.date(2026, 5, 1)
    assert client.post(f"/co-so/chung-nhan/{certificate.pk}/xoa/").status_code == 302
    assert not Certificate.objects.filter(pk=certificate.pk).exists()


def test_an_area_outside_the_growing_regions_is_saved_with_a_warning(client, approved_producer, owner, orange_region):
    client.force_login(owner)
    data = {"name": "Vườn Hà Giang", "lat": "22.8233", "lng": "104.9784", "capacity_orange": "500"}
    assert client.post("/co-so/vung-san-xuat/moi/", data).status_code == 302
    html = client.get("/co-so/", **EN).content.decode()
    assert "data-region-warnings" in html and "outside every registered growing region" in html


def test_an_area_without_geometry_is_refused_next_to_the_map(client, approved_producer, owner):
    client.force_login(owner)
    response = client.post("/co-so/vung-san-xuat/moi/", {"name": "Vườn"}, **EN)
    assert response.status_code == 400 and "Draw the area on the map" in response.content.decode()


def test_an_area_is_edited_and_removed_unless_a_batch_comes_from_it(client, world, owner):
    area = world["area"]
    client.force_login(owner)
    html = client.get(f"/co-so/vung-san-xuat/{area.pk}/").content.decode()
    assert 'value="22.8233"' in html
    data = {"name": "Vườn 1 (mới)", "boundary": json.dumps(SQUARE_IN_BAC_QUANG), "lat": "", "lng": ""}
    assert client.post(f"/co-so/vung-san-xuat/{area.pk}/", data).status_code == 302
    area.refresh_from_db()
    assert area.name == "Vườn 1 (mới)" and area.area_ha > 100
    services.batch_update(by=owner, batch=world["batch"], production_area=area)
    client.post(f"/co-so/vung-san-xuat/{area.pk}/xoa/")
    assert ProductionArea.objects.filter(pk=area.pk).exists()


# --- Products --------------------------------------------------------------------------------


def product_data(kinds, **overrides):
    data = {
        "kind": kinds["honey"].pk,
        "name_vi": "Mật ong bạc hà",
        "name_en": "Mint honey",
        "unit": "jar",
        "net_quantity": "0.5",
        "net_quantity_unit": "l",
        "gtin": "8934567890120",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_a_product_is_created_with_photos_and_an_audio_clip(client, approved_producer, owner, kinds):
    client.force_login(owner)
    photos = [upload("a.png", png_bytes()), upload("b.jpg", png_bytes(fmt="JPEG", exif_gps=True))]
    data = product_data(kinds, photos=photos, audio=upload("gioi-thieu.mp3", mp3_silence(3)))
    response = client.post("/co-so/san-pham/moi/", data)
    product = Product.objects.get(name_vi="Mật ong bạc hà")
    assert response.status_code == 302 and response["Location"] == f"/co-so/san-pham/{product.pk}/"
    assert product.gtin == "08934567890120" and product.photos.count() == 2
    assert product.audio_content_type == "audio/mpeg" and product.audio_duration_s == pytest.approx(3, abs=0.1)
    html = client.get(f"/nha-san-xuat/san-pham/{product.pk}/").content.decode()
    assert "data-audio" in html and product.audio.url in html


@pytest.mark.parametrize(
    ("overrides", "field_id", "message"),
    [
        ({"gtin": "8934567890129"}, "id_gtin", "check digit"),
        ({"audio": "renamed"}, "id_audio", "MP3, Ogg, M4A or WebM"),
        ({"photos": "renamed"}, "id_photos", "JPEG, PNG or WebP"),
    ],
    ids=["gtin", "exe-as-audio", "exe-as-photo"],
)
def test_a_refused_product_shows_the_error_with_its_field_and_saves_nothing(
    client, approved_producer, owner, kinds, overrides, field_id, message
):
    client.force_login(owner)
    overrides = {
        key: upload("clip.mp3" if key == "audio" else "photo.jpg", windows_program()) if value == "renamed" else value
        for key, value in overrides.items()
    }
    response = client.post("/co-so/san-pham/moi/", product_data(kinds, **overrides), **EN)
    assert response.status_code == 400
    assert message in error_under(response.content.decode(), field_id)
    assert not Product.objects.exists()


def test_a_product_is_edited_its_photo_removed_and_its_audio_cleared(client, world, owner, kinds):
    product, photo = world["product"], world["photo"]
    services.product_audio_set(by=owner, product=product, audio=upload("clip.mp3", mp3_silence(1)))
    client.force_login(owner)
    data = product_data(
        kinds,
        kind=kinds["orange"].pk,
        name_vi="Cam sành loại 1",
        gtin="",
        unit="kg",
        net_quantity="1",
        net_quantity_unit="kg",
    )
    assert client.post(f"/co-so/san-pham/{product.pk}/", data).status_code == 302
    assert client.post(f"/co-so/anh/{photo.pk}/xoa/").status_code == 302
    assert client.post(f"/co-so/san-pham/{product.pk}/am-thanh/xoa/").status_code == 302
    product.refresh_from_db()
    assert product.name_vi == "Cam sành loại 1" and product.photos.count() == 0 and not product.audio


# --- Batches and events ----------------------------------------------------------------------


def test_a_new_batch_from_the_previous_one_is_prefilled_with_the_next_lot_code(client, world, owner):
    client.force_login(owner)
    html = client.get(f"/co-so/lo/moi/?tu={world['batch'].pk}").content.decode()
    assert 'value="CAM-2025-02"' in html and 'value="500"' in html and "data-from-previous" in html
    data = {
        "product": world["product"].pk,
        "lot_code": "CAM-2025-02",
        "harvest_started_on": timezone.localdate().isoformat(),
        "quantity": "500",
        "unit": "kg",
        "production_area": world["area"].pk,
    }
    response = client.post("/co-so/lo/moi/", data)
    batch = Batch.objects.get(lot_code="CAM-2025-02")
    assert response["Location"] == f"/co-so/lo/{batch.pk}/" and batch.production_area == world["area"]
    again = client.post("/co-so/lo/moi/", data, **EN)
    assert again.status_code == 400 and "already have a batch with this lot code" in error_under(
        again.content.decode(), "id_lot_code"
    )


def test_journey_steps_are_added_with_gps_and_refused_out_of_order_next_to_the_time(client, world, owner):
    batch = world["batch"]
    client.force_login(owner)
    html = client.get(f"/co-so/lo/{batch.pk}/").content.decode()
    assert 'type="datetime-local"' in html and 'name="event_type"' in html
    now = timezone.localtime().replace(second=0, microsecond=0)
    step = {
        "form": "event",
        "event_type": "commissioning",
        "occurred_at": now.strftime("%Y-%m-%dT%H:%M"),
        "lat": "22.4950",
        "lng": "104.8670",
        "photos": [upload("hai.png", png_bytes())],
    }
    assert client.post(f"/co-so/lo/{batch.pk}/", step).status_code == 302
    event = BatchEvent.objects.get(batch=batch)
    assert event.occurred_at == now and event.location.x == pytest.approx(104.867) and event.photos.count() == 1
    earlier = {
        **step,
        "event_type": "packing",
        "occurred_at": (now - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    earlier.pop("photos")
    response = client.post(f"/co-so/lo/{batch.pk}/", earlier, **EN)
    assert response.status_code == 400 and "Steps are recorded in order" in error_under(
        response.content.decode(), "id_occurred_at"
    )
    receiving = {"form": "event", "event_type": "receiving", "occurred_at": now.strftime("%Y-%m-%dT%H:%M")}
    response = client.post(f"/co-so/lo/{batch.pk}/", receiving, **EN)
    assert response.status_code == 400 and "Choose the shop" in error_under(
        response.content.decode(), "id_retail_point"
    )
    assert BatchEvent.objects.filter(batch=batch).count() == 1


def test_the_batch_quantity_is_corrected_from_its_page(client, world, owner):
    batch = world["batch"]
    client.force_login(owner)
    data = {
        "form": "batch",
        "lot_code": batch.lot_code,
        "harvest_started_on": batch.harvest_started_on.isoformat(),
        "quantity": "650",
        "unit": "kg",
    }
    assert client.post(f"/co-so/lo/{batch.pk}/", data).status_code == 302
    batch.refresh_from_db()
    assert batch.quantity == 650


# --- Who may open and post what --------------------------------------------------------------


def private_urls(world) -> list[tuple[str, str]]:
    """(method, url) of every private producer page that names one of the owner's records."""
    pk = {name: world[name].pk for name in ("certificate", "area", "product", "photo", "batch")}
    return [
        ("get", f"/co-so/chung-nhan/{pk['certificate']}/"),
        ("post", f"/co-so/chung-nhan/{pk['certificate']}/"),
        ("post", f"/co-so/chung-nhan/{pk['certificate']}/xoa/"),
        ("get", f"/co-so/vung-san-xuat/{pk['area']}/"),
        ("post", f"/co-so/vung-san-xuat/{pk['area']}/"),
        ("post", f"/co-so/vung-san-xuat/{pk['area']}/xoa/"),
        ("get", f"/co-so/san-pham/{pk['product']}/"),
        ("post", f"/co-so/san-pham/{pk['product']}/"),
        ("post", f"/co-so/san-pham/{pk['product']}/am-thanh/xoa/"),
        ("post", f"/co-so/anh/{pk['photo']}/xoa/"),
        ("get", f"/co-so/lo/moi/?tu={pk['batch']}"),
        ("get", f"/co-so/lo/{pk['batch']}/"),
        ("post", f"/co-so/lo/{pk['batch']}/"),
    ]


OWN_PAGES = [
    "/co-so/",
    "/co-so/ho-so/",
    "/co-so/chung-nhan/moi/",
    "/co-so/vung-san-xuat/moi/",
    "/co-so/san-pham/moi/",
    "/co-so/lo/moi/",
]


@pytest.mark.parametrize("url", OWN_PAGES)
@pytest.mark.parametrize("headers", [{}, EN])
def test_the_owner_opens_every_page_of_their_organisation_in_both_languages(client, world, owner, url, headers):
    client.force_login(owner)
    response = client.get(url, **headers)
    assert response.status_code == 200
    assert response["Content-Language"] == ("en" if headers else "vi")


def test_the_owner_opens_every_page_of_their_records(client, world, owner):
    client.force_login(owner)
    for method, url in private_urls(world):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_another_producers_staff_get_404_for_every_record_and_change_nothing(client, world, stranger):
    client.force_login(stranger)
    for method, url in private_urls(world):
        response = getattr(client, method)(url, {"name": "x", "scheme": "other"} if method == "post" else None)
        assert response.status_code == 404, url
    assert world["product"].photos.count() == 1 and Certificate.objects.filter(pk=world["certificate"].pk).exists()
    assert ProductionArea.objects.filter(pk=world["area"].pk).exists()


@pytest.mark.parametrize("who", ["official", "consumer"])
def test_users_without_an_organisation_get_404_for_its_records(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    for method, url in private_urls(world):
        assert getattr(client, method)(url).status_code == 404, url
    assert client.get("/co-so/")["Location"] == "/co-so/dang-ky/"


def test_anonymous_visitors_are_sent_to_log_in_for_every_private_page(client, world):
    for method, url in private_urls(world) + [("get", url) for url in OWN_PAGES] + [("post", "/co-so/nop-lai/")]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert world["product"].photos.count() == 1


def test_the_dashboard_uses_a_bounded_number_of_queries(client, world, owner, kinds, django_assert_max_num_queries):
    producer = world["producer"]
    for index in range(5):
        product = services.product_create(
            by=owner, producer=producer, kind=kinds["tea"], name_vi=f"Chè {index}", net_quantity=1
        )
        services.batch_create(
            by=owner, product=product, lot_code=f"CHE-{index}", harvest_started_on=timezone.localdate(), quantity=10
        )
        services.production_area_add(
            by=owner,
            producer=producer,
            name=f"Đồi {index}",
            location=world["area"].location,
            capacities=[(kinds["tea"], 100)],
        )
    client.force_login(owner)
    with django_assert_max_num_queries(20):
        assert client.get("/co-so/").status_code == 200


def test_a_colleague_on_the_staff_manages_the_same_records(client, world):
    client.force_login(world["colleague"])
    assert client.get(f"/co-so/san-pham/{world['product'].pk}/").status_code == 200


def test_a_second_organisation_cannot_be_registered_by_the_same_person(client, producer, owner, commune):
    client.force_login(owner)
    client.post("/co-so/dang-ky/", application(commune))
    assert Producer.objects.count() == 1
    other = make_user("tuan")
    client.force_login(other)
    assert client.post("/co-so/dang-ky/", application(commune)).status_code == 302
    assert Producer.objects.count() == 2
