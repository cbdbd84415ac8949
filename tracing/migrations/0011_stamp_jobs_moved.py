"""The stamp jobs' handlers moved from tracing/jobs.py to tracing/stamps/jobs.py: jobs already queued,
running or failed (and retried from their page) name them by dotted path, so their rows follow."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Substr

OLD, NEW = "tracing.jobs.", "tracing.stamps.jobs."


def _rename(apps, old: str, new: str) -> None:
    Job = apps.get_model("backend", "Job")
    Job.objects.filter(handler__startswith=old).update(handler=Concat(Value(new), Substr("handler", len(old) + 1)))


def forwards(apps, schema_editor):
    _rename(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _rename(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("tracing", "0010_journey_step_revisions"),
        ("backend", "0005_job_recovery_worker_heartbeat_private_files"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
