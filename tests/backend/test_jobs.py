import pytest
from django.core.management import call_command

from backend.jobs import job_enqueue
from backend.models import Job
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def test_a_job_runs_in_the_worker_and_reports_progress_and_its_file(client):
    owner = make_user("owner")
    job = job_enqueue(handler="tests.backend.job_handlers.count_to", title="Count", owner=owner, arguments={"n": 5})
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED

    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.done, job.total, job.percent) == (5, 5, 100)
    assert job.result == {"counted": 5}
    client.force_login(owner)
    api = client.get(f"/api/v1/jobs/{job.pk}").json()
    assert api["status"] == "succeeded"
    assert api["download_url"].endswith(f"/jobs/{job.pk}/download")
    download = client.get(f"/jobs/{job.pk}/download")
    assert b"".join(download.streaming_content).decode().splitlines() == ["1", "2", "3", "4", "5"]


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


def test_only_the_owner_and_officials_see_a_job(client, api_client):
    from backend import roles

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
