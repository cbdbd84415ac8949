"""Closing a case as "counterfeit confirmed" changes what the code's scan page says, and the official
may revoke the code or a range of its run in the same step (one form, one transaction, audited)."""

import re

import pytest
from django.test import Client

from oversight.models import AuditEntry, Case
from tests.oversight import factories as f
from tracing import services as tracing_services
from tracing.models import Stamp, StampEvent
from tracing.stamps import scan_page, serials

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(producer, owner, official):
    """Five activated stamps of one run of six (the last one never activated), the first one reported."""
    product = f.make_product(owner, producer, "orange")
    batch = f.make_batch(owner, product, quantity="10")
    scan_page.pages.clear()
    return f.issue_and_activate(official, owner, batch, 5, issue=6)


@pytest.fixture
def case(run):
    report = tracing_services.report_create(serial=run[0].serial, note="Chợ bán hàng chục hộp cùng một mã")
    return Case.objects.get(report=report)


def verdict_of(serial: str) -> tuple[str, str]:
    """(verdict, page) of an anonymous buyer's scan, in English."""
    html = Client().get(f"/t/{serial}", HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.3").content.decode()
    return re.search(r'data-verdict="([a-z]+)"', html).group(1), html


def close(client, case, **fields):
    data = {"outcome": "counterfeit", "note": "Tem in lại, đã thu giữ 20 hộp", **fields}
    return client.post(f"/giam-sat/viec/{case.pk}/dong/", data, HTTP_ACCEPT_LANGUAGE="en")


def test_a_code_confirmed_copied_warns_every_buyer_instead_of_saying_genuine(client, official, run, case):
    sibling = run[1]
    assert verdict_of(run[0].serial)[0] == "genuine"
    assert verdict_of(sibling.serial)[0] == "genuine"  # the same batch: its page is in the cache too

    client.force_login(official)
    assert close(client, case).status_code == 302

    verdict, html = verdict_of(run[0].serial)
    assert verdict == "suspicious" and "data-copy-confirmed" in html
    assert "Copied code — confirmed by officials" in html
    assert "confirmed that this code has been copied onto counterfeit products" in html
    assert Stamp.objects.get(pk=run[0].pk).status == "activated"  # not revoked: the official did not ask
    # The other units of the batch are not concerned.
    verdict, html = verdict_of(sibling.serial)
    assert verdict == "genuine" and "data-copy-confirmed" not in html
    event = StampEvent.objects.get(action=StampEvent.Action.COPY_CONFIRMED)
    assert (event.actor, event.ranges, event.count) == (official, [[run[0].number, run[0].number]], 1)
    close_entry = AuditEntry.objects.get(action="case.close")
    assert close_entry.after["copy_confirmed"] == run[0].serial and close_entry.after["revoked"] == 0


def test_the_api_says_so_too(api_client, client, official, run, case):
    client.force_login(official)
    close(client, case)
    body = api_client.get(f"/api/v1/stamps/{run[0].serial}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["verdict"] == "suspicious"
    assert "copied onto counterfeit products" in body["warnings"][0]
    vietnamese = api_client.get(f"/api/v1/stamps/{run[0].serial}", HTTP_ACCEPT_LANGUAGE="vi").json()
    assert "bị sao chép lên hàng giả" in vietnamese["warnings"][0]


def test_the_official_revokes_the_copied_code_in_the_same_step(client, official, run, case):
    client.force_login(official)
    assert close(client, case, revoke="code").status_code == 302

    stamp = Stamp.objects.get(pk=run[0].pk)
    assert stamp.status == "revoked" and stamp.copy_confirmed_at is not None
    assert "Tem in lại" in stamp.revoke_reason and stamp.revoked_by == official
    verdict, html = verdict_of(run[0].serial)
    assert verdict == "revoked" and "copied onto counterfeit products" in html
    revoke_entry = AuditEntry.objects.get(action="stamps.revoke")
    assert revoke_entry.actor == official and revoke_entry.after["ranges"] == [[run[0].number, run[0].number]]
    assert AuditEntry.objects.get(action="case.close").after["revoked"] == 1


def test_the_official_revokes_a_range_of_the_run_in_the_same_step(client, official, run, case):
    client.force_login(official)
    response = close(client, case, revoke="range", first=run[0].serial, last=serials.format_serial(run[3].serial))
    assert response.status_code == 302
    statuses = [s.status for s in Stamp.objects.filter(run=run[0].run).order_by("number")]
    assert statuses == ["revoked"] * 4 + ["activated", "issued"]
    assert verdict_of(run[2].serial)[0] == "revoked"
    assert verdict_of(run[4].serial)[0] == "genuine"
    assert AuditEntry.objects.get(action="case.close").after["revoked"] == 4
    assert AuditEntry.objects.get(action="stamps.revoke").after["count"] == 4


def test_a_wrong_range_keeps_the_case_open_and_changes_nothing(client, official, producer, run, case):
    other_run = tracing_services.stamps_issue(by=official, producer=producer, quantity=2)
    elsewhere = other_run.stamps.order_by("number").first()
    client.force_login(official)
    response = close(client, case, revoke="range", first=run[0].serial, last=elsewhere.serial)

    assert response.status_code == 400
    assert "same run" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    stamp = Stamp.objects.get(pk=run[0].pk)
    assert (stamp.status, stamp.copy_confirmed_at) == ("activated", None)
    assert not AuditEntry.objects.filter(action__in=["case.close", "stamps.revoke"]).exists()
    assert verdict_of(run[0].serial)[0] == "genuine"


def test_revoking_needs_a_finding_of_counterfeit_or_misuse(client, official, run, case):
    client.force_login(official)
    response = close(client, case, outcome="false_alarm", note="Khách nhầm", revoke="code")
    assert response.status_code == 400
    assert Stamp.objects.get(pk=run[0].pk).status == "activated"
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


def test_a_false_alarm_leaves_the_scan_page_as_it_was(client, official, run, case):
    client.force_login(official)
    assert close(client, case, outcome="false_alarm", note="Khách nhầm mã").status_code == 302
    assert verdict_of(run[0].serial)[0] == "genuine"
    assert Stamp.objects.get(pk=run[0].pk).copy_confirmed_at is None


def test_a_suspicious_stamp_case_closed_as_counterfeit_marks_its_code(client, official, run):
    tracing_services.scan_record(serial=run[5].serial)  # never activated, scanned by the public: flagged
    case = Case.objects.get(flag__stamp=run[5])
    client.force_login(official)
    assert close(client, case, revoke="code").status_code == 302
    stamp = Stamp.objects.get(pk=run[5].pk)
    assert stamp.status == "revoked" and stamp.copy_confirmed_at is not None


def test_the_close_form_offers_revocation_only_for_a_case_about_a_stamp(client, official, run, case):
    client.force_login(official)
    html = client.get(f"/giam-sat/viec/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="revoke"' in html and f'value="{run[0].serial}"' in html
    assert f'value="{run[5].serial}"' in html  # the range defaults to the whole run
    anonymous = Case.objects.get(report=tracing_services.report_create(note="Hàng giả ở chợ, không có mã"))
    html = client.get(f"/giam-sat/viec/{anonymous.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="revoke"' not in html
    assert close(client, anonymous, revoke="code").status_code == 400
