"""The scan page is light enough for a weak 3G connection: HTML + CSS + JS (the lazily loaded map library
included, map tiles excluded) at most 60 KB gzip-compressed; it works without JavaScript."""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders

from tests.tracing.stamp_fixtures import (  # noqa: F401
    activate_range,
    issue,
    product_kinds_present,
    stamps_of,
)

pytestmark = pytest.mark.django_db

BUDGET_BYTES = 60 * 1024


def static_file(url: str) -> bytes:
    path = finders.find(url.removeprefix("/static/").split("?")[0])
    assert path, url
    with open(path, "rb") as handle:
        return handle.read()


def test_the_scan_page_and_everything_it_loads_fit_in_60_kb_compressed(
    client, official, approved_producer, owner, batch
):
    stamp = stamps_of(issue(official, approved_producer, quantity=1))[0]
    activate_range(owner, batch, [stamp])
    html = client.get(f"/t/{stamp.serial}").content
    text = html.decode()
    assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', text) + re.findall(r'<script src="([^"]+)"', text)
    assets += re.findall(r'data-leaflet-(?:js|css)="([^"]+)"', text)

    sizes = {"html": len(gzip.compress(html, 6))}
    sizes.update({url: len(gzip.compress(static_file(url), 6)) for url in assets})
    total = sum(sizes.values())

    assert "/static/leaflet/leaflet.js" in assets and "/static/tracing/scan.js" in assets
    assert total <= BUDGET_BYTES, sizes


def test_without_javascript_the_verdict_and_the_pin_form_are_plain_html(
    client, official, approved_producer, owner, batch
):
    stamp = stamps_of(issue(official, approved_producer, quantity=1))[0]
    activate_range(owner, batch, [stamp])
    text = client.get(f"/t/{stamp.serial}").content.decode()
    scripts_at = text.index("<script")
    for marker in ('data-verdict="genuine"', 'name="pin"', "Cam sành Bắc Quang"):
        assert text.index(marker) < scripts_at
    assert re.search(r'<form method="post" action="/t/[0-9A-Z]+/xac-nhan"', text)
