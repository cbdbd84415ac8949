"""Prepared statements (backend/prepared.py): planned once per connection, same results as plain SQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend import prepared

pytestmark = pytest.mark.django_db


def test_a_statement_is_prepared_once_per_connection_and_then_executed_with_each_call_s_values():
    sql = "SELECT %(a)s::int + %(b)s::int, %(a)s::int * 2, '100%%'"
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        prepared.execute(cursor, "hg_test_named", sql, {"a": 2, "b": 3})
        first = cursor.fetchone()
        prepared.execute(cursor, "hg_test_named", sql, {"a": 5, "b": 1})
        second = cursor.fetchone()
    assert (first, second) == ((5, 4, "100%"), (6, 10, "100%"))
    statements = [q["sql"] for q in queries]
    assert sum(s.startswith("PREPARE") for s in statements) <= 1  # none if an earlier test prepared it
    assert sum(s.startswith("EXECUTE hg_test_named") for s in statements) == 2


def test_positional_placeholders_are_numbered_in_order():
    with connection.cursor() as cursor:
        prepared.execute(cursor, "hg_test_positional", "SELECT %s::text || %s::text", ["x", "y"])
        assert cursor.fetchone() == ("xy",)


def test_with_prepared_statements_off_the_statement_is_sent_as_it_is(settings):
    settings.PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        prepared.execute(cursor, "hg_test_off", "SELECT %s::int + 1", [41])
        assert cursor.fetchone() == (42,)
    assert [q["sql"] for q in queries] == ["SELECT 41::int + 1"]
