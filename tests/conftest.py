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


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.fixture(autouse=True)
def _clear_cache(request):
    """Rate-limit counters and the cache: every test that uses the database starts with none."""
    if not (request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames)):
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    from django.core.cache import cache

    from backend import throttling

    cache.clear()
    throttling.reset()
