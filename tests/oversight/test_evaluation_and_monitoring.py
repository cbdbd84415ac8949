"""Evaluation figures against a seeded period, the report files made by the background job, monitoring."""

import csv
import datetime
import io
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from backend.models import Job
from geo.models import RetailPoint
from marketplace.models import Checkout, Listing, Order, OrderLine
from oversight import evaluation, monitoring
from tests.oversight import factories as f
from tracing import services as tracing_services
from tracing.models import CounterfeitReport, Producer, Scan, Stamp


def _order(producer, product, shop, *, quantity: int, price: int, status: str = "placed", days_ago: int = 0):
    listing, _created = Listing.objects.get_or_create(producer=producer, product=product, defaults={"price_vnd": price})
    order = Order.objects.create(
        producer=producer,
        checkout=Checkout.objects.create(token=uuid.uuid4()),
        contact_name="Trần Thị Bình",
        phone="0987654321",
        delivery_method="pickup",
        pickup_point=shop,
        payment_method="cod",
        subtotal_vnd=price * quantity,
        delivery_fee_vnd=0,
        total_vnd=price * quantity,
        status=status,
    )
    OrderLine.objects.create(
        order=order,
        listing=listing,
        product_name=product.name_vi,
        unit="kg",
        unit_price_vnd=price,
        quantity=quantity,
        line_total_vnd=price * quantity,
    )
    if days_ago:
        Order.objects.filter(pk=order.pk).update(placed_at=timezone.now() - datetime.timedelta(days=days_ago))
    return order


def _seed(places, official):
    """In the last 10 days: one cooperative joined (approved), 6 stamps issued, 4 activated, 3 public scans
    (1 suspicious) from 2 device families, 2 reports (1 closed), 2 counted orders (1 cancelled left out).
    Before the period: one more scan and one more order, which must not count."""
    applicant = f.make_producer(
        "HTX Cam Đồng Yên", commune=places["viet_quang_old"], lat=22.40, lng=104.80, status="surveyed"
    )
    tracing_services.producer_approve(by=official, producer=applicant, reason="Đạt yêu cầu")
    staff = f.make_staff("yen", applicant)
    product = f.make_product(staff, applicant, "orange", name="Cam Đồng Yên")
    batch = f.make_batch(staff, product, quantity="50")
    stamps = f.issue_and_activate(official, staff, batch, 4, issue=6)
    tracing_services.scan_record(serial=stamps[0].serial, user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17)")
    tracing_services.scan_record(serial=stamps[1].serial, user_agent="Mozilla/5.0 (Linux; Android 14)")
    tracing_services.scan_record(serial=stamps[5].serial, user_agent="Mozilla/5.0 (Linux; Android 14)")  # not activated
    old_scan = tracing_services.scan_record(serial=stamps[2].serial, user_agent="Mozilla/5.0 (iPhone)").scan
    Scan.objects.filter(pk=old_scan.pk).update(scanned_at=timezone.now() - datetime.timedelta(days=40))
    closed = tracing_services.report_create(serial=stamps[0].serial, note="Nghi giả")
    tracing_services.report_review(by=official, report=closed, status="closed", note="Hàng thật")
    tracing_services.report_create(note="Cam không rõ nguồn gốc ở chợ")
    shop = RetailPoint.objects.create(name="Cửa hàng Việt Quang", address="Việt Quang", location=f.point(22.41, 104.82))
    _order(applicant, product, shop, quantity=2, price=40_000)
    _order(applicant, product, shop, quantity=1, price=45_000)
    _order(applicant, product, shop, quantity=5, price=40_000, status="cancelled")
    _order(applicant, product, shop, quantity=9, price=40_000, days_ago=40)
    return applicant, product


@pytest.mark.django_db
def test_evaluation_figures_match_the_seeded_period(places, official):
    _seed(places, official)
    today = timezone.localdate()
    with translation.override("vi"):  # products are named in the reader's language
        figures = evaluation.evaluation_figures(since=today - datetime.timedelta(days=10), until=today)
    assert figures["participants_joined"] == 1
    assert figures["products_added"] == 1
    assert (figures["stamps_issued"], figures["stamps_activated"], figures["stamps_scanned"]) == (6, 4, 3)
    assert figures["scans"] == 3 and figures["suspicious_scans"] == 1
    assert figures["suspicious_rate"] == pytest.approx(1 / 3)
    assert figures["devices"] == {"android": 2, "iphone": 1}
    assert (figures["reports_received"], figures["reports_resolved"]) == (2, 1)
    assert (figures["orders"], figures["revenue_vnd"]) == (2, 125_000)
    per_product = dict(figures["per_product"])
    assert per_product["Cam sành"]["activated"] == 4 and per_product["Cam sành"]["revenue_vnd"] == 125_000
    per_area = dict(figures["per_area"])
    assert per_area["Bắc Quang"]["joined"] == 1 and per_area["Bắc Quang"]["orders"] == 2


@pytest.mark.django_db
def test_the_evaluation_page_shows_the_figures_and_charts(client, places, official):
    _seed(places, official)
    today = timezone.localdate()
    client.force_login(official)
    page = client.get(
        "/giam-sat/danh-gia/", {"since": (today - datetime.timedelta(days=10)).isoformat(), "until": today.isoformat()}
    ).content.decode()
    assert '<tr data-figure="stamps_activated">' in page and "<svg" in page
    assert "33,3%" in page  # Vietnamese writes a decimal comma
    response = client.get("/giam-sat/danh-gia/", {"since": today.isoformat(), "until": "2020-01-01"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_monitoring_counts_stamps_per_producer_and_month(client, places, official):
    producer, _product = _seed(places, official)
    today = timezone.localdate()
    figures = monitoring.stamp_figures(since=today - datetime.timedelta(days=60), until=today)
    assert figures.totals() == {"issued": 6, "activated": 4, "scanned": 4, "sold": 0}
    assert sum(counts["scanned"] for _month, counts in figures.by_month()) == 4
    assert figures.by_producer()[0][:2] == (producer.pk, "HTX Cam Đồng Yên")
    client.force_login(official)
    page = client.get("/giam-sat/theo-doi/", {"producer": producer.pk}).content.decode()
    assert 'data-total="activated">4<' in page and "<svg" in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["pdf", "csv"])
def test_the_report_files_are_made_by_a_background_job_with_progress(client, fmt):
    from django.contrib.auth.models import Group, Permission

    from backend import roles
    from backend.roles import roles_sync_permissions
    from tests.geo.pages_data import ensure_product_kinds

    ensure_product_kinds()
    for role in roles.ROLES:
        Group.objects.get_or_create(name=role)
    roles_sync_permissions()
    assert Permission.objects.filter(codename="verify_producer").exists()
    places = f.make_map()
    official = f.make_official("inspector")
    _seed(places, official)
    today = timezone.localdate()
    client.force_login(official)
    response = client.post(
        "/giam-sat/danh-gia/",
        {"since": (today - datetime.timedelta(days=10)).isoformat(), "until": today.isoformat(), "fmt": fmt},
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.done, job.total) == (6, 6)
    content = b"".join(client.get(f"/jobs/{job.pk}/download").streaming_content)
    if fmt == "pdf":
        assert content.startswith(b"%PDF")
    else:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        totals = {row[1]: row[2] for row in rows if row[0] == "total"}
        assert totals["stamps_activated"] == "4" and totals["revenue_vnd"] == "125000"
    assert job.result["orders"] == 2
    assert Stamp.objects.count() == 6 and CounterfeitReport.objects.count() == 2
    assert Producer.objects.filter(status="approved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_report_file_is_private_downloaded_only_by_officials_never_at_its_old_public_path(client, settings):
    from pathlib import Path

    from django.contrib.auth.models import Group

    from backend import roles
    from backend.jobs import job_enqueue
    from backend.roles import roles_sync_permissions
    from tests.conftest import make_user

    for role in roles.ROLES:  # a transactional test starts from emptied tables
        Group.objects.get_or_create(name=role)
    roles_sync_permissions()
    official = f.make_official("inspector")
    colleague = f.make_official("colleague")
    places = f.make_map()
    producer = f.make_producer("HTX Cam sành", commune=places["viet_quang_old"], lat=22.4, lng=104.8)
    staff = f.make_staff("coop_staff", producer)
    consumer = make_user("buyer", roles.CONSUMER)
    job = job_enqueue(
        handler="oversight.evaluation.evaluation_report_job",
        title="Evaluation report",
        owner=official,
        arguments={"since": "2026-01-01", "until": "2026-01-31", "fmt": "csv"},
    )
    call_command("worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    name = job.result_file.name
    assert name.startswith("jobs/") and name.endswith("/evaluation-2026-01-01-2026-01-31.csv")

    assert not (Path(settings.MEDIA_ROOT) / name).exists()
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / name).is_file()
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/jobs/{job.pk}/download")["Location"].startswith("/accounts/login/")
    for outsider in (staff, consumer):
        client.force_login(outsider)
        assert client.get(f"/jobs/{job.pk}/download").status_code == 404
        assert client.get(f"/api/v1/jobs/{job.pk}").status_code == 404
    for reader in (official, colleague):
        client.force_login(reader)
        download = client.get(f"/jobs/{job.pk}/download")
        assert download.status_code == 200
        assert b"".join(download.streaming_content).decode("utf-8-sig").startswith("section")
