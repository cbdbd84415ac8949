"""The scan page over HTTP: verdicts, what it shows, both link forms, the PIN, shared locations, clone flags."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.tracing.stamp_fixtures import (
    HA_GIANG_LAT_LNG,
    HA_NOI_LAT_LNG,
    activate_range,
    issue,
    pins_of,
    product_kinds_present,  # noqa: F401  (autouse)
    provinces,
    stamps_of,
)
from tracing import services
from tracing.models import Scan, Stamp, SuspicionFlag
from tracing.stamps import serials
from tracing.stamps.selection import Selection

pytestmark = pytest.mark.django_db

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"


@pytest.fixture
def gtin_product(owner, product):
    return services.product_update(by=owner, product=product, gtin="8938500000010")


@pytest.fixture
def live(official, approved_producer, owner, gtin_product, batch):
    """Ten stamps of a run for the orange product (GTIN), the first six activated on the batch; their PINs."""
    run = issue(official, approved_producer, quantity=10, product=gtin_product)
    stamps = stamps_of(run)
    activate_range(owner, batch, stamps[:6])
    services.batch_event_add(
        by=owner, batch=batch, event_type="commissioning", occurred_at=timezone.now() - datetime.timedelta(days=9)
    )
    services.batch_event_add(
        by=owner, batch=batch, event_type="packing", occurred_at=timezone.now() - datetime.timedelta(days=8)
    )
    return stamps, pins_of(official, run)


def page(client, path, **headers):
    return client.get(path, HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT=IPHONE, **headers)


def test_a_genuine_stamp_shows_its_verdict_product_batch_and_journey(client, live, batch):
    stamps, _pins = live
    response = page(client, f"/t/{stamps[0].serial}")
    html = response.content.decode()

    assert response.status_code == 200
    assert 'data-verdict="genuine"' in html and "Genuine product" in html
    assert "Cam sành Bắc Quang" in html and "verified producer" in html
    assert batch.lot_code in html and serials.format_serial(stamps[0].serial) in html
    assert html.count("<li><strong>") >= 2  # the journey: harvest, packing
    assert 'property="og:title"' in html and 'property="og:url"' in html
    assert "no-store" in response["Cache-Control"]
    scan = Scan.objects.get()
    assert (scan.stamp, scan.verdict, scan.channel, scan.device_family, scan.location) == (
        stamps[0],
        "genuine",
        "web",
        "iphone",
        None,
    )


def test_a_reload_by_the_same_visitor_is_recorded_as_a_repeat_not_a_new_sighting(client, live):
    stamps, _pins = live
    page(client, f"/t/{stamps[0].serial}")
    html = page(client, f"/t/{stamps[0].serial}").content.decode()
    assert [s.repeat for s in Scan.objects.order_by("pk")] == [False, True]
    assert 'data-scan-count="1"' in html


def test_a_malformed_code_is_refused_before_any_database_work(client, django_assert_num_queries):
    serial = serials.new_serial()
    typo = serial[:5] + ("0" if serial[5] != "0" else "1") + serial[6:]
    with django_assert_num_queries(0):
        response = page(client, f"/t/{typo}")
    assert response.status_code == 404
    assert "typing mistake" in response.content.decode()


def test_an_unknown_well_formed_code_says_unknown_and_is_recorded(client, db):
    serial = serials.new_serial()
    response = page(client, f"/t/{serial}")
    assert response.status_code == 404
    assert 'data-verdict="unknown"' in response.content.decode()
    assert Scan.objects.get().verdict == "unknown" and Scan.objects.get().serial == serial


def test_a_typed_variant_of_the_code_redirects_permanently_to_its_canonical_page(client, live):
    stamps, _pins = live
    serial = stamps[0].serial
    response = page(client, f"/t/{serial[:4].lower()}-{serial[4:8]}-{serial[8:]}")
    assert response.status_code == 301 and response["Location"] == f"/t/{serial}"
    assert not Scan.objects.exists()


def test_a_revoked_stamp_says_revoked_and_is_flagged_as_in_circulation(client, live, owner):
    stamps, _pins = live
    services.stamps_revoke(by=owner, selection=Selection(serials=(stamps[1].serial,)), reason="Cuộn tem bị mất")
    html = page(client, f"/t/{stamps[1].serial}").content.decode()
    assert 'data-verdict="revoked"' in html
    assert SuspicionFlag.objects.get(stamp=stamps[1]).rule == "not_in_circulation"


def test_a_never_activated_stamp_is_suspicious_with_a_plain_warning(client, live):
    stamps, _pins = live
    html = page(client, f"/t/{stamps[8].serial}").content.decode()
    assert 'data-verdict="suspicious"' in html
    assert "never activated" in html


# -- GS1 Digital Link -----------------------------------------------------------------------


def test_the_digital_link_form_resolves_with_and_without_the_lot(client, live, batch):
    stamps, _pins = live
    serial = stamps[0].serial
    for path in (f"/01/08938500000010/10/{batch.lot_code}/21/{serial}", f"/01/08938500000010/21/{serial}"):
        response = page(client, path)
        assert response.status_code == 200, path
        assert 'data-verdict="genuine"' in response.content.decode()


def test_a_gtin_13_in_a_digital_link_redirects_to_the_gtin_14_form(client, live):
    stamps, _pins = live
    response = page(client, f"/01/8938500000010/21/{stamps[0].serial}")
    assert response.status_code == 301
    assert response["Location"] == f"/01/08938500000010/21/{stamps[0].serial}"


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/01/08938500000011/21/{serial}", 400, "check digit"),
        ("/01/08938500000010/21/{serial}/10/CAM-2025-01", 400, "comes before"),
        ("/01/04006381333931/10/NO-SUCH-LOT", 404, "Nothing is known here"),
        ("/01/08938500000010/17/251231/21/{serial}", 400, "(17)"),
        ("/01/08938500000010/21/{typo}", 404, "not a valid stamp code"),
        ("/01/08938500000010//21/{serial}", 400, "empty part"),
    ],
)
def test_invalid_digital_links_get_a_clear_page_never_a_500(client, live, path, status, message):
    stamps, _pins = live
    serial = stamps[0].serial
    typo = serial[:-1] + ("0" if serial[-1] != "0" else "1")
    response = page(client, path.format(serial=serial, typo=typo))
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Scan.objects.exists()


def test_a_digital_link_with_another_products_gtin_is_suspicious(client, live):
    stamps, _pins = live
    html = page(client, f"/01/04006381333931/21/{stamps[0].serial}").content.decode()
    assert 'data-verdict="suspicious"' in html and "does not match" in html


def test_a_digital_link_with_the_right_gtin_but_another_lot_is_suspicious(client, live):
    stamps, _pins = live
    html = page(client, f"/01/08938500000010/10/CAM-1999-99/21/{stamps[0].serial}").content.decode()
    assert 'data-verdict="suspicious"' in html and "does not match" in html
    assert Scan.objects.get().verdict == "suspicious"


def test_old_t_links_keep_working_after_a_gtin_is_added(client, official, approved_producer, owner, product, batch):
    run = issue(official, approved_producer, quantity=2, product=product)  # no GTIN yet: printed as /t/…
    stamp = stamps_of(run)[0]
    activate_range(owner, batch, [stamp])
    from tracing.stamps.runs import stamp_url

    printed = stamp_url(Stamp.objects.select_related("run__product", "batch").get(pk=stamp.pk))
    assert printed.endswith(f"/t/{stamp.serial}")

    services.product_update(by=owner, product=product, gtin="8938500000010")

    assert 'data-verdict="genuine"' in page(client, f"/t/{stamp.serial}").content.decode()
    new_form = f"/01/08938500000010/10/{batch.lot_code}/21/{stamp.serial}"
    assert 'data-verdict="genuine"' in page(client, new_form).content.decode()


def test_a_lot_containing_a_slash_is_read_from_the_raw_request_uri(
    client, official, approved_producer, owner, gtin_product
):
    batch = services.batch_create(
        by=owner, product=gtin_product, lot_code="CAM/25", harvest_started_on=timezone.localdate(), quantity=10
    )
    stamp = stamps_of(issue(official, approved_producer, quantity=1, product=gtin_product))[0]
    activate_range(owner, batch, [stamp])
    raw = f"/01/08938500000010/10/CAM%2F25/21/{stamp.serial}"
    response = client.get(raw, HTTP_ACCEPT_LANGUAGE="en", RAW_URI=raw)
    assert response.status_code == 200
    assert 'data-verdict="genuine"' in response.content.decode()


# -- the PIN ---------------------------------------------------------------------------------


def test_the_pin_confirms_once_and_later_scans_say_when_and_where(client, live):
    stamps, pins = live
    serial = stamps[0].serial
    north, _capital = provinces()
    html = page(client, f"/t/{serial}").content.decode()
    token = re.search(r'data-scan="([^"]+)"', html).group(1)
    located = client.post(
        f"/t/{serial}/vi-tri", {"scan": token, "lat": HA_GIANG_LAT_LNG[0], "lng": HA_GIANG_LAT_LNG[1]}
    )
    assert located.json()["place"] == "Tuyên Quang"

    wrong = client.post(f"/t/{serial}/xac-nhan", {"pin": "00000000", "scan": token}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    right = client.post(f"/t/{serial}/xac-nhan", {"pin": pins[serial], "scan": token}, HTTP_ACCEPT_LANGUAGE="en")
    assert right.status_code == 200 and 'data-confirmed="yes"' in right.content.decode()
    stamp = Stamp.objects.get(serial=serial)
    assert (stamp.status, stamp.confirmed_place, stamp.confirmed_province) == ("sold", "Tuyên Quang", north)

    again = client.post(f"/t/{serial}/xac-nhan", {"pin": pins[serial]}, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409 and "already confirmed" in again.content.decode()
    later = page(client, f"/t/{serial}").content.decode()
    assert "already confirmed on" in later and "near Tuyên Quang" in later


@pytest.mark.parametrize("state", ["revoked", "never_activated"])
def test_a_pin_cannot_be_confirmed_on_a_revoked_or_unactivated_stamp(client, live, owner, state):
    """The right PIN, with the token of a scan of the page, is still refused: for a stamp that was activated
    and then revoked, and for one never activated."""
    stamps, pins = live
    stamp = stamps[2] if state == "revoked" else stamps[8]
    if state == "revoked":
        assert Stamp.objects.get(pk=stamp.pk).status == "activated"
        services.stamps_revoke(by=owner, selection=Selection(serials=(stamp.serial,)), reason="Cuộn tem bị mất")
    html = page(client, f"/t/{stamp.serial}").content.decode()
    token = re.search(r'data-scan="([^"]+)"', html)
    body = {"pin": pins[stamp.serial], **({"scan": token.group(1)} if token else {})}
    response = client.post(f"/t/{stamp.serial}/xac-nhan", body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    after = Stamp.objects.get(pk=stamp.pk)
    assert after.confirmed_at is None
    assert after.status == ("revoked" if state == "revoked" else "issued")


# -- shared locations and clone flags ----------------------------------------------------------


def _scan_and_share(client, serial, lat_lng, visitor):
    html = client.get(f"/t/{serial}", REMOTE_ADDR=visitor, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    token = re.search(r'data-scan="([^"]+)"', html).group(1)
    return client.post(
        f"/t/{serial}/vi-tri", {"scan": token, "lat": lat_lng[0], "lng": lat_lng[1]}, REMOTE_ADDR=visitor
    )


def test_a_location_is_shared_once_rounded_and_only_with_a_valid_token(client, live):
    stamps, _pins = live
    provinces()
    html = page(client, f"/t/{stamps[0].serial}").content.decode()
    token = re.search(r'data-scan="([^"]+)"', html).group(1)
    assert client.post(f"/t/{stamps[0].serial}/vi-tri", {"scan": "forged", "lat": 1, "lng": 2}).status_code == 400
    assert client.post(f"/t/{stamps[0].serial}/vi-tri", {"scan": token, "lat": "abc", "lng": 2}).status_code == 400
    ok = client.post(f"/t/{stamps[0].serial}/vi-tri", {"scan": token, "lat": 22.823377, "lng": 104.978411})
    assert ok.status_code == 200
    scan = Scan.objects.get()
    assert (scan.location.y, scan.location.x) == (22.823, 104.978)
    assert client.post(f"/t/{stamps[0].serial}/vi-tri", {"scan": token, "lat": 21, "lng": 105}).status_code == 400


def test_impossible_travel_between_two_visitors_flags_the_stamp_and_warns_the_next_one(client, live):
    stamps, _pins = live
    provinces()
    serial = stamps[0].serial
    _scan_and_share(client, serial, HA_GIANG_LAT_LNG, "10.0.0.1")
    second = _scan_and_share(client, serial, (10.7769, 106.7009), "10.0.0.2")
    assert second.json()["verdict"] == "suspicious"

    flags = {f.rule: f for f in SuspicionFlag.objects.filter(stamp__serial=serial)}
    assert "impossible_travel" in flags
    evidence = flags["impossible_travel"].evidence
    assert len(evidence["scan_ids"]) == 2 and evidence["distance_km"] > 1000
    html = client.get(f"/t/{serial}", REMOTE_ADDR="10.0.0.3", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-verdict="suspicious"' in html and "too far apart" in html


def test_a_confirmed_unit_scanned_in_another_province_is_flagged(client, live):
    stamps, pins = live
    provinces()
    serial = stamps[2].serial
    html = client.get(f"/t/{serial}", REMOTE_ADDR="10.0.0.1").content.decode()
    token = re.search(r'data-scan="([^"]+)"', html).group(1)
    client.post(
        f"/t/{serial}/vi-tri",
        {"scan": token, "lat": HA_GIANG_LAT_LNG[0], "lng": HA_GIANG_LAT_LNG[1]},
        REMOTE_ADDR="10.0.0.1",
    )
    client.post(f"/t/{serial}/xac-nhan", {"pin": pins[serial], "scan": token}, REMOTE_ADDR="10.0.0.1")
    Scan.objects.update(scanned_at=timezone.now() - datetime.timedelta(days=2))

    _scan_and_share(client, serial, HA_NOI_LAT_LNG, "10.0.0.9")

    rules = set(SuspicionFlag.objects.filter(stamp__serial=serial).values_list("rule", flat=True))
    assert "confirmed_elsewhere" in rules


def test_a_scan_far_from_the_shops_and_outside_the_province_is_flagged_but_one_near_home_is_not(client, live):
    stamps, _pins = live
    provinces()
    _scan_and_share(client, stamps[3].serial, (22.50, 104.87), "10.0.0.1")  # Bắc Quang, near the producer
    assert not SuspicionFlag.objects.filter(stamp__serial=stamps[3].serial).exists()
    _scan_and_share(client, stamps[4].serial, (10.7769, 106.7009), "10.0.0.2")  # Sài Gòn
    assert set(SuspicionFlag.objects.filter(stamp__serial=stamps[4].serial).values_list("rule", flat=True)) == {
        "outside_distribution"
    }


def test_too_many_sightings_flag_the_stamp(client, live, settings):
    from tracing.stamps import clone_rules

    stamps, _pins = live
    serial = stamps[5].serial
    for i in range(clone_rules.MAX_SIGHTINGS + 1):
        client.cookies.clear()  # another phone each time, on another network
        client.get(f"/t/{serial}", REMOTE_ADDR=f"10.1.{i}.1")
    flag = SuspicionFlag.objects.get(stamp__serial=serial)
    assert flag.rule == "too_many_scans" and flag.evidence["sightings"] == clone_rules.MAX_SIGHTINGS + 1
    assert flag.scan_id == Scan.objects.latest("pk").pk


def test_the_origin_map_data_has_the_growing_region_and_the_producer(client, live, owner, gtin_product, orange_region):
    stamps, _pins = live
    services.product_update(by=owner, product=gtin_product, growing_region=orange_region)
    data = client.get(f"/t/{stamps[0].serial}/nguon-goc.geojson").json()
    shown = [f["properties"].get("kind") or f["geometry"]["type"] for f in data["features"]]
    assert "MultiPolygon" in shown and "producer" in shown
    assert client.get(f"/t/{stamps[8].serial}/nguon-goc.geojson").status_code == 404


def test_phones_behind_one_carrier_address_are_one_sighting_and_a_reload_is_a_repeat(live):
    """Reloads are told by the browser's own cookie (a phone moving from Wi-Fi to 4G is still reloading);
    sightings are counted per network, so that one client cannot add sightings by dropping its cookie.
    Two buyers behind one carrier address (NAT) are one sighting: a copied code is bought on many networks."""
    from django.test import Client

    stamps, _pins = live
    serial = stamps[0].serial
    first, second = Client(), Client()
    for phone, address in ((first, "100.64.0.1"), (second, "100.64.0.1"), (first, "198.51.100.1")):
        phone.get(f"/t/{serial}", REMOTE_ADDR=address, HTTP_USER_AGENT=IPHONE)
    assert [s.repeat for s in Scan.objects.order_by("pk")] == [False, False, True]
    assert 'data-scan-count="1"' in page(second, f"/t/{serial}", REMOTE_ADDR="100.64.0.1").content.decode()
    assert 'data-scan-count="2"' in page(Client(), f"/t/{serial}", REMOTE_ADDR="203.0.113.1").content.decode()


def test_the_reload_cookie_keeps_recent_codes_only_and_ignores_what_it_cannot_read(client, live):
    from tracing.stamps import recent_scans

    stamps, _pins = live
    now = int(timezone.now().timestamp())
    old = now - recent_scans.WINDOW_S - 1
    client.cookies[recent_scans.COOKIE] = f"{stamps[1].serial}.{old}-junk-{stamps[2].serial}.{now}-<x>"
    page(client, f"/t/{stamps[1].serial}")  # seen too long ago: a sighting
    page(client, f"/t/{stamps[2].serial}")  # seen just now: a reload
    assert [s.repeat for s in Scan.objects.order_by("pk")] == [False, True]
    cookie = client.cookies[recent_scans.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) == recent_scans.WINDOW_S
    kept = sorted(part.split(".")[0] for part in cookie.value.split("-"))
    assert kept == sorted([stamps[1].serial, stamps[2].serial])


def test_the_reload_cookie_holds_at_most_twenty_codes(client, live):
    from tracing.stamps import recent_scans

    stamps, _pins = live
    now = int(timezone.now().timestamp())
    many = "-".join(f"{serials.new_serial()}.{now - i}" for i in range(30))
    client.cookies[recent_scans.COOKIE] = many
    page(client, f"/t/{stamps[0].serial}")
    kept = client.cookies[recent_scans.COOKIE].value.split("-")
    assert len(kept) == recent_scans.MAX_CODES and kept[0].startswith(stamps[0].serial)
