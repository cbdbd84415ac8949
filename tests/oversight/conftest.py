"""Personas and a small world for the oversight tests."""

import pytest
from django.utils import translation

from tests.oversight import factories as f


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def places(db):
    return f.make_map()


@pytest.fixture
def inspector(db):
    return f.make_official("inspector")


@pytest.fixture
def coop(places):
    """An approved orange cooperative in Bắc Quang, with its staff member."""
    producer = f.make_producer("HTX Cam sành Việt Quang", commune=places["viet_quang_old"], lat=22.41, lng=104.82)
    staff = f.make_staff("lan", producer)
    return producer, staff


@pytest.fixture
def rival(places):
    """Another approved cooperative (tea, Vị Xuyên) with its staff member."""
    producer = f.make_producer("HTX Chè Phìn Hồ", commune=places["vi_xuyen_commune"], lat=22.70, lng=104.85)
    staff = f.make_staff("minh", producer)
    return producer, staff


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are asserted in English, the source language; pages still default to Vietnamese
    (LocaleMiddleware picks each request's language itself)."""
    with translation.override("en"):
        yield
