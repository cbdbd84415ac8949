"""The producers' stamp guide sends each reader where they may go: no link on it ends in a 403."""

import re

import pytest

from backend import roles
from tests.conftest import make_user
from tests.tracing.stamp_fixtures import issue
from tracing.models import StampRun

pytestmark = pytest.mark.django_db

GUIDE = "/huong-dan-tem/"


def guide_links(client) -> list[str]:
    """The site's own links inside the guide's <main> (not the header's or the footer's)."""
    page = client.get(GUIDE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    return [href for href in re.findall(r'href="([^"#]+)"', main) if href.startswith("/")]


def test_an_official_following_the_guide_reaches_the_runs_they_may_read_not_a_403(client, official, world):
    run = issue(official, world["producer"], quantity=3)
    client.force_login(official)
    links = guide_links(client)
    assert "/tem/kich-hoat/" not in links
    assert "/tem/" in links
    for href in links:
        assert client.get(href).status_code == 200, href
    # The page the guide sends them to lists every producer's runs, and each run opens read-only.
    runs_page = client.get("/tem/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/tem/dot/{run.pk}/" in runs_page
    assert client.get(f"/tem/dot/{run.pk}/").status_code == 200
    page = client.get(GUIDE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "data-official-stamps" in page and "activated by the producers themselves" in page


def test_a_producer_following_the_guide_still_reaches_activation(client, official, owner, world):
    client.force_login(owner)
    links = guide_links(client)
    assert "/tem/kich-hoat/" in links and "/tem/" in links
    for href in links:
        assert client.get(href).status_code == 200, href
    assert "data-official-stamps" not in client.get(GUIDE).content.decode()


def test_another_producer_on_the_guides_pages_sees_only_their_own_runs(
    client, official, world, other_producer, stranger
):
    mine = issue(official, world["producer"], quantity=2)
    theirs = issue(official, other_producer, quantity=2)
    client.force_login(stranger)
    assert "/tem/kich-hoat/" in guide_links(client)
    runs_page = client.get("/tem/").content.decode()
    assert f"/tem/dot/{theirs.pk}/" in runs_page and f"/tem/dot/{mine.pk}/" not in runs_page
    assert client.get(f"/tem/dot/{mine.pk}/").status_code == 404
    assert StampRun.objects.count() == 2


def test_a_signed_in_consumer_is_offered_to_join_not_the_stamp_desk(client, db):
    client.force_login(make_user("an", roles.CONSUMER))
    links = guide_links(client)
    assert "/tem/kich-hoat/" not in links and "/tem/" not in links
    for href in links:
        assert client.get(href).status_code in (200, 302), href
