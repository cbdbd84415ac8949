"""Rate limits on the scan page, the PIN and the API: per visitor and per code, with a clear 429."""

import pytest

from tests.tracing.stamp_fixtures import (
    activate_range,
    issue,
    product_kinds_present,  # noqa: F401  (autouse)
    stamps_of,
)
from tracing.models import Scan
from tracing.stamps import scan_limits, serials

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def still_clock(monkeypatch):
    """Half a minute into a minute (and into its 10-minute and hour windows): no window ends mid-test."""
    monkeypatch.setattr(scan_limits, "clock", lambda: 1_800_000_030.0)


@pytest.fixture
def serial(official, approved_producer, owner, batch):
    stamp = stamps_of(issue(official, approved_producer, quantity=1))[0]
    activate_range(owner, batch, [stamp])
    return stamp.serial


def test_one_visitor_scanning_too_fast_gets_a_429_page_and_is_not_recorded(client, serial, settings):
    for _ in range(scan_limits.SCAN_PER_VISITOR):
        assert client.get(f"/t/{serials.new_serial()}", REMOTE_ADDR="10.9.9.9").status_code == 404
    response = client.get(f"/t/{serial}", REMOTE_ADDR="10.9.9.9", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0 and "Too many requests" in response.content.decode()
    assert not Scan.objects.filter(serial=serial).exists()
    assert client.get(f"/t/{serial}", REMOTE_ADDR="10.9.9.10").status_code == 200


def test_one_code_scanned_from_many_addresses_is_limited_too(client, serial, monkeypatch):
    monkeypatch.setattr(scan_limits, "SCAN_PER_CODE", 5)
    statuses = [client.get(f"/t/{serial}", REMOTE_ADDR=f"10.8.0.{i}").status_code for i in range(1, 8)]
    assert statuses == [200] * 5 + [429, 429]


def test_guessing_pins_is_stopped_per_code(client, serial):
    statuses = [
        client.post(f"/t/{serial}/xac-nhan", {"pin": f"{i:08d}"}, REMOTE_ADDR=f"10.7.0.{i}").status_code
        for i in range(1, scan_limits.CONFIRM_PER_CODE + 3)
    ]
    assert statuses == [400] * scan_limits.CONFIRM_PER_CODE + [429, 429]


def test_the_api_answers_429_in_the_error_shape(api_client, serial):
    for _ in range(scan_limits.CONFIRM_PER_CODE):
        api_client.post(f"/api/v1/stamps/{serial}/confirm", {"pin": "12345678"}, format="json")
    response = api_client.post(f"/api/v1/stamps/{serial}/confirm", {"pin": "12345678"}, format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert "Retry-After" in response


def test_reports_are_limited_per_visitor(client):
    for i in range(scan_limits.REPORT_PER_VISITOR):
        assert client.post("/bao-hang-gia/", {"note": f"Cam lạ số {i}"}, REMOTE_ADDR="10.6.0.1").status_code == 200
    assert client.post("/bao-hang-gia/", {"note": "thêm"}, REMOTE_ADDR="10.6.0.1").status_code == 429


def spelling_variants(serial: str) -> list[str]:
    """Ways to type one code that all mean it: lower case, separators anywhere, O for 0 and I or L for 1."""
    looks = serial.replace("0", "O").replace("1", "l")
    variants = [serial.lower(), serials.format_serial(serial), looks, looks.lower(), "-".join(serial)]
    variants += [serial[:k] + "-" + serial[k:] for k in range(1, len(serial))]
    variants.append("-" * 200 + serial)  # padding must not turn into another key
    return [v for v in dict.fromkeys(variants) if v != serial]


def test_pin_guesses_through_the_api_with_spelling_variants_of_the_code_share_one_limit(api_client, serial):
    variants = spelling_variants(serial)
    assert all(serials.parse_serial(variant) == serial for variant in variants)
    statuses = [
        api_client.post(
            f"/api/v1/stamps/{variant}/confirm", {"pin": f"{i:08d}"}, format="json", REMOTE_ADDR=f"10.5.0.{i}"
        ).status_code
        for i, variant in enumerate(variants[: scan_limits.CONFIRM_PER_CODE + 2], start=1)
    ]
    assert statuses == [400] * scan_limits.CONFIRM_PER_CODE + [429, 429]


def test_scans_through_the_api_with_spelling_variants_share_the_codes_limit(api_client, serial, monkeypatch):
    monkeypatch.setattr(scan_limits, "SCAN_PER_CODE", 3)
    variants = spelling_variants(serial)
    statuses = [
        api_client.get(f"/api/v1/stamps/{variant}", REMOTE_ADDR=f"10.4.0.{i}").status_code
        for i, variant in enumerate(variants[:5], start=1)
    ]
    assert statuses == [200] * 3 + [429, 429]
