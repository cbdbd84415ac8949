"""Hooks on other apps' models: record officials' actions taken through their services in the audit
trail, and keep the work queue (Case) in step with suspicion flags and counterfeit reports.

Recorded here (when the acting user is an official and no oversight page recorded it already):
producer workflow steps (ProducerStatusChange), decisions on changes to verified data (ProducerChange),
stamp runs issued (StampRun), stamps revoked
(StampEvent), suspicion flags resolved and counterfeit reports reviewed on tracing's stamp desk.
Also, by whoever makes them, corrections and deletions of a batch's journey steps (BatchEventRevision):
what buyers read must not change without a trace officials can follow.
"""

from __future__ import annotations

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from oversight import audit
from oversight.models import Case
from tracing import access
from tracing.models import (
    BatchEventRevision,
    CounterfeitReport,
    ProducerChange,
    ProducerStatusChange,
    StampEvent,
    StampRun,
    SuspicionFlag,
)


def _official(user) -> bool:
    return user is not None and access.can_read_all(user)


@receiver(post_save, sender=ProducerStatusChange, dispatch_uid="oversight_producer_status")
def producer_status_changed(sender, instance: ProducerStatusChange, created: bool, raw=False, **kwargs):
    if raw or not created or audit.is_handled() or not _official(instance.actor):
        return
    audit.record(
        actor=instance.actor,
        action=f"producer.{instance.to_status}",
        target=instance.producer,
        before={"status": instance.from_status},
        after={"status": instance.to_status},
        note=instance.reason,
    )


@receiver(post_save, sender=ProducerChange, dispatch_uid="oversight_producer_change")
def producer_change_decided(sender, instance: ProducerChange, created: bool, raw=False, **kwargs):
    """An official accepted or refused a change to a producer's verified data: what it was, what was asked."""
    decided = (ProducerChange.Status.ACCEPTED, ProducerChange.Status.REFUSED)
    if raw or instance.status not in decided or audit.is_handled() or not _official(instance.decided_by):
        return
    audit.record(
        actor=instance.decided_by,
        action=f"producer.change_{instance.status}",
        target=instance.producer,
        before=instance.before,
        after=instance.values,
        note=instance.reason,
    )


@receiver(post_save, sender=StampRun, dispatch_uid="oversight_stamp_run")
def stamp_run_issued(sender, instance: StampRun, created: bool, raw=False, **kwargs):
    if raw or not created or audit.is_handled() or not _official(instance.issued_by):
        return
    audit.record(
        actor=instance.issued_by,
        action="stamps.issue",
        target=instance,
        after={"producer": instance.producer_id, "product": instance.product_id, "quantity": instance.quantity},
        note=instance.note,
    )


@receiver(post_save, sender=StampEvent, dispatch_uid="oversight_stamp_event")
def stamps_revoked(sender, instance: StampEvent, created: bool, raw=False, **kwargs):
    if raw or not created or instance.action != StampEvent.Action.REVOKED or audit.is_handled():
        return
    if not _official(instance.actor):
        return
    audit.record(
        actor=instance.actor,
        action="stamps.revoke",
        target=instance.run,
        after={"status": "revoked", "count": instance.count, "ranges": instance.ranges},
        note=instance.reason,
    )


@receiver(post_save, sender=BatchEventRevision, dispatch_uid="oversight_journey_revision")
def journey_step_changed(sender, instance: BatchEventRevision, created: bool, raw=False, **kwargs):
    if raw or not created or audit.is_handled():
        return
    audit.record(
        actor=instance.by,
        action=f"journey.{instance.action}",
        target=instance.batch,
        before=instance.before,
        after={**instance.after, "in_circulation": instance.in_circulation},
        note=instance.reason,
    )


# -- flags and reports: the work queue, and reviews made on tracing's pages ------------------------------


@receiver(pre_save, sender=SuspicionFlag, dispatch_uid="oversight_flag_before")
@receiver(pre_save, sender=CounterfeitReport, dispatch_uid="oversight_report_before")
def remember_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    fields = ("resolved_at", "resolution") if sender is SuspicionFlag else ("status", "review_note")
    instance._oversight_before = sender.objects.filter(pk=instance.pk).values(*fields).first() or {}


@receiver(post_save, sender=SuspicionFlag, dispatch_uid="oversight_flag_after")
def flag_saved(sender, instance: SuspicionFlag, created: bool, raw=False, **kwargs):
    if raw:
        return
    if created:
        Case.objects.get_or_create(flag=instance, defaults={"opened_at": instance.created_at})
        return
    before = getattr(instance, "_oversight_before", {})
    if instance.resolved_at is None or before.get("resolved_at") is not None:
        return
    case = Case.objects.filter(flag=instance).exclude(status=Case.Status.CLOSED).first()
    if case is not None and not audit.is_handled():
        case.status, case.outcome, case.outcome_note = Case.Status.CLOSED, Case.Outcome.RECORDED_ELSEWHERE, ""
        case.closed_at, case.closed_by_id = instance.resolved_at, instance.resolved_by_id
        case.save()
    if not audit.is_handled() and _official(instance.resolved_by):
        audit.record(
            actor=instance.resolved_by,
            action="flag.resolve",
            target=instance,
            before={"resolved": False},
            after={"resolved": True, "resolution": instance.resolution},
            note=instance.resolution,
        )


@receiver(post_save, sender=CounterfeitReport, dispatch_uid="oversight_report_after")
def report_saved(sender, instance: CounterfeitReport, created: bool, raw=False, **kwargs):
    if raw:
        return
    if created:
        Case.objects.get_or_create(report=instance, defaults={"opened_at": instance.created_at})
        return
    before = getattr(instance, "_oversight_before", {})
    if before.get("status") == instance.status and before.get("review_note") == instance.review_note:
        return
    if audit.is_handled():
        return
    case = Case.objects.filter(report=instance).first()
    if case is not None and not case.is_closed:
        if instance.status == CounterfeitReport.Status.CLOSED:
            case.status, case.outcome = Case.Status.CLOSED, Case.Outcome.RECORDED_ELSEWHERE
            case.closed_at, case.closed_by_id = instance.reviewed_at, instance.reviewed_by_id
        elif instance.status == CounterfeitReport.Status.INVESTIGATING:
            case.status = Case.Status.INVESTIGATING
        case.save()
    if _official(instance.reviewed_by):
        audit.record(
            actor=instance.reviewed_by,
            action="report.review",
            target=instance,
            before=before,
            after={"status": instance.status, "review_note": instance.review_note},
            note=instance.review_note,
        )
