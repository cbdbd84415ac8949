"""The test run's personas and database, shared by every test package.

One vocabulary, used everywhere (a package's conftest may attach a persona to its own records by
overriding the fixture with the same name, never by inventing another name):

- `consumer`, `other_consumer`: signed-up buyers (role consumer);
- `owner`: the staff member of `producer` (the package's producer fixture puts them on its staff);
- `stranger`: the staff member of `other_producer`, a stranger to `producer`'s data;
- `official`: a provincial official (staff flag, role official);
- `retailer`, `other_retailer`: staff of a shop (role retailer_staff);
- `admin_user`: an administrator (superuser).

Records: `producer` and `other_producer` (each package's conftest makes them its own way).
"""

import functools
import hashlib
import os
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from backend import roles

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery-staple"

# PBKDF2 (Django's default, and production's: settings.py does not change it) costs ~0.1 s a hash, and
# every persona is hashed. Tests of sign-in, limits and tokens check the flow, not the algorithm;
# tests/backend/test_settings.py checks that production keeps PBKDF2.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: str | None = None, **extra) -> User:
    user = User.objects.create_user(username=username, email=f"{username}@example.test", password=PASSWORD, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def join_staff(user: User, producer) -> User:
    """Put a persona on a producer's staff, as approving their application or a colleague's invitation does."""
    from tracing.models import ProducerMembership

    user.groups.add(Group.objects.get(name=roles.PRODUCER_STAFF))
    ProducerMembership.objects.create(producer=producer, user=user)
    return user


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """For the whole run, module-scoped worlds included (a function's `settings` fixture comes too late)."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


# -- the test database ------------------------------------------------------------------------------
# `--reuse-db` is on (pyproject.toml): a local run keeps the test database instead of migrating a new one.
# A reused database must start as a migrated one does, yet transactional tests flush every table (the
# post_migrate handlers put back only the role groups and product kinds, not e.g. oversight's default
# yields). So the first run after the migrations change builds the database from the migrations and keeps
# its rows (a snapshot keyed by the migration files and the database); a later run empties the tables and
# loads that snapshot. CI (`CI` set, as CI services set it) and `--create-db` always build it afresh.


@functools.cache
def _snapshot_path() -> Path:
    """(First called before the test database is set up: the name read is the configured one.)"""
    import django
    from django.conf import settings

    digest = hashlib.sha256(django.get_version().encode())
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    database = settings.DATABASES["default"]
    digest.update(f"{database.get('HOST')}|{database.get('PORT')}|{database['NAME']}".encode())
    return Path(tempfile.gettempdir()) / f"hagiang-test-db-{digest.hexdigest()[:24]}.json"


@pytest.fixture(scope="session")
def django_db_createdb(request):
    return bool(request.config.getvalue("create_db") or os.environ.get("CI") or not _snapshot_path().exists())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, django_db_keepdb, django_db_createdb):
    if not django_db_keepdb:
        return
    from django.core.management import call_command
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connection

    snapshot = _snapshot_path()
    with django_db_blocker.unblock():
        if django_db_createdb:  # just built from the migrations
            snapshot.write_text(connection.creation.serialize_db_to_string())
        else:
            call_command("flush", interactive=False, verbosity=0, reset_sequences=False, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(snapshot.read_text())
            # What the code makes after migrate (role groups' permissions) follows the code, not the snapshot.
            emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)


# -- personas ---------------------------------------------------------------------------------------


@pytest.fixture
def consumer(db):
    return make_user("consumer1", roles.CONSUMER)


@pytest.fixture
def other_consumer(db):
    return make_user("consumer2", roles.CONSUMER)


@pytest.fixture
def owner(db):
    """Signed up as a consumer; staff of `producer` once the package's producer fixture takes them on."""
    return make_user("lan", roles.CONSUMER)


@pytest.fixture
def stranger(db):
    """Signed up as a consumer; staff of `other_producer` where a package makes one."""
    return make_user("minh", roles.CONSUMER)


@pytest.fixture
def official(db):
    return make_user("official1", roles.OFFICIAL, is_staff=True)


@pytest.fixture
def retailer(db):
    return make_user("retailer1", roles.RETAILER_STAFF)


@pytest.fixture
def other_retailer(db):
    return make_user("retailer2", roles.RETAILER_STAFF)


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
