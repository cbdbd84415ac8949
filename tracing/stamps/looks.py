"""Requests that fetch a scan page without a person looking at it: link previews and prefetches.

A chat app that unfurls a shared stamp link, or a browser that prefetches or prerenders it, would
otherwise be a new sighting of the stamp each time — exactly what the clone rules count. Such a
request is still answered (and recorded) but as a repeat, which is never a sighting. Bots that
name themselves (``bot``, ``crawl``, ``preview``, …) are told by tracing.stamps.devices.device_family; this
module adds what that pattern does not catch: the fetch-purpose headers browsers send, and the
link-preview fetchers of messengers and social networks whose user agents do not say "bot".
"""

from __future__ import annotations

import functools
import re

#: Request headers a browser sends for a prefetch or prerender, or a link preview (Safari).
_PURPOSE_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")
_PURPOSES = re.compile(r"prefetch|prerender|preview", re.I)
#: Link-preview fetchers without "bot" in their user agent (WhatsApp, Mastodon, Iframely, Embedly, Skype, Viber…).
_PREVIEW_AGENTS = re.compile(
    r"WhatsApp/|Mastodon/|Pleroma|Misskey|Akkoma|Iframely|Embedly|SkypeUriPreview|Viber|Snap URL Preview|"
    r"Google-PageRenderer|vkShare|Bitrix link preview",
    re.I,
)


def is_preview(request) -> bool:
    """True when the request is a prefetch, a prerender or a link preview rather than a person's look."""
    meta = request.META
    if any(_PURPOSES.search(meta.get(header, "")) for header in _PURPOSE_HEADERS):
        return True
    return _preview_agent((meta.get("HTTP_USER_AGENT", "") or "")[:512])


@functools.lru_cache(maxsize=1024)
def _preview_agent(user_agent: str) -> bool:
    return bool(_PREVIEW_AGENTS.search(user_agent))
