"""Rate limits for the scan pages and the stamp API (counters in PostgreSQL; reloads: tracing/stamps/recent_scans.py),
and the network a scan came from, as the clone rules count it (:func:`network_key`).

A visitor is known by a keyed hash of their address (the address every limit uses:
backend/client_address.py); the address itself is never stored, and the counters expire with their
window. A code is counted in its canonical spelling (tracing/stamps/serials.py: upper case, no separators,
O→0, I/L→1), so typing variants of one code share its limits. Limits (per window):

* scans: :data:`SCAN_PER_VISITOR` per visitor a minute, :data:`SCAN_PER_CODE` per code a minute;
* PIN confirmations: :data:`CONFIRM_PER_VISITOR` per visitor and :data:`CONFIRM_PER_CODE` per
  code per :data:`CONFIRM_WINDOW_S` seconds (8 digits = 10⁸ PINs; 5 tries per 10 minutes per code
  make guessing hopeless);
* shared locations and reports: :data:`LOCATE_PER_VISITOR` a minute, :data:`REPORT_PER_VISITOR`
  an hour.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import math
import time

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from backend import throttling
from backend.client_address import client_address, client_network
from tracing.stamps import serials

SCAN_PER_VISITOR = 60
SCAN_PER_CODE = 120
SCAN_WINDOW_S = 60
CONFIRM_PER_VISITOR = 10
CONFIRM_PER_CODE = 5
CONFIRM_WINDOW_S = 600
LOCATE_PER_VISITOR = 30
LOCATE_WINDOW_S = 60
REPORT_PER_VISITOR = 5
REPORT_WINDOW_S = 3600
#: The clock the counters' windows follow (tests hold it still, so no window ends in the middle of one).
clock = time.time


def visitor_key(request) -> str:
    """A short keyed hash of the visitor's address: stable for the rate-limit windows, useless to anyone else."""
    return throttling.keyed(client_network(request))


#: Prefix lengths of "one network": an IPv4 /24 (a home, office or shop connection, or one carrier
#: NAT pool's neighbourhood) and an IPv6 /64 (what a provider gives one subscriber or one phone).
IPV4_PREFIX = 24
IPV6_PREFIX = 64
NETWORK_SALT = "tracing.scan-network"


def network_of(request) -> str:
    """The visitor's network as text ("203.0.113.0/24", "2001:db8:1:2::/64"); an unreadable address as sent.

    The address is the one every limit uses (backend/client_address.py). An IPv4-mapped IPv6
    address is its IPv4 address.
    """
    address = client_address(request).strip()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:100]
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@functools.lru_cache(maxsize=8)
def _network_hmac_key(secret: str) -> bytes:
    return hmac.digest(secret.encode(), NETWORK_SALT.encode(), "sha256")


def network_key(request, serial: str) -> int:
    """A keyed hash of the visitor's network for one code, as a signed 64-bit integer (Scan.network).

    Per code: equal keys say only that two scans of the same code came from the same network; the
    keys of two codes cannot be matched with each other, and without SECRET_KEY none can be traced
    back to a network. Changing SECRET_KEY starts the networks afresh (each counts once more).
    """
    digest = hmac.digest(_network_hmac_key(settings.SECRET_KEY), f"{serial}|{network_of(request)}".encode(), "sha256")
    return int.from_bytes(digest[:8], "big", signed=True)


def over_limit(checks: list[tuple[str, str, int, int]], *, also: tuple[str, str, list] | None = None):
    """Count one hit in each (kind, who, limit, window_s) bucket; whole seconds to wait if any is over.

    The counters are the API's (backend/throttling.py): all the buckets in one statement on a
    PostgreSQL table shared by every process, a sliding estimate over two fixed windows, refused hits
    not counted. With `also` (more of the caller's work in the same statement, see
    backend.throttling.hit_many) the result is (wait, the row of `also`).
    """
    hits = [(f"scan:{kind}:{who}", limit, window) for kind, who, limit, window in checks]
    if also is None:
        waits, row = throttling.hit_many(hits, clock()), None
    else:
        waits, row = throttling.hit_many(hits, clock(), also=also)
    over = [w for w in waits if w is not None]
    wait = max(1, math.ceil(max(over))) if over else None
    return wait if also is None else (wait, row)


def scan_gate(visitor: str, serial: str, *, also: tuple[str, str, list] | None = None):
    """A scan against the visitor's and the code's limits (:func:`over_limit` with :func:`scan_checks`)."""
    return over_limit(scan_checks(visitor, serial), also=also)


def code_key(serial: str) -> str:
    """The code as its limits know it: canonical, so that "abcd-efgh…" and "ABCDEFGH…" are one code."""
    return serials.normalise_serial(serial)[:40]


def scan_checks(visitor: str, serial: str) -> list[tuple[str, str, int, int]]:
    return [
        ("scan-v", visitor, SCAN_PER_VISITOR, SCAN_WINDOW_S),
        ("scan-c", code_key(serial), SCAN_PER_CODE, SCAN_WINDOW_S),
    ]


def confirm_checks(visitor: str, serial: str) -> list[tuple[str, str, int, int]]:
    return [
        ("pin-v", visitor, CONFIRM_PER_VISITOR, CONFIRM_WINDOW_S),
        ("pin-c", code_key(serial), CONFIRM_PER_CODE, CONFIRM_WINDOW_S),
    ]


class StampThrottle(SimpleRateThrottle):
    """DRF throttle for the stamp API: per visitor and per code, with the limits above."""

    kind = "scan"

    def __init__(self):  # rates are fixed here, not in settings
        self.rate = "1/s"
        self.num_requests, self.duration = 1, 1

    def allow_request(self, request, view):
        serial = str(view.kwargs.get("serial", ""))  # as typed, whole: the checks count its canonical form
        visitor = visitor_key(request)
        checks = confirm_checks(visitor, serial) if self.kind == "confirm" else scan_checks(visitor, serial)
        if self.kind == "report":
            checks = [("report-v", visitor, REPORT_PER_VISITOR, REPORT_WINDOW_S)]
        self._wait = over_limit(checks)
        return self._wait is None

    def wait(self):
        return self._wait


class StampConfirmThrottle(StampThrottle):
    kind = "confirm"


class ReportThrottle(StampThrottle):
    kind = "report"
