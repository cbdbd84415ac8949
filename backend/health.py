"""What /healthz and the job pages say about the background worker: heard from lately, and how long work waits."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone


def worker_status(now: datetime.datetime | None = None) -> dict:
    """{"worker": "ok" | "stale", "worker_seen_s", "tasks_waiting", "oldest_task_waiting_s"}.

    "ok": a worker beat its heartbeat within WORKER_STALE_SECONDS (it beats only while its loop is
    alive, so a process whose loop died is stale too). The queue's figures say how much work waits
    and for how long (a busy worker may leave work waiting; no worker at all leaves it forever).
    Seconds are whole; None when there is no worker row or no waiting task.
    """
    from django_tasks_db.models import DBTaskResult

    from backend.models import WorkerHeartbeat

    now = now or timezone.now()
    seen = WorkerHeartbeat.objects.aggregate(latest=Max("seen_at"))["latest"]
    waiting = DBTaskResult.objects.ready().aggregate(count=Count("pk"), oldest=Min("enqueued_at"))
    seen_s = None if seen is None else max(0, int((now - seen).total_seconds()))
    return {
        "worker": "ok" if seen_s is not None and seen_s <= settings.WORKER_STALE_SECONDS else "stale",
        "worker_seen_s": seen_s,
        "tasks_waiting": waiting["count"],
        "oldest_task_waiting_s": None
        if waiting["oldest"] is None
        else max(0, int((now - waiting["oldest"]).total_seconds())),
    }
