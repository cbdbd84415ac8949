"""Every write of oversight: the work queue (assign, investigate, close), settings, inspection findings.

Keyword-only arguments; `by` must be an official (tracing.access.require_official, the one rule);
each write is recorded in the audit trail by oversight.audit.record in the same transaction. Changes
to tracing's records go through tracing's services (report_review, flag_resolve, report_create).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.storage import atomic_with_files
from oversight import audit
from oversight.models import Case, CheckSettings, InspectionFinding, YieldSetting
from tracing import access
from tracing import services as tracing_services
from tracing.models import CounterfeitReport, Stamp, SuspicionFlag

#: The one officials' rule (tracing.access.is_official), for every write of oversight.
require_official = access.require_official


def is_assignable(user) -> bool:
    return access.is_official(user)


def cases_sync() -> int:
    """Open a case for every suspicion flag and counterfeit report that has none yet (two INSERTs).

    Never run by a page: tracing's services open the case of each new flag and report themselves
    (oversight.casework). This repairs rows made outside the services (fixtures, bulk imports).
    Closed ones arrive closed.
    """
    created = 0
    flags = SuspicionFlag.objects.filter(~Exists(Case.objects.filter(flag=OuterRef("pk"))))
    new_cases = []
    for flag in flags.only("pk", "created_at", "resolved_at", "resolved_by_id")[:5000]:
        new_cases.append(_case_for_flag(flag))
    reports = CounterfeitReport.objects.filter(~Exists(Case.objects.filter(report=OuterRef("pk"))))
    for report in reports.only("pk", "created_at", "status", "reviewed_at", "reviewed_by_id")[:5000]:
        new_cases.append(_case_for_report(report))
    if new_cases:
        created = len(Case.objects.bulk_create(new_cases, ignore_conflicts=True))
    return created


def _case_for_flag(flag: SuspicionFlag) -> Case:
    case = Case(flag=flag, opened_at=flag.created_at)
    if flag.resolved_at is not None:
        case.status, case.closed_at, case.closed_by_id = Case.Status.CLOSED, flag.resolved_at, flag.resolved_by_id
        case.outcome = Case.Outcome.RECORDED_ELSEWHERE
    return case


def _case_for_report(report: CounterfeitReport) -> Case:
    case = Case(report=report, opened_at=report.created_at)
    if report.status == CounterfeitReport.Status.INVESTIGATING:
        case.status = Case.Status.INVESTIGATING
    elif report.status == CounterfeitReport.Status.CLOSED:
        case.status, case.closed_at = Case.Status.CLOSED, report.reviewed_at or timezone.now()
        case.closed_by_id, case.outcome = report.reviewed_by_id, Case.Outcome.RECORDED_ELSEWHERE
    return case


def _state(case: Case) -> dict:
    return {
        "status": case.status,
        "assignee": case.assignee.get_username() if case.assignee_id else None,
        "outcome": case.outcome,
        "outcome_note": case.outcome_note,
    }


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("assignee", "flag", "report").get(pk=case.pk)


@transaction.atomic
def case_assign(*, by, case: Case, assignee) -> Case:
    """Give a case to an official (or take it back with assignee=None). Refused on a closed case."""
    require_official(by)
    locked = _locked(case)
    if locked.is_closed:
        raise ValidationError(_("This case is closed."))
    if assignee is not None and not is_assignable(assignee):
        raise ValidationError({"assignee": _("Cases can be given only to officials.")})
    before = _state(locked)
    locked.assignee = assignee
    locked.assigned_at = timezone.now() if assignee is not None else None
    locked.save(update_fields=["assignee", "assigned_at", "updated_at"])
    audit.record(actor=by, action="case.assign", target=locked, before=before, after=_state(locked))
    return locked


@transaction.atomic
def case_investigate(*, by, case: Case, note: str = "") -> Case:
    """Start investigating (a report moves to "being investigated" in tracing too). Assigns it to `by` if unassigned."""
    require_official(by)
    locked = _locked(case)
    if locked.status != Case.Status.OPEN:
        raise ValidationError(_("Only an open case can be taken up."))
    before = _state(locked)
    if locked.report_id:
        tracing_services.report_review(
            by=by, report=locked.report, status=CounterfeitReport.Status.INVESTIGATING, note=note, for_case=True
        )
    locked.status = Case.Status.INVESTIGATING
    if locked.assignee_id is None:
        locked.assignee, locked.assigned_at = by, timezone.now()
    locked.save(update_fields=["status", "assignee", "assigned_at", "updated_at"])
    audit.record(actor=by, action="case.investigate", target=locked, before=before, after=_state(locked), note=note)
    return locked


#: What an official closing a case may revoke with it: nothing, the case's code, or a range of its run.
REVOKE_NONE, REVOKE_CODE, REVOKE_RANGE = "", "code", "range"
#: Outcomes after which stamps may be revoked in the same step.
REVOKING_OUTCOMES = (Case.Outcome.COUNTERFEIT, Case.Outcome.MISUSE)


def case_stamp(case: Case) -> Stamp | None:
    """The stamp a case is about: its flag's, or its report's when the reported code is one of ours."""
    if case.flag_id:
        return case.flag.stamp
    return case.report.stamp if case.report_id else None


@transaction.atomic
def case_close(
    *, by, case: Case, outcome: str, note: str, revoke: str = REVOKE_NONE, first: str = "", last: str = ""
) -> Case:
    """Close a case with an outcome and what was found; the flag is resolved or the report closed in tracing.

    "Counterfeit confirmed" on a case about one of our stamps marks its code copied (tracing's
    stamp_confirm_copied): from then on every scan of it says so. With `revoke` the official also
    revokes, in the same transaction, the case's code ("code") or the range `first`–`last` of a
    run ("range"), after a counterfeit or a misused stamp only; the revocation is logged and audited
    as any other. Anything refused leaves everything as it was.
    """
    require_official(by)
    errors = {}
    if outcome not in Case.Outcome.values or outcome == Case.Outcome.RECORDED_ELSEWHERE:
        errors["outcome"] = _("Choose how the case ended.")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Say what you found.")
    if revoke not in (REVOKE_NONE, REVOKE_CODE, REVOKE_RANGE):
        errors["revoke"] = _("Choose what to revoke.")
    elif revoke and outcome in Case.Outcome.values and outcome not in REVOKING_OUTCOMES:
        errors["revoke"] = _("Stamps are revoked with a case only when it ends with a counterfeit or a misused stamp.")
    if errors:
        raise ValidationError(errors)
    locked = _locked(case)
    if locked.is_closed:
        raise ValidationError(_("This case is already closed."))
    stamp = case_stamp(locked)
    if revoke and stamp is None:
        raise ValidationError({"revoke": _("This case is about no stamp of ours: there is nothing to revoke.")})
    before = _state(locked)
    summary = f"{Case.Outcome(outcome).label}: {note}"
    # The case's own step: tracing's services change the report or flag, this step audits it (case.close).
    if locked.report_id:
        tracing_services.report_review(
            by=by, report=locked.report, status=CounterfeitReport.Status.CLOSED, note=summary, for_case=True
        )
    elif locked.flag.resolved_at is None:
        tracing_services.flag_resolve(by=by, flag=locked.flag, resolution=summary[:300], for_case=True)
    if outcome == Case.Outcome.COUNTERFEIT and stamp is not None:
        tracing_services.stamp_confirm_copied(by=by, stamp=stamp, reason=summary)
    revoked = _revoke_with_case(by=by, case=locked, stamp=stamp, revoke=revoke, first=first, last=last, why=summary)
    locked.status, locked.outcome, locked.outcome_note = Case.Status.CLOSED, outcome, note
    locked.closed_by, locked.closed_at = by, timezone.now()
    if locked.assignee_id is None:
        locked.assignee, locked.assigned_at = by, locked.closed_at
    locked.save()
    after = _state(locked)
    if stamp is not None:
        after["copy_confirmed"] = stamp.serial if outcome == Case.Outcome.COUNTERFEIT else None
        after["revoked"] = revoked
    audit.record(actor=by, action="case.close", target=locked, before=before, after=after, note=note)
    return locked


def _revoke_with_case(*, by, case: Case, stamp: Stamp | None, revoke: str, first: str, last: str, why: str) -> int:
    """Revoke what the official chose with the case (how many); the revocation audits itself (stamps.revoke)."""
    if not revoke:
        return 0
    from tracing.stamps.selection import Selection

    reason = (_("Case #%(number)d") % {"number": case.pk} + f" — {why}")[:300]
    try:
        if revoke == REVOKE_CODE:
            selection = Selection(serials=(stamp.serial,))
        else:
            selection = Selection.of(first=first, last=last)
        return tracing_services.stamps_revoke(by=by, selection=selection, reason=reason)
    except ValidationError as exc:
        # The revocation's own refusals ("none of these can be revoked") belong to the choice made.
        errors = getattr(exc, "message_dict", {"revoke": exc.messages})
        raise ValidationError(
            {("revoke" if key == "reason" else key): value for key, value in errors.items()}
        ) from None


def officials():
    """Users a case can be given to: active holders of tracing.verify_producer."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    permission = Permission.objects.filter(content_type__app_label="tracing", codename="verify_producer").first()
    users = get_user_model().objects.filter(is_active=True)
    if permission is None:
        return users.filter(is_superuser=True)
    return (
        users.filter(Q(user_permissions=permission) | Q(groups__permissions=permission) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


# -- settings ------------------------------------------------------------------------------------


@transaction.atomic
def yield_set(*, by, product_kind, yield_kg_per_ha: Decimal, kg_per_litre: Decimal) -> YieldSetting:
    """Set the yield (kg/ha/year) and kg per litre the capacity cross-check uses for a product kind."""
    require_official(by)
    errors = {}
    if yield_kg_per_ha is None or yield_kg_per_ha <= 0:
        errors["yield_kg_per_ha"] = _("Give a yield above zero.")
    if kg_per_litre is None or kg_per_litre <= 0:
        errors["kg_per_litre"] = _("Give a value above zero.")
    if errors:
        raise ValidationError(errors)
    setting = YieldSetting.objects.select_for_update().filter(product_kind=product_kind).first()
    before = (
        {} if setting is None else {"yield_kg_per_ha": setting.yield_kg_per_ha, "kg_per_litre": setting.kg_per_litre}
    )
    if setting is None:
        setting = YieldSetting(product_kind=product_kind)
    setting.yield_kg_per_ha, setting.kg_per_litre, setting.updated_by = yield_kg_per_ha, kg_per_litre, by
    setting.full_clean()
    setting.save()
    audit.record(
        actor=by,
        action="settings.yield",
        target=setting,
        before=before,
        after={"yield_kg_per_ha": setting.yield_kg_per_ha, "kg_per_litre": setting.kg_per_litre},
    )
    return setting


@transaction.atomic
def check_settings_set(*, by, far_scan_km: int, journey_stale_days: int) -> CheckSettings:
    require_official(by)
    current = CheckSettings.objects.select_for_update().filter(pk=1).first() or CheckSettings(pk=1)
    before = {"far_scan_km": current.far_scan_km, "journey_stale_days": current.journey_stale_days}
    current.far_scan_km, current.journey_stale_days, current.updated_by = far_scan_km, journey_stale_days, by
    current.full_clean()
    current.save()
    audit.record(
        actor=by,
        action="settings.checks",
        target=current,
        before=before,
        after={"far_scan_km": far_scan_km, "journey_stale_days": journey_stale_days},
    )
    return current


# -- inspection on site ----------------------------------------------------------------------------


@atomic_with_files()
def inspection_record(
    *,
    by,
    serial: str,
    result: str,
    note: str = "",
    retail_point=None,
    location=None,
    accuracy_m: int | None = None,
    photo=None,
) -> InspectionFinding:
    """Record what an inspector found in a shop about a stamp: result, note, GPS position, photo.

    A suspected counterfeit also opens a counterfeit report (tracing's), so it joins the work queue.
    The photo is re-encoded without its metadata.
    """
    from tracing.uploads import process_photo

    require_official(by)
    errors: dict = {}
    if result not in InspectionFinding.Result.values:
        errors["result"] = _("Choose what you found.")
    note = (note or "").strip()
    if len(note) > 2000:
        errors["note"] = _("At most 2000 characters.")
    if result != InspectionFinding.Result.CONFORM and not note:
        errors["note"] = _("Describe the problem.")
    processed = None
    if photo is not None and not errors:
        try:
            processed = process_photo(photo)
        except ValidationError as exc:
            errors["photo"] = exc.messages
    if errors:
        raise ValidationError(errors)
    stamp = Stamp.objects.filter(serial=serial).select_related("batch").first() if serial else None
    authorised = None
    if stamp is not None and retail_point is not None:
        from oversight.inspection import authorised_shop_ids

        authorised = retail_point.pk in authorised_shop_ids(stamp)
    finding = InspectionFinding(
        inspector=by,
        serial=serial or "",
        stamp=stamp,
        retail_point=retail_point,
        shop_authorised=authorised,
        result=result,
        note=note,
        location=location,
        accuracy_m=accuracy_m,
    )
    if processed is not None:
        finding.photo.save(processed.web.name, processed.web, save=False)
    finding.save()
    after = {
        "serial": finding.serial,
        "result": finding.result,
        "shop": retail_point.pk if retail_point is not None else None,
        "shop_authorised": authorised,
        "location": [location.y, location.x] if location is not None else None,
    }
    if result == InspectionFinding.Result.SUSPECTED_FAKE:
        report = tracing_services.report_create(
            serial=serial or "",
            note=_("Inspection on site: %(note)s") % {"note": note},
            shop=retail_point.name if retail_point is not None else "",
            lat=location.y if location is not None else None,
            lng=location.x if location is not None else None,
            by=by,
        )
        after["report"] = report.pk
    audit.record(actor=by, action="inspection.record", target=finding, after=after, note=note)
    return finding
