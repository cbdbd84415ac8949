"""The officials' pages that were tracing's have one home in oversight; their old addresses redirect there.

Pages move with 301 (query names translated); a form sent to an old action address with 308, which keeps
the method and the form: the step is taken at the new address, which checks who asks.
"""

import pytest

from oversight.models import Case
from tests.oversight import factories as f
from tracing import services as tracing_services
from tracing.models import SuspicionFlag

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(places):
    return f.make_producer("HTX Chờ Duyệt", commune=places["viet_quang_old"], lat=22.4, lng=104.8, status="surveyed")


def test_the_old_queue_and_file_addresses_redirect_permanently(client, official, waiting):
    client.force_login(official)
    cases = [
        ("/tham-dinh/", "/giam-sat/ho-so/"),
        ("/tham-dinh/?trang-thai=approved&trang=2", "/giam-sat/ho-so/?status=approved&page=2"),
        (f"/tham-dinh/{waiting.pk}/", f"/giam-sat/ho-so/{waiting.pk}/"),
        (f"/tham-dinh/{waiting.pk}/khao-sat/", f"/giam-sat/ho-so/{waiting.pk}/khao-sat/"),
    ]
    for old, new in cases:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new), old
    assert client.get("/tham-dinh/", follow=True).status_code == 200


def test_a_decision_sent_to_the_old_address_is_taken_at_the_new_one(client, official, waiting):
    client.force_login(official)
    response = client.post(f"/tham-dinh/{waiting.pk}/quyet-dinh/approve/", {"reason": "Đủ điều kiện"})
    assert (response.status_code, response["Location"]) == (308, f"/giam-sat/ho-so/{waiting.pk}/quyet-dinh/approve/")
    assert client.post(response["Location"], {"reason": "Đủ điều kiện"}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "approved"
    for old in (f"/tham-dinh/{waiting.pk}/lich-khao-sat/", "/tham-dinh/thay-doi/7/accept/"):
        assert client.post(old, {}).status_code == 308, old


def test_the_old_address_decides_nothing_for_someone_who_is_not_an_official(client, producer, owner, waiting):
    staff = owner
    client.force_login(staff)
    response = client.post(f"/tham-dinh/{waiting.pk}/quyet-dinh/approve/", {"reason": "x"}, follow=True)
    assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == "surveyed"


def test_the_old_flag_and_report_pages_are_the_work_queue(client, official, producer, owner):
    client.force_login(official)
    moves = [
        ("/tem/nghi-van/", "/giam-sat/viec/?kind=flag"),
        ("/tem/nghi-van/?all=1", "/giam-sat/viec/?kind=flag&status=all"),
        ("/tem/bao-cao/", "/giam-sat/viec/?kind=report"),
        ("/tem/bao-cao/?status=new", "/giam-sat/viec/?kind=report&status=open"),
        ("/tem/bao-cao/?status=closed", "/giam-sat/viec/?kind=report&status=closed"),
    ]
    for old, new in moves:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new), old


def test_a_form_sent_to_the_old_flag_or_report_page_goes_to_its_case_and_changes_nothing(
    client, official, producer, owner
):
    staff = owner
    batch = f.make_batch(staff, f.make_product(staff, producer, "orange"), quantity="10")
    stamps = f.issue_and_activate(official, staff, batch, 1, issue=2)
    tracing_services.scan_record(serial=stamps[1].serial)  # never activated: flagged
    flag = SuspicionFlag.objects.get()
    report = tracing_services.report_create(note="Hàng giả")
    client.force_login(official)
    response = client.post("/tem/nghi-van/", {"flag": flag.pk, "resolution": "Tem thật"})
    assert (response.status_code, response["Location"]) == (302, f"/giam-sat/viec/{Case.objects.get(flag=flag).pk}/")
    response = client.post("/tem/bao-cao/", {"report": report.pk, "status": "closed"})
    assert response["Location"] == f"/giam-sat/viec/{Case.objects.get(report=report).pk}/"
    flag.refresh_from_db()
    report.refresh_from_db()
    assert flag.is_open and report.status == "new"
    client.force_login(staff)
    assert client.post("/tem/nghi-van/", {"flag": flag.pk}).status_code == 403


def test_the_navigation_links_the_one_applications_queue(client, official):
    client.force_login(official)
    page = client.get("/giam-sat/").content.decode()
    assert 'href="/giam-sat/ho-so/"' in page and "/tham-dinh/" not in page
