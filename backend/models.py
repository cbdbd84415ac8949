import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.storage import private_storage
from backend.texts import render


class Job(models.Model):
    """A piece of long work (stamp run, print file, report) run by the background worker.

    The page and API show its progress; `result_file` holds what it produced, if anything, in private
    storage (served only by the permission-checked download view). `title`, `message` and `error` are
    source-language texts with `%(name)s` placeholders whose figures are in `*_args`: each viewer reads
    them in their own language (`display_title`, …). A job is claimed by one worker at a time
    (`task_id`, `worker_id`), which beats `heartbeat_at` while it runs; a job whose worker went silent
    is run again or failed (backend.jobs.jobs_recover), `attempts` counting the starts.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("finished")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    handler = models.CharField(max_length=200, help_text="Dotted path of the function that does the work.")
    title = models.CharField(_("title"), max_length=200)
    title_args = models.JSONField(default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    arguments = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    message_args = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    result_file = models.FileField(storage=private_storage, upload_to="jobs/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    error_args = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker started it.")
    max_attempts = models.PositiveSmallIntegerField(
        default=1, help_text="Starts allowed before a job whose worker died is failed instead of run again."
    )
    task_id = models.UUIDField(null=True, blank=True, editable=False, help_text="The django-tasks result running it.")
    worker_id = models.CharField(max_length=64, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=models.F("total")) | Q(total=0), name="job_done_le_total")
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="job_owner_recent_idx"),
            models.Index(fields=["heartbeat_at"], name="job_running_idx", condition=Q(status="running")),
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        return render(self.title, self.title_args)

    @property
    def display_message(self) -> str:
        return render(self.message, {"done": self.done, "total": self.total, **self.message_args})

    @property
    def display_error(self) -> str:
        return render(self.error, self.error_args)

    def set_message(self, text: str, **args) -> None:
        """Say where the job is: `text` a source-language string (gettext_noop), `args` its figures."""
        self.message, self.message_args = text[:300], args

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class WorkerHeartbeat(models.Model):
    """One row per background worker process (`manage.py worker`): when it was last heard from, and doing what.

    The worker writes it every WORKER_HEARTBEAT_SECONDS while its loop is alive; /healthz reports a
    worker not heard from for WORKER_STALE_SECONDS as "stale".
    """

    worker_id = models.CharField(primary_key=True, max_length=64)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    tasks_done = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("background worker")
        verbose_name_plural = _("background workers")

    def __str__(self):
        return f"{self.hostname}:{self.pid}"
