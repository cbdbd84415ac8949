"""Changes to what officials verified about a producer (its identity) wait for an official's review; the public
— the producer's page, the scan page, the API, open data — keeps the verified values until one accepts them."""

from __future__ import annotations

import pytest
from django.core import mail
from rest_framework.test import APIClient

from oversight.models import AuditEntry
from tests.tracing.conftest import HA_GIANG, valid_tax_number
from tests.tracing.stamp_fixtures import (  # noqa: F401
    activate_range,
    issue,
    product_kinds_present,
    stamps_of,
)
from tracing import services
from tracing.models import Producer, ProducerChange

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NEW_NAME = "HTX Cam sành Bắc Quang Xanh"


def form_data(producer: Producer, **changes) -> dict:
    data = {
        "kind": producer.kind,
        "name": producer.name,
        "tax_number": producer.tax_number,
        "address": producer.address,
        "commune": producer.commune_id,
        "lat": str(producer.location.y),
        "lng": str(producer.location.x),
        "representative": producer.representative,
        "phone": producer.phone,
        "email": producer.email,
    }
    data.update(changes)
    return data


@pytest.fixture
def stamp(official, approved_producer, owner, product, batch):
    stamps = stamps_of(issue(official, approved_producer, quantity=2, product=product))
    activate_range(owner, batch, stamps[:1])
    return stamps[0]


def public_views(client, producer: Producer, stamp) -> dict[str, str]:
    return {
        "page": client.get(f"/nha-san-xuat/{producer.pk}/").content.decode(),
        "scan": client.get(f"/t/{stamp.serial}").content.decode(),
        "api": APIClient().get(f"/api/v1/producers/{producer.pk}/").json()["name"],
        "open data": client.get("/open-data/producers.json").content.decode(),
    }


def test_a_new_name_waits_for_review_while_every_public_view_keeps_the_verified_one(
    client, approved_producer, owner, official, stamp, django_capture_on_commit_callbacks
):
    verified = approved_producer.name
    client.force_login(owner)
    response = client.post("/co-so/ho-so/", form_data(approved_producer, name=NEW_NAME, phone="0987 111 222"), **EN)
    assert response.status_code == 302
    approved_producer.refresh_from_db()
    assert approved_producer.name == verified and approved_producer.status == "approved"
    assert approved_producer.phone == "0987111222"  # a contact detail changes at once
    change = ProducerChange.objects.get()
    assert (change.status, change.values, change.before) == ("pending", {"name": NEW_NAME}, {"name": verified})
    dashboard = client.get("/co-so/", **EN).content.decode()
    assert 'data-producer-change="pending"' in dashboard and NEW_NAME in dashboard
    assert NEW_NAME in client.get("/co-so/ho-so/").content.decode()  # the form shows what waits
    client.logout()
    for view, body in public_views(client, approved_producer, stamp).items():
        assert verified in body and NEW_NAME not in body, view

    client.force_login(official)
    listing = client.get("/giam-sat/ho-so/").content.decode()  # the one applications queue
    assert f'data-change="{change.pk}"' in listing and approved_producer.name in listing
    file = client.get(f"/giam-sat/ho-so/{approved_producer.pk}/", **EN).content.decode()
    assert "data-accept-change" in file and NEW_NAME in file and verified in file
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/giam-sat/ho-so/thay-doi/{change.pk}/accept/", {"change-reason": ""})
    assert response.status_code == 302
    approved_producer.refresh_from_db()
    assert approved_producer.name == NEW_NAME
    assert ProducerChange.objects.get().status == "accepted"
    assert [message.to for message in mail.outbox] == [[owner.email]]
    entry = AuditEntry.objects.get(action="producer.change_accepted")
    assert (entry.before, entry.after, entry.actor) == ({"name": verified}, {"name": NEW_NAME}, official)
    client.logout()
    for view, body in public_views(client, approved_producer, stamp).items():
        assert NEW_NAME in body, view


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("kind", "enterprise", "enterprise"),
        ("address", "Số 9, đường Nguyễn Trãi", "Số 9, đường Nguyễn Trãi"),
        ("representative", "Trần Thị Hoa", "Trần Thị Hoa"),
        ("location", HA_GIANG.__class__(104.99, 22.81, srid=4326), [104.99, 22.81]),
    ],
    ids=["legal form", "address", "representative", "location"],
)
def test_each_verified_field_waits_for_review(approved_producer, owner, field, value, stored):
    before = getattr(approved_producer, field)
    services.producer_update(by=owner, producer=approved_producer, **{field: value})
    approved_producer.refresh_from_db()
    assert getattr(approved_producer, field) == before
    assert ProducerChange.objects.get().values == {field: stored}


def test_a_new_tax_number_is_normalised_and_checked_before_it_waits(approved_producer, other_producer, owner):
    number = valid_tax_number()
    services.producer_update(by=owner, producer=approved_producer, tax_number=f"{number[:4]} {number[4:]}")
    assert ProducerChange.objects.get().values == {"tax_number": number}
    with pytest.raises(Exception) as error:  # another producer's number
        services.producer_update(by=owner, producer=approved_producer, tax_number=other_producer.tax_number)
    assert "tax_number" in error.value.message_dict
    assert ProducerChange.objects.get().values == {"tax_number": number}


def test_asking_again_adds_to_the_waiting_change_and_a_field_set_back_leaves_it(approved_producer, owner):
    verified = approved_producer.name
    services.producer_update(by=owner, producer=approved_producer, name=NEW_NAME)
    services.producer_update(by=owner, producer=approved_producer, representative="Trần Thị Hoa")
    assert ProducerChange.objects.get().values == {"name": NEW_NAME, "representative": "Trần Thị Hoa"}
    services.producer_update(by=owner, producer=approved_producer, name=verified)
    assert ProducerChange.objects.get().values == {"representative": "Trần Thị Hoa"}
    services.producer_update(by=owner, producer=approved_producer, representative=approved_producer.representative)
    assert ProducerChange.objects.get().status == "withdrawn"


def test_a_refusal_needs_a_reason_keeps_the_verified_values_and_tells_the_staff(
    client, approved_producer, owner, official, django_capture_on_commit_callbacks
):
    verified = approved_producer.name
    services.producer_update(by=owner, producer=approved_producer, name=NEW_NAME)
    change = ProducerChange.objects.get()
    client.force_login(official)
    response = client.post(f"/giam-sat/ho-so/thay-doi/{change.pk}/refuse/", {"change-reason": ""}, **EN)
    assert response.status_code == 400 and "Give the reason" in response.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/giam-sat/ho-so/thay-doi/{change.pk}/refuse/", {"change-reason": "Chưa có giấy đổi tên"}
        )
    assert response.status_code == 302
    approved_producer.refresh_from_db()
    assert approved_producer.name == verified and ProducerChange.objects.get().status == "refused"
    assert "Chưa có giấy đổi tên" in mail.outbox[0].body
    client.force_login(owner)
    dashboard = client.get("/co-so/").content.decode()
    assert 'data-producer-change="refused"' in dashboard and "Chưa có giấy đổi tên" in dashboard
    again = client.post(f"/giam-sat/ho-so/thay-doi/{change.pk}/accept/", {"change-reason": ""})
    assert again.status_code == 403


def test_officials_are_told_of_a_change_to_review(
    approved_producer, owner, official, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.producer_update(by=owner, producer=approved_producer, name=NEW_NAME)
    assert [message.to for message in mail.outbox] == [[official.email]]
    assert "ask to change what was verified: name." in mail.outbox[0].body


def test_the_staff_may_withdraw_a_waiting_change(client, approved_producer, owner):
    services.producer_update(by=owner, producer=approved_producer, name=NEW_NAME)
    change = ProducerChange.objects.get()
    client.force_login(owner)
    assert client.post(f"/co-so/thay-doi/{change.pk}/rut/").status_code == 302
    assert ProducerChange.objects.get().status == "withdrawn"


@pytest.mark.parametrize("who", ["owner", "stranger", "anonymous"])
def test_only_an_official_decides_a_change(client, request, approved_producer, owner, other_producer, who):
    services.producer_update(by=owner, producer=approved_producer, name=NEW_NAME)
    change = ProducerChange.objects.get()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.post(f"/giam-sat/ho-so/thay-doi/{change.pk}/accept/", {"change-reason": ""})
    assert response.status_code in (302, 403) and ProducerChange.objects.get().status == "pending"
    assert response.status_code == (302 if who == "anonymous" else 403)  # anonymous: to the sign-in page
    approved_producer.refresh_from_db()
    assert approved_producer.name != NEW_NAME


def test_another_producers_staff_cannot_withdraw_a_change(client, approved_producer, owner, stranger, other_producer):
    services.producer_update(by=owner, producer=approved_producer, name=NEW_NAME)
    change = ProducerChange.objects.get()
    client.force_login(stranger)
    assert client.post(f"/co-so/thay-doi/{change.pk}/rut/").status_code == 404
    assert ProducerChange.objects.get().status == "pending"


def test_before_the_survey_the_staff_change_their_identity_themselves(producer, owner):
    services.producer_update(by=owner, producer=producer, name=NEW_NAME, kind="enterprise")
    producer.refresh_from_db()
    assert (producer.name, producer.kind) == (NEW_NAME, "enterprise")
    assert not ProducerChange.objects.exists()


def test_the_api_shows_the_waiting_change_to_staff_and_lets_officials_decide(approved_producer, owner, official):
    staff, officials = APIClient(), APIClient()
    staff.force_authenticate(owner)
    officials.force_authenticate(official)
    url = f"/api/v1/producers/{approved_producer.pk}/"
    response = staff.patch(url, {"name": NEW_NAME}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == approved_producer.name and body["pending_change"]["values"] == {"name": NEW_NAME}
    assert "pending_change" not in APIClient().get(url).json()  # not public
    assert staff.post(url + "accept-change/", {"reason": ""}, format="json").status_code == 403
    refused = officials.post(url + "refuse-change/", {"reason": ""}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["error"]["fields"]
    accepted = officials.post(url + "accept-change/", {"reason": "Đã xem giấy phép"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert APIClient().get(url).json()["name"] == NEW_NAME
    assert officials.post(url + "accept-change/", {}, format="json").status_code == 404
