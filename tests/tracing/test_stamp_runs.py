"""Issuing runs of stamps: who may, to whom, how many; serials unique as stored; the PIN list handed over once;
big runs filled by the background worker with visible progress."""

import csv
import io
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from backend import roles
from backend.models import Job
from tests.conftest import make_user
from tests.tracing.conftest import apply_as
from tests.tracing.stamp_fixtures import (
    issue,
    product_kinds_present,  # noqa: F401  (autouse)
    stamps_of,
)
from tracing import services
from tracing.models import Stamp, StampEvent, StampRun
from tracing.stamps import pins, serials

pytestmark = pytest.mark.django_db


def test_an_official_issues_a_small_run_at_once_with_well_formed_distinct_serials(official, approved_producer):
    run = issue(official, approved_producer, quantity=50)

    assert run.status == StampRun.Status.ISSUED and run.job is None
    stamps = stamps_of(run)
    assert [s.number for s in stamps] == list(range(1, 51))
    assert all(serials.serial_is_well_formed(s.serial) for s in stamps)
    assert len({s.serial for s in stamps}) == 50
    assert all(s.status == "issued" and s.pin_hash.startswith(pins.HASH_PREFIX) for s in stamps)
    assert StampEvent.objects.get(run=run).action == "issued"


def test_the_pin_list_matches_the_stored_hashes_and_is_handed_over_once(official, approved_producer):
    run = issue(official, approved_producer, quantity=12)
    name, data = services.stamp_run_pins_take(by=official, run=run)

    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert name.endswith(".csv") and len(rows) == 12
    by_serial = {s.serial: s for s in stamps_of(run)}
    for row in rows:
        stamp = by_serial[row["serial"]]
        assert int(row["number"]) == stamp.number
        assert pins.pin_matches(stamp.serial, row["pin"], stamp.pin_hash)
    run.refresh_from_db()
    assert not run.pins_file and run.pins_downloaded_by == official
    with pytest.raises(ValidationError, match="already downloaded"):
        services.stamp_run_pins_take(by=official, run=run)


def test_the_pin_list_leaves_the_server_only_when_the_hand_over_is_committed(
    official, approved_producer, django_capture_on_commit_callbacks
):
    run = issue(official, approved_producer, quantity=3)
    stored = run.pins_file.name
    storage = run.pins_file.storage

    class Interrupted(Exception):
        pass

    with pytest.raises(Interrupted), transaction.atomic():
        services.stamp_run_pins_take(by=official, run=run)
        raise Interrupted  # the request fails after the take: nothing of it is kept
    run.refresh_from_db()
    assert run.pins_available and storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.stamp_run_pins_take(by=official, run=run)[1].count(b"\r\n") == 4
    assert not storage.exists(stored)


def test_the_producers_staff_may_take_the_pins_but_another_producer_and_other_officials_may_not(
    official, approved_producer, owner, stranger, other_producer
):
    run = issue(official, approved_producer, quantity=3)
    another_official = make_user("inspector2", roles.OFFICIAL)
    for outsider in (stranger, another_official):
        with pytest.raises(PermissionDenied):
            services.stamp_run_pins_take(by=outsider, run=run)
    assert services.stamp_run_pins_take(by=owner, run=run)[1].count(b"\r\n") == 4


@pytest.mark.parametrize("who", ["owner", "stranger", "anonymous"])
def test_only_officials_issue_runs(who, request, approved_producer):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        issue(user, approved_producer, quantity=5)
    assert not StampRun.objects.exists()


def test_runs_go_only_to_approved_producers_and_have_a_sane_size(official, approved_producer, commune):
    applicant = apply_as(make_user("hoa"), commune, name="HTX Mật ong Mèo Vạc")
    with pytest.raises(ValidationError) as refused:
        issue(official, applicant, quantity=5)
    assert "producer" in refused.value.message_dict
    for quantity in (0, 100_001, -3):
        with pytest.raises(ValidationError) as refused:
            issue(official, approved_producer, quantity=quantity)
        assert "quantity" in refused.value.message_dict


def test_a_product_of_another_producer_is_refused(official, approved_producer, other_producer, stranger, kinds):
    from decimal import Decimal

    foreign = services.product_create(
        by=stranger, producer=other_producer, kind=kinds["tea"], name_vi="Chè Shan tuyết", net_quantity=Decimal("0.2")
    )
    with pytest.raises(ValidationError) as refused:
        issue(official, approved_producer, quantity=5, product=foreign)
    assert "product" in refused.value.message_dict


def test_the_database_refuses_a_serial_twice(official, approved_producer):
    run = issue(official, approved_producer, quantity=2)
    first = stamps_of(run)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Stamp.objects.create(serial=first.serial, run=run, number=3, pin_hash="x")


@pytest.mark.django_db(transaction=True)
def test_a_100000_stamp_run_is_filled_by_the_worker_with_progress_and_no_serial_twice(
    official, approved_producer, client
):
    run = issue(official, approved_producer, quantity=100_000)
    assert run.status == StampRun.Status.ISSUING and run.job is not None
    client.force_login(official)
    page = client.get(f"/tem/dot/{run.pk}/").content.decode()
    assert f"/jobs/{run.job.pk}/" in page

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)

    job = Job.objects.get(pk=run.job.pk)
    run.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.done, job.total) == (100_000, 100_000)
    assert run.status == StampRun.Status.ISSUED and run.pins_available
    serials = list(Stamp.objects.filter(run=run).values_list("serial", flat=True))
    assert len(serials) == len(set(serials)) == 100_000
    assert Stamp.objects.filter(run=run).order_by("-number").values_list("number", flat=True)[0] == 100_000
    # No visible sequence: consecutive stamps share no more leading symbols than chance allows.
    ordered = list(Stamp.objects.filter(run=run, number__lte=2000).order_by("number").values_list("serial", flat=True))
    same_start = sum(a[:2] == b[:2] for a, b in itertools.pairwise(ordered))
    assert same_start < 20  # expected ≈ 2000 / 1024 ≈ 2


@pytest.mark.django_db(transaction=True)
def test_a_background_runs_progress_reads_in_each_viewers_language(official, approved_producer, client, api_client):
    from django.utils import translation

    run = issue(official, approved_producer, quantity=1500)
    with translation.override("vi"):  # the worker's own language does not decide what viewers read
        call_command("worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    job = Job.objects.get(pk=run.job.pk)
    assert job.status == Job.Status.SUCCEEDED, job.error
    client.force_login(official)

    english = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    vietnamese = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()

    producer = approved_producer.name
    assert f"Issuing 1,500 stamps to {producer}" in english
    assert "1,500 stamps issued. The PIN list can be downloaded once from the run&#x27;s page." in english
    assert f"Cấp 1.500 tem cho {producer}" in vietnamese
    assert "Đã cấp 1.500 tem. Danh sách mã PIN có thể tải về một lần từ trang của đợt tem." in vietnamese
    api_client.force_authenticate(official)
    api = api_client.get(f"/api/v1/jobs/{job.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (api["title"], api["message"]) == (
        f"Issuing 1,500 stamps to {producer}",
        "1,500 stamps issued. The PIN list can be downloaded once from the run's page.",
    )
    assert (
        api_client.get(f"/api/v1/jobs/{job.pk}", HTTP_ACCEPT_LANGUAGE="vi")
        .json()["message"]
        .startswith("Đã cấp 1.500 tem.")
    )


def interrupt_fill(run: StampRun, monkeypatch, *, after: int) -> None:
    """What a worker killed after `after` committed stamps leaves behind: those stamps, the run still issuing."""
    from backend.jobs import JobLost
    from tracing.stamps import runs as stamp_services

    monkeypatch.setattr(stamp_services, "COPY_CHUNK", 500)

    def progress(done, total=None, message="", **figures):
        if done >= after:
            raise JobLost("killed")

    with pytest.raises(JobLost):
        stamp_services.stamp_run_fill(run=run, progress=progress)
    assert Stamp.objects.filter(run=run).count() == after
    assert StampRun.objects.get(pk=run.pk).status == StampRun.Status.ISSUING


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_worker_died_is_filled_again_whole_with_one_pin_list(official, approved_producer, monkeypatch):
    from backend.jobs import jobs_recover
    from tests.backend.test_jobs import as_if_its_worker_died

    run = issue(official, approved_producer, quantity=1500)
    interrupt_fill(run, monkeypatch, after=500)
    as_if_its_worker_died(run.job)

    jobs_recover()
    call_command("worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)

    job = Job.objects.get(pk=run.job.pk)
    run.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 2)
    assert run.status == StampRun.Status.ISSUED
    stamps = dict(Stamp.objects.filter(run=run).values_list("serial", "pin_hash"))
    assert len(stamps) == 1500
    assert sorted(Stamp.objects.filter(run=run).values_list("number", flat=True)) == list(range(1, 1501))
    _name, data = services.stamp_run_pins_take(by=official, run=run)
    listed = {row["serial"]: row["pin"] for row in csv.DictReader(io.StringIO(data.decode()))}
    assert set(listed) == set(stamps)
    assert all(pins.pin_matches(serial, pin, stamps[serial]) for serial, pin in listed.items())


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_worker_died_too_often_is_failed_emptied_and_issued_again_from_the_job_page(
    official, approved_producer, monkeypatch, client
):
    from backend.jobs import jobs_recover
    from tests.backend.test_jobs import as_if_its_worker_died

    run = issue(official, approved_producer, quantity=1500)
    interrupt_fill(run, monkeypatch, after=1000)
    as_if_its_worker_died(run.job, attempts=3)

    jobs_recover()

    run.refresh_from_db()
    assert run.status == StampRun.Status.FAILED and not Stamp.objects.filter(run=run).exists()
    client.force_login(official)
    page = client.get(f"/tem/dot/{run.pk}/").content.decode()
    assert f"/jobs/{run.job.pk}/" in page
    assert client.post(f"/jobs/{run.job.pk}/retry").status_code == 302
    call_command("worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    run.refresh_from_db()
    assert run.status == StampRun.Status.ISSUED and Stamp.objects.filter(run=run).count() == 1500
    assert run.pins_available
