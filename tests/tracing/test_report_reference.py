"""A counterfeit report gets a reference number: random, shown to the reporter, found by officials."""

import re

import pytest

from tracing.models import CounterfeitReport
from tracing.stamps.follow_up import report_create

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"^HG-20\d\d-[2-9A-HJKMNP-Z]{6}$")


def _report(client, note):
    response = client.post("/bao-hang-gia/", {"note": note, "shop": "Sạp số 3"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response, CounterfeitReport.objects.get(note=note)


def test_the_thank_you_page_shows_the_stored_reference_number(client):
    response, report = _report(client, "Tem in mờ")
    assert REFERENCE.match(report.reference), report.reference
    page = response.content.decode()
    assert report.reference in page and "reference number" in page
    vi = client.post("/bao-hang-gia/", {"note": "Tem lệch"}, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert CounterfeitReport.objects.get(note="Tem lệch").reference in vi and "Mã số báo cáo" in vi


def test_references_are_random_not_counted_up():
    refs = [report_create(note=f"Hộp chè giả {n}").reference for n in range(6)]
    assert len(set(refs)) == 6 and all(REFERENCE.match(ref) for ref in refs)
    tails = [ref.rsplit("-", 1)[1] for ref in refs]
    assert tails != sorted(tails) or len({t[:5] for t in tails}) > 1  # not a counter


def test_the_api_answers_with_the_reference(api_client):
    response = api_client.post("/api/v1/reports/", {"note": "Mật ong pha đường"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["reference"] == CounterfeitReport.objects.get(pk=body["id"]).reference
    assert REFERENCE.match(body["reference"])


def test_officials_see_the_reference_on_the_case_and_find_it_by_search(client, official):
    _, wanted = _report(client, "Cam sành dán tem giả")
    _, other = _report(client, "Chè không rõ nguồn")
    client.force_login(official)
    typed = wanted.reference.lower().replace("-", " ")  # as read out over the phone
    listing = client.get("/giam-sat/viec/", {"q": typed, "status": "all"}, HTTP_ACCEPT_LANGUAGE="en")
    text = listing.content.decode()
    assert listing.status_code == 200 and wanted.reference in text and other.reference not in text
    case = wanted.case
    page = client.get(f"/giam-sat/viec/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert wanted.reference in page and "Reference number" in page
    nothing = client.get("/giam-sat/viec/", {"q": "HG-2026-ZZZZZZ"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert wanted.reference not in nothing and other.reference not in nothing


def test_a_typed_reference_is_normalised():
    from tracing.models.stamps import normalise_report_reference

    assert normalise_report_reference(" hg 2026 7kq3mz ") == "HG-2026-7KQ3MZ"
    assert normalise_report_reference("HG-2026-7KQ3MZ") == "HG-2026-7KQ3MZ"
