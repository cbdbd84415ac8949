"""The Content-Security-Policy: on every response, no inline script or style left in any page of any role,
the widget embeddable, the admin's map widgets allowed by a nonce of their own, the API docs as files."""

import re
from html.parser import HTMLParser

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse

from backend import csp
from tests.backend.test_settings import load_settings
from tests.site_world import ROLES, build_world, pages, sign_in_client


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in header.split(";"))}


class InlineCode(HTMLParser):
    """Collects what a strict policy refuses: inline scripts, event-handler and style attributes, <style>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes and attributes.get("type") != "application/json":
            self.found.append(f"<script> without src: {self.getpos()}")
        if tag == "style":
            self.found.append(f"<style> element: {self.getpos()}")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.fixture
def world(db):
    return build_world()


def test_the_policy_allows_scripts_and_styles_from_our_files_only(client, db):
    response = client.get("/")
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "report-uri" not in directives


def test_images_may_come_from_the_configured_tile_server_and_data_urls(client, db):
    assert policy(client.get("/"))["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]


def test_a_tile_servers_subdomain_placeholder_becomes_a_wildcard():
    assert csp.url_source("https://{s}.tiles.example.vn:8443/{z}/{x}/{y}.png", "T") == "https://*.tiles.example.vn:8443"
    assert csp.url_source("/tiles/{z}/{x}/{y}.png", "T") is None  # our own server


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MAP_TILES_URL", "https://tiles.{s}.example.vn/{z}/{x}/{y}.png", "a placeholder may stand only"),
        ("MAP_TILES_URL", "ftp://tiles.example.vn/{z}/{x}/{y}.png", "MAP_TILES_URL must be an http(s) URL"),
        ("CSP_WIDGET_FRAME_ANCESTORS", "https://a.example.vn; script-src *", "is not a CSP source"),
        ("CSP_REPORT_URI", "reports.example.vn", "CSP_REPORT_URI must be a URL"),
    ],
)
def test_a_value_that_would_break_the_policy_stops_start_up(variable, value, message):
    result = load_settings(**{variable: value})
    assert result.returncode != 0
    assert message in result.stderr


@override_settings(CSP_REPORT_URI="https://reports.example.vn/csp")
def test_violation_reports_go_to_the_configured_address():
    middleware = csp.ContentSecurityPolicyMiddleware(lambda request: HttpResponse("ok"))
    response = middleware(RequestFactory().get("/"))
    assert policy(response)["report-uri"] == ["https://reports.example.vn/csp"]


@pytest.mark.parametrize("role", ROLES)
def test_no_page_of_the_role_has_inline_script_handlers_or_styles(world, client, role):
    sign_in_client(client, world, role)
    found = {}
    for path in pages(world)[role]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], path
        assert "nonce-" not in response["Content-Security-Policy"], path
        if inline_code(response.content.decode()):
            found[path] = inline_code(response.content.decode())
    assert not found, found


def test_the_scan_page_from_the_cache_carries_the_same_policy(world, client):
    path = reverse("tracing:scan", args=[world["stamps"][0].serial])
    first, second = client.get(path), client.get(path)  # the second is filled in from the rendered pieces
    assert (
        first["Content-Security-Policy"]
        == second["Content-Security-Policy"]
        == client.get("/")["Content-Security-Policy"]
    )


def test_the_open_data_widget_may_be_framed_by_other_sites(client, db):
    response = client.get(reverse("oversight:widget"))
    assert policy(response)["frame-ancestors"] == ["*"]
    assert "X-Frame-Options" not in response
    other = client.get(reverse("oversight:participants"))
    assert policy(other)["frame-ancestors"] == ["'none'"]
    assert other["X-Frame-Options"] == "DENY"


def test_the_admins_map_widget_runs_by_a_nonce_of_its_response(world, client):
    sign_in_client(client, world, "admin")
    response = client.get(reverse("admin:tracing_producer_change", args=[world["producer"].pk]))
    assert response.status_code == 200
    nonces = set(re.findall(r'<script nonce="([^"]+)"', response.content.decode()))
    assert len(nonces) == 1
    (nonce,) = nonces
    assert f"'nonce-{nonce}'" in policy(response)["script-src"]
    again = client.get(reverse("admin:tracing_producer_change", args=[world["producer"].pk]))
    assert f"'nonce-{nonce}'" not in policy(again)["script-src"]  # a new one each time


def test_the_api_docs_page_loads_swagger_ui_from_files(world, client):
    sign_in_client(client, world, "official")
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert inline_code(html) == []
    script = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1)
    init = client.get(script.replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in init.content


def test_the_browsable_api_keeps_its_inline_styles_but_not_inline_script(client, db):
    response = client.get("/api/v1/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    directives = policy(response)
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["script-src"] == ["'self'"]
    scripts = [found for found in inline_code(response.content.decode()) if "style" not in found]
    assert scripts == []
