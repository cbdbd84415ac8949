"""Prepared statements for the hottest raw SQL (rate-limit counters, the scan page's facts).

Planning a statement with several subqueries costs PostgreSQL about a millisecond, often more than
running it. A statement prepared once per database connection is planned then and executed with
each request's values afterwards. PostgreSQL keeps it until the connection closes whatever happens
to transactions, and Django's connections are persistent (CONN_MAX_AGE), so a web process prepares
each statement once.

This needs one database session per Django connection: a direct connection, or a pooler in session
mode. A transaction-pooling proxy (PgBouncer in transaction mode) would hand the next transaction to
a session that never saw the PREPARE: deployments behind one set DATABASE_PREPARED_STATEMENTS=0,
and the statements are then sent as they are.
"""

from __future__ import annotations

import re
import weakref

from django.conf import settings

# Which statements each raw psycopg connection has prepared (weak: forgotten with the connection).
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\)s|(s)|(%))")


def _numbered(sql: str) -> tuple[str, list[str | int]]:
    """The statement with PostgreSQL's $1, $2, … for psycopg's placeholders, and which value each $n takes.

    `%s` placeholders are numbered in order (value k of a list); `%(name)s` ones by first appearance,
    a name used twice is one $n (value `name` of a dict); `%%` becomes `%`.
    """
    order: list[str | int] = []
    names: dict[str, int] = {}

    def number(match: re.Match) -> str:
        name, positional, percent = match.groups()
        if percent:
            return "%"
        if positional:
            order.append(len(order))
            return f"${len(order)}"
        if name not in names:
            order.append(name)
            names[name] = len(order)
        return f"${names[name]}"

    return _PLACEHOLDER.sub(number, sql), order


def execute(cursor, name: str, sql: str, params: list | tuple | dict) -> None:
    """Run `sql` (with psycopg placeholders: all %s, or all %(name)s) as the prepared statement `name`.

    `name` must be unique to `sql` for the life of the process (a constant of the calling module).
    """
    if not getattr(settings, "PREPARED_STATEMENTS", True):
        cursor.execute(sql, params)
        return
    raw = cursor.db.connection
    prepared = _PREPARED.setdefault(raw, {})
    order = prepared.get(name)
    if order is None:
        text, order = _numbered(sql)
        cursor.execute(f"PREPARE {name} AS {text}")
        prepared[name] = order
    values = [params[key] for key in order]
    cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(values))})" if values else f"EXECUTE {name}", values)
