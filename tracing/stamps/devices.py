"""The device family of a scan: a coarse word from its User-Agent (iphone, android, bot, …), never the string itself."""

from __future__ import annotations

import functools
import re

_DEVICE_PATTERNS = (
    ("bot", re.compile(r"bot|crawl|spider|preview|facebookexternalhit|zalo.*preview|curl|wget|python", re.I)),
    ("iphone", re.compile(r"iPhone|iPod", re.I)),
    ("ipad", re.compile(r"iPad", re.I)),
    ("android", re.compile(r"Android", re.I)),
    ("windows", re.compile(r"Windows", re.I)),
    ("mac", re.compile(r"Macintosh|Mac OS X", re.I)),
    ("linux", re.compile(r"Linux|X11", re.I)),
)


def device_family(user_agent: str) -> str:
    """A coarse device family from the User-Agent (iphone, android, windows, …), never the full string."""
    return _device_family((user_agent or "")[:512])


@functools.lru_cache(maxsize=1024)  # a few hundred browsers' strings make most of the traffic
def _device_family(text: str) -> str:
    for name, pattern in _DEVICE_PATTERNS:
        if pattern.search(text):
            return name
    return "other" if text else ""
