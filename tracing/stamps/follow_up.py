"""Officials' follow-up of scans: suspicion flags resolved; counterfeit reports filed by the public, reviewed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.storage import atomic_with_files
from geo import scan_geometry
from tracing import access, audit
from tracing.models import CounterfeitReport, Stamp, SuspicionFlag
from tracing.models.stamps import new_report_reference
from tracing.services.common import raise_if, require_official


@transaction.atomic
def flag_resolve(*, by, flag: SuspicionFlag, resolution: str, for_case: bool = False) -> SuspicionFlag:
    """Close a suspicion flag with what the official found (officials only), audited as "flag.resolve".

    Its open case closes with it ("recorded elsewhere"). `for_case=True`: the caller is the case's own
    closing step (oversight.services.case_close), which closes the case and audits the step itself.
    """
    require_official(by)
    resolution = (resolution or "").strip()
    raise_if({"resolution": _("Say what you found.")} if not resolution else {})
    locked = SuspicionFlag.objects.select_for_update().get(pk=flag.pk)
    if locked.resolved_at is not None:
        raise ValidationError(_("This flag is already resolved."))
    locked.resolved_at = timezone.now()
    locked.resolved_by = by
    locked.resolution = resolution[:300]
    locked.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    if not for_case:
        audit.queue().flag_resolved(locked)
        audit.record(
            actor=by,
            action="flag.resolve",
            target=locked,
            before={"resolved": False},
            after={"resolved": True, "resolution": locked.resolution},
            note=locked.resolution,
        )
    return locked


@atomic_with_files()
def report_create(
    *,
    serial: str = "",
    note: str = "",
    place: str = "",
    shop: str = "",
    lat=None,
    lng=None,
    photo=None,
    by=None,
) -> CounterfeitReport:
    """Record a consumer's report of a suspected fake; it appears in the officials' list at once.

    The report gets a random reference number ("HG-2026-7KQ3MZ") that the reporter can quote.
    At least a note, a photo or a place is needed. The photo is re-encoded without its metadata
    (no GPS or camera data kept beyond what the consumer typed or shared).
    """
    from tracing.stamps import serials
    from tracing.uploads import process_photo

    errors: dict = {}
    serial = (serial or "").strip()[:40]
    note, place, shop = (note or "").strip(), (place or "").strip(), (shop or "").strip()
    stamp = None
    if serial:
        normalised = serials.normalise_serial(serial)
        if serials.serial_is_well_formed(normalised):
            serial = normalised
            stamp = next(iter(Stamp.objects.filter(serial=normalised).order_by()[:1]), None)
    location = None
    if lat not in (None, "") or lng not in (None, ""):
        try:
            location = scan_geometry.rounded_point(lat, lng)
        except (TypeError, ValueError) as exc:
            errors["lat"] = str(exc)
    if len(note) > 2000:
        errors["note"] = _("At most 2000 characters.")
    if not (note or photo or place or shop or location):
        errors["note"] = _("Tell us what you noticed, where, or add a photo.")
    processed = None
    if photo is not None and not errors:
        try:
            processed = process_photo(photo)
        except ValidationError as exc:
            errors["photo"] = exc.messages
    raise_if(errors)
    report = CounterfeitReport(
        stamp=stamp,
        serial=serial,
        note=note,
        place=place[:200],
        shop=shop[:200],
        location=location,
        reported_by=by if access.is_authenticated(by) else None,
    )
    while CounterfeitReport.objects.filter(reference=report.reference).exists():  # 1 in 887 million a year
        report.reference = new_report_reference()
    if processed is not None:
        report.photo.save(processed.web.name, processed.web, save=False)
    report.save()
    audit.queue().open_for_report(report)
    return report


@transaction.atomic
def report_review(
    *, by, report: CounterfeitReport, status: str, note: str = "", for_case: bool = False
) -> CounterfeitReport:
    """Officials move a report to investigating or closed, with a note; audited as "report.review".

    Its case follows. `for_case=True`: the caller is one of the case's own steps (oversight.services),
    which moves the case and audits the step itself.
    """
    require_official(by)
    if status not in CounterfeitReport.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    before = CounterfeitReport.objects.filter(pk=report.pk).values("status", "review_note").first() or {}
    report.status = status
    report.review_note = (note or "").strip()
    report.reviewed_by = by
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    changed = before != {"status": report.status, "review_note": report.review_note}
    if changed and not for_case:
        audit.queue().report_reviewed(report)
        audit.record(
            actor=by,
            action="report.review",
            target=report,
            before=before,
            after={"status": report.status, "review_note": report.review_note},
            note=report.review_note,
        )
    return report
