"""Real processes for the crash, backup and supervision tests: throw-away PostgreSQL clusters made by
scripts/db.sh (exactly as `make run` makes its own), gunicorn, the worker, the supervisor.

Every wait has a deadline and every process is stopped in a `finally`: a failing test leaves nothing
running. Children get the test's environment (keys, media folders) without anything that would
weaken the database's durability (PGOPTIONS).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
DB_SH = ROOT / "scripts" / "db.sh"


def wait_for(predicate: Callable, *, timeout: float, what: str, interval: float = 0.1):
    """predicate()'s first truthy value within `timeout` seconds, else an AssertionError naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(interval)


def database_url(settings_dict: dict, name: str | None = None) -> str:
    """A DATABASE_URL for a Django DATABASES entry (the Unix socket folder quoted into the host)."""
    host = quote(settings_dict.get("HOST") or "", safe="")
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD")
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgis://{auth}{host}{port}/{name or settings_dict['NAME']}"


def child_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PGOPTIONS"}
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, *, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own local server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (OSError, urllib.error.URLError):
        return 0, b""


@contextlib.contextmanager
def running(args: list[str], *, env: dict[str, str], log: Path, cwd: Path = ROOT):
    """A process in its own process group, output to `log`; TERM (then KILL) to the whole group on exit."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen, timeout: float = 20) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


class Cluster:
    """A throw-away cluster made and started by scripts/db.sh (HG_PG_DATA), with make run's settings."""

    def __init__(self, folder: Path, database: str = "hagiang"):
        self.data = folder / "pg"
        self.database = database
        self.env = child_env(HG_PG_DATA=str(self.data), HG_DB_NAME=database)
        self.env.pop("DATABASE_URL", None)

    def _db_sh(self, command: str) -> str:
        done = subprocess.run(["bash", str(DB_SH), command], env=self.env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"db.sh {command}: {done.stdout}{done.stderr}"
        return done.stdout.strip()

    def start(self) -> None:
        self._db_sh("start")
        self.url = self._db_sh("url")

    def stop(self) -> None:
        if (self.data / "PG_VERSION").exists():
            subprocess.run(["bash", str(DB_SH), "stop"], env=self.env, capture_output=True, timeout=120)

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().splitlines()[0])

    def crash(self) -> None:
        """kill -9 of the postmaster and of every backend at once: a crash of the database server."""
        postmaster = self.postmaster_pid()
        for pid in [postmaster, *children_of(postmaster)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        # Gone, not only dead: pg_ctl takes a zombie for a running server until its parent reaps it.
        wait_for(lambda: not Path(f"/proc/{postmaster}").exists(), timeout=30, what="the postmaster to be gone")

    def connect(self):
        host = self.url.split("@", 1)[1].split(":", 1)[0].replace("%2F", "/")
        conn = psycopg2.connect(dbname=self.database, user="postgres", host=host, port=5432)
        conn.autocommit = True
        return conn

    def setting(self, name: str) -> str:
        with contextlib.closing(self.connect()) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT setting FROM pg_settings WHERE name = %s", [name])
            return cursor.fetchone()[0]


def copy_database(source: dict, cluster: Cluster, dump: Path) -> None:
    """The source database (a DATABASES entry, e.g. the test database) copied into the cluster's."""
    from backend import pgtools

    subprocess.run(
        [pgtools.tool("pg_dump"), "--format=custom", "--file", str(dump)],
        env=pgtools.libpq_env(source),
        check=True,
        capture_output=True,
        timeout=120,
    )
    host = cluster.url.split("@", 1)[1].split(":", 1)[0].replace("%2F", "/")
    target = {"NAME": cluster.database, "USER": "postgres", "HOST": host, "PORT": "5432"}
    subprocess.run(
        [pgtools.tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", cluster.database, str(dump)],
        env=pgtools.libpq_env(target),
        check=True,
        capture_output=True,
        timeout=300,
    )
