"""Background jobs with visible progress, on django-tasks' PostgreSQL backend (no broker).

    job = job_enqueue(handler="tracing.stamps.jobs.stamps_issue", title=gettext_noop("…"), owner=user, arguments={…})

enqueues a task in the same transaction as the Job row; `manage.py worker` (backend/worker.py, started
by `make run`) runs it. The handler is called as `handler(job, progress, **arguments)`, where
`progress(done, total, message="", **figures)` records how far it got (throttled, each write committed
at once when the handler is not inside a transaction of its own — handlers that take minutes should
work in chunks, each in its own transaction). Messages and titles are source-language strings
(`gettext_noop`) with their figures apart, shown in each viewer's language (backend/texts.py);
`%(done)s` and `%(total)s` in a message are the job's own figures. The handler may set `job.result`
(a dict), `job.set_message(…)` and `job.result_file` (private storage); its return value is ignored.
An exception marks the job failed with its message.

Crashes: a worker that dies (kill -9, power, a lost database) leaves its job "running" with a
heartbeat that stops. `jobs_recover` (run by every worker) finds jobs silent for WORKER_STALE_SECONDS:
a handler declared safe to run again (`@job_handler`) is queued again until `max_attempts` starts,
then failed with a message, its partial work undone by its `on_abandoned` hook. A failed job of such
a handler can be started again from its page by its owner or an official (`job_retry`).
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import task

from backend.models import Job
from backend.roles import ADMINISTRATOR, OFFICIAL, user_has_role

log = logging.getLogger(__name__)
ALLOWED_HANDLER_PREFIXES = ("backend.", "geo.", "tracing.", "marketplace.", "oversight.", "tests.")
PROGRESS_INTERVAL_S = 0.5

Progress = Callable[..., None]

WORKER_LOST = gettext_noop("The background worker stopped while running this job: it was not finished.")
WORKER_LOST_AGAIN = gettext_noop(
    "The background worker stopped during each of the %(attempts)s attempts at this job: it was not finished."
)
STARTING_AGAIN = gettext_noop(
    "The background worker stopped during attempt %(attempt)s of %(attempts)s: the job starts again from the beginning."
)


class JobLost(Exception):
    """This run of the job no longer owns it: its worker was presumed dead and another took the job over."""


def job_handler(*, attempts: int = 3, on_abandoned: Callable[[Job], None] | None = None):
    """Declare a handler safe to run again from the start, with the starts allowed when its worker dies.

    `on_abandoned(job)` undoes what an interrupted run left behind when the job is failed instead of
    run again (it runs in the transaction that fails the job). A failed job of a declared handler may
    be retried from its page. Handlers not declared are failed, never run twice.
    """

    def declare(func):
        func.job_attempts = attempts
        func.job_on_abandoned = on_abandoned
        return func

    return declare


def _handler(path: str):
    try:
        return import_string(path)
    except ImportError:
        return None


def job_enqueue(
    *,
    handler: str,
    title: str,
    title_args: dict | None = None,
    owner=None,
    arguments: dict | None = None,
    total: int = 0,
) -> Job:
    """Create a Job and queue it for the worker; both commit together or not at all."""
    if not handler.startswith(ALLOWED_HANDLER_PREFIXES):
        raise ValueError(f"handler {handler!r} is not one of the project's")
    function = import_string(handler)
    with transaction.atomic():
        job = Job.objects.create(
            handler=handler,
            title=title[:200],
            title_args=title_args or {},
            owner=owner,
            arguments=arguments or {},
            total=total,
            max_attempts=getattr(function, "job_attempts", 1),
        )
        job_run.enqueue(str(job.pk))
    return job


def _progress_recorder(job: Job) -> Progress:
    last_write = 0.0

    def progress(done: int, total: int | None = None, message: str = "", **figures) -> None:
        nonlocal last_write
        job.done = done
        if total is not None:
            job.total = total
        if message:
            job.set_message(message, **figures)
        now = time.monotonic()
        if now - last_write >= PROGRESS_INTERVAL_S or (job.total and done >= job.total):
            last_write = now
            job.heartbeat_at = timezone.now()
            written = Job.objects.filter(pk=job.pk, task_id=job.task_id, status=Job.Status.RUNNING).update(
                done=job.done,
                total=job.total,
                message=job.message,
                message_args=job.message_args,
                heartbeat_at=job.heartbeat_at,
            )
            if not written:
                raise JobLost(f"job {job.pk} was taken over by another worker")

    return progress


def _database_lost(exc: BaseException) -> bool:
    """True when `exc` came from losing the database (not from a bad statement): the job is recovered later."""
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    try:
        return not connection.is_usable()
    except Exception:
        return True


@task(takes_context=True)
def job_run(context, job_id: str) -> None:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
        task_id=context.task_result.id,
        worker_id=(context.task_result.worker_ids or [""])[-1][:64],
    )
    if not claimed:
        return  # already run (a retried task) or deleted
    job = Job.objects.get(pk=job_id)
    try:
        handler = import_string(job.handler)
        handler(job, _progress_recorder(job), **job.arguments)
    except JobLost:
        log.warning("job %s (%s) was taken over by another worker; this run stops", job.pk, job.handler)
        _discard_file(job)
        return
    except Exception as exc:
        if _database_lost(exc):
            raise  # the worker notes the task as lost and recovers the job once the database is back
        log.exception("job %s (%s) failed", job.pk, job.handler)
        job.status = Job.Status.FAILED
        job.error, job.error_args = str(exc)[:2000] or exc.__class__.__name__, {}
    else:
        job.status = Job.Status.SUCCEEDED
        if job.total:
            job.done = job.total
    job.finished_at = timezone.now()
    with transaction.atomic():
        owner = Job.objects.select_for_update().filter(pk=job.pk).values_list("task_id", "status").first()
        if owner != (job.task_id, Job.Status.RUNNING):
            log.warning("job %s was taken over by another worker; its result is dropped", job.pk)
            transaction.on_commit(lambda: _discard_file(job))
            return
        job.save()


def _discard_file(job: Job) -> None:
    if job.result_file:
        job.result_file.delete(save=False)


# -- recovery ---------------------------------------------------------------------------------


def jobs_recover(*, lost_task_ids=(), now: datetime.datetime | None = None) -> list[Job]:
    """Jobs whose worker died: queued again from the start, or failed with a message when they may not be.

    A running job is presumed orphaned when its heartbeat is older than WORKER_STALE_SECONDS, or when
    a worker says it lost the task running it (`lost_task_ids`: the database went away under it).
    The django-tasks result of the dead run is marked failed. Safe to run from several workers at
    once: each job is locked (skipping locked ones) and handled in its own transaction.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.WORKER_STALE_SECONDS)
    silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    if lost_task_ids:
        silent |= Q(task_id__in=list(lost_task_ids))
    candidates = list(Job.objects.filter(silent, status=Job.Status.RUNNING).values_list("pk", flat=True))
    recovered = []
    for pk in candidates:
        with transaction.atomic():
            job = (
                Job.objects.select_for_update(skip_locked=True).filter(silent, pk=pk, status=Job.Status.RUNNING).first()
            )
            if job is None:
                continue  # finished, or another worker is recovering it
            _task_failed(job.task_id, now)
            handler = _handler(job.handler)
            attempts = getattr(handler, "job_attempts", 1)
            if attempts > 1 and job.attempts < job.max_attempts:
                log.warning("job %s (%s): its worker stopped; starting it again", job.pk, job.handler)
                job.status, job.done, job.heartbeat_at, job.started_at = Job.Status.QUEUED, 0, None, None
                job.set_message(STARTING_AGAIN, attempt=job.attempts, attempts=job.max_attempts)
                job.save()
                job_run.enqueue(str(job.pk))
            else:
                log.error("job %s (%s): its worker stopped; the job failed", job.pk, job.handler)
                job.status, job.finished_at = Job.Status.FAILED, now
                if job.attempts > 1:
                    job.error, job.error_args = WORKER_LOST_AGAIN, {"attempts": job.attempts}
                else:
                    job.error, job.error_args = WORKER_LOST, {}
                job.save()
                hook = getattr(handler, "job_on_abandoned", None)
                if hook is not None:
                    hook(job)
            recovered.append(job)
    return recovered


def tasks_recover(*, lost_task_ids=(), now: datetime.datetime | None = None) -> int:
    """django-tasks results left "running" by a dead worker that are not jobs (e.g. order emails): failed.

    Dead: its worker (the last in `worker_ids`) has not beaten its heartbeat for WORKER_STALE_SECONDS,
    or says it lost the task. Such a task is not run again: it may have half done its work (sent
    one email of two), and none of them is worth doing twice. Jobs are left to `jobs_recover`.
    Returns how many were failed.
    """
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from backend.models import WorkerHeartbeat

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.WORKER_STALE_SECONDS)
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    jobs = Job.objects.filter(status=Job.Status.RUNNING, task_id__isnull=False).values_list("task_id", flat=True)
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exclude(pk__in=jobs)
    lost = {str(task_id) for task_id in lost_task_ids}
    dead = [
        task.pk
        for task in running.filter(Q(started_at__lt=cutoff) | Q(pk__in=list(lost))).only("pk", "worker_ids")
        if str(task.pk) in lost or not task.worker_ids or task.worker_ids[-1] not in alive
    ]
    for task_id in dead:
        log.error("task %s: its worker stopped while running it; marked failed", task_id)
        _task_failed(task_id, now)
    return len(dead)


def _task_failed(task_id, now) -> None:
    """The django-tasks result of a run whose worker died: failed, so that nothing shows it running forever."""
    if task_id is None:
        return
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="backend.jobs.WorkerLost",
        traceback="The worker running this task stopped before it finished (recovered by backend.jobs.jobs_recover).",
    )


# -- retry from the page ------------------------------------------------------------------------


def jobs_visible_to(user):
    if user_has_role(user, OFFICIAL, ADMINISTRATOR):
        return Job.objects.all()
    return Job.objects.filter(owner=user)


def job_can_retry(job: Job, user) -> bool:
    """A failed job of a handler safe to run again, seen by its owner or an official."""
    return (
        job.status == Job.Status.FAILED
        and getattr(_handler(job.handler), "job_attempts", 1) > 1
        and jobs_visible_to(user).filter(pk=job.pk).exists()
    )


def job_retry(*, by, job: Job) -> Job:
    """Start a failed job again from the beginning (its owner or an official); refused for any other state."""
    if not jobs_visible_to(by).filter(pk=job.pk).exists():
        raise PermissionDenied(_("Only the person who started this job or an official may run it again."))
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status != Job.Status.FAILED:
            raise ValidationError(_("Only a failed job can be run again."))
        attempts = getattr(_handler(locked.handler), "job_attempts", 1)
        if attempts < 2:
            raise ValidationError(_("This job cannot be run again: start a new one."))
        _discard_file(locked)
        locked.status, locked.done, locked.result_file = Job.Status.QUEUED, 0, ""
        locked.error, locked.error_args, locked.message, locked.message_args = "", {}, "", {}
        locked.started_at = locked.finished_at = locked.heartbeat_at = None
        locked.max_attempts = locked.attempts + attempts
        locked.save()
        job_run.enqueue(str(locked.pk))
    log.info("job %s (%s) started again by %s", locked.pk, locked.handler, by.get_username())
    return locked
