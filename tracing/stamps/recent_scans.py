"""Reload detection for the scan page: which codes this browser opened in the last half hour.

A second look at the same code by the same person within minutes (a reload, a shared tab, the
back button) is recorded but is not a new sighting for the clone rules (clone_rules.REPEAT_WINDOW_MIN).
"The same person" is the browser: a first-party cookie, `hg_seen`, lists the codes it opened and
when (at most :data:`MAX_CODES`, none older than the window). Nothing about it is stored on the
server.

The cookie tells a reload, whatever network the phone is on by then (Wi-Fi at the shop, 4G
outside). It does not decide what a sighting is on its own: sightings are also counted once per
network (clone_rules, tracing.stamps.scan_limits.network_key), so a client that drops the cookie, or
refuses cookies, adds no sightings from the same network; bots are recognised by their user agent
(tracing.stamps.devices.device_family) and are repeats too.

The cookie is the visitor's own claim and only ever lowers the count of their own sightings; it is
not signed, and anything malformed in it is ignored.
"""

from __future__ import annotations

import re

from django.conf import settings

from tracing.stamps import clone_rules

COOKIE = "hg_seen"
WINDOW_S = clone_rules.REPEAT_WINDOW_MIN * 60
MAX_CODES = 20
_ENTRY = re.compile(r"^([0-9A-Z]{14})\.([0-9]{1,12})$")


def read(request, now: float) -> dict[str, int]:
    """{serial: unix time last opened} from the request's cookie, without entries older than the window."""
    entries: dict[str, int] = {}
    for part in request.COOKIES.get(COOKIE, "")[: MAX_CODES * 32].split("-"):
        match = _ENTRY.match(part)
        if match and now - int(match.group(2)) < WINDOW_S:
            entries[match.group(1)] = int(match.group(2))
    return entries


def seen(entries: dict[str, int], serial: str) -> bool:
    return serial in entries


def remember(response, entries: dict[str, int], serial: str, now: float) -> None:
    """Add `serial` (now) to the cookie: the most recent MAX_CODES codes, for the rest of the window."""
    others = sorted(((code, at) for code, at in entries.items() if code != serial), key=lambda e: e[1], reverse=True)
    recent = [(serial, int(now)), *others[: MAX_CODES - 1]]
    response.set_cookie(
        COOKIE,
        "-".join(f"{code}.{at}" for code, at in recent),
        max_age=WINDOW_S,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
