"""Every audited action is written by the service that changes the state, inside its transaction.

oversight.audit.AUDITED_ACTIONS lists them; for each one the service runs inside a transaction that is
then rolled back: the entry was there before the rollback and is gone after it, with the change itself.
No signal rebuilds entries from other apps' models any more.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from oversight import audit
from oversight import services as oversight_services
from oversight.models import AuditEntry, Case, CheckSettings, InspectionFinding, YieldSetting
from tests.oversight import factories as f
from tests.tracing.conftest import valid_tax_number
from tracing import services
from tracing.models import (
    BatchEvent,
    CounterfeitReport,
    Producer,
    ProducerChange,
    ProducerStatusChange,
    Stamp,
    StampEvent,
    StampRun,
    SuspicionFlag,
)
from tracing.stamps.selection import Selection

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


@pytest.fixture
def world(producer, owner, official, places):
    staff = owner
    product = f.make_product(staff, producer, "orange")
    batch = f.make_batch(staff, product, quantity="10")
    stamps = f.issue_and_activate(official, staff, batch, 2, issue=3)
    AuditEntry.objects.all().delete()  # the issuing above wrote its own
    return {"producer": producer, "staff": staff, "stamps": stamps, "places": places}


def _surveyed(world):
    return f.make_producer("HTX Chờ", commune=world["places"]["viet_quang_old"], lat=22.4, lng=104.8, status="surveyed")


def _applied(world):
    return f.make_producer("HTX Mới", commune=world["places"]["viet_quang_old"], lat=22.4, lng=104.8, status="applied")


def _pending_change(world):
    Producer.objects.filter(pk=world["producer"].pk).update(tax_number=valid_tax_number())
    world["producer"].refresh_from_db()
    services.producer_update(by=world["staff"], producer=world["producer"], name="HTX Tên Mới")
    return ProducerChange.objects.get(status=ProducerChange.Status.PENDING)


def _flag(world):
    services.scan_record(serial=world["stamps"][2].serial)  # never activated: flagged
    return SuspicionFlag.objects.get()


def _report():
    return services.report_create(note="Tem mờ ở chợ")


#: action -> (set-up returning the arguments, the service call, a check that the state did not change).
SCENARIOS = {
    "producer.<status>": (
        _surveyed,
        lambda by, p: services.producer_approve(by=by, producer=p, reason="Đạt"),
        lambda p: (
            Producer.objects.get(pk=p.pk).status == "surveyed"
            and not ProducerStatusChange.objects.filter(producer=p).exists()
        ),
    ),
    "producer.change_accepted": (
        _pending_change,
        lambda by, c: services.producer_change_accept(by=by, change=c),
        lambda c: ProducerChange.objects.get(pk=c.pk).status == "pending",
    ),
    "producer.change_refused": (
        _pending_change,
        lambda by, c: services.producer_change_refuse(by=by, change=c, reason="Thiếu giấy"),
        lambda c: ProducerChange.objects.get(pk=c.pk).status == "pending",
    ),
    "stamps.issue": (
        lambda w: w["producer"],
        lambda by, p: services.stamps_issue(by=by, producer=p, quantity=2),
        lambda p: StampRun.objects.filter(producer=p).count() == 1,
    ),
    "stamps.revoke": (
        lambda w: w["stamps"][0],
        lambda by, s: services.stamps_revoke(by=by, selection=Selection(serials=(s.serial,)), reason="Thất lạc"),
        lambda s: (
            Stamp.objects.get(pk=s.pk).status != "revoked"
            and not StampEvent.objects.filter(action=StampEvent.Action.REVOKED).exists()
        ),
    ),
    "flag.resolve": (
        _flag,
        lambda by, flag: services.flag_resolve(by=by, flag=flag, resolution="Tem thật"),
        lambda flag: (
            SuspicionFlag.objects.get(pk=flag.pk).resolved_at is None
            and Case.objects.get(flag=flag).status == Case.Status.OPEN
        ),
    ),
    "report.review": (
        lambda w: _report(),
        lambda by, r: services.report_review(by=by, report=r, status="closed", note="Không có cơ sở"),
        lambda r: (
            CounterfeitReport.objects.get(pk=r.pk).status == "new"
            and Case.objects.get(report=r).status == Case.Status.OPEN
        ),
    ),
    "case.assign": (
        lambda w: Case.objects.get(report=_report()),
        lambda by, case: oversight_services.case_assign(by=by, case=case, assignee=by),
        lambda case: Case.objects.get(pk=case.pk).assignee_id is None,
    ),
    "case.investigate": (
        lambda w: Case.objects.get(report=_report()),
        lambda by, case: oversight_services.case_investigate(by=by, case=case, note="Đã liên hệ"),
        lambda case: (
            Case.objects.get(pk=case.pk).status == Case.Status.OPEN
            and CounterfeitReport.objects.get(pk=case.report_id).status == "new"
        ),
    ),
    "case.close": (
        lambda w: Case.objects.get(flag=_flag(w)),
        lambda by, case: oversight_services.case_close(by=by, case=case, outcome="false_alarm", note="Tem thật"),
        lambda case: (
            Case.objects.get(pk=case.pk).status == Case.Status.OPEN
            and SuspicionFlag.objects.get(pk=case.flag_id).resolved_at is None
        ),
    ),
    "settings.yield": (
        lambda w: f.kind("orange"),
        lambda by, k: oversight_services.yield_set(
            by=by, product_kind=k, yield_kg_per_ha=Decimal("9000"), kg_per_litre=Decimal("1")
        ),
        lambda k: not YieldSetting.objects.filter(product_kind=k, yield_kg_per_ha=Decimal("9000")).exists(),
    ),
    "settings.checks": (
        lambda w: None,
        lambda by, _none: oversight_services.check_settings_set(by=by, far_scan_km=77, journey_stale_days=9),
        lambda _none: not CheckSettings.objects.filter(far_scan_km=77).exists(),
    ),
    "inspection.record": (
        lambda w: w["stamps"][0],
        lambda by, s: oversight_services.inspection_record(by=by, serial=s.serial, result="conform"),
        lambda s: not InspectionFinding.objects.exists(),
    ),
}


#: Written by the producer's own staff (an official never corrects a journey): action -> (act, unchanged).
JOURNEY_SCENARIOS = {
    "journey.edit": (
        lambda staff, step: services.batch_event_update(
            by=staff, event=step, note="Hái tay, sửa lại", reason="Ghi nhầm ghi chú của bước"
        ),
        lambda step: BatchEvent.objects.get(pk=step.pk).note != "Hái tay, sửa lại",
    ),
    "journey.delete": (
        lambda staff, step: services.batch_event_delete(by=staff, event=step, reason="Bước nhập trùng, xoá đi"),
        lambda step: BatchEvent.objects.filter(pk=step.pk).exists(),
    ),
}


def test_every_audited_action_has_a_scenario_here():
    assert set(SCENARIOS) | set(JOURNEY_SCENARIOS) == set(audit.AUDITED_ACTIONS)


@pytest.mark.parametrize("action", sorted(JOURNEY_SCENARIOS))
def test_a_journey_correction_is_audited_in_its_own_transaction(world, action):
    act, unchanged = JOURNEY_SCENARIOS[action]
    staff = world["staff"]
    batch = world["stamps"][0].batch
    step = services.batch_event_add(
        by=staff, batch=batch, event_type=BatchEvent.Type.PACKING, occurred_at=timezone.now(), note="Đóng hộp"
    )
    AuditEntry.objects.all().delete()
    with pytest.raises(Rollback), transaction.atomic():
        act(staff, step)
        assert AuditEntry.objects.filter(action=action).count() == 1, "the service wrote no entry"
        raise Rollback
    assert not AuditEntry.objects.filter(action=action).exists(), "a rolled-back change left its audit entry"
    assert unchanged(step), "the change itself was not rolled back"
    act(staff, step)
    entry = AuditEntry.objects.get(action=action)
    assert entry.actor == staff and entry.after["in_circulation"] is True


def _entries(action: str):
    if action == "producer.<status>":
        return AuditEntry.objects.filter(action__startswith="producer.").exclude(action__startswith="producer.change_")
    return AuditEntry.objects.filter(action=action)


@pytest.mark.parametrize("action", sorted(SCENARIOS))
def test_the_service_writes_its_entry_in_its_own_transaction(world, official, action):
    prepare, act, unchanged = SCENARIOS[action]
    target = prepare(world)
    AuditEntry.objects.all().delete()
    with pytest.raises(Rollback), transaction.atomic():
        act(official, target)
        assert _entries(action).count() >= 1, "the service wrote no entry"
        raise Rollback  # anything failing after the service, in the same transaction
    assert not _entries(action).exists(), "a rolled-back change left its audit entry"
    assert unchanged(target), "the change itself was not rolled back"
    act(official, target)
    entry = _entries(action).get()
    assert entry.actor == official and entry.actor_name == official.username


def test_a_case_step_records_the_case_step_only(world, official):
    """Closing a case resolves its flag through tracing's service, which then leaves the audit to the case."""
    case = Case.objects.get(flag=_flag(world))
    oversight_services.case_close(by=official, case=case, outcome="false_alarm", note="Tem thật")
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["case.close"]


def test_no_signal_rebuilds_the_audit_or_the_queue_from_tracings_models():
    for model in (ProducerStatusChange, ProducerChange, StampRun, StampEvent, SuspicionFlag, CounterfeitReport):
        assert not post_save.has_listeners(model), model
        assert not pre_save.has_listeners(model), model


def test_a_producers_own_step_is_not_audited(world):
    producer = _applied(world)
    services.producer_schedule_survey(
        by=f.make_official("other"), producer=producer, scheduled_for=timezone.localdate() + datetime.timedelta(days=1)
    )
    assert _entries("producer.<status>").get().action == "producer.survey_scheduled"
    staff = world["staff"]
    services.stamps_revoke(by=staff, selection=Selection(serials=(world["stamps"][1].serial,)), reason="Rách")
    assert not AuditEntry.objects.filter(action="stamps.revoke").exists()
