"""The processes of `make run` (scripts/serve.sh, scripts/supervise.sh): each restarted when it exits, with
back-off; a worker that dies never takes the web server down, nor the other way round; TERM stops them all."""

from __future__ import annotations

import itertools
import json
import os
import signal
import time
from pathlib import Path

import pytest
from django.db import connection

from backend.models import WorkerHeartbeat
from tests.processes import ROOT, child_env, database_url, free_port, get, running, wait_for

SUPERVISE = ROOT / "scripts" / "supervise.sh"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def pids_with(text: str) -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and text in cmdline(int(p.name))]


def pids_named(name: str) -> list[int]:
    """Processes whose argv[0] is `name`."""
    return [
        int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and cmdline(int(p.name)).split(" ")[0] == name
    ]


def test_the_supervisor_starts_a_command_again_with_growing_pauses_and_stops_it_on_term(tmp_path):
    starts = tmp_path / "starts"
    script = f"date +%s.%N >> {starts}; exit 3"
    with running(["bash", str(SUPERVISE), "demo", "sh", "-c", script], env=child_env(), log=tmp_path / "log") as sup:
        wait_for(lambda: starts.exists() and len(starts.read_text().split()) >= 3, timeout=20, what="three starts")
        sup.send_signal(signal.SIGTERM)
        assert sup.wait(timeout=20) == 0
    times = [float(t) for t in starts.read_text().split()]
    pauses = [b - a for a, b in itertools.pairwise(times)]
    assert 0.9 <= pauses[0] < pauses[1]  # 1 s, then 2 s
    log = (tmp_path / "log").read_text()
    assert "supervise[demo]: exited with status 3; starting it again in 1 s" in log
    assert "starting it again in 2 s" in log and "supervise[demo]: stopped" in log


def test_the_supervisor_passes_term_on_and_kills_what_ignores_it(tmp_path):
    marker = f"hg-ignores-term-{os.getpid()}"
    script = f"trap '' TERM; exec -a {marker} sleep 300"
    env = child_env(HG_STOP_TIMEOUT="2")
    with running(["bash", str(SUPERVISE), "stubborn", "bash", "-c", script], env=env, log=tmp_path / "log") as sup:
        wait_for(lambda: pids_named(marker), timeout=20, what="the command to start")
        began = time.monotonic()
        sup.send_signal(signal.SIGTERM)
        assert sup.wait(timeout=30) == 0
        assert time.monotonic() - began < 15
    assert not pids_named(marker)


@pytest.mark.django_db(transaction=True)
def test_make_runs_web_and_worker_come_back_on_their_own_and_never_take_each_other_down(tmp_path):
    port = free_port()
    env = child_env(
        DATABASE_URL=database_url(connection.settings_dict),
        HG_PORT=str(port),
        HG_WORKER_LOG=str(tmp_path / "worker.log"),
        WEB_CONCURRENCY="1",
        WORKER_HEARTBEAT_SECONDS="1",
        WORKER_STALE_SECONDS="3",
    )
    healthz = f"http://127.0.0.1:{port}/healthz"

    def health() -> dict:
        status, body = get(healthz)
        return json.loads(body) if status == 200 else {}

    with running(["bash", str(ROOT / "scripts" / "serve.sh")], env=env, log=tmp_path / "serve.log") as serve:
        wait_for(lambda: health().get("worker") == "ok", timeout=90, what="web and worker to be up")
        worker = WorkerHeartbeat.objects.get().pid

        os.kill(worker, signal.SIGKILL)
        assert health().get("status") == "ok", "the web went down with the worker"
        wait_for(
            lambda: WorkerHeartbeat.objects.exclude(pid=worker).filter(seen_at__isnull=False).exists(),
            timeout=60,
            what="a new worker",
        )
        restarted = WorkerHeartbeat.objects.exclude(pid=worker).get().pid

        def gunicorns() -> list[int]:
            return [p for p in pids_with(f"127.0.0.1:{port}") if cmdline(p).split(" ")[1].endswith("/gunicorn")]

        master = next(p for p in gunicorns() if "supervise.sh" in cmdline(parent_of(p)))
        old = gunicorns()
        os.kill(master, signal.SIGKILL)
        wait_for(lambda: not set(old) & set(gunicorns()), timeout=60, what="the old gunicorn processes to be gone")
        wait_for(lambda: health().get("status") == "ok", timeout=90, what="a new gunicorn to answer")
        assert Path(f"/proc/{restarted}").exists() and "manage.py worker" in cmdline(restarted), "the worker went down"

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=60) in (0, 130, 143)
    wait_for(
        lambda: not pids_with(f"127.0.0.1:{port}") and not Path(f"/proc/{restarted}").exists(),
        timeout=30,
        what="all gone",
    )
    log = (tmp_path / "serve.log").read_text() + (tmp_path / "worker.log").read_text()
    assert "supervise[worker]: exited with status 137" in log and "supervise[web]: exited with status 137" in log
