"""The audit trail of officials' actions: one function writes it, everything else calls that function.

    audit.record(actor=request.user, action="case.close", target=case, before={...}, after={...}, note="…")

Every service that changes state calls it itself, inside its own transaction, so that a change
rolled back leaves no entry and no change goes unrecorded: oversight's services (cases, settings,
inspections) and tracing's (producer workflow steps and change decisions, stamp runs issued and
revoked, flags resolved and reports reviewed). No signal rebuilds an entry after the fact.
AUDITED_ACTIONS lists every action written, with the service that writes it.
"""

from __future__ import annotations

import datetime
import decimal
import uuid

from django.db.models import Model, Q, QuerySet

from oversight.models import AuditEntry

#: Every action of the trail -> the service that writes it (tests/oversight/test_audit_in_services.py
#: checks that each one is written inside the service's transaction). "producer.<status>" stands for
#: every status an official moves a producer to.
AUDITED_ACTIONS = {
    "producer.<status>": "tracing.services.producers.verification (every workflow step an official takes)",
    "producer.change_accepted": "tracing.services.producer_change_accept",
    "producer.change_refused": "tracing.services.producer_change_refuse",
    "stamps.issue": "tracing.services.stamps_issue",
    "stamps.revoke": "tracing.services.stamps_revoke (by an official)",
    "flag.resolve": "tracing.services.flag_resolve",
    "report.review": "tracing.services.report_review",
    "case.assign": "oversight.services.case_assign",
    "case.investigate": "oversight.services.case_investigate",
    "case.close": "oversight.services.case_close",
    "settings.yield": "oversight.services.yield_set",
    "settings.checks": "oversight.services.check_settings_set",
    "inspection.record": "oversight.services.inspection_record",
    "journey.edit": "tracing.services.batch_event_update (by the producer's staff)",
    "journey.delete": "tracing.services.batch_event_delete (by the producer's staff)",
}


def _plain(value):
    """A JSON-safe copy of a value (dates as ISO text, decimals as strings, models as their pk)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def record(*, actor, action: str, target=None, before: dict | None = None, after: dict | None = None, note: str = ""):
    """Append one entry to the audit trail; returns it.

    `target` is a model instance (its type, id and text are kept) or None; `before`/`after` are
    dicts of the fields that matter, stored as JSON. The actor's username is kept beside the link
    so the entry still says who acted after the account is deleted.
    """
    target_type = target_id = target_label = ""
    if target is not None:
        target_type = f"{target._meta.app_label}.{target._meta.model_name}"
        target_id = str(target.pk)
        target_label = str(target)[:200]
    authenticated = bool(getattr(actor, "is_authenticated", False))
    return AuditEntry.objects.create(
        actor=actor if authenticated else None,
        actor_name=(actor.get_username() if authenticated else "system")[:150],
        action=action[:60],
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        before=_plain(before or {}),
        after=_plain(after or {}),
        note=(note or "")[:5000],
    )


def search(
    *,
    text: str = "",
    actor: str = "",
    action: str = "",
    target_type: str = "",
    target_id: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet:
    """Entries matching every given criterion, newest first (text searches the record, note and username)."""
    qs = AuditEntry.objects.all()
    if text:
        qs = qs.filter(Q(target_label__icontains=text) | Q(note__icontains=text) | Q(actor_name__icontains=text))
    if actor:
        qs = qs.filter(actor_name__iexact=actor)
    if action:
        qs = qs.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs.order_by("-created_at", "-pk")
