"""The work queue's side of tracing's services: a suspicion flag or a counterfeit report opens its case,
and a flag resolved or a report reviewed outside a case's own steps moves the case with it.

Called explicitly by tracing's services (tracing/services/scans.py) inside their transaction; the
case steps themselves (assign, investigate, close) are oversight.services.
"""

from __future__ import annotations

from django.utils import timezone

from oversight.models import Case


def open_for_flag(flag) -> Case:
    """The case of a new suspicion flag (one per flag)."""
    case, _created = Case.objects.get_or_create(flag=flag, defaults={"opened_at": flag.created_at})
    return case


def open_for_report(report) -> Case:
    """The case of a new counterfeit report (one per report)."""
    case, _created = Case.objects.get_or_create(report=report, defaults={"opened_at": report.created_at})
    return case


def flag_resolved(flag) -> None:
    """A flag resolved by tracing's service directly: its open case closes as recorded elsewhere."""
    case = Case.objects.select_for_update().filter(flag=flag).exclude(status=Case.Status.CLOSED).first()
    if case is None:
        return
    case.status, case.outcome, case.outcome_note = Case.Status.CLOSED, Case.Outcome.RECORDED_ELSEWHERE, ""
    case.closed_at, case.closed_by_id = flag.resolved_at, flag.resolved_by_id
    case.save()


def report_reviewed(report) -> None:
    """A report reviewed by tracing's service directly: its case follows (investigating, or closed)."""
    from tracing.models import CounterfeitReport

    case = Case.objects.select_for_update().filter(report=report).first()
    if case is None or case.is_closed:
        return
    if report.status == CounterfeitReport.Status.CLOSED:
        case.status, case.outcome = Case.Status.CLOSED, Case.Outcome.RECORDED_ELSEWHERE
        case.closed_at, case.closed_by_id = report.reviewed_at or timezone.now(), report.reviewed_by_id
    elif report.status == CounterfeitReport.Status.INVESTIGATING:
        case.status = Case.Status.INVESTIGATING
    case.save()
