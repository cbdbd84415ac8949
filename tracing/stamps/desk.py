"""Stamp pages for producers and officials: runs, issuing, PIN list, printing, activation, revocation,
one stamp's QR. Thin: the services decide. Suspicious stamps and counterfeit reports are oversight's work
queue (oversight/views/cases.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend import qr
from tracing import access
from tracing.models import CounterfeitReport, Stamp, StampRun, SuspicionFlag
from tracing.models.stamps import StampStatus
from tracing.stamps import lifecycle, selection, serials
from tracing.stamps import runs as stamp_services
from tracing.stamps.forms import (
    ActivateForm,
    IssueRunForm,
    PrintForm,
    RevokeForm,
)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _require_stamp_user(user) -> None:
    if not (access.can_read_all(user) or access.member_producer_id(user) is not None):
        raise PermissionDenied


@login_required
@require_GET
def stamps_home(request):
    """Runs of the producer (or all, for officials) with their counts; links to every stamp task."""
    _require_stamp_user(request.user)
    runs = stamp_services.runs_visible_to(request.user).annotate(
        activated=Count("stamps", filter=Q(stamps__status__in=("activated", "sold"))),
        revoked=Count("stamps", filter=Q(stamps__status="revoked")),
    )
    # Meta.ordering does not apply to a GROUP BY query: without this the pages would overlap.
    page = Paginator(runs.order_by("-issued_at", "-pk"), 25).get_page(request.GET.get("page"))
    official = access.is_official(request.user)
    context = {
        "page": page,
        "official": official,
        "is_producer": access.member_producer_id(request.user) is not None,
        "open_flags": SuspicionFlag.objects.filter(resolved_at__isnull=True).count() if official else 0,
        "new_reports": CounterfeitReport.objects.filter(status=CounterfeitReport.Status.NEW).count() if official else 0,
    }
    return render(request, "tracing/stamps/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def run_issue(request):
    access.require_official(request.user)
    form = IssueRunForm(request.POST or None, initial={"producer": request.GET.get("producer")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = stamp_services.stamps_issue(
                by=request.user,
                producer=data["producer"],
                product=data["product"],
                quantity=data["quantity"],
                note=data["note"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if run.job_id:
                messages.info(request, _("The run is being issued in the background: follow its progress below."))
            else:
                messages.success(request, _("%(count)s stamps issued.") % {"count": run.quantity})
            return redirect("tracing:stamp_run", pk=run.pk)
    return render(request, "tracing/stamps/issue.html", {"form": form}, status=400 if form.errors else 200)


def _visible_run(user, pk: int) -> StampRun:
    return get_object_or_404(stamp_services.runs_visible_to(user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def run_detail(request, pk: int):
    """A run: its counts, its log, the PIN list (once), and printing its labels."""
    run = _visible_run(request.user, pk)
    form = PrintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = stamp_services.stamps_print(
                by=request.user,
                run=run,
                layout=form.cleaned_data["layout"],
                first=form.cleaned_data["first"],
                last=form.cleaned_data["last"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("job-detail", pk=job.pk)
    context = {
        "run": run,
        "counts": [
            (status, StampStatus(status).label, count) for status, count in stamp_services.stamps_summary(run).items()
        ],
        "events": run.events.select_related("actor", "batch")[:100],
        "print_form": form,
        "can_print": stamp_services.can_print(request.user, run),
        "can_take_pins": run.pins_available
        and (run.issued_by_id == request.user.pk or access.can_manage(request.user, run.producer_id)),
        "first_stamps": list(run.stamps.order_by("number")[:5]),
    }
    return render(request, "tracing/stamps/run.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def run_pins(request, pk: int):
    """The run's PIN list as CSV, handed over once (see tracing.stamps.runs)."""
    run = _visible_run(request.user, pk)
    try:
        name, data = stamp_services.stamp_run_pins_take(by=request.user, run=run)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("tracing:stamp_run", pk=run.pk)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _selection(form) -> selection.Selection:
    data = form.cleaned_data
    return selection.Selection.of(first=data["first"], last=data["last"], serials=data["serials"])


@login_required
@require_http_methods(["GET", "POST"])
def stamps_activate_page(request):
    """Activate a range or a list (typed, or scanned with the phone camera) onto one of the producer's batches."""
    producer_id = access.member_producer_id(request.user)
    if producer_id is None:
        raise PermissionDenied
    form = ActivateForm(request.POST or None, producer_id=producer_id, initial={"batch": request.GET.get("batch")})
    if request.method == "POST" and form.is_valid():
        try:
            count = lifecycle.stamps_activate(
                by=request.user, batch=form.cleaned_data["batch"], selection=_selection(form)
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(count)d stamps activated on batch %(lot)s.")
                % {"count": count, "lot": form.cleaned_data["batch"].lot_code},
            )
            return redirect("tracing:stamps_activate")
    return render(request, "tracing/stamps/activate.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def stamps_revoke_page(request):
    _require_stamp_user(request.user)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = lifecycle.stamps_revoke(
                by=request.user, selection=_selection(form), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("%(count)d stamps revoked.") % {"count": count})
            return redirect("tracing:stamps_home")
    return render(request, "tracing/stamps/revoke.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def stamp_qr(request, code: str, fmt: str):
    """The QR code of one stamp as PNG or SVG (the producer's staff and officials)."""
    serial = serials.normalise_serial(code)
    if not serials.serial_is_well_formed(serial):
        raise Http404
    stamp = get_object_or_404(
        Stamp.objects.visible_to(request.user).select_related("run__product", "batch"), serial=serial
    )
    url = stamp_services.stamp_url(stamp)
    if fmt == "svg":
        response = HttpResponse(qr.qr_svg(url), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr.qr_png(url, scale=10), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{serial}.{fmt}"'
    return response
