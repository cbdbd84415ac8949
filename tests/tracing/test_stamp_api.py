"""The stamp API: verification records a scan, the PIN, runs, activation and revocation, with the
permission matrix (owner producer, other producer, official, anonymous) for every write."""

import pytest

from tests.tracing.stamp_fixtures import (  # noqa: F401
    activate_range,
    issue,
    pins_of,
    product_kinds_present,
    stamps_of,
)
from tracing.models import Scan, Stamp, StampRun
from tracing.stamps import serials

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(official, approved_producer, product):
    return issue(official, approved_producer, quantity=8, product=product)


def login(api_client, request, who):
    if who != "anonymous":
        api_client.force_authenticate(request.getfixturevalue(who))
    return api_client


def test_verifying_a_code_returns_the_verdict_and_records_an_api_scan(api_client, run, owner, batch):
    stamp = stamps_of(run)[0]
    activate_range(owner, batch, [stamp])
    response = api_client.get(f"/api/v1/stamps/{stamp.serial}", HTTP_USER_AGENT="okhttp/4.12 (Android 14)")
    body = response.json()

    assert response.status_code == 200
    assert body["verdict"] == "genuine" and body["warnings"] == []
    assert body["product"]["name"] == "Cam sành Bắc Quang" and body["producer"]["verified"] is True
    assert body["batch"]["lot_code"] == batch.lot_code and body["scan_count"] == 1
    assert body["page_url"].endswith(f"/t/{stamp.serial}")
    scan = Scan.objects.get()
    assert (scan.channel, scan.device_family) == ("api", "android")


def test_a_malformed_or_unknown_code_is_a_404_in_the_error_shape(api_client, db):
    malformed = api_client.get("/api/v1/stamps/NOT-A-CODE")
    assert malformed.status_code == 404 and malformed.json()["error"]["code"] == "unknown_code"
    unknown = api_client.get(f"/api/v1/stamps/{serials.new_serial()}")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_code"


def test_confirming_the_pin_through_the_api_wins_once(api_client, official, run, owner, batch):
    stamp = stamps_of(run)[0]
    activate_range(owner, batch, [stamp])
    pin = pins_of(official, run)[stamp.serial]
    wrong = api_client.post(f"/api/v1/stamps/{stamp.serial}/confirm", {"pin": "1"}, format="json")
    assert wrong.status_code == 400 and "pin" in wrong.json()["error"]["fields"]
    first = api_client.post(f"/api/v1/stamps/{stamp.serial}/confirm", {"pin": pin}, format="json")
    assert first.status_code == 200 and first.json()["confirmed_at"]
    second = api_client.post(f"/api/v1/stamps/{stamp.serial}/confirm", {"pin": pin}, format="json")
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_confirmed"


@pytest.mark.parametrize(("who", "status"), [("official", 201), ("owner", 403), ("stranger", 403), ("anonymous", 403)])
def test_only_officials_issue_runs_through_the_api(api_client, request, approved_producer, other_producer, who, status):
    response = login(api_client, request, who).post(
        "/api/v1/stamp-runs/", {"producer": approved_producer.pk, "quantity": 5}, format="json"
    )
    assert response.status_code == status
    assert StampRun.objects.count() == (1 if status == 201 else 0)


def test_producers_list_only_their_own_runs_and_officials_all(
    api_client, official, approved_producer, other_producer, owner, stranger
):
    mine = issue(official, approved_producer, quantity=2)
    theirs = issue(official, other_producer, quantity=2)
    api_client.force_authenticate(owner)
    assert [r["id"] for r in api_client.get("/api/v1/stamp-runs/").json()["results"]] == [mine.pk]
    assert api_client.get(f"/api/v1/stamp-runs/{theirs.pk}/").status_code == 404
    api_client.force_authenticate(official)
    assert {r["id"] for r in api_client.get("/api/v1/stamp-runs/").json()["results"]} == {mine.pk, theirs.pk}


@pytest.mark.parametrize(("who", "status"), [("owner", 200), ("stranger", 403), ("official", 403), ("anonymous", 403)])
def test_activation_permission_matrix(api_client, request, run, batch, other_producer, who, status):
    stamps = stamps_of(run)
    response = login(api_client, request, who).post(
        "/api/v1/stamps/activate",
        {"batch": batch.pk, "first": stamps[0].serial, "last": stamps[3].serial},
        format="json",
    )
    assert response.status_code == status
    assert Stamp.objects.filter(status="activated").count() == (4 if status == 200 else 0)


def test_an_activation_refusal_names_the_field(api_client, owner, run, batch):
    api_client.force_authenticate(owner)
    stamps = stamps_of(run)
    response = api_client.post(
        "/api/v1/stamps/activate", {"batch": batch.pk, "serials": [stamps[0].serial, "ABC"]}, format="json"
    )
    assert response.status_code == 400 and "serials" in response.json()["error"]["fields"]


@pytest.mark.parametrize(("who", "status"), [("owner", 200), ("official", 200), ("stranger", 400), ("anonymous", 403)])
def test_revocation_permission_matrix(api_client, request, run, other_producer, who, status):
    stamps = stamps_of(run)
    response = login(api_client, request, who).post(
        "/api/v1/stamps/revoke", {"serials": [stamps[0].serial], "reason": "Tem in lỗi"}, format="json"
    )
    assert response.status_code == status
    assert Stamp.objects.filter(status="revoked").count() == (1 if status == 200 else 0)


@pytest.mark.parametrize(("who", "status"), [("owner", 202), ("official", 202), ("stranger", 404), ("anonymous", 403)])
def test_print_permission_matrix(api_client, request, run, other_producer, who, status):
    response = login(api_client, request, who).post(
        f"/api/v1/stamp-runs/{run.pk}/print", {"layout": "roll-50x30"}, format="json"
    )
    assert response.status_code == status
    if status == 202:
        assert response.json()["status"] == "queued"


def test_the_schema_documents_the_stamp_endpoints(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path in (
        "/api/v1/stamps/{serial}",
        "/api/v1/stamps/{serial}/confirm",
        "/api/v1/reports/",
        "/api/v1/stamp-runs/",
        "/api/v1/stamps/activate",
        "/api/v1/stamps/revoke",
    ):
        assert path in paths
