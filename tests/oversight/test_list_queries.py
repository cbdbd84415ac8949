"""N+1 guard on the officials' lists: the same number of queries for one row as for several."""

from __future__ import annotations

import pytest

from tests.marketplace.test_list_queries import statements
from tests.oversight import factories as f
from tracing import services as tracing_services

pytestmark = pytest.mark.django_db


def reports(owner, producer, official, count: int, lot: str):
    product = f.make_product(owner, producer, "orange")
    batch = f.make_batch(owner, product, lot=lot, quantity="10")
    for stamp in f.issue_and_activate(official, owner, batch, count):
        tracing_services.report_create(serial=stamp.serial, note="Tem mờ", shop="Chợ Hà Giang")


def test_the_case_list_costs_the_same_for_one_case_and_four(client, official, producer, owner):
    client.force_login(official)
    reports(owner, producer, official, 1, "L-1")
    one = statements(lambda: client.get("/giam-sat/viec/"))
    reports(owner, producer, official, 3, "L-2")
    assert statements(lambda: client.get("/giam-sat/viec/")) == one


def test_the_queue_and_the_map_markers_cost_the_same_for_one_producer_and_four(
    client, api_client, official, places, producer
):
    client.force_login(official)
    api_client.force_authenticate(official)

    def both():
        return (
            statements(lambda: client.get("/giam-sat/ho-so/")),
            statements(lambda: api_client.get("/api/v1/oversight/map/producers/")),
        )

    f.make_producer("HTX Mới 0", commune=places["viet_quang_old"], lat=22.4, lng=104.8, status="applied")
    one = both()
    for index in range(1, 4):
        f.make_producer(f"HTX Mới {index}", commune=places["viet_quang_old"], lat=22.4, lng=104.8, status="applied")
        f.make_producer(f"HTX Cam {index}", commune=places["vi_xuyen_commune"], lat=22.7, lng=104.85)
    assert both() == one
