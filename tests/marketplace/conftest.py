"""A cooperative selling oranges (with a shop for pickup), a second producer, buyers and an official."""

from __future__ import annotations

import pytest
from django.utils import translation

from backend import roles
from tests.conftest import make_user
from tests.marketplace import factories as f


@pytest.fixture
def area(db):
    return f.make_map()


@pytest.fixture
def shop(db):
    return f.make_shop("Cửa hàng Cam Việt Quang", 22.406, 104.821)


@pytest.fixture
def coop(area):
    return f.make_producer(commune=area["viet_quang"])


@pytest.fixture
def seller(coop):
    return f.make_staff("coop_staff", coop)


@pytest.fixture
def oranges(coop, shop, area):
    product = f.make_product(coop, "Cam sành Bắc Quang", name_en="Bac Quang king orange")
    f.make_terms(coop, areas=[area["province"]], fee=30_000, free_from=500_000)
    return f.make_listing(product, price_vnd=35_000, stock=100, pickup_points=[shop])


@pytest.fixture
def other_coop(area):
    return f.make_producer("HTX Chè Shan tuyết Hoàng Su Phì", commune=area["vinh_tuy"])


@pytest.fixture
def other_seller(other_coop):
    return f.make_staff("tea_staff", other_coop)


@pytest.fixture
def tea(other_coop, shop, area):
    product = f.make_product(other_coop, "Chè Shan tuyết", kind="tea", unit="pack")
    f.make_terms(other_coop, areas=[area["viet_quang"]], fee=20_000)
    return f.make_listing(product, price_vnd=120_000, stock=50, pickup_points=[shop])


@pytest.fixture
def buyer(db):
    return make_user("buyer1", roles.CONSUMER)


@pytest.fixture
def other_buyer(db):
    return make_user("buyer2", roles.CONSUMER)


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
def _fast_passwords(settings):
    """Personas are made in every test: a fast hasher keeps the suite quick (the algorithm is not under test)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are asserted in English, the source language; pages still default to Vietnamese."""
    with translation.override("en"):
        yield
