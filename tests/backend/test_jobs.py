import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from backend import roles
from backend.jobs import job_enqueue, jobs_recover, tasks_recover
from backend.models import Job
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    call_command("worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def as_if_its_worker_died(job: Job, *, attempts: int = 1) -> DBTaskResult:
    """What a worker killed in the middle of a job leaves behind: the task claimed, the job running, silence since."""
    task = DBTaskResult.objects.get(args_kwargs__args=[str(job.pk)], status="READY")
    task.claim("a-worker-that-was-killed")
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.WORKER_STALE_SECONDS + 5)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING,
        attempts=attempts,
        task_id=task.pk,
        worker_id="a-worker-that-was-killed",
        started_at=long_ago,
        heartbeat_at=long_ago,
        done=2,
        total=5,
    )
    return task


def test_a_job_runs_in_the_worker_and_reports_progress_and_its_file(client):
    owner = make_user("owner")
    job = job_enqueue(handler="tests.backend.job_handlers.count_to", title="Count", owner=owner, arguments={"n": 5})
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED

    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.done, job.total, job.percent, job.attempts) == (5, 5, 100, 1)
    assert job.result == {"counted": 5}
    client.force_login(owner)
    api = client.get(f"/api/v1/jobs/{job.pk}").json()
    assert api["status"] == "succeeded"
    assert api["download_url"].endswith(f"/jobs/{job.pk}/download")
    download = client.get(f"/jobs/{job.pk}/download")
    assert b"".join(download.streaming_content).decode().splitlines() == ["1", "2", "3", "4", "5"]
    assert download["Cache-Control"] == "private, no-store"


def test_a_failing_job_is_marked_failed_with_its_reason(client):
    owner = make_user("owner")
    job = job_enqueue(handler="tests.backend.job_handlers.explode", title="Print", owner=owner)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "the label printer is out of paper"
    client.force_login(owner)
    page = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "the label printer is out of paper" in page
    assert client.get(f"/jobs/{job.pk}/download").status_code == 404


def test_a_queued_job_page_refreshes_itself_and_shows_progress(client):
    owner = make_user("owner")
    job = job_enqueue(handler="tests.backend.job_handlers.count_to", title="Count", owner=owner, arguments={"n": 3})
    client.force_login(owner)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' in page


def test_a_queued_job_page_says_when_no_worker_is_running(client):
    from backend.worker import Worker

    owner = make_user("owner")
    job = job_enqueue(handler="tests.backend.job_handlers.count_to", title="Count", owner=owner, arguments={"n": 3})
    client.force_login(owner)
    page = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-worker="stale"' in page and "No background worker is running" in page

    Worker(
        queue_names=["default"], interval=1, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="w1", excluded_queue_names=[],
    ).beat()  # fmt: skip
    assert "data-worker" not in client.get(f"/jobs/{job.pk}/").content.decode()


def test_only_the_owner_and_officials_see_a_job(client, api_client):
    owner = make_user("owner")
    other = make_user("other", roles.PRODUCER_STAFF)
    official = make_user("inspector", roles.OFFICIAL)
    job = job_enqueue(handler="tests.backend.job_handlers.count_to", title="Count", owner=owner, arguments={"n": 1})
    client.force_login(other)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/api/v1/jobs/{job.pk}").status_code == 404
    client.force_login(official)
    assert client.get(f"/jobs/{job.pk}/").status_code == 200
    assert api_client.get(f"/api/v1/jobs/{job.pk}").status_code in (401, 403)


def test_only_project_handlers_can_be_enqueued():
    with pytest.raises(ValueError, match="not one of the project's"):
        job_enqueue(handler="os.system", title="no")
    assert not Job.objects.exists()


# -- crashes: a job whose worker died ------------------------------------------------------------


def test_a_job_whose_worker_died_starts_again_from_the_beginning_and_finishes(client):
    owner = make_user("owner")
    job = job_enqueue(handler="tests.backend.job_handlers.count_again", title="Count", owner=owner, arguments={"n": 5})
    dead_task = as_if_its_worker_died(job)

    assert [j.pk for j in jobs_recover()] == [job.pk]

    job.refresh_from_db()
    assert (job.status, job.done) == (Job.Status.QUEUED, 0)
    client.force_login(owner)
    page = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The background worker stopped during attempt 1 of 2: the job starts again from the beginning." in page
    dead_task.refresh_from_db()
    assert dead_task.status == "FAILED" and dead_task.exception_class_path == "backend.jobs.WorkerLost"
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == (Job.Status.SUCCEEDED, 2, {"counted": 5})


def test_a_job_still_beating_its_heartbeat_is_left_alone():
    job = job_enqueue(handler="tests.backend.job_handlers.count_again", title="Count", arguments={"n": 5})
    as_if_its_worker_died(job)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    assert jobs_recover() == []
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING


def test_a_job_whose_worker_died_at_its_last_attempt_fails_with_a_message_and_runs_again_from_its_page(client):
    owner = make_user("owner")
    job = job_enqueue(handler="tests.backend.job_handlers.count_again", title="Count", owner=owner, arguments={"n": 5})
    as_if_its_worker_died(job, attempts=2)

    jobs_recover()

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    client.force_login(owner)
    english = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The background worker stopped during each of the 2 attempts at this job: it was not finished." in english
    vietnamese = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Trình xử lý nền đã dừng trong cả 2 lần chạy tác vụ này" in vietnamese
    assert f'action="/jobs/{job.pk}/retry"' in english

    response = client.post(f"/jobs/{job.pk}/retry")

    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.QUEUED, "")
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.done) == (Job.Status.SUCCEEDED, 3, 5)


def test_a_job_not_declared_safe_to_repeat_is_failed_when_its_worker_dies_never_run_twice(client):
    owner = make_user("owner")
    job = job_enqueue(handler="tests.backend.job_handlers.count_to", title="Count", owner=owner, arguments={"n": 5})
    as_if_its_worker_died(job)

    jobs_recover()

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    client.force_login(owner)
    page = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The background worker stopped while running this job: it was not finished." in page
    assert "/retry" not in page
    client.post(f"/jobs/{job.pk}/retry")
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED
    assert client.get(f"/api/v1/jobs/{job.pk}").json()["can_retry"] is False


def test_only_the_owner_and_officials_may_run_a_failed_job_again(client, api_client):
    owner = make_user("owner", roles.PRODUCER_STAFF)
    other = make_user("other", roles.PRODUCER_STAFF)
    official = make_user("inspector", roles.OFFICIAL)
    job = job_enqueue(handler="tests.backend.job_handlers.count_again", title="Count", owner=owner, arguments={"n": 2})
    as_if_its_worker_died(job, attempts=2)
    jobs_recover()

    assert client.post(f"/jobs/{job.pk}/retry")["Location"].startswith("/accounts/login/")
    assert api_client.post(f"/api/v1/jobs/{job.pk}/retry").status_code in (401, 403)
    client.force_login(other)
    assert client.post(f"/jobs/{job.pk}/retry").status_code == 404
    api_client.force_authenticate(other)
    assert api_client.post(f"/api/v1/jobs/{job.pk}/retry").status_code == 404
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED
    assert client.get(f"/jobs/{job.pk}/retry").status_code in (404, 405)

    api_client.force_authenticate(official)
    answer = api_client.post(f"/api/v1/jobs/{job.pk}/retry")
    assert answer.status_code == 200 and answer.json()["status"] == "queued"
    again = api_client.post(f"/api/v1/jobs/{job.pk}/retry")
    assert again.status_code == 400 and again.json()["error"]["code"]

    run_worker()
    client.force_login(owner)
    assert client.get(f"/api/v1/jobs/{job.pk}").json()["status"] == "succeeded"


def test_a_task_left_running_by_a_dead_worker_is_marked_failed_not_run_twice():
    from marketplace.notifications import order_emails

    result = order_emails.enqueue(12345)
    task = DBTaskResult.objects.get(pk=result.id)
    task.claim("a-worker-that-was-killed")
    DBTaskResult.objects.filter(pk=task.pk).update(
        started_at=timezone.now() - datetime.timedelta(seconds=settings.WORKER_STALE_SECONDS + 5)
    )

    assert tasks_recover() == 1

    task.refresh_from_db()
    assert task.status == "FAILED" and task.exception_class_path == "backend.jobs.WorkerLost"


def test_job_files_written_to_public_media_before_are_moved_to_private_storage(client, settings):
    """Migration backend/0005 moves existing outputs out of MEDIA_ROOT: their old /media/ URLs stop working."""
    import importlib
    from pathlib import Path

    from django.apps import apps

    owner = make_user("owner")
    job = job_enqueue(handler="tests.backend.job_handlers.count_to", title="Count", owner=owner, arguments={"n": 1})
    name = "jobs/2026/01/evaluation-2026-01-01-2026-01-31.csv"
    public = Path(settings.MEDIA_ROOT) / name
    public.parent.mkdir(parents=True, exist_ok=True)
    public.write_text("section,name\n")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED, result_file=name)
    assert client.get(f"/media/{name}").status_code == 200  # how it was served before

    migration = importlib.import_module("backend.migrations.0005_job_recovery_worker_heartbeat_private_files")
    migration.job_files_to_private_storage(apps, None)

    assert not public.exists() and (Path(settings.PRIVATE_MEDIA_ROOT) / name).read_text() == "section,name\n"
    assert client.get(f"/media/{name}").status_code == 404
    client.force_login(owner)
    assert b"".join(client.get(f"/jobs/{job.pk}/download").streaming_content) == b"section,name\n"
