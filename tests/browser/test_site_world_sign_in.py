"""The sweeps sign a browser in by giving it a session cookie (tests/site_world.py), not by typing a password."""

import pytest
from playwright.sync_api import expect

from tests.site_world import build_world, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_roles_session_cookie_signs_the_browser_in(page, live_server):
    world = build_world()
    sign_in_browser(page.context, live_server.url, world, "producer")
    page.goto("/co-so/")
    expect(page.locator("h1").first).to_contain_text(world["producer"].name)
