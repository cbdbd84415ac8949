"""kill -9 of the background worker in the middle of a 60,000-stamp run and of a print job: both finish.

The worker runs as `make run` runs it: `manage.py worker` under scripts/supervise.sh, which starts it
again when it dies. The heartbeat is beaten every second and a worker silent for 3 s is presumed
dead (WORKER_HEARTBEAT_SECONDS / WORKER_STALE_SECONDS; 10 s and 60 s in production). The stamp run
is killed once its first 20,000 stamps are committed (a third of the way), the print job once its
first pages are drawn. Each must then end succeeded on its second attempt: the run complete with
exactly 60,000 distinct stamps and one PIN list whose PINs match them, the labels a whole PDF.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import signal
import subprocess
import time

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from backend import roles
from backend.models import Job, WorkerHeartbeat
from tests.conftest import make_user
from tests.marketplace import factories as mf
from tests.processes import ROOT, VENV_BIN, child_env, database_url, running, wait_for
from tracing import services
from tracing.models import Stamp, StampRun
from tracing.stamps import pins

pytestmark = pytest.mark.django_db(transaction=True)

RUN_SIZE = 60_000
LABELS = 2000
LAYOUT = "a4-3x8-70x37"


def job(pk) -> Job:
    return Job.objects.get(pk=pk)


def kill_the_worker_running(pk) -> int:
    """kill -9 of the worker process that claimed job `pk` (its heartbeat row gives the pid); returns the pid."""
    beat = WorkerHeartbeat.objects.get(worker_id=job(pk).worker_id)
    os.kill(beat.pid, signal.SIGKILL)
    return beat.pid


def test_jobs_interrupted_by_a_kill_9_of_the_worker_start_again_and_finish(tmp_path):
    started = time.monotonic()
    official = make_user("inspector", roles.OFFICIAL)
    coop = mf.make_producer(commune=mf.make_map()["viet_quang"])
    product = mf.make_product(coop)
    small = services.stamps_issue(by=official, producer=coop, quantity=LABELS, product=product, background=False)
    run = services.stamps_issue(by=official, producer=coop, quantity=RUN_SIZE, product=product)
    fill = run.job.pk
    labels = services.stamps_print(by=official, run=small, layout=LAYOUT).pk
    env = child_env(
        DATABASE_URL=database_url(connection.settings_dict),
        WORKER_HEARTBEAT_SECONDS="1",
        WORKER_STALE_SECONDS="3",
    )
    worker = [str(VENV_BIN / "python"), "manage.py", "worker", "--no-startup-delay", "--interval", "0.2"]
    killed = []
    with running(["bash", str(ROOT / "scripts" / "supervise.sh"), "worker", *worker], env=env, log=tmp_path / "log"):
        wait_for(lambda: job(fill).done >= 20_000, timeout=120, what="the first 20,000 stamps")
        at = job(fill)
        assert at.status == Job.Status.RUNNING and at.done < RUN_SIZE, "the run finished before it could be killed"
        killed.append(("stamp run", kill_the_worker_running(fill), at.done))

        wait_for(lambda: job(labels).status == Job.Status.RUNNING and job(labels).done > 0, timeout=120, what="pages")
        at = job(labels)
        assert at.done < at.total, "the print job finished before it could be killed"
        killed.append(("print job", kill_the_worker_running(labels), at.done))

        wait_for(lambda: all(job(pk).is_finished for pk in (fill, labels)), timeout=240, what="both jobs to finish")
    finished = {pk: job(pk) for pk in (fill, labels)}
    figures = {
        "killed (job, pid, progress)": killed,
        "outcome (status, attempts)": [(j.status, j.attempts) for j in finished.values()],
        "tasks of the dead runs": sorted(
            DBTaskResult.objects.filter(exception_class_path="backend.jobs.WorkerLost").values_list("status", flat=True)
        ),
        "test took (s)": round(time.monotonic() - started, 1),
    }
    print("\ncrash drill, worker:", json.dumps(figures, default=str))
    assert [(j.status, j.attempts) for j in finished.values()] == [(Job.Status.SUCCEEDED, 2)] * 2, (
        figures,
        [j.display_error for j in finished.values()],
    )
    assert figures["tasks of the dead runs"] == ["FAILED", "FAILED"]
    assert not Job.objects.exclude(status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED]).exists()

    # The run is whole: 60,000 stamps numbered once each, and one PIN list whose PINs are theirs.
    run.refresh_from_db()
    assert run.status == StampRun.Status.ISSUED
    stamps = dict(Stamp.objects.filter(run=run).values_list("serial", "pin_hash"))
    numbers = Stamp.objects.filter(run=run).values_list("number", flat=True)
    assert len(stamps) == RUN_SIZE and sorted(numbers) == list(range(1, RUN_SIZE + 1))
    _name, data = services.stamp_run_pins_take(by=official, run=run)
    listed = {row["serial"]: row["pin"] for row in csv.DictReader(io.StringIO(data.decode()))}
    assert set(listed) == set(stamps)
    for serial in random.sample(sorted(listed), 500):
        assert pins.pin_matches(serial, listed[serial], stamps[serial])

    # The print file is whole: one label per stamp, 24 to a page.
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(finished[labels].result_file.read())
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    assert re.search(rf"^Pages:\s+{-(-LABELS // 24)}$", info, re.M)
    assert finished[labels].result["labels"] == LABELS
