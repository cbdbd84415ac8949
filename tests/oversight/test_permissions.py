"""Officials only: producers' staff and consumers never see oversight pages or other producers' figures."""

import pytest

from oversight.models import AuditEntry, Case
from tests.conftest import make_user
from tracing import services as tracing_services

pytestmark = pytest.mark.django_db

PAGES = [
    "/giam-sat/",
    "/giam-sat/ho-so/",
    "/giam-sat/ho-so/{producer}/",
    "/giam-sat/ban-do/",
    "/giam-sat/ban-do/co-so/{producer}/",
    "/giam-sat/ban-do/xuat.csv",
    "/giam-sat/ban-do/xuat.geojson",
    "/giam-sat/theo-doi/",
    "/giam-sat/theo-doi/?producer={producer}",
    "/giam-sat/doi-chieu/",
    "/giam-sat/cai-dat/",
    "/giam-sat/viec/",
    "/giam-sat/viec/{case}/",
    "/giam-sat/kiem-tra/",
    "/giam-sat/danh-gia/",
    "/giam-sat/nhat-ky/",
]
API = [
    "/api/v1/oversight/map/producers/",
    "/api/v1/oversight/map/unit-counts/",
    "/api/v1/oversight/producers/{producer}/card",
]
WRITES = [
    ("/giam-sat/viec/{case}/giao/", {"assignee": ""}),
    ("/giam-sat/viec/{case}/xu-ly/", {"note": "x"}),
    ("/giam-sat/viec/{case}/dong/", {"outcome": "false_alarm", "note": "x"}),
    ("/giam-sat/cai-dat/", {"form": "thresholds", "t-far_scan_km": "1", "t-journey_stale_days": "1"}),
    ("/giam-sat/danh-gia/", {"fmt": "pdf"}),
]


@pytest.fixture
def targets(other_producer, official):
    report = tracing_services.report_create(note="Hàng nghi giả")
    return {"producer": other_producer.pk, "case": Case.objects.get(report=report).pk}


@pytest.mark.parametrize("url", PAGES)
def test_officials_open_every_oversight_page(client, official, targets, url):
    client.force_login(official)
    assert client.get(url.format(**targets)).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_producer_staff_and_consumers_are_refused_and_anonymous_visitors_sent_to_log_in(client, owner, targets, url):
    consumer = make_user("consumer9")
    for user in (owner, consumer):
        client.force_login(user)
        assert client.get(url.format(**targets)).status_code == 403
    client.logout()
    response = client.get(url.format(**targets))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", API)
def test_the_map_api_is_for_officials_only(api_client, official, owner, targets, url):
    assert api_client.get(url.format(**targets)).status_code in (401, 403)
    api_client.force_authenticate(owner)
    response = api_client.get(url.format(**targets))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    api_client.force_authenticate(official)
    assert api_client.get(url.format(**targets)).status_code == 200


@pytest.mark.parametrize(("url", "data"), WRITES)
def test_writes_are_refused_to_producers_and_anonymous_visitors_and_change_nothing(client, owner, targets, url, data):
    client.force_login(owner)
    assert client.post(url.format(**targets), data).status_code == 403
    client.logout()
    assert client.post(url.format(**targets), data).status_code == 302
    case = Case.objects.get(pk=targets["case"])
    assert case.status == Case.Status.OPEN and case.assignee is None
    assert not AuditEntry.objects.exists()


def test_a_producers_staff_never_see_another_producers_card_or_figures(client, owner, other_producer):
    client.force_login(owner)
    assert client.get(f"/giam-sat/ban-do/co-so/{other_producer.pk}/").status_code == 403
    assert client.get(f"/api/v1/oversight/producers/{other_producer.pk}/card").status_code == 403
    assert client.get(f"/giam-sat/theo-doi/?producer={other_producer.pk}").status_code == 403
