"""The site-wide page inventory (tests/site_world.py) is complete, and every page in it opens for its role."""

import pytest
from django.urls import resolve

from tests.site_world import NOT_PAGES, ROLES, build_world, pages, route_names, sign_in_client


@pytest.fixture
def world(db):
    return build_world()


def _route_name(path: str) -> str:
    match = resolve(path.split("?")[0])
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def test_every_page_route_is_opened_by_some_role_or_named_as_not_a_page(world):
    opened = {_route_name(path) for paths in pages(world).values() for path in paths if not path.startswith("/admin/")}
    missing = route_names() - opened - set(NOT_PAGES)
    assert not missing, f"Add these routes to tests/site_world.pages() or NOT_PAGES: {sorted(missing)}"
    stale = set(NOT_PAGES) - route_names()
    assert not stale, f"NOT_PAGES names routes that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_opens_as_html(world, client, role):
    sign_in_client(client, world, role)
    failures = []
    for path in pages(world)[role]:
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            failures.append((path, response.status_code, response.get("Location", "")))
    assert not failures, failures
