"""Counterfeit reports: anyone may send one (page or API, with a photo); they reach the officials only."""

import pytest

from oversight.models import Case
from tests.tracing.conftest import png_bytes, upload
from tests.tracing.media import png_bomb
from tests.tracing.stamp_fixtures import (  # noqa: F401
    issue,
    product_kinds_present,
    stamps_of,
)
from tracing import services as tracing_services
from tracing.models import CounterfeitReport

pytestmark = pytest.mark.django_db


def test_a_report_from_the_page_with_a_photo_and_place_reaches_the_officials_list(client, official, approved_producer):
    stamp = stamps_of(issue(official, approved_producer, quantity=1))[0]
    response = client.post(
        "/bao-hang-gia/",
        {
            "serial": stamp.serial.lower(),
            "place": "Chợ Bắc Quang",
            "shop": "Sạp cam số 12",
            "note": "Tem mờ, mã QR dẫn tới trang khác",
            "lat": "22.49501",
            "lng": "104.86712",
            "photo": upload("fake.png", png_bytes(exif_gps=True), "image/png"),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200 and "data-report-sent" in response.content.decode()
    report = CounterfeitReport.objects.get()
    assert (report.stamp, report.serial, report.shop) == (stamp, stamp.serial, "Sạp cam số 12")
    assert (report.location.y, report.location.x) == (22.495, 104.867)
    assert report.photo and report.reported_by is None

    # It is a case of oversight's work queue at once, where an official reads and takes it up.
    case = Case.objects.get(report=report)
    client.force_login(official)
    listing = client.get("/giam-sat/viec/?kind=report", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'data-case="{case.pk}"' in listing
    page = client.get(f"/giam-sat/viec/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sạp cam số 12" in page and "Tem mờ" in page
    client.post(f"/giam-sat/viec/{case.pk}/xu-ly/", {"note": "Đã cử đội kiểm tra"})
    report.refresh_from_db()
    assert (report.status, report.reviewed_by, report.review_note) == ("investigating", official, "Đã cử đội kiểm tra")


def test_an_empty_report_is_refused_with_a_message(client, db):
    response = client.post("/bao-hang-gia/", {"serial": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "what you noticed" in response.content.decode()
    assert not CounterfeitReport.objects.exists()


def test_the_api_takes_a_multipart_report(api_client, db):
    response = api_client.post(
        "/api/v1/reports/",
        {"note": "Hộp chè giả", "photo": upload("hop.png", png_bytes(), "image/png")},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["status"] == "new"
    bad = api_client.post("/api/v1/reports/", {"lat": 95, "lng": 200, "note": "x"}, format="json")
    assert bad.status_code == 400


@pytest.mark.parametrize("who", ["owner", "stranger", "anonymous"])
def test_only_officials_read_and_review_reports(client, request, other_producer, approved_producer, who):
    report = tracing_services.report_create(note="Cam giả")
    case = Case.objects.get(report=report)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    listing = client.get("/giam-sat/viec/?kind=report")
    page = client.get(f"/giam-sat/viec/{case.pk}/")
    review = client.post(f"/giam-sat/viec/{case.pk}/dong/", {"outcome": "false_alarm", "note": "x"})
    investigate = client.post(f"/giam-sat/viec/{case.pk}/xu-ly/", {"note": "x"})
    expected = 302 if who == "anonymous" else 403
    assert {r.status_code for r in (listing, page, review, investigate)} == {expected}
    report.refresh_from_db()
    assert report.status == "new"


@pytest.mark.parametrize(
    ("language", "message"),
    [("vi", "Ảnh quá lớn: tối đa 25 megapixel."), ("en", "The image is too large: at most 25 megapixels.")],
)
def test_a_decompression_bomb_on_the_report_page_is_refused_with_a_clear_message(client, db, language, message):
    response = client.post(
        "/bao-hang-gia/",
        {"note": "Tem lạ ở chợ", "photo": upload("bomb.png", png_bomb(30_000, 30_000, rows=10), "image/png")},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert "Tem lạ ở chợ" in page  # what the consumer typed is still in the form
    assert not CounterfeitReport.objects.exists()


def test_a_decompression_bomb_sent_to_the_report_api_is_a_400_naming_the_photo(api_client, db):
    response = api_client.post(
        "/api/v1/reports/",
        {"note": "Hộp chè giả", "photo": upload("bomb.png", png_bomb(7000, 7000), "image/png")},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["photo"] == ["The image is too large: at most 25 megapixels."]
    assert not CounterfeitReport.objects.exists()
