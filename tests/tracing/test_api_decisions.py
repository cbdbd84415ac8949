"""The producer's life through the API: officials decide, applicants apply, the unapproved stay hidden.

These tests start from a producer just applied (tests/tracing/conftest.py), each its own; the tests of
an approved producer's data share one world per module (tests/tracing/test_api.py).
"""

import pytest
from django.utils import timezone

from backend import roles
from tests.conftest import make_user
from tests.tracing.conftest import HA_GIANG, approve, valid_tax_number
from tests.tracing.test_api import client_for, point
from tracing import services
from tracing.models import Producer

TODAY = timezone.localdate


DECISIONS = [
    ("schedule-survey", "applied", {"scheduled_for": str(TODAY())}),
    (
        "record-survey",
        "survey_scheduled",
        {
            "surveyed_on": str(TODAY()),
            "location": point(104.98, 22.82),
            "identity_confirmed": True,
            "certificates_genuine": True,
            "areas_as_declared": True,
            "gap_practice_seen": True,
        },
    ),
    ("approve", "surveyed", {"reason": "Đạt yêu cầu."}),
    ("reject", "surveyed", {"reason": "Chưa có giấy chứng nhận."}),
    ("suspend", "approved", {"reason": "Vi phạm."}),
    ("reinstate", "suspended", {"reason": "Đã khắc phục."}),
]


def bring_to(status, producer, official):
    steps = {
        "applied": [],
        "survey_scheduled": ["schedule"],
        "surveyed": ["schedule", "record"],
        "approved": ["approve"],
        "suspended": ["approve", "suspend"],
    }[status]
    if "approve" in steps:
        approve(producer, official)
    if "schedule" in steps:
        services.producer_schedule_survey(by=official, producer=producer, scheduled_for=TODAY())
    if "record" in steps:
        services.producer_record_survey(
            by=official,
            producer=producer,
            surveyed_on=TODAY(),
            location=HA_GIANG,
            identity_confirmed=True,
            certificates_genuine=True,
            areas_as_declared=True,
            gap_practice_seen=True,
        )
    if "suspend" in steps:
        services.producer_suspend(by=official, producer=producer, reason="x")


@pytest.mark.parametrize(("path", "source", "body"), DECISIONS, ids=[d[0] for d in DECISIONS])
@pytest.mark.parametrize("who", ["official", "owner", "stranger", "anonymous"])
def test_only_officials_decide_through_the_api(path, source, body, who, producer, official, api_client, request):
    request.getfixturevalue("other_producer")  # the stranger is another producer's staff
    bring_to(source, producer, official)
    client = client_for(who, api_client, request)
    response = client.post(f"/api/v1/producers/{producer.pk}/{path}/", body, format="json")
    producer.refresh_from_db()
    if who == "official":
        assert response.status_code == 200, response.content
        assert producer.status != source
    else:
        assert response.status_code in (401, 403, 404)
        assert producer.status == source


def test_a_decision_out_of_order_is_a_409_conflict(producer, official, api_client):
    api_client.force_authenticate(official)
    response = api_client.post(f"/api/v1/producers/{producer.pk}/approve/", {"reason": "Tốt."}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


def test_a_decision_without_a_reason_names_the_field(producer, official, api_client):
    bring_to("surveyed", producer, official)
    api_client.force_authenticate(official)
    response = api_client.post(f"/api/v1/producers/{producer.pk}/reject/", {"reason": ""}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_history_is_shown_to_the_producer_and_officials_only(approved_producer, official, owner, stranger, api_client):
    url = f"/api/v1/producers/{approved_producer.pk}/history/"
    api_client.force_authenticate(owner)
    body = api_client.get(url).json()
    assert [step["to_status"] for step in body["history"]] == ["applied", "survey_scheduled", "surveyed", "approved"]
    assert body["allowed_actions"] == ["suspend"]
    api_client.force_authenticate(official)
    assert api_client.get(url).status_code == 200
    api_client.force_authenticate(stranger)
    assert api_client.get(url).status_code == 403
    api_client.force_authenticate(None)
    assert api_client.get(url).status_code in (401, 403)


def test_applying_through_the_api(commune, api_client):
    applicant = make_user("thu", roles.CONSUMER)
    api_client.force_authenticate(applicant)
    response = api_client.post(
        "/api/v1/producers/",
        {
            "kind": "enterprise",
            "name": "Công ty Chè Hà Giang",
            "tax_number": valid_tax_number(),
            "address": "Vị Xuyên",
            "commune": commune.pk,
            "location": point(104.98, 22.82),
            "representative": "Hoàng Thu",
            "phone": "0912 000 111",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "applied"
    assert Producer.objects.get(pk=response.json()["id"]).memberships.get().user == applicant


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"tax_number": "0100233480"}, "tax_number"),
        ({"location": point(100.5, 13.75)}, "location"),
        ({"location": {"type": "Point", "coordinates": [104.9, 22.8], "crs": {"type": "name"}}}, "location"),
        ({"phone": "12345"}, "phone"),
    ],
    ids=["tax-number", "outside-vietnam", "crs-member", "phone"],
)
def test_a_bad_application_is_a_400_naming_the_field(overrides, field, commune, api_client):
    api_client.force_authenticate(make_user("thu", roles.CONSUMER))
    data = {
        "kind": "cooperative",
        "name": "HTX",
        "tax_number": valid_tax_number(),
        "address": "x",
        "commune": commune.pk,
        "location": point(104.98, 22.82),
        "representative": "y",
        "phone": "0912000111",
        **overrides,
    }
    response = api_client.post("/api/v1/producers/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert response.json()["error"]["message"].startswith(f"{field}:")


@pytest.mark.parametrize("who", ["anonymous", "stranger"])
def test_an_unapproved_producer_and_its_data_are_hidden_from_others(who, producer, owner, kinds, api_client, request):
    request.getfixturevalue("other_producer")
    product = services.product_create(by=owner, producer=producer, kind=kinds["tea"], name_vi="Chè", net_quantity=1)
    client = client_for(who, api_client, request)
    assert client.get(f"/api/v1/producers/{producer.pk}/").status_code == 404
    assert client.get(f"/api/v1/products/{product.pk}/").status_code == 404
    assert product.pk not in [p["id"] for p in client.get("/api/v1/products/").json()["results"]]


def test_staff_and_officials_see_an_unapproved_producer(producer, owner, official, api_client):
    for user in (owner, official):
        api_client.force_authenticate(user)
        assert api_client.get(f"/api/v1/producers/{producer.pk}/").status_code == 200
