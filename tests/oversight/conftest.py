"""A small world for the oversight tests; the personas are tests/conftest.py's (`owner` on the staff of
`producer`, `stranger` on the staff of `other_producer`, `official`)."""

import pytest
from django.utils import translation

from tests.oversight import factories as f


@pytest.fixture
def places(db):
    return f.make_map()


@pytest.fixture
def producer(places):
    """An approved orange cooperative in Bắc Quang; `owner` is on its staff."""
    return f.make_producer("HTX Cam sành Việt Quang", commune=places["viet_quang_old"], lat=22.41, lng=104.82)


@pytest.fixture
def owner(owner, producer):
    return f.join_staff(owner, producer)


@pytest.fixture
def other_producer(places):
    """Another approved cooperative (tea, Vị Xuyên); `stranger` is on its staff."""
    return f.make_producer("HTX Chè Phìn Hồ", commune=places["vi_xuyen_commune"], lat=22.70, lng=104.85)


@pytest.fixture
def stranger(stranger, other_producer):
    return f.join_staff(stranger, other_producer)


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are asserted in English, the source language; pages still default to Vietnamese
    (LocaleMiddleware picks each request's language itself)."""
    with translation.override("en"):
        yield
