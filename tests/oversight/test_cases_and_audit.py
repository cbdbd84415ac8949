"""The work queue (assign, investigate, close with an outcome) and the audit record of each official action."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from oversight.models import AuditEntry, Case
from tests.oversight import factories as f
from tracing import services as tracing_services
from tracing.models import CounterfeitReport, SuspicionFlag

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(producer, owner, official):
    product = f.make_product(owner, producer, "orange")
    batch = f.make_batch(owner, product, quantity="10")
    stamps = f.issue_and_activate(official, owner, batch, 2)
    return tracing_services.report_create(serial=stamps[0].serial, note="Tem mờ, nghi làm giả", shop="Chợ Hà Giang")


def _entry(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


def test_a_new_counterfeit_report_opens_a_case_in_the_queue(client, official, report):
    case = Case.objects.get(report=report)
    assert case.status == Case.Status.OPEN
    client.force_login(official)
    page = client.get("/giam-sat/viec/").content.decode()
    assert f'data-case="{case.pk}"' in page


def test_an_official_assigns_investigates_and_closes_a_report_with_an_outcome(client, official, report):
    colleague = f.make_official("colleague")
    case = Case.objects.get(report=report)
    client.force_login(official)
    assert client.post(f"/giam-sat/viec/{case.pk}/giao/", {"assignee": colleague.pk}).status_code == 302
    case.refresh_from_db()
    assert case.assignee == colleague
    entry = _entry("case.assign")
    assert (entry.actor, entry.before["assignee"], entry.after["assignee"]) == (official, None, "colleague")

    client.post(f"/giam-sat/viec/{case.pk}/xu-ly/", {"note": "Đã liên hệ người báo"})
    report.refresh_from_db()
    assert report.status == CounterfeitReport.Status.INVESTIGATING
    entry = _entry("case.investigate")
    assert (entry.before["status"], entry.after["status"]) == ("open", "investigating")

    response = client.post(
        f"/giam-sat/viec/{case.pk}/dong/", {"outcome": "counterfeit", "note": "Tem in lại, đã thu giữ 20 hộp"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    report.refresh_from_db()
    assert (case.status, case.outcome) == (Case.Status.CLOSED, "counterfeit")
    assert report.status == CounterfeitReport.Status.CLOSED and "thu giữ" in report.review_note
    entry = _entry("case.close")
    assert entry.before["status"] == "investigating"
    assert entry.after == {
        "status": "closed",
        "assignee": "colleague",
        "outcome": "counterfeit",
        "outcome_note": "Tem in lại, đã thu giữ 20 hộp",
        "copy_confirmed": report.serial,  # every scan of the code now says it was copied
        "revoked": 0,
    }
    # Recorded once: the tracing review done inside our page is not recorded a second time.
    assert not AuditEntry.objects.filter(action="report.review").exists()


def test_closing_needs_an_outcome_and_what_was_found(client, official, report):
    case = Case.objects.get(report=report)
    client.force_login(official)
    response = client.post(f"/giam-sat/viec/{case.pk}/dong/", {"outcome": "", "note": ""})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert not AuditEntry.objects.filter(action="case.close").exists()


def test_a_suspicious_stamp_case_resolves_its_flag(client, official, producer, owner):
    product = f.make_product(owner, producer, "orange")
    batch = f.make_batch(owner, product, quantity="10")
    run_stamps = f.issue_and_activate(official, owner, batch, 1, issue=2)
    tracing_services.scan_record(serial=run_stamps[1].serial)  # never activated: flagged
    flag = SuspicionFlag.objects.get()
    case = Case.objects.get(flag=flag)
    client.force_login(official)
    client.post(f"/giam-sat/viec/{case.pk}/dong/", {"outcome": "producer_error", "note": "Dán nhầm tem chưa kích hoạt"})
    flag.refresh_from_db()
    assert flag.resolved_at is not None and flag.resolved_by == official
    assert _entry("case.close").target_id == str(case.pk)


def test_a_producer_approval_on_the_tracing_pages_is_recorded_with_before_and_after(client, official, places):
    producer = f.make_producer("HTX Mới", commune=places["viet_quang_old"], lat=22.4, lng=104.8, status="surveyed")
    tracing_services.producer_approve(by=official, producer=producer, reason="Đủ điều kiện VietGAP")
    entry = _entry("producer.approved")
    assert entry.actor == official and entry.actor_name == official.username
    assert (entry.before, entry.after) == ({"status": "surveyed"}, {"status": "approved"})
    assert entry.note == "Đủ điều kiện VietGAP"
    assert entry.target_type == "tracing.producer" and entry.target_id == str(producer.pk)


def test_stamp_runs_revocations_and_reviews_on_tracing_pages_are_recorded(official, producer):
    run = tracing_services.stamps_issue(by=official, producer=producer, quantity=3)
    assert _entry("stamps.issue").after["quantity"] == 3
    from tracing.stamps.selection import Selection

    stamps = list(run.stamps.order_by("number"))
    tracing_services.stamps_revoke(by=official, selection=Selection(serials=(stamps[0].serial,)), reason="Thất lạc")
    assert _entry("stamps.revoke").note == "Thất lạc"
    report = tracing_services.report_create(note="Hàng giả ở chợ")
    tracing_services.report_review(by=official, report=report, status="closed", note="Không có cơ sở")
    entry = _entry("report.review")
    assert entry.before["status"] == "new" and entry.after["status"] == "closed"
    assert Case.objects.get(report=report).status == Case.Status.CLOSED


def test_changing_a_yield_and_thresholds_is_recorded(client, official, places):
    orange = f.kind("orange")
    client.force_login(official)
    response = client.post(
        "/giam-sat/cai-dat/",
        {"kind": orange.pk, f"k{orange.pk}-yield_kg_per_ha": "12000", f"k{orange.pk}-kg_per_litre": "1"},
    )
    assert response.status_code == 302
    entry = _entry("settings.yield")
    assert Decimal(entry.after["yield_kg_per_ha"]) == 12000 and entry.before["yield_kg_per_ha"] == "15000.0"
    client.post("/giam-sat/cai-dat/", {"form": "thresholds", "t-far_scan_km": "80", "t-journey_stale_days": "10"})
    entry = _entry("settings.checks")
    assert (entry.before["far_scan_km"], entry.after["far_scan_km"]) == (150, 80)


def test_the_audit_trail_is_searchable(client, official, places):
    producer = f.make_producer("HTX Tìm Kiếm", commune=places["viet_quang_old"], lat=22.4, lng=104.8, status="surveyed")
    tracing_services.producer_reject(by=official, producer=producer, reason="Thiếu giấy tờ")
    other = f.make_producer("HTX Khác", commune=places["viet_quang_old"], lat=22.4, lng=104.8, status="surveyed")
    tracing_services.producer_approve(by=f.make_official("someone"), producer=other, reason="Đạt")
    client.force_login(official)
    page = client.get("/giam-sat/nhat-ky/", {"q": "Tìm Kiếm"}).content.decode()
    assert 'data-audit-count="1"' in page and "producer.rejected" in page
    page = client.get("/giam-sat/nhat-ky/", {"actor": "someone"}).content.decode()
    assert 'data-audit-count="1"' in page and "HTX Khác" in page
    today = timezone.localdate()
    page = client.get(
        "/giam-sat/nhat-ky/", {"since": (today + datetime.timedelta(days=1)).isoformat()}
    ).content.decode()
    assert 'data-audit-count="0"' in page
