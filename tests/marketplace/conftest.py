"""A cooperative selling oranges (with a shop for pickup), a second producer selling tea.

The personas are tests/conftest.py's: `owner` is put on the staff of `producer`, `stranger` on the
staff of `other_producer`; `consumer`, `other_consumer` and `official` are used as they are."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.marketplace import factories as f


@pytest.fixture
def area(db):
    return f.make_map()


@pytest.fixture
def shop(db):
    return f.make_shop("Cửa hàng Cam Việt Quang", 22.406, 104.821)


@pytest.fixture
def producer(area):
    return f.make_producer(commune=area["viet_quang"])


@pytest.fixture
def owner(owner, producer):
    return f.join_staff(owner, producer)


@pytest.fixture
def oranges(producer, shop, area):
    product = f.make_product(producer, "Cam sành Bắc Quang", name_en="Bac Quang king orange")
    f.make_terms(producer, areas=[area["province"]], fee=30_000, free_from=500_000)
    return f.make_listing(product, price_vnd=35_000, stock=100, pickup_points=[shop])


@pytest.fixture
def other_producer(area):
    return f.make_producer("HTX Chè Shan tuyết Hoàng Su Phì", commune=area["vinh_tuy"])


@pytest.fixture
def stranger(stranger, other_producer):
    return f.join_staff(stranger, other_producer)


@pytest.fixture
def tea(other_producer, shop, area):
    product = f.make_product(other_producer, "Chè Shan tuyết", kind="tea", unit="pack")
    f.make_terms(other_producer, areas=[area["viet_quang"]], fee=20_000)
    return f.make_listing(product, price_vnd=120_000, stock=50, pickup_points=[shop])


@pytest.fixture
def client_of():
    """An API client signed in as the given user (or anonymous for None)."""
    from rest_framework.test import APIClient

    def build(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return build


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are asserted in English, the source language; pages still default to Vietnamese."""
    with translation.override("en"):
        yield
