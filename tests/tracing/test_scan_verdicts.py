"""What the scan page tells a buyer must rest on evidence about the unit in circulation, not on volume:

- scans before activation (a producer's test label) and scans by the producer's own signed-in staff
  never make the verdict of later buyers suspicious, but officials still see them;
- sightings from one network (IPv4 /24, IPv6 /64) count once, whatever cookies and user agents
  the client sends, so a stranger cannot turn a genuine stamp "suspicious" by scanning it often;
  officials see every scan recorded, the raw counts and the distinct ones.
"""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from oversight.models import Case
from tests.oversight.factories import make_official
from tests.tracing.stamp_fixtures import (
    HA_GIANG_LAT_LNG,
    HA_NOI_LAT_LNG,
    activate_range,
    issue,
    product_kinds_present,  # noqa: F401  (autouse)
    provinces,
    stamps_of,
)
from tracing import services
from tracing.models import Scan, SuspicionFlag
from tracing.stamps import clone_rules, scan_limits

pytestmark = pytest.mark.django_db

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
AGENTS = [
    IPHONE,
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1",
    "SomethingElse/1.0",
]


@pytest.fixture
def run(official, approved_producer, product):
    return stamps_of(issue(official, approved_producer, quantity=6, product=product))


def scan(serial, address="198.51.100.7", agent=IPHONE, client=None, **extra):
    """A scan by a phone that opens the page afresh (a new browser: no cookie), from `address`."""
    client = client or Client()
    response = client.get(
        f"/t/{serial}", REMOTE_ADDR=address, HTTP_USER_AGENT=agent, HTTP_ACCEPT_LANGUAGE="en", **extra
    )
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def verdict(html: str) -> str:
    return re.search(r'data-verdict="([a-z]+)"', html).group(1)


def scan_count(html: str) -> int:
    return int(re.search(r'data-scan-count="([0-9]+)"', html).group(1))


def share(client, serial, html, lat_lng, address):
    token = re.search(r'data-scan="([^"]+)"', html).group(1)
    response = client.post(
        f"/t/{serial}/vi-tri", {"scan": token, "lat": lat_lng[0], "lng": lat_lng[1]}, REMOTE_ADDR=address
    )
    assert response.status_code == 200, response.content
    return response.json()


# -- scans before activation and by the producer's own staff ------------------------------------------


def test_a_test_label_scanned_before_activation_does_not_make_buyers_see_suspicious_after_it(run, owner, batch, client):
    """The producer guide says to scan a test label first; the phone's camera opens a browser not signed in."""
    stamp = run[0]
    assert verdict(scan(stamp.serial)) == "suspicious"  # not activated yet: rightly suspicious
    flag = SuspicionFlag.objects.get(stamp=stamp)
    assert flag.rule == clone_rules.NOT_IN_CIRCULATION

    activate_range(owner, batch, [stamp])
    html = scan(stamp.serial, address="203.0.113.50")

    assert verdict(html) == "genuine"
    assert "should not be on any product" not in html and "data-warnings" not in html
    assert scan_count(html) == 1  # the buyer's own sighting; the test label's was before the stamp's life
    # The evidence stays with the officials: the flag is still open in their queue, the scan is recorded.
    flag.refresh_from_db()
    case = Case.objects.get(flag=flag)
    assert flag.is_open and case.status == Case.Status.OPEN
    assert Scan.objects.filter(stamp=stamp).count() == 2
    client.force_login(make_official("thanh"))
    html = client.get(f"/giam-sat/viec/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "data-before-activation" in html and 'data-count="before_activation">1<' in html


def test_many_sightings_before_activation_do_not_count_after_it(run, owner, batch):
    stamp = run[1]
    for n in range(clone_rules.MAX_SIGHTINGS + 2):
        scan(stamp.serial, address=f"10.{n}.0.1")
    activate_range(owner, batch, [stamp])
    html = scan(stamp.serial, address="203.0.113.50")
    assert verdict(html) == "genuine" and scan_count(html) == 1
    assert not SuspicionFlag.objects.filter(stamp=stamp, rule=clone_rules.TOO_MANY_SCANS).exists()


def test_a_located_test_scan_before_activation_is_no_travel_evidence_against_the_first_buyer(run, owner, batch):
    """Labels tested at a print shop in Hà Nội, activated and sold in Hà Giang within the hour."""
    provinces()
    stamp = run[2]
    printer = Client()
    share(printer, stamp.serial, scan(stamp.serial, client=printer), HA_NOI_LAT_LNG, "198.51.100.7")
    activate_range(owner, batch, [stamp])
    buyer = Client()
    html = scan(stamp.serial, client=buyer, address="203.0.113.50")
    answer = share(buyer, stamp.serial, html, HA_GIANG_LAT_LNG, "203.0.113.50")

    assert answer["verdict"] == "genuine"
    assert not SuspicionFlag.objects.filter(stamp=stamp, rule=clone_rules.IMPOSSIBLE_TRAVEL).exists()
    assert verdict(scan(stamp.serial, address="192.0.2.1")) == "genuine"


def test_the_producers_signed_in_staff_sharing_a_location_are_no_travel_evidence(run, owner, batch, world):
    """A colleague checks a label at a fair in Hà Nội; a buyer scans the unit in Hà Giang an hour later."""
    provinces()
    stamp = run[3]
    activate_range(owner, batch, [stamp])
    colleague = Client()
    colleague.force_login(world["colleague"])
    share(colleague, stamp.serial, scan(stamp.serial, client=colleague), HA_NOI_LAT_LNG, "198.51.100.7")
    assert Scan.objects.get(stamp=stamp).channel == Scan.Channel.STAFF
    Scan.objects.filter(stamp=stamp).update(scanned_at=timezone.now() - datetime.timedelta(hours=1))

    buyer = Client()
    answer = share(
        buyer, stamp.serial, scan(stamp.serial, client=buyer, address="203.0.113.50"), HA_GIANG_LAT_LNG, "203.0.113.50"
    )
    assert answer["verdict"] == "genuine"
    # And the other way round: the staff member's scan after a buyer's is no evidence either.
    share(colleague, stamp.serial, scan(stamp.serial, client=colleague), HA_NOI_LAT_LNG, "198.51.100.7")
    assert not SuspicionFlag.objects.filter(stamp=stamp).exists()
    assert verdict(scan(stamp.serial, address="192.0.2.1")) == "genuine"


# -- volume from one network -------------------------------------------------------------------------


def test_thirty_scans_from_one_network_with_fresh_cookies_and_agents_do_not_change_the_verdict(run, owner, batch):
    stamp = run[0]
    activate_range(owner, batch, [stamp])
    for n in range(30):  # a competitor on one connection: new browser, new address in the /24, new agent
        scan(stamp.serial, address=f"203.0.113.{n + 1}", agent=AGENTS[n % len(AGENTS)])

    html = scan(stamp.serial, address="198.51.100.9")
    assert verdict(html) == "genuine" and "data-warnings" not in html
    assert scan_count(html) == 2  # that network once, this buyer once
    assert not SuspicionFlag.objects.filter(stamp=stamp).exists()
    assert Scan.objects.filter(stamp=stamp).count() == 31  # every scan is still recorded


def test_an_ipv6_client_counts_once_per_64_bit_prefix(run, owner, batch):
    stamp = run[1]
    activate_range(owner, batch, [stamp])
    for n in range(clone_rules.MAX_SIGHTINGS + 3):
        scan(stamp.serial, address=f"2001:db8:aa:bb:{n:x}::1")
    html = scan(stamp.serial, address="2001:db8:aa:cc::1")
    assert verdict(html) == "genuine" and scan_count(html) == 2


def test_the_api_counts_one_network_once_too(run, owner, batch, api_client):
    stamp = run[2]
    activate_range(owner, batch, [stamp])
    for n in range(clone_rules.MAX_SIGHTINGS + 3):
        body = api_client.get(f"/api/v1/stamps/{stamp.serial}", REMOTE_ADDR=f"203.0.113.{n + 1}").json()
    assert body["verdict"] == "genuine" and body["scan_count"] == 1


def test_sightings_from_many_networks_still_flag_a_copied_code(run, owner, batch):
    stamp = run[3]
    activate_range(owner, batch, [stamp])
    for n in range(clone_rules.MAX_SIGHTINGS):
        scan(stamp.serial, address=f"10.{n}.7.7")
    assert verdict(scan(stamp.serial, address="10.200.7.7")) == "suspicious"
    flag = SuspicionFlag.objects.get(stamp=stamp)
    assert flag.rule == clone_rules.TOO_MANY_SCANS and flag.evidence["sightings"] == clone_rules.MAX_SIGHTINGS + 1


def test_a_client_already_seen_does_not_tip_a_stamp_over_the_threshold(run, owner, batch):
    stamp = run[4]
    activate_range(owner, batch, [stamp])
    for n in range(clone_rules.MAX_SIGHTINGS):
        scan(stamp.serial, address=f"10.{n}.7.7")
    assert verdict(scan(stamp.serial, address="10.3.7.99")) == "genuine"  # the fourth network, again


def test_officials_see_every_scan_with_the_raw_and_the_distinct_counts(client, run, owner, batch):
    stamp = run[5]
    activate_range(owner, batch, [stamp])
    for n in range(12):
        scan(stamp.serial, address=f"203.0.113.{n + 1}")
    scan(stamp.serial, address="198.51.100.9")
    inspector = make_official("thanh")
    client.force_login(inspector)
    html = client.get(f"/giam-sat/kiem-tra/tem/{stamp.serial}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    counts = dict(re.findall(r'data-count="([a-z_]+)">([0-9]+)<', html))
    assert counts["scans"] == "14"  # 13 public ones and the inspector's own look-up
    assert counts["public"] == "13" and counts["staff"] == "1"
    assert counts["networks"] == "2" and counts["sightings"] == "2"
    rows = re.findall(r"<tr data-scan-network=\"([0-9a-f]*)\"", html)
    assert len(rows) == 14 and len({r for r in rows if r}) == 3  # two public networks, the inspector's


def test_the_network_of_a_scan_is_a_keyed_hash_per_code_never_the_address(rf, settings):
    request = rf.get("/", REMOTE_ADDR="203.0.113.77")
    assert scan_limits.network_of(request) == "203.0.113.0/24"
    assert scan_limits.network_of(rf.get("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6")) == "2001:db8:1:2::/64"
    assert scan_limits.network_of(rf.get("/", REMOTE_ADDR="::ffff:203.0.113.9")) == "203.0.113.0/24"
    one, other = "A" * 14, "B" * 14
    assert scan_limits.network_key(request, one) == scan_limits.network_key(rf.get("/", REMOTE_ADDR="203.0.113.1"), one)
    assert scan_limits.network_key(request, one) != scan_limits.network_key(request, other)
    before = scan_limits.network_key(request, one)
    settings.SECRET_KEY = "another secret key for this test only, long enough to be a real one"
    assert isinstance(before, int) and scan_limits.network_key(request, one) != before


# -- an official's finding ---------------------------------------------------------------------------


def test_a_code_confirmed_copied_is_suspicious_in_sql_and_in_python(run, owner, batch, official):
    """The anonymous scan's verdict is written in SQL and checked in Python (the autouse fixture fails on
    any disagreement); the page of the batch's other units, from the same cache, is not concerned."""
    from django.core.exceptions import PermissionDenied

    stamp, sibling = run[0], run[1]
    activate_range(owner, batch, [stamp, sibling])
    assert verdict(scan(stamp.serial)) == "genuine"
    with pytest.raises(PermissionDenied):
        services.stamp_confirm_copied(by=owner, stamp=stamp, reason="Tôi thấy hàng giả")

    services.stamp_confirm_copied(by=official, stamp=stamp, reason="Hàng giả ở chợ Hà Giang")
    html = scan(stamp.serial, address="203.0.113.50")
    assert verdict(html) == "suspicious" and "data-copy-confirmed" in html
    assert Scan.objects.filter(stamp=stamp).latest("pk").verdict == "suspicious"
    html = scan(sibling.serial)
    assert verdict(html) == "genuine" and "data-copy-confirmed" not in html
