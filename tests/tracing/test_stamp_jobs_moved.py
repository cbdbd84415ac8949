"""Jobs queued before the stamp modules moved (tracing/jobs.py → tracing/stamps/jobs.py) still run."""

import importlib

import pytest
from django.apps import apps
from django.utils.module_loading import import_string

from backend.models import Job

pytestmark = pytest.mark.django_db

moved = importlib.import_module("tracing.migrations.0011_stamp_jobs_moved")


def test_the_migration_points_queued_stamp_jobs_at_their_new_module_and_back():
    queued = Job.objects.create(handler="tracing.jobs.stamp_labels_print_job", title="labels")
    filling = Job.objects.create(handler="tracing.jobs.stamp_run_fill_job", title="fill")
    other = Job.objects.create(handler="oversight.evaluation.evaluation_report_job", title="report")

    moved.forwards(apps, None)
    handlers = dict(Job.objects.values_list("pk", "handler"))
    assert handlers[queued.pk] == "tracing.stamps.jobs.stamp_labels_print_job"
    assert handlers[filling.pk] == "tracing.stamps.jobs.stamp_run_fill_job"
    assert handlers[other.pk] == "oversight.evaluation.evaluation_report_job"
    for pk in (queued.pk, filling.pk):
        assert callable(import_string(handlers[pk]))  # what the worker does with the name

    moved.backwards(apps, None)
    assert Job.objects.get(pk=queued.pk).handler == "tracing.jobs.stamp_labels_print_job"
