"""What a phone transfers on its first visit to a stamp's page, in production settings, before the map.

The page is served as in production: gunicorn, `DJANGO_DEBUG=0`, hashed static files collected with
WhiteNoise's compressing storage (served gzip-compressed to a browser that asks for it). A real
Chromium with an empty cache opens the genuine demo stamp at phone size; every response it receives
is counted with its headers, as the Chrome DevTools Protocol reports the bytes on the wire
(`encodedDataLength`), until the network is idle. The map is below the fold: its library (Leaflet)
and its data must not be among them, and the total must stay within 60 KB. Scrolling down then
brings the map, which must draw the growing region and the producer.
"""

from __future__ import annotations

import subprocess
from urllib.parse import urlsplit

import pytest
from django.db import connection
from playwright.sync_api import expect

from tests.browser.test_find_shop import EMPTY_PNG
from tests.browser.test_scan_page import demo_stamps
from tests.processes import ROOT, VENV_BIN, child_env, database_url, free_port, get, running, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET_BYTES = 60 * 1024


def production_env(static_root) -> dict[str, str]:
    """The test's database and media folder, with production's debug and static-file settings."""
    return child_env(
        DATABASE_URL=database_url(connection.settings_dict),
        DJANGO_DEBUG="0",
        DJANGO_STATIC_MANIFEST="1",
        STATIC_ROOT=str(static_root),
    )


class Transfers:
    """Every response a page receives from `origin`, with the bytes Chromium counted for it (headers and body)."""

    def __init__(self, page, origin: str):
        self.origin = origin
        self.responses: dict[str, dict] = {}
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")

    def _received(self, event) -> None:
        headers = {name.lower(): value for name, value in event["response"]["headers"].items()}
        self.responses.setdefault(event["requestId"], {}).update(
            url=event["response"]["url"],
            status=event["response"]["status"],
            encoding=headers.get("content-encoding", ""),
        )

    def _finished(self, event) -> None:
        self.responses.setdefault(event["requestId"], {})["bytes"] = event["encodedDataLength"]

    def loaded(self) -> list[dict]:
        return [r for r in self.responses.values() if r.get("url", "").startswith(self.origin)]

    def elsewhere(self) -> list[str]:
        """What came from other sites (map tiles); data: URLs, which the page holds, cost nothing."""
        urls = [r.get("url", self.origin) for r in self.responses.values()]
        return [url for url in urls if not url.startswith((self.origin, "data:"))]

    def total(self) -> int:
        return sum(r.get("bytes", 0) for r in self.loaded())

    def table(self) -> str:
        rows = [f"{r.get('bytes', 0):>7} B  {r['encoding'] or '-':<5} {urlsplit(r['url']).path}" for r in self.loaded()]
        return "\n".join([*rows, f"{self.total():>7} B  total ({self.total() / 1024:.1f} KB)"])


def test_a_first_visit_to_a_stamp_transfers_at_most_60_kb_before_the_map_is_scrolled_into_view(browser, tmp_path):
    genuine = next(s for s in demo_stamps() if s.note == "genuine")
    env = production_env(tmp_path / "static")
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    gunicorn = [str(VENV_BIN / "gunicorn"), "backend.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    with running([*gunicorn, "--workers", "2"], env=env, log=tmp_path / "web.log"):
        wait_for(lambda: get(f"{origin}/healthz")[0] == 200, timeout=60, what="gunicorn to answer")
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", base_url=origin)
        try:
            page = context.new_page()
            page.set_default_timeout(15_000)
            # Map tiles (and anything else from elsewhere) get an empty picture: no network in tests.
            page.route(
                lambda url: not url.startswith(origin),
                lambda route: route.fulfill(status=200, content_type="image/png", body=EMPTY_PNG),
            )
            transfers = Transfers(page, origin)

            page.goto(urlsplit(genuine.url).path)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(500)
            print(f"\nFirst visit to the scan page, before the map:\n{transfers.table()}")

            urls = [r["url"] for r in transfers.loaded()]
            # Production's static files: hashed names, compressed.
            assert any("/static/css/site." in r["url"] and r["encoding"] == "gzip" for r in transfers.loaded())
            assert not [url for url in urls if "leaflet" in url or "geojson" in url], "the map came before it was seen"
            assert not transfers.elsewhere(), "map tiles before the map was seen"
            assert transfers.total() <= BUDGET_BYTES, transfers.table()

            page.locator("#origin-map").scroll_into_view_if_needed()
            expect(page.locator("#origin-map .leaflet-interactive")).to_have_count(2)  # the region and the producer
            assert any("/static/leaflet/leaflet." in r["url"] for r in transfers.loaded())

            # The product's audio clip plays: Chromium, like Safari, asks for it in byte ranges (backend/ranges.py).
            audio = page.locator("audio")
            audio.evaluate("audio => { audio.preload = 'auto'; audio.load(); }")
            page.wait_for_function("() => document.querySelector('audio').readyState >= 3")
            assert audio.evaluate("audio => audio.duration") > 1
            answers = {r.get("status") for r in transfers.loaded() if "/media/products/audio/" in r["url"]}
            assert 206 in answers, answers
        finally:
            context.close()
