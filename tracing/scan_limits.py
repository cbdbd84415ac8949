"""Rate limits for the scan pages and the stamp API (counters in PostgreSQL; reloads: tracing/recent_scans.py).

A visitor is known by a keyed hash of their address (the address every limit uses:
backend/client_address.py); the address itself is never stored, and the counters expire with their
window. A code is counted in its canonical spelling (tracing/codes.py: upper case, no separators,
O→0, I/L→1), so typing variants of one code share its limits. Limits (per window):

* scans: :data:`SCAN_PER_VISITOR` per visitor a minute, :data:`SCAN_PER_CODE` per code a minute;
* PIN confirmations: :data:`CONFIRM_PER_VISITOR` per visitor and :data:`CONFIRM_PER_CODE` per
  code per :data:`CONFIRM_WINDOW_S` seconds (8 digits = 10⁸ PINs; 5 tries per 10 minutes per code
  make guessing hopeless);
* shared locations and reports: :data:`LOCATE_PER_VISITOR` a minute, :data:`REPORT_PER_VISITOR`
  an hour.
"""

from __future__ import annotations

import math
import time

from rest_framework.throttling import SimpleRateThrottle

from backend import throttling
from backend.client_address import client_network
from tracing import codes

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
    return codes.normalise_serial(serial)[:40]


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
