import pytest
from django.contrib.auth.models import Group, User

from backend import roles

PASSWORD = "correct-horse-battery-staple"


def make_user(username: str, role: str | None = None, **extra) -> User:
    user = User.objects.create_user(username=username, email=f"{username}@example.test", password=PASSWORD, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def consumer(db):
    return make_user("consumer1", roles.CONSUMER)


@pytest.fixture
def official(db):
    return make_user("official1", roles.OFFICIAL, is_staff=True)


@pytest.fixture
def admin_user(db):
    return make_user("admin1", roles.ADMINISTRATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _clear_cache(db):
    """Rate-limit counters live in the cache table: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
