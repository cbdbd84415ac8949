"""Background jobs with visible progress, on django-tasks' PostgreSQL backend (no broker).

    job = job_enqueue(handler="tracing.jobs.stamps_issue", title=…, owner=user, arguments={…})

enqueues a task in the same transaction as the Job row; `manage.py db_worker` (started by
`make run`) runs it. The handler is called as `handler(job, progress, **arguments)`, where
`progress(done, total, message="")` records how far it got (throttled, each write committed at
once when the handler is not inside a transaction of its own — handlers that take minutes should
work in chunks, each in its own transaction). The handler may set `job.result` (a dict) and
`job.result_file`; its return value is ignored. An exception marks the job failed with its message.
"""

import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from backend.models import Job

log = logging.getLogger(__name__)
ALLOWED_HANDLER_PREFIXES = ("backend.", "geo.", "tracing.", "marketplace.", "oversight.", "tests.")
PROGRESS_INTERVAL_S = 0.5

Progress = Callable[..., None]


def job_enqueue(*, handler: str, title: str, owner=None, arguments: dict | None = None, total: int = 0) -> Job:
    """Create a Job and queue it for the worker; both commit together or not at all."""
    if not handler.startswith(ALLOWED_HANDLER_PREFIXES):
        raise ValueError(f"handler {handler!r} is not one of the project's")
    with transaction.atomic():
        job = Job.objects.create(
            handler=handler, title=title[:200], owner=owner, arguments=arguments or {}, total=total
        )
        job_run.enqueue(str(job.pk))
    return job


def _progress_recorder(job: Job) -> Progress:
    last_write = 0.0

    def progress(done: int, total: int | None = None, message: str = "") -> None:
        nonlocal last_write
        job.done = done
        if total is not None:
            job.total = total
        if message:
            job.message = message[:300]
        now = time.monotonic()
        if now - last_write >= PROGRESS_INTERVAL_S or (job.total and done >= job.total):
            last_write = now
            Job.objects.filter(pk=job.pk).update(done=job.done, total=job.total, message=job.message)

    return progress


@task()
def job_run(job_id: str) -> None:
    job = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).first()
    if job is None:
        return  # already run (a retried task) or deleted
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    job.status = Job.Status.RUNNING
    try:
        handler = import_string(job.handler)
        handler(job, _progress_recorder(job), **job.arguments)
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.handler)
        job.status = Job.Status.FAILED
        job.error = str(exc)[:2000] or exc.__class__.__name__
    else:
        job.status = Job.Status.SUCCEEDED
        if job.total:
            job.done = job.total
    job.finished_at = timezone.now()
    job.save()
