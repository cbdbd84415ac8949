"""The demo province, seeded once per test module (about 15 s) inside a transaction rolled back at the end.

Each test runs in a savepoint of that transaction (pytest-django's `db`), so a test may write without
disturbing the next one.
"""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from demo import province as spec
from tracing.models import Producer


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """What `manage.py seed_demo` printed; the province stays in the database for the module's tests."""
    from demo.management.commands import seed_demo

    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(seed_demo, "DEMO_STAMPS_FILE", tmp_path_factory.mktemp("demo") / "demo-stamps.txt")
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def province(seeded, db):
    """{producer key (A…I, demo/province.py): the Producer}."""
    return {item.key: Producer.objects.get(name=item.name) for item in spec.PRODUCERS}
