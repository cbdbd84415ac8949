"""Rate limits and reload detection for the scan pages and the stamp API, in the cache only.

A visitor is known by a keyed hash of their address (the same address DRF's throttles use,
honouring NUM_PROXIES); the address itself is never stored, and the cache entries expire with their
window. Limits (per window):

* scans: :data:`SCAN_PER_VISITOR` per visitor a minute, :data:`SCAN_PER_CODE` per code a minute;
* PIN confirmations: :data:`CONFIRM_PER_VISITOR` per visitor and :data:`CONFIRM_PER_CODE` per
  code per :data:`CONFIRM_WINDOW_S` seconds (8 digits = 10⁸ PINs; 5 tries per 10 minutes per code
  make guessing hopeless);
* shared locations and reports: :data:`LOCATE_PER_VISITOR` a minute, :data:`REPORT_PER_VISITOR`
  an hour.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

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
#: A second scan of a code by the same visitor within this time is a reload (see clone_rules).
REPEAT_WINDOW_S = 30 * 60


class _Ident(SimpleRateThrottle):
    rate = "1/s"  # unused: only get_ident() is borrowed

    def get_cache_key(self, request, view):  # pragma: no cover - not used as a throttle
        return None


_ident = _Ident()


def visitor_key(request) -> str:
    """A short keyed hash of the visitor's address: stable for the rate-limit windows, useless to anyone else."""
    address = _ident.get_ident(request) or ""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:24]


def _window_key(kind: str, who: str, window_s: int) -> str:
    return f"hg:rl:{kind}:{who}:{int(time.time() // window_s)}"


def over_limit(checks: list[tuple[str, str, int, int]]) -> int | None:
    """Count one hit in each (kind, who, limit, window_s) bucket; seconds to wait if any is over its limit.

    Fixed windows: cheap (one read and one write of the cache for all buckets together).
    """
    keys = {_window_key(kind, who, window): (limit, window) for kind, who, limit, window in checks}
    current = cache.get_many(list(keys))
    wait = None
    updated = {}
    for key, (limit, window) in keys.items():
        count = current.get(key, 0) + 1
        updated[key] = count
        if count > limit:
            left = window - int(time.time()) % window
            wait = max(wait or 0, left)
    if wait is None:
        # Counters live a little longer than their window; a new window starts a new key.
        max_window = max(window for _limit, window in keys.values())
        cache.set_many(updated, timeout=max_window + 5)
    return wait


def seen_recently(visitor: str, serial: str) -> bool:
    """True if this visitor looked at this code within REPEAT_WINDOW_S (a reload); marks it seen."""
    key = f"hg:seen:{visitor}:{serial}"
    return not cache.add(key, 1, timeout=REPEAT_WINDOW_S)


def scan_checks(visitor: str, serial: str) -> list[tuple[str, str, int, int]]:
    return [
        ("scan-v", visitor, SCAN_PER_VISITOR, SCAN_WINDOW_S),
        ("scan-c", serial, SCAN_PER_CODE, SCAN_WINDOW_S),
    ]


def confirm_checks(visitor: str, serial: str) -> list[tuple[str, str, int, int]]:
    return [
        ("pin-v", visitor, CONFIRM_PER_VISITOR, CONFIRM_WINDOW_S),
        ("pin-c", serial, CONFIRM_PER_CODE, CONFIRM_WINDOW_S),
    ]


class StampThrottle(SimpleRateThrottle):
    """DRF throttle for the stamp API: per visitor and per code, with the limits above."""

    kind = "scan"

    def __init__(self):  # rates are fixed here, not in settings
        self.rate = "1/s"
        self.num_requests, self.duration = 1, 1

    def allow_request(self, request, view):
        serial = str(view.kwargs.get("serial", ""))[:40]
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
