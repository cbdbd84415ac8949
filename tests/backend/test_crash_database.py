"""kill -9 of PostgreSQL under traffic: every write the user was told succeeded is there after the restart.

A throw-away cluster made by scripts/db.sh (so with exactly the settings `make run` deploys) holds a
copy of this test's data; gunicorn and the background worker run against it. Client threads place
orders through the API checkout, confirm scratch PINs and scan stamps, each request from its own
address (behind the one trusted proxy, TRUSTED_PROXY_HEADER=x-forwarded-for) so that rate limits do not interfere.
Twice, the postmaster and all its backends are killed at once in the middle of that traffic, and
the cluster is started again (crash recovery). Then every acknowledged order, confirmation and scan
must be in the database, stock must add up, the worker (the same process: it rides out the outage)
must have taken the work queued since, and no task may be left running.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import http.client
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from backend import roles
from tests.conftest import make_user
from tests.marketplace import factories as mf
from tests.processes import VENV_BIN, Cluster, child_env, copy_database, free_port, get, running, wait_for
from tracing import services as tracing
from tracing.models import Stamp
from tracing.stamps.selection import Selection

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 6
STAMPS_PER_CLIENT = 40
CRASHES = 3
STOCK = 100_000
ACKS_BEFORE_CRASH = 25  # acknowledged writes between starting (or restarting) and each crash


def world():
    official = make_user("inspector", roles.OFFICIAL)
    area = mf.make_map()
    coop = mf.make_producer(commune=area["viet_quang"])
    staff = mf.make_staff("coop_staff", coop)
    shop = mf.make_shop("Cửa hàng Cam Việt Quang", 22.406, 104.821)
    product = mf.make_product(coop)
    mf.make_terms(coop, areas=[area["province"]])
    listing = mf.make_listing(product, stock=STOCK, pickup_points=[shop])
    batch = tracing.batch_create(
        by=staff, product=product, lot_code="CS-01", harvest_started_on=datetime.date(2026, 11, 1), quantity=1000
    )
    run = tracing.stamps_issue(by=official, producer=coop, quantity=CLIENTS * STAMPS_PER_CLIENT, product=product)
    _name, data = tracing.stamp_run_pins_take(by=official, run=run)
    pins = {row["serial"]: row["pin"] for row in csv.DictReader(io.StringIO(data.decode()))}
    serials = list(Stamp.objects.filter(run=run).order_by("number").values_list("serial", flat=True))
    tracing.stamps_activate(by=staff, batch=batch, selection=Selection(first=serials[0], last=serials[-1]))
    return coop, shop, listing, [(serial, pins[serial]) for serial in serials]


class Traffic:
    """Client threads writing through the HTTP API; what the server acknowledged is recorded."""

    def __init__(self, port: int, *, coop, shop, listing, stamps):
        self.port = port
        self.checkout = mf.pickup_checkout(shop, coop)
        self.listing = listing.pk
        self.stamps = stamps
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.orders: dict[int, int] = {}  # order id → quantity
        self.confirmed: list[str] = []
        self.scans: Counter = Counter()
        self.refused: Counter = Counter()
        self.requests = 0
        self.threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(CLIENTS)]

    @property
    def acknowledged(self) -> int:
        with self.lock:
            return len(self.orders) + len(self.confirmed) + sum(self.scans.values())

    def start(self):
        for thread in self.threads:
            thread.start()

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)
        assert not any(thread.is_alive() for thread in self.threads), "a client thread hung"

    def _request(self, method, path, body=None, cookie=""):
        with self.lock:
            self.requests += 1
            n = self.requests
        headers = {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if cookie:
            headers["Cookie"] = cookie
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = conn.getresponse()
            return response.status, response.read(), response.getheader("Set-Cookie") or ""
        except (OSError, http.client.HTTPException):
            return 0, b"", ""
        finally:
            conn.close()

    def _client(self, index: int) -> None:
        mine = self.stamps[index * STAMPS_PER_CLIENT : (index + 1) * STAMPS_PER_CLIENT]
        unconfirmed = list(mine)
        step = 0
        while not self.stop.is_set():
            step += 1
            if step % 3 == 0:
                self._order()
            elif step % 3 == 1 and unconfirmed:
                serial, pin = unconfirmed.pop()
                status, _body, _cookie = self._request("POST", f"/api/v1/stamps/{serial}/confirm", {"pin": pin})
                self._record(status == 200, "confirm", lambda s=serial: self.confirmed.append(s))
            else:
                serial = mine[step % len(mine)][0]
                status, _body, _cookie = self._request("GET", f"/api/v1/stamps/{serial}")
                self._record(status == 200, "scan", lambda s=serial: self.scans.update([s]))

    def _order(self) -> None:
        status, _body, set_cookie = self._request(
            "POST", "/api/v1/cart/items/", {"listing": self.listing, "quantity": 1}
        )
        session = SimpleCookie(set_cookie).get("sessionid")
        if status != 200 or session is None:
            self._record(False, "cart", None)
            return
        body = {**self.checkout, "checkout_token": mf.token()}
        status, answer, _cookie = self._request("POST", "/api/v1/checkout/", body, cookie=f"sessionid={session.value}")
        if status == 201:
            orders = json.loads(answer)["orders"]
            self._record(
                True, "order", lambda: self.orders.update({o["id"]: o["lines"][0]["quantity"] for o in orders})
            )
        else:
            self._record(False, "order", None)

    def _record(self, acknowledged: bool, kind: str, record) -> None:
        with self.lock:
            if acknowledged:
                record()
            else:
                self.refused[kind] += 1
        if not acknowledged:
            time.sleep(0.05)  # as a person would, not in a tight loop


@contextlib.contextmanager
def throwaway_cluster():
    folder = Path(tempfile.mkdtemp(prefix="hg-crash-", dir="/tmp"))
    folder.chmod(0o755)  # the postgres user (when run as root) must reach the cluster's folder
    cluster = Cluster(folder)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_no_acknowledged_write_is_lost_when_the_database_server_is_killed(tmp_path):
    started = time.monotonic()
    coop, shop, listing, stamps = world()
    with throwaway_cluster() as cluster:
        # make run's cluster settings, as scripts/db.sh makes them.
        assert [cluster.setting(s) for s in ("fsync", "synchronous_commit", "full_page_writes")] == ["on"] * 3
        copy_database(connection.settings_dict, cluster, tmp_path / "copy.dump")
        port = free_port()
        env = child_env(
            DATABASE_URL=cluster.url,
            TRUSTED_PROXY_HEADER="x-forwarded-for",
            DJANGO_EMAIL_BACKEND="file",
            EMAIL_FILE_PATH=str(tmp_path / "mail"),
            WORKER_HEARTBEAT_SECONDS="1",
            WORKER_STALE_SECONDS="5",
        )
        gunicorn = [str(VENV_BIN / "gunicorn"), "backend.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        worker = [str(VENV_BIN / "python"), "manage.py", "worker", "--no-startup-delay", "--interval", "0.2"]
        with (
            running([*gunicorn, "--workers", "3", "--timeout", "60"], env=env, log=tmp_path / "web.log"),
            running(worker, env=env, log=tmp_path / "worker.log") as worker_process,
        ):
            wait_for(lambda: get(f"http://127.0.0.1:{port}/healthz")[0] == 200, timeout=60, what="gunicorn to answer")
            traffic = Traffic(port, coop=coop, shop=shop, listing=listing, stamps=stamps)
            outages = []
            traffic.start()
            try:
                for _crash in range(CRASHES):
                    before = traffic.acknowledged
                    wait_for(
                        lambda before=before: traffic.acknowledged >= before + ACKS_BEFORE_CRASH,
                        timeout=60,
                        what="writes acknowledged before the crash",
                    )
                    down = time.monotonic()
                    cluster.crash()
                    time.sleep(1)  # clients keep writing into the outage
                    restart = time.monotonic()
                    cluster.start()
                    outages.append((round(time.monotonic() - down, 1), round(time.monotonic() - restart, 1)))
                before = traffic.acknowledged
                wait_for(
                    lambda: traffic.acknowledged >= before + ACKS_BEFORE_CRASH,
                    timeout=60,
                    what="writes acknowledged after the last restart",
                )
            finally:
                traffic.finish()
            after_traffic = time.monotonic()
            with contextlib.closing(cluster.connect()) as db:
                wait_for(lambda: unfinished_tasks(db) == 0, timeout=60, what="the worker to finish the queued tasks")
                assert worker_process.poll() is None, "the worker exited during the outages"
                lost = lost_writes(db, traffic, listing.pk)
                tasks = dict(task_statuses(db))
        figures = {
            "orders acknowledged": len(traffic.orders),
            "PIN confirmations acknowledged": len(traffic.confirmed),
            "scans acknowledged": sum(traffic.scans.values()),
            "requests refused or failed during the outages": dict(traffic.refused),
            "outages (s)": outages,
            "lost": lost,
            "tasks": tasks,
            "queue drained in (s)": round(time.monotonic() - after_traffic, 1),
            "test took (s)": round(time.monotonic() - started, 1),
        }
        print("\ncrash drill, database server:", json.dumps(figures, ensure_ascii=False))
        assert lost == {"orders": [], "confirmations": [], "scans": {}, "stock": 0}, figures
        assert traffic.orders and traffic.confirmed and traffic.scans, figures
        assert sum(traffic.refused.values()) > 0, "the crashes did not interrupt any request: the drill proved nothing"
        # Each order queued its emails; a crash may cut short the one task the worker was running (failed, not
        # repeated: its email may have gone), never more.
        assert tasks.get("FAILED", 0) <= CRASHES, figures
        assert tasks.get("SUCCESSFUL", 0) + tasks.get("FAILED", 0) >= len(traffic.orders), figures


TASKS = DBTaskResult._meta.db_table


def unfinished_tasks(db) -> int:
    with db.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TASKS} WHERE status IN ('READY', 'RUNNING')")  # noqa: S608
        return cursor.fetchone()[0]


def task_statuses(db):
    with db.cursor() as cursor:
        cursor.execute(f"SELECT status, count(*) FROM {TASKS} GROUP BY status")  # noqa: S608
        return cursor.fetchall()


def lost_writes(db, traffic: Traffic, listing_id: int) -> dict:
    with db.cursor() as cursor:
        cursor.execute("SELECT id FROM marketplace_order WHERE id = ANY(%s)", [list(traffic.orders)])
        present = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT serial FROM tracing_stamp WHERE serial = ANY(%s) AND confirmed_at IS NOT NULL", [traffic.confirmed]
        )
        confirmed = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT serial, count(*) FROM tracing_scan WHERE serial = ANY(%s) GROUP BY serial", [list(traffic.scans)]
        )
        scans = dict(cursor.fetchall())
        # Stock adds up: what is left plus what every order (acknowledged or not) took is what there was.
        cursor.execute(
            "SELECT (SELECT stock FROM marketplace_listing WHERE id = %s) "
            "+ coalesce((SELECT sum(quantity) FROM marketplace_orderline WHERE listing_id = %s), 0)",
            [listing_id, listing_id],
        )
        stock = cursor.fetchone()[0]
    return {
        "orders": sorted(set(traffic.orders) - present),
        "confirmations": sorted(set(traffic.confirmed) - confirmed),
        "scans": {s: n - scans.get(s, 0) for s, n in traffic.scans.items() if scans.get(s, 0) < n},
        "stock": STOCK - stock,
    }


def test_a_cluster_made_with_crash_safety_off_is_switched_on_at_its_next_start():
    """Clusters made by the old scripts/db.sh had fsync, synchronous_commit and full_page_writes off."""
    with throwaway_cluster() as cluster:
        with (cluster.data / "postgresql.conf").open("a") as conf:
            conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        (cluster.data / "postgresql.auto.conf").write_text("")
        cluster.stop()
        start_with_pg_ctl(cluster)  # as the old script left it: running with those settings
        assert cluster.setting("fsync") == "off"

        cluster.start()  # scripts/db.sh start, as make run and make test do

        assert [cluster.setting(s) for s in ("fsync", "synchronous_commit", "full_page_writes")] == ["on"] * 3
        cluster.stop()
        cluster.start()
        assert cluster.setting("synchronous_commit") == "on"  # it stays on


def start_with_pg_ctl(cluster: Cluster) -> None:
    """Start the cluster by hand, its settings left as they are."""
    from backend import pgtools

    run_as = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    log = str(cluster.data / "server.log")
    command = [*run_as, pgtools.tool("pg_ctl"), "-D", str(cluster.data), "-l", log, "-w", "start"]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
