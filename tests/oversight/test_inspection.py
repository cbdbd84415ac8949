"""Inspection on site: the official view of a scanned stamp and a finding with GPS and photo."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from marketplace.models import RetailStock
from oversight.models import AuditEntry, Case, InspectionFinding
from tests.oversight import factories as f
from tests.tracing.media import png_bomb
from tracing import services as tracing_services
from tracing.models import CounterfeitReport, Scan

pytestmark = pytest.mark.django_db


def _photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile("shelf.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def stamped(producer, owner, official):
    product = f.make_product(owner, producer, "orange")
    batch = f.make_batch(owner, product, quantity="10")
    stamps = f.issue_and_activate(official, owner, batch, 2)
    authorised = f.make_shop("Cửa hàng Đặc sản Việt Quang", 22.411, 104.821)
    RetailStock.objects.create(retail_point=authorised, product=product, authorised=True)
    journey_shop = f.make_shop("Siêu thị Hà Giang", 22.82, 104.98)
    now = timezone.now()
    tracing_services.batch_event_add(
        by=owner, batch=batch, event_type="shipping", occurred_at=now - datetime.timedelta(hours=3)
    )
    tracing_services.batch_event_add(
        by=owner,
        batch=batch,
        event_type="receiving",
        occurred_at=now - datetime.timedelta(hours=1),
        retail_point=journey_shop,
    )
    other = f.make_shop("Sạp chợ đêm", 22.83, 104.99)
    return {"stamp": stamps[0], "authorised": authorised, "journey_shop": journey_shop, "other": other}


def test_a_scanned_link_opens_the_official_view_of_the_stamp(client, official, stamped):
    client.force_login(official)
    serial = stamped["stamp"].serial
    response = client.get("/giam-sat/kiem-tra/", {"code": f"https://origin.test/t/{serial}"})
    assert response.status_code == 302 and response["Location"] == f"/giam-sat/kiem-tra/tem/{serial}/"
    assert client.get("/giam-sat/kiem-tra/", {"code": "not a code"}).status_code == 400


@pytest.mark.parametrize(("shop_key", "authorised"), [("authorised", "yes"), ("journey_shop", "yes"), ("other", "no")])
def test_the_view_says_whether_this_shop_is_an_authorised_reseller(client, official, stamped, shop_key, authorised):
    client.force_login(official)
    shop = stamped[shop_key]
    page = client.get(f"/giam-sat/kiem-tra/tem/{stamped['stamp'].serial}/", {"shop": shop.pk}).content.decode()
    assert f'data-shop-authorised="{authorised}"' in page
    assert "Cửa hàng Đặc sản Việt Quang" in page and "Siêu thị Hà Giang" in page  # the resellers
    assert "CAM-01" in page
    # The inspector's look-up is recorded as a staff scan (never a public sighting).
    assert Scan.objects.filter(stamp=stamped["stamp"], channel=Scan.Channel.STAFF).exists()


def test_an_inspector_records_a_finding_with_gps_and_photo(client, official, stamped):
    client.force_login(official)
    serial = stamped["stamp"].serial
    response = client.post(
        f"/giam-sat/kiem-tra/tem/{serial}/",
        {
            "result": "unauthorised",
            "note": "Bán cam có tem nhưng không phải đại lý",
            "shop": stamped["other"].pk,
            "lat": "22.83012",
            "lng": "104.99021",
            "accuracy_m": "12",
            "photo": _photo(),
        },
    )
    assert response.status_code == 302
    finding = InspectionFinding.objects.get()
    assert (finding.inspector, finding.shop_authorised, finding.accuracy_m) == (official, False, 12)
    assert finding.location.y == pytest.approx(22.83012) and finding.photo.name.endswith(".jpg")
    entry = AuditEntry.objects.get(action="inspection.record")
    assert entry.after["shop_authorised"] is False and entry.after["location"] == [22.83012, 104.99021]


def test_a_suspected_counterfeit_found_on_site_joins_the_work_queue(client, official, stamped):
    client.force_login(official)
    serial = stamped["stamp"].serial
    client.post(
        f"/giam-sat/kiem-tra/tem/{serial}/", {"result": "fake", "note": "Tem in mờ", "shop": stamped["other"].pk}
    )
    report = CounterfeitReport.objects.get()
    assert report.serial == serial and report.shop == "Sạp chợ đêm"
    assert Case.objects.filter(report=report).exists()


def test_a_problem_finding_needs_a_note(client, official, stamped):
    client.force_login(official)
    response = client.post(f"/giam-sat/kiem-tra/tem/{stamped['stamp'].serial}/", {"result": "fake", "note": ""})
    assert response.status_code == 400
    assert not InspectionFinding.objects.exists()


def test_a_decompression_bomb_as_the_inspection_photo_is_refused_with_a_clear_message(client, official, stamped):
    client.force_login(official)
    bomb = SimpleUploadedFile("shelf.png", png_bomb(30_000, 30_000, rows=10), content_type="image/png")
    response = client.post(
        f"/giam-sat/kiem-tra/tem/{stamped['stamp'].serial}/",
        {"result": "fake", "note": "Tem in mờ", "photo": bomb},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "The image is too large: at most 25 megapixels." in response.content.decode()
    assert not InspectionFinding.objects.exists()
