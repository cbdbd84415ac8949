"""The background worker (`manage.py worker`): django-tasks' database worker that outlives outages and says it is alive.

Beside django-tasks-db's own `db_worker`, this one
* keeps going through a database outage (PostgreSQL restarting, the network gone): an error in its
  loop is logged and the loop starts again on fresh connections after 1 s, doubling to 10 s;
* has no autoreloader: under DEBUG, `db_worker` ran its loop in a thread that died on the first
  such error while the process stayed alive, taking no more work;
* beats a heartbeat (backend.models.WorkerHeartbeat, and the running job's `heartbeat_at`) from a
  thread every WORKER_HEARTBEAT_SECONDS while its loop is alive — /healthz reads it;
* recovers jobs whose worker died (backend.jobs.jobs_recover; other tasks left running by a dead
  worker are failed by tasks_recover) on each beat, among them what it was running itself when
  the database went away.
`make run` and the compose file also restart the process if it ever exits.
"""

from __future__ import annotations

import datetime
import logging
import os
import random
import socket
import threading
import time

from django.conf import settings
from django.db import Error as DatabaseError
from django.db import close_old_connections, connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from backend.jobs import jobs_recover, tasks_recover
from backend.models import Job, WorkerHeartbeat

log = logging.getLogger(__name__)
OUTAGE_DELAY_MAX_S = 10
#: Heartbeat rows of workers gone this long are deleted when a worker starts.
FORGET_WORKERS_AFTER = datetime.timedelta(days=7)


def _close_connections() -> None:
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # a broken connection may fail to close; it is dropped all the same
            conn.connection = None


class Worker(DatabaseWorker):
    def __init__(self, *, heartbeat_s: float | None = None, **kwargs):
        super().__init__(**kwargs)
        self.heartbeat_s = heartbeat_s or settings.WORKER_HEARTBEAT_SECONDS
        self.started_at = timezone.now()
        self.loop_alive_at = time.monotonic()
        self.current_task_id: str | None = None
        self.tasks_done = 0
        self._lost: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._quiet = False  # the last beat failed: say so once, and once when it works again
        self._next_task_sweep = 0.0

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> None:
        log.info("worker %s started (pid %s, queues %s)", self.worker_id, os.getpid(), ",".join(self.queue_names))
        self._forget_old_workers()
        self.beat()
        beating = threading.Thread(target=self._heartbeat, name="worker-heartbeat", daemon=True)
        beating.start()
        try:
            self._loop()
        finally:
            self._stop.set()
            beating.join(timeout=self.heartbeat_s + 10)

    def _loop(self) -> None:
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - spreads workers started together
        delay = 0
        while self.running:
            self.loop_alive_at = time.monotonic()
            try:
                close_old_connections()
                task_result = self._claim()
                if task_result is not None:
                    self._run(task_result)
                elif self.batch:
                    log.info("worker %s: no more tasks, exiting", self.worker_id)
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    log.info("worker %s: ran %d tasks, exiting", self.worker_id, self._run_tasks)
                    return
                close_old_connections()
                delay = 0
                if self.running and task_result is None:
                    time.sleep(self.interval)
            except DatabaseError as exc:
                delay = min(OUTAGE_DELAY_MAX_S, max(1, delay * 2))
                lost, self.current_task_id = self.current_task_id, None
                if lost:
                    with self._lock:
                        self._lost.add(lost)
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
                log.warning("worker %s: database unavailable (%s); trying again in %d s", self.worker_id, reason, delay)
                _close_connections()
                self.loop_alive_at = time.monotonic()
                time.sleep(delay)

    def _claim(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result

    def _run(self, task_result: DBTaskResult) -> None:
        task_id = str(task_result.id)
        self.current_task_id = task_id
        self.run_task(task_result)
        self.current_task_id = None
        self.tasks_done += 1
        if Job.objects.filter(task_id=task_id, status=Job.Status.RUNNING).exists():
            # The task ended without settling its job (the database came back in between): recover it now.
            with self._lock:
                self._lost.add(task_id)

    # -- the heartbeat ----------------------------------------------------------------------

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.heartbeat_s):
            self.beat()
        _close_connections()

    def beat(self) -> None:
        """Say this worker is alive (and keep its job's heartbeat), then recover jobs whose worker died."""
        stuck = time.monotonic() - self.loop_alive_at > settings.WORKER_STALE_SECONDS
        if stuck and not self.running_task:
            return  # the loop is stuck: stay silent, so that /healthz reports this worker stale
        try:
            close_old_connections()
            now = timezone.now()
            task_id = self.current_task_id
            job_id = None
            if task_id is not None:
                Job.objects.filter(task_id=task_id, status=Job.Status.RUNNING).update(heartbeat_at=now)
                job_id = Job.objects.filter(task_id=task_id).values_list("pk", flat=True).first()
            fields = {"seen_at": now, "job_id": job_id, "tasks_done": self.tasks_done}
            if not WorkerHeartbeat.objects.filter(pk=self.worker_id).update(**fields):
                WorkerHeartbeat.objects.create(
                    worker_id=self.worker_id,
                    hostname=socket.gethostname()[:255],
                    pid=os.getpid(),
                    started_at=self.started_at,
                    **fields,
                )
            with self._lock:
                lost = set(self._lost)
            for job in jobs_recover(lost_task_ids=lost):
                log.warning("worker %s recovered job %s: now %s", self.worker_id, job.pk, job.status)
            # Other tasks less often: that query reads the whole task table, which keeps finished tasks.
            if lost or time.monotonic() >= self._next_task_sweep:
                tasks_recover(lost_task_ids=lost)
                self._next_task_sweep = time.monotonic() + settings.WORKER_STALE_SECONDS
            with self._lock:
                self._lost -= lost
            if self._quiet:
                log.info("worker %s: heartbeat written again", self.worker_id)
                self._quiet = False
        except DatabaseError as exc:
            if not self._quiet:
                log.warning("worker %s: heartbeat not written (%s)", self.worker_id, str(exc).strip()[:200])
                self._quiet = True
            _close_connections()

    def _forget_old_workers(self) -> None:
        try:
            WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - FORGET_WORKERS_AFTER).delete()
        except DatabaseError:
            _close_connections()
