"""N+1 guard: a list costs the same number of queries for one row as for several (rows come with their
related rows in a fixed number of statements: select_related / prefetch_related)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.marketplace import factories as f

pytestmark = pytest.mark.django_db

HOUSEKEEPING = ("hg_cache", "backend_rate_counter", "hg_rate_hit", "SAVEPOINT", "django_session")


def statements(fetch) -> int:
    """The statements of one request, without the rate-limit counters, the cache and the session; the
    request is made once before, unmeasured (what the first request of a process caches is not per row)."""
    fetch()
    with CaptureQueriesContext(connection) as context:
        response = fetch()
    assert response.status_code == 200, response.content[:500]
    return len([q for q in context.captured_queries if not any(part in q["sql"] for part in HOUSEKEEPING)])


def order(client_of, consumer, listing, shop, producer):
    client = client_of(consumer)
    assert client.post("/api/v1/cart/items/", {"listing": listing.pk, "quantity": 1}, format="json").status_code < 300
    response = client.post("/api/v1/checkout/", f.pickup_checkout(shop, producer), format="json")
    assert response.status_code == 201, response.content


def test_the_order_lists_cost_the_same_for_one_order_and_four(
    client, client_of, consumer, owner, oranges, shop, producer
):
    lists = {
        "buyer's API": lambda: client_of(consumer).get("/api/v1/orders/"),
        "producer's API": lambda: client_of(owner).get("/api/v1/orders/"),
    }

    def pages():
        client.force_login(consumer)
        mine = statements(lambda: client.get("/don-hang/"))
        client.force_login(owner)
        desk = statements(lambda: client.get("/ban-hang/don-hang/"))
        return mine, desk

    order(client_of, consumer, oranges, shop, producer)
    one = {name: statements(fetch) for name, fetch in lists.items()}, pages()
    for index in range(3):
        listing = f.make_listing(f.make_product(producer, f"Cam hộp {index}"), pickup_points=[shop])
        order(client_of, consumer, listing, shop, producer)
    four = {name: statements(fetch) for name, fetch in lists.items()}, pages()
    assert len(client_of(owner).get("/api/v1/orders/").json()["results"]) == 4
    assert four == one


def test_the_catalogue_page_costs_the_same_for_two_listings_and_seven(client, oranges, tea, producer):
    two = statements(lambda: client.get("/san-pham/"))
    for index in range(5):
        f.make_listing(f.make_product(producer, f"Cam hộp {index}"))
    assert statements(lambda: client.get("/san-pham/")) == two
