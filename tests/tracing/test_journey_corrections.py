"""Correcting and deleting journey steps: the producer's staff only, the journey stays consistent, the
step as it was is kept (and audited), and once stamps are on products a reason is required and the
public journey says it was corrected."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from geo.models import RetailPoint
from oversight.models import AuditEntry
from tests.tracing.stamp_fixtures import activate_range, issue, product_kinds_present, stamps_of  # noqa: F401
from tracing import models, services
from tracing.models import BatchEvent

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def shop(db):
    return RetailPoint.objects.create(
        name="Cửa hàng đặc sản Hà Giang", address="Nguyễn Trãi, Hà Giang", location=Point(104.98, 22.82, srid=4326)
    )


@pytest.fixture
def journey(batch, owner, shop):
    """Harvest, packing, shipping, receiving at the shop: a day apart, starting nine days ago."""
    start = timezone.now() - datetime.timedelta(days=9)
    steps = {}
    for day, step in enumerate(["commissioning", "packing", "shipping", "receiving"]):
        steps[step] = services.batch_event_add(
            by=owner,
            batch=batch,
            event_type=step,
            occurred_at=start + datetime.timedelta(days=day),
            retail_point=shop if step == "receiving" else None,
            note="Ghi chú ban đầu",
        )
    return steps


def put_on_products(official, owner, batch):
    run = issue(official, batch.producer, quantity=3, product=batch.product)
    activate_range(owner, batch, stamps_of(run)[:2])


def test_the_owner_corrects_a_step_through_the_page_and_it_is_kept_and_audited(client, owner, batch, journey):
    packing = journey["packing"]
    client.force_login(owner)
    manage = client.get(f"/co-so/lo/{batch.pk}/", **EN).content.decode()
    assert f"/co-so/lo/{batch.pk}/buoc/{packing.pk}/" in manage and "data-delete-step" in manage
    form = client.get(f"/co-so/lo/{batch.pk}/buoc/{packing.pk}/", **EN)
    assert form.status_code == 200 and "Ghi chú ban đầu" in form.content.decode()
    new_time = timezone.localtime(packing.occurred_at + datetime.timedelta(hours=3))
    response = client.post(
        f"/co-so/lo/{batch.pk}/buoc/{packing.pk}/",
        {"event_type": "packing", "occurred_at": new_time.strftime("%Y-%m-%dT%H:%M"), "note": "Đóng hộp 1 kg"},
    )
    assert response.status_code == 302
    packing.refresh_from_db()
    assert packing.note == "Đóng hộp 1 kg" and packing.corrected_at is None  # no stamp out yet: no public mark
    revision = models.BatchEventRevision.objects.get()
    assert (revision.action, revision.before["note"], revision.after["note"]) == (
        "edit",
        "Ghi chú ban đầu",
        "Đóng hộp 1 kg",
    )
    entry = AuditEntry.objects.get(action="journey.edit")
    assert entry.target_type == "tracing.batch" and entry.target_id == str(batch.pk) and entry.actor == owner


def test_a_correction_that_breaks_the_journey_is_refused_with_a_message(client, owner, batch, journey):
    client.force_login(owner)
    shipping = journey["shipping"]
    late = timezone.localtime(journey["receiving"].occurred_at + datetime.timedelta(hours=1))
    response = client.post(
        f"/co-so/lo/{batch.pk}/buoc/{shipping.pk}/",
        {"event_type": "shipping", "occurred_at": late.strftime("%Y-%m-%dT%H:%M")},
        **EN,
    )
    assert response.status_code == 400 and "only after a shipping step" in response.content.decode()
    before_harvest = datetime.datetime.combine(batch.harvest_started_on - datetime.timedelta(days=1), datetime.time(8))
    response = client.post(
        f"/co-so/lo/{batch.pk}/buoc/{shipping.pk}/",
        {"event_type": "shipping", "occurred_at": before_harvest.strftime("%Y-%m-%dT%H:%M")},
        **EN,
    )
    assert response.status_code == 400 and "before the harvest" in response.content.decode()
    with pytest.raises(ValidationError, match="already has its harvest step"):
        services.batch_event_update(by=owner, event=journey["packing"], event_type="commissioning")
    with pytest.raises(ValidationError, match="in the future"):
        services.batch_event_update(
            by=owner, event=journey["receiving"], occurred_at=timezone.now() + datetime.timedelta(hours=2)
        )
    shipping.refresh_from_db()
    assert shipping.occurred_at < journey["receiving"].occurred_at and not models.BatchEventRevision.objects.exists()


def test_delete_asks_for_confirmation_then_deletes_and_keeps_the_step(client, owner, batch, journey):
    packing = journey["packing"]
    client.force_login(owner)
    confirm = client.get(f"/co-so/lo/{batch.pk}/buoc/{packing.pk}/xoa/", **EN)
    assert confirm.status_code == 200 and "Delete this step" in confirm.content.decode()
    assert BatchEvent.objects.filter(pk=packing.pk).exists()  # a GET deletes nothing
    response = client.post(f"/co-so/lo/{batch.pk}/buoc/{packing.pk}/xoa/", {})
    assert response.status_code == 302 and not BatchEvent.objects.filter(pk=packing.pk).exists()
    revision = models.BatchEventRevision.objects.get()
    assert (revision.action, revision.event_number, revision.before["event_type"]) == ("delete", packing.pk, "packing")
    assert AuditEntry.objects.filter(action="journey.delete", target_id=str(batch.pk)).exists()


def test_the_shipping_a_receiving_rests_on_cannot_be_deleted(client, owner, batch, journey):
    client.force_login(owner)
    response = client.post(f"/co-so/lo/{batch.pk}/buoc/{journey['shipping'].pk}/xoa/", {}, **EN)
    assert response.status_code == 400 and "delete the later receiving step first" in response.content.decode()
    assert BatchEvent.objects.filter(pk=journey["shipping"].pk).exists()


def test_once_stamps_are_on_products_a_reason_is_required_and_the_public_journey_says_so(
    client, owner, official, batch, journey
):
    put_on_products(official, owner, batch)
    packing = journey["packing"]
    with pytest.raises(ValidationError, match="say why"):
        services.batch_event_update(by=owner, event=packing, note="Sửa lại")
    client.force_login(owner)
    form = client.get(f"/co-so/lo/{batch.pk}/buoc/{packing.pk}/", **EN).content.decode()
    assert "data-in-circulation" in form
    refused = client.post(f"/co-so/lo/{batch.pk}/buoc/{journey['receiving'].pk}/xoa/", {"reason": ""}, **EN)
    assert refused.status_code == 400 and BatchEvent.objects.filter(pk=journey["receiving"].pk).exists()

    services.batch_event_update(by=owner, event=packing, note="Đóng hộp 1 kg", reason="Ghi nhầm quy cách đóng gói")
    services.batch_event_delete(by=owner, event=journey["receiving"], reason="Cửa hàng chưa nhận hàng thật")
    packing.refresh_from_db()
    assert packing.corrected_at is not None
    client.logout()
    page = client.get(f"/nha-san-xuat/lo/{batch.pk}/", **EN).content.decode()
    assert "data-corrected" in page and "Corrected by the producer" in page
    assert "data-removed-steps" in page and "1 step was removed" in page
    vi = client.get(f"/nha-san-xuat/lo/{batch.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Nhà sản xuất đã sửa" in vi
    stamp = batch.stamps.first()
    scan = client.get(f"/t/{stamp.serial}", **EN).content.decode()
    assert "data-corrected" in scan and "Corrected by the producer on" in scan

    client.force_login(official)
    trail = client.get("/giam-sat/nhat-ky/", {"target_type": "tracing.batch", "target_id": batch.pk}, **EN)
    text = trail.content.decode()
    assert trail.status_code == 200 and "<td" in text
    text = text.lower()
    assert "journey step corrected" in text and "journey step deleted" in text
    assert "ghi nhầm quy cách đóng gói" in text and "ghi chú ban đầu" in text


@pytest.mark.parametrize("who", ["stranger", "anonymous"])
def test_nobody_else_edits_or_deletes_a_step(client, request, batch, journey, who):
    packing = journey["packing"]
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for path in (f"/co-so/lo/{batch.pk}/buoc/{packing.pk}/", f"/co-so/lo/{batch.pk}/buoc/{packing.pk}/xoa/"):
        assert client.get(path).status_code in (302, 403, 404)
        response = client.post(path, {"event_type": "packing", "occurred_at": "2026-01-01T08:00", "note": "x"})
        assert response.status_code in (302, 403, 404)
        if who == "stranger":
            assert response.status_code == 404
    packing.refresh_from_db()
    assert packing.note == "Ghi chú ban đầu" and BatchEvent.objects.filter(pk=packing.pk).exists()
    with pytest.raises(PermissionDenied):
        services.batch_event_delete(by=request.getfixturevalue("stranger"), event=packing)


def test_a_step_of_another_batch_is_not_reached_through_this_batch(client, owner, product, batch, journey):
    other = services.batch_create(
        by=owner, product=product, lot_code="CAM-2025-02", harvest_started_on=batch.harvest_started_on, quantity=5
    )
    client.force_login(owner)
    assert client.get(f"/co-so/lo/{other.pk}/buoc/{journey['packing'].pk}/").status_code == 404


def test_the_page_needs_the_csrf_token(owner, batch, journey):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(f"/co-so/lo/{batch.pk}/buoc/{journey['packing'].pk}/xoa/", {})
    assert response.status_code == 403 and BatchEvent.objects.filter(pk=journey["packing"].pk).exists()


def test_the_api_corrects_and_deletes_steps_for_the_owner_only(api_client, owner, stranger, batch, journey):
    packing, url = journey["packing"], f"/api/v1/batches/{batch.pk}/events/{journey['packing'].pk}/"
    api_client.force_authenticate(stranger)
    assert api_client.patch(url, {"note": "x"}, format="json").status_code == 404
    assert api_client.delete(url).status_code == 404
    api_client.force_authenticate(owner)
    bad = api_client.patch(url, {"occurred_at": "2001-01-01T08:00:00+07:00"}, format="json")
    assert bad.status_code == 400 and "occurred_at" in bad.json()["error"]["fields"]
    ok = api_client.patch(url, {"note": "Đóng hộp 500 g", "actor": "Tổ đóng gói"}, format="json")
    assert ok.status_code == 200 and ok.json()["note"] == "Đóng hộp 500 g"
    assert api_client.delete(url).status_code == 204
    assert not BatchEvent.objects.filter(pk=packing.pk).exists()
    assert list(models.BatchEventRevision.objects.values_list("action", flat=True).order_by("pk")) == ["edit", "delete"]
    assert api_client.delete(url).status_code == 404
