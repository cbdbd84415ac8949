"""Pages under the Content-Security-Policy in a real Chromium: the admin's map widgets, the API docs, and
the open-data widget framed by another site while other pages are not."""

import http.server
import threading

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_find_shop import block_the_outside_world
from tests.browser.watch import seen, watch
from tests.site_world import build_world, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):
    return build_world()


def test_the_admins_map_widget_draws_and_edits_under_the_policy(page, live_server, world):
    console = watch(page.context)
    block_the_outside_world(page, live_server)
    sign_in_browser(page.context, live_server.url, world, "admin")

    page.goto(reverse("admin:tracing_producer_change", args=[world["producer"].pk]))
    expect(page.locator(".leaflet-container")).to_be_visible()
    expect(page.locator(".leaflet-container .leaflet-marker-icon")).to_have_count(1)  # the producer's location
    expect(page.locator(".leaflet-draw-toolbar").first).to_be_visible()
    page.goto(reverse("admin:geo_growingregion_change", args=[world["region"].pk]))
    expect(page.locator(".leaflet-container path.leaflet-interactive")).to_have_count(1)
    page.goto(reverse("admin:tracing_producer_changelist"))
    expect(page.locator("#result_list")).to_contain_text(world["producer"].name)
    assert seen(page)["violations"] == []
    assert console == []


def test_the_api_docs_list_the_operations_under_the_policy(page, live_server, world):
    console = watch(page.context)
    block_the_outside_world(page, live_server)
    sign_in_browser(page.context, live_server.url, world, "official")

    page.goto(reverse("api-docs"))
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=30_000)
    page.locator(".swagger-ui .opblock-summary").first.click()
    expect(page.locator(".swagger-ui .opblock-body").first).to_be_visible()
    assert seen(page)["violations"] == []
    assert console == []


@pytest.fixture
def other_site(live_server):
    """A page of another site (its own origin, on this machine) that frames the widget and another page."""
    body = (
        f"<!doctype html><title>Sở Công Thương</title>"
        f'<iframe id="widget" src="{live_server.url}{reverse("oversight:widget")}"></iframe>'
        f'<iframe id="page" src="{live_server.url}{reverse("oversight:participants")}"></iframe>'
    ).encode()

    class Portal(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_the_open_data_widget_shows_in_another_sites_frame_and_other_pages_do_not(page, live_server, world, other_site):
    console = watch(page.context)
    page.goto(other_site)
    expect(page.frame_locator("#widget").locator("h1")).to_be_visible()
    expect(page.frame_locator("#widget").locator("[data-participant]")).to_have_count(1)
    expect(page.frame_locator("#widget").locator("[data-participant] a")).to_contain_text(world["producer"].name)
    for _wait in range(50):  # the refusal is reported on the console
        if any("frame-ancestors" in message for message in console):
            break
        page.wait_for_timeout(100)
    assert any("frame-ancestors" in message for message in console), console
    assert page.frame_locator("#page").locator("[data-participants]").count() == 0
