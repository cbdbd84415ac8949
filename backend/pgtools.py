"""PostgreSQL's own programs (pg_dump, pg_restore) pointed at a configured database, for backups and restores."""

from __future__ import annotations

import glob
import os
import shutil

import psycopg2


class ToolMissing(RuntimeError):
    pass


def tool(name: str) -> str:
    """The newest installed `name` (Debian keeps one per major version); it must not be older than the server."""
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    found = versions[-1] if versions else shutil.which(name)
    if not found:
        raise ToolMissing(f"{name} is not installed: install the PostgreSQL client (Debian: postgresql-client).")
    return found


def libpq_env(database: dict, *, name: str | None = None) -> dict[str, str]:
    """The environment that points libpq's programs at `database` (a DATABASES entry), or at its server's `name`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if database.get(key):
            env[variable] = str(database[key])
    env["PGDATABASE"] = name or database["NAME"]
    return env


def connect(database: dict, *, name: str | None = None):
    """A psycopg2 connection in autocommit to `database`'s server (its database, or `name`)."""
    params = {
        "dbname": name or database["NAME"],
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
    }
    conn = psycopg2.connect(**{key: value for key, value in params.items() if value is not None})
    conn.autocommit = True
    return conn
