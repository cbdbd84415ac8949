"""Each cross-check on crafted data: one case that fires, one that must not."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from oversight import checks, services
from oversight.models import CheckSettings
from tests.oversight import factories as f
from tracing import services as tracing_services
from tracing.models import Batch, BatchEvent, Scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def orchard(producer, owner, official):
    """The cooperative's small orchard (a 0.0001° square, about 0.011 ha: ~171 kg of oranges a year at the
    default 15 t/ha) declaring oranges, and its product sold in 10 kg boxes."""
    area = f.make_area(
        owner,
        producer,
        name="Vườn đồi",
        hectare_square_at=(104.820, 22.410, 0.0001),
        capacities=[(f.kind("orange"), Decimal("20000"))],
    )
    area.refresh_from_db()
    product = f.make_product(owner, producer, "orange", net_kg="10")  # boxes of 10 kg
    return producer, owner, area, product


def _by_producer(anomalies, producer):
    return [a for a in anomalies if a.producer_id == producer.pk]


def test_capacity_check_fires_when_activated_boxes_weigh_more_than_the_orchard_yields(orchard, official):
    producer, staff, area, product = orchard
    potential_kg = Decimal(str(area.area_ha)) * Decimal(15000)  # default orange yield
    boxes = int(potential_kg // 10) + 5
    batch = f.make_batch(staff, product, quantity=str(boxes * 10), unit="kg")
    f.issue_and_activate(official, staff, batch, boxes)
    found = checks.capacity_anomalies(year=timezone.localdate().year)
    assert len(found) == 1
    assert found[0].producer_id == producer.pk
    assert "HTX Cam sành Việt Quang" in found[0].sentence and f"{boxes}" in found[0].sentence
    assert any(f"/giam-sat/ho-so/{producer.pk}/" in url for _label, url in found[0].links)


def test_capacity_check_stays_quiet_within_the_yield_and_follows_the_officials_yield(orchard, official):
    _producer, staff, _area, product = orchard
    batch = f.make_batch(staff, product, quantity="100", unit="kg")
    f.issue_and_activate(official, staff, batch, 10)  # 100 kg, below ~171 kg
    year = timezone.localdate().year
    assert checks.capacity_anomalies(year=year) == []
    # An official lowers the yield so much that 100 kg become impossible: now it fires.
    services.yield_set(
        by=official, product_kind=f.kind("orange"), yield_kg_per_ha=Decimal("1"), kg_per_litre=Decimal(1)
    )
    assert len(checks.capacity_anomalies(year=year)) == 1


def test_capacity_check_fires_when_no_area_declares_the_product(producer, owner, official):
    product = f.make_product(owner, producer, "orange")
    batch = f.make_batch(owner, product, quantity="10")
    f.issue_and_activate(official, owner, batch, 2)
    found = checks.capacity_anomalies(year=timezone.localdate().year)
    assert len(found) == 1 and "none of its production areas" in found[0].sentence


def test_batch_check_fires_when_the_batch_quantity_was_lowered_below_its_stamps(producer, owner, official):
    product = f.make_product(owner, producer, "orange")
    full = f.make_batch(owner, product, lot="CAM-FULL", quantity="10")
    lowered = f.make_batch(owner, product, lot="CAM-LOW", quantity="10")
    f.issue_and_activate(official, owner, full, 10)
    f.issue_and_activate(official, owner, lowered, 8)
    Batch.objects.filter(pk=lowered.pk).update(quantity=Decimal(5))
    found = checks.batch_anomalies()
    assert [a.sentence.split(" ")[1] for a in found] == ["CAM-LOW"]
    assert "8" in found[0].sentence and "5" in found[0].sentence


def test_certificate_check_fires_only_for_activations_after_the_certificate_expired(producer, owner, official):
    today = timezone.localdate()
    product = f.make_product(owner, producer, "orange")
    relied = f.make_certificate(owner, producer, number="VG-OLD", products=[product])
    batch = f.make_batch(owner, product, quantity="20")
    f.issue_and_activate(official, owner, batch, 5)
    # Valid on the activation day, expiring later: not an anomaly.
    f.expire(relied, today + datetime.timedelta(days=1))
    assert checks.certificate_anomalies() == []
    # The certificate's real end date, entered afterwards, lies before the activation: it fires.
    f.expire(relied, today - datetime.timedelta(days=3))
    found = checks.certificate_anomalies()
    assert len(found) == 1
    assert "VG-OLD" in found[0].sentence and "CAM-01" in found[0].sentence


def _scan_at(serial: str, lat: float, lng: float) -> Scan:
    outcome = tracing_services.scan_record(serial=serial, user_agent="Mozilla/5.0 (Android)")
    return tracing_services.scan_share_location(scan_id=outcome.scan.pk, lat=lat, lng=lng)


def test_far_scan_check_fires_far_from_every_place_of_the_distribution_but_not_at_a_shop_it_reached(
    producer, owner, official
):
    product = f.make_product(owner, producer, "orange")
    batch = f.make_batch(owner, product, quantity="20")
    stamps = f.issue_and_activate(official, owner, batch, 2)
    shop = f.make_shop("Cửa hàng Đặc sản Hà Nội", 21.03, 105.85)
    now = timezone.now()
    tracing_services.batch_event_add(
        by=owner, batch=batch, event_type="shipping", occurred_at=now - datetime.timedelta(hours=5)
    )
    tracing_services.batch_event_add(
        by=owner, batch=batch, event_type="receiving", occurred_at=now - datetime.timedelta(hours=1), retail_point=shop
    )
    _scan_at(stamps[0].serial, 21.031, 105.851)  # at the Hà Nội shop that received the batch
    _scan_at(stamps[1].serial, 10.78, 106.70)  # Hồ Chí Minh City: ~1,100 km from anything
    found = checks.far_scan_anomalies(far_km=CheckSettings.current().far_scan_km)
    assert len(found) == 1
    assert stamps[1].serial in found[0].sentence
    assert any(f"/giam-sat/kiem-tra/tem/{stamps[1].serial}/" in url for _label, url in found[0].links)


def test_journey_check_fires_for_a_lost_shipment_and_a_sale_without_shop_but_not_for_a_received_batch(
    producer, owner, official
):
    product = f.make_product(owner, producer, "orange")
    old = timezone.now() - datetime.timedelta(days=25)
    lost = f.make_batch(owner, product, lot="CAM-LOST", quantity="10", harvest=old.date() - datetime.timedelta(days=5))
    received = f.make_batch(
        owner, product, lot="CAM-OK", quantity="10", harvest=old.date() - datetime.timedelta(days=5)
    )
    fresh = f.make_batch(owner, product, lot="CAM-NEW", quantity="10")
    shop = f.make_shop("Cửa hàng Việt Quang", 22.41, 104.82)
    tracing_services.batch_event_add(by=owner, batch=lost, event_type="shipping", occurred_at=old)
    tracing_services.batch_event_add(by=owner, batch=received, event_type="shipping", occurred_at=old)
    tracing_services.batch_event_add(
        by=owner,
        batch=received,
        event_type="receiving",
        occurred_at=old + datetime.timedelta(days=1),
        retail_point=shop,
    )
    tracing_services.batch_event_add(by=owner, batch=fresh, event_type="shipping", occurred_at=timezone.now())
    found = checks.journey_anomalies(stale_days=14)
    assert [a.sentence.split(" ")[1] for a in found] == ["CAM-LOST"]
    BatchEvent.objects.filter(batch=received).update(
        retail_point=f.make_shop("Sạp chưa xác minh", 22.4, 104.8, verified=False)
    )
    assert sorted(a.sentence.split(" ")[1] for a in checks.journey_anomalies(stale_days=14)) == ["CAM-LOST", "CAM-OK"]


def test_the_checks_page_explains_each_anomaly_with_links(client, official, producer, owner):
    product = f.make_product(owner, producer, "orange")
    batch = f.make_batch(owner, product, quantity="10")
    f.issue_and_activate(official, owner, batch, 2)  # no area declares oranges: the capacity check fires
    client.force_login(official)
    page = client.get("/giam-sat/doi-chieu/").content.decode()
    assert 'data-anomaly="capacity"' in page
    assert f'href="/giam-sat/ho-so/{producer.pk}/"' in page
