"""Producers' own pages: apply, follow the application, correct the organisation, certificates, areas.

Every page answers only for the signed-in user's own organisation (another producer's records are
404: their existence is not revealed); every write goes through tracing.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from backend.storage import atomic_with_files
from tracing import access, held_uploads, services
from tracing.form_fields import add_service_errors, error_status
from tracing.forms import CertificateForm, ProducerForm, ProductionAreaForm, ReapplyForm
from tracing.models import (
    AreaCapacity,
    Batch,
    Certificate,
    FieldSurvey,
    Producer,
    ProducerChange,
    ProducerStatusChange,
    Product,
    ProductionArea,
    ProductionAreaRegion,
)
from tracing.services.common import forget_cached_membership
from tracing.views.common import (
    area_features,
    collection,
    map_config,
    own_producer,
    producer_feature,
    with_validity,
)
from tracing.workflow import Action, allowed_actions

RECENT_BATCHES = 20
APPLICATION = "producer-application"  # the held_uploads key of the application form
APPLICATION_FILES = ("logo", "cert-document")

STATUS_EXPLANATIONS = {
    Producer.Status.APPLIED: gettext_lazy(
        "Your application has been received. An official of the province will contact you to schedule a field survey."
    ),
    Producer.Status.SURVEY_SCHEDULED: gettext_lazy(
        "A field survey is scheduled. Prepare your papers and certificates, and access to your production areas."
    ),
    Producer.Status.SURVEYED: gettext_lazy(
        "The field survey has been recorded. The department will now take its decision."
    ),
    Producer.Status.APPROVED: gettext_lazy(
        "You are an approved participant: your organisation and products are public and may carry stamps."
    ),
    Producer.Status.REJECTED: gettext_lazy(
        "Your application was not approved. Read the reason below, correct your data, then apply again."
    ),
    Producer.Status.SUSPENDED: gettext_lazy(
        "Your participation is suspended: your products and stamps are hidden from consumers. Nothing was deleted."
    ),
}
# The statuses in the order an application goes through them, for the progress steps.
PROGRESS = [
    Producer.Status.APPLIED,
    Producer.Status.SURVEY_SCHEDULED,
    Producer.Status.SURVEYED,
    Producer.Status.APPROVED,
]


def areas_with_warnings(producer: Producer) -> list[ProductionArea]:
    areas = list(
        producer.production_areas.prefetch_related(
            Prefetch("region_links", queryset=ProductionAreaRegion.objects.select_related("region")),
            Prefetch("capacities", queryset=AreaCapacity.objects.select_related("product_kind")),
        )
    )
    for area in areas:
        area.warnings = area.region_warnings()
    return areas


def history_of(producer: Producer):
    return ProducerStatusChange.objects.filter(producer=producer).select_related("actor").order_by("created_at", "pk")


def _forget_membership(user) -> None:
    """After a rolled-back application the user belongs to no organisation again: drop the cached answers."""
    forget_cached_membership(user)
    if hasattr(user, "_hg_roles"):
        del user._hg_roles


def _section_filled(data, prefix: str, names: tuple[str, ...], files=None) -> bool:
    if any((data.get(f"{prefix}-{name}") or "").strip() for name in names):
        return True
    return bool(files and files.get(f"{prefix}-document"))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def apply(request):
    """The application: the organisation, a first certificate and a first production area, submitted together."""
    if access.member_producer_id(request.user) is not None:
        return redirect("tracing:my_producer")
    if access.is_official(request.user):
        raise PermissionDenied(_("Officials review applications; they cannot register a producer themselves."))
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    if request.method == "POST":
        for field in APPLICATION_FILES:
            if request.POST.get(f"forget-{field}"):
                held_uploads.forget(request, APPLICATION, field)
        files = held_uploads.with_held(request, APPLICATION, files, APPLICATION_FILES)
    else:
        held_uploads.forget(request, APPLICATION)  # a fresh visit starts a fresh application
    form = ProducerForm(data, files)
    certificate_form = CertificateForm(data, files, prefix="cert", producer=None)
    area_form = ProductionAreaForm(data, prefix="area")
    if request.method == "POST":
        with_certificate = _section_filled(request.POST, "cert", ("number", "issuer"), files)
        with_area = _section_filled(request.POST, "area", ("name", "boundary", "lat"))
        valid = form.is_valid()
        valid = (certificate_form.is_valid() if with_certificate else True) and valid
        valid = (area_form.is_valid() if with_area else True) and valid
        if valid:
            stage = form
            try:
                with atomic_with_files():
                    producer = services.producer_apply(
                        by=request.user, **form.service_values(), logo=form.cleaned_data["logo"] or None
                    )
                    areas = []
                    if with_area:
                        stage = area_form
                        areas = [
                            services.production_area_add(
                                by=request.user, producer=producer, **area_form.service_values()
                            )
                        ]
                    if with_certificate:
                        stage = certificate_form
                        services.certificate_add(
                            by=request.user,
                            producer=producer,
                            **certificate_form.service_values(),
                            production_areas=areas,
                        )
            except ValidationError as exc:
                _forget_membership(request.user)
                add_service_errors(stage, exc, aliases={"location": "lat"})
            else:
                held_uploads.forget(request, APPLICATION)
                messages.success(request, _("Your application has been sent. You can follow it on this page."))
                return redirect("tracing:my_producer")
        kept = _hold_chosen_files(request, form, certificate_form)
        messages.error(
            request,
            _("Please correct the marked fields. The files you chose are kept.")
            if kept
            else _("Please correct the marked fields."),
        )
    held = held_uploads.held(request, APPLICATION)
    return render(
        request,
        "tracing/producers/apply.html",
        {
            "form": form,
            "certificate_form": certificate_form,
            "area_form": area_form,
            "held_logo": held.get("logo"),
            "held_document": held.get("cert-document"),
        },
        status=error_status(form, certificate_form, area_form) if request.method == "POST" else 200,
    )


def _hold_chosen_files(request, form, certificate_form) -> bool:
    """After a refused submit, keep each chosen file that was not itself the problem; drop the refused ones."""
    kept = False
    for bound, name in ((form, "logo"), (certificate_form, "document")):
        field = bound.add_prefix(name)
        upload = bound.files.get(field) if bound.files else None
        if upload is None:
            continue
        if bound.errors.get(name):
            held_uploads.forget(request, APPLICATION, field)
        else:
            kept = held_uploads.hold(request, APPLICATION, field, upload) or kept
    return kept


@login_required
@never_cache
def my_producer(request):
    """The organisation's home: where the application stands (with its history), then everything it manages."""
    if access.member_producer_id(request.user) is None:
        return redirect("tracing:producer_apply")
    producer = own_producer(request)
    areas = areas_with_warnings(producer)
    products = (
        Product.objects.filter(producer=producer)
        .select_related("kind")
        .annotate(photo_count=Count("photos", distinct=True), batch_count=Count("batches", distinct=True))
        .order_by("name_vi")
    )
    history = list(history_of(producer))
    last_change = history[-1] if history else None
    step = PROGRESS.index(producer.status) if producer.status in PROGRESS else None
    return render(
        request,
        "tracing/producers/dashboard.html",
        {
            "producer": producer,
            "explanation": STATUS_EXPLANATIONS[producer.status],
            "progress_visible": step is not None,
            "progress": [
                (status, Producer.Status(status).label, step is not None and index <= step)
                for index, status in enumerate(PROGRESS)
            ],
            "pending_survey": FieldSurvey.objects.filter(producer=producer, recorded_at__isnull=True)
            .order_by("-pk")
            .first(),
            "history": history,
            "last_change": last_change,
            "show_reason": bool(last_change and last_change.reason and last_change.actor_id != request.user.pk),
            "certificates": with_validity(producer.certificates.prefetch_related("product_kinds")),
            "areas": areas,
            "products": products,
            "batches": Batch.objects.filter(producer=producer).select_related("product")[:RECENT_BATCHES],
            "can_reapply": Action.REAPPLY in allowed_actions(producer.status),
            "pending_change": services.pending_change(producer),
            "last_decided_change": ProducerChange.objects.filter(
                producer=producer, status__in=(ProducerChange.Status.ACCEPTED, ProducerChange.Status.REFUSED)
            )
            .order_by("-decided_at", "-pk")
            .first(),
            "reapply_form": ReapplyForm(),
            "areas_map": map_config(
                ("area", collection(area_features(areas))),
                ("producer", collection([producer_feature(producer, public=False)])),
            ),
        },
    )


@login_required
@require_POST
def reapply(request):
    producer = own_producer(request)
    form = ReapplyForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.producer_reapply(by=request.user, producer=producer, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your application has been sent again."))
    return redirect("tracing:my_producer")


def _producer_changes(producer: Producer, form: ProducerForm) -> dict:
    """What the form changes. The identity fields are always sent: the form shows a waiting change's values,
    and a field set back to its verified value takes it out of the change (tracing.services.producer_update)."""
    changes = {
        name: value
        for name, value in form.service_values().items()
        if name in services.IDENTITY_FIELDS or getattr(producer, name) != value
    }
    logo = form.cleaned_data.get("logo")
    if logo is False:
        changes["logo"] = None
    elif logo:
        changes["logo"] = logo
    return changes


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def producer_edit(request):
    """Correct the organisation's data. Once an official has begun to verify it, changes to what was verified
    (kind, name, tax number, address, commune, location, representative) wait for review; the rest is saved."""
    producer = own_producer(request)
    pending = services.pending_change(producer)
    current = {
        **{name: getattr(producer, name) for name in services.IDENTITY_FIELDS},
        **(pending.proposed() if pending else {}),
    }
    initial = {name: getattr(producer, name) for name in ProducerForm.base_fields if hasattr(producer, name)}
    initial.update({name: value for name, value in current.items() if name not in ("commune", "location")})
    location = current["location"]
    initial.update(commune=getattr(current["commune"], "pk", None), lat=location.y, lng=location.x, logo=producer.logo)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = ProducerForm(data, files, initial=initial, producer=producer)
    if services.needs_review(producer):
        for name in services.IDENTITY_FIELDS & set(form.fields):
            form.fields[name].help_text = _("Verified by the province: a change waits for an official's review.")
    if request.method == "POST" and form.is_valid():
        try:
            services.producer_update(by=request.user, producer=producer, **_producer_changes(producer, form))
        except ValidationError as exc:
            producer.refresh_from_db()
            add_service_errors(form, exc, aliases={"location": "lat"})
        else:
            waiting = services.pending_change(producer)
            if waiting is not None:
                messages.info(
                    request,
                    _(
                        "Your changes to the verified data (%(fields)s) have been sent to the department for review. "
                        "Until an official accepts them, your public page and your stamps show the verified data."
                    )
                    % {"fields": ", ".join(str(row["label"]) for row in waiting.rows())},
                )
            messages.success(request, _("The organisation's data has been saved."))
            return redirect("tracing:my_producer")
    return render(
        request,
        "tracing/producers/producer_form.html",
        {"form": form, "producer": producer, "pending_change": pending},
        status=error_status(form) if form.errors else 200,
    )


@login_required
@require_POST
def change_withdraw(request, pk: int):
    """Take back a change to verified data that waits for review."""
    producer = own_producer(request)
    change = get_object_or_404(ProducerChange, pk=pk, producer=producer)
    try:
        services.producer_change_withdraw(by=request.user, change=change)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The change has been withdrawn; the verified data stays as it is."))
    return redirect("tracing:my_producer")


# --- Certificates ------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def certificate_edit(request, pk: int | None = None):
    producer = own_producer(request)
    certificate = get_object_or_404(Certificate, pk=pk, producer=producer) if pk else None
    if request.method == "POST":
        form = CertificateForm(request.POST, request.FILES, producer=producer, certificate=certificate)
        if form.is_valid():
            try:
                if certificate is None:
                    services.certificate_add(by=request.user, producer=producer, **form.service_values())
                else:
                    services.certificate_update(by=request.user, certificate=certificate, **form.service_values())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The certificate has been saved."))
                return redirect("tracing:my_producer")
    else:
        initial = {}
        if certificate is not None:
            initial = {
                name: getattr(certificate, name) for name in ("scheme", "ocop_stars", "number", "issuer", "scope")
            }
            initial.update(
                valid_from=certificate.valid_from,
                valid_to=certificate.valid_to,
                product_kinds=list(certificate.product_kinds.values_list("pk", flat=True)),
                production_areas=list(certificate.production_areas.values_list("pk", flat=True)),
            )
        form = CertificateForm(initial=initial, producer=producer, certificate=certificate)
    return render(
        request,
        "tracing/producers/certificate_form.html",
        {"form": form, "certificate": certificate, "producer": producer},
        status=error_status(form) if form.errors else 200,
    )


@login_required
@require_POST
def certificate_delete(request, pk: int):
    producer = own_producer(request)
    certificate = get_object_or_404(Certificate, pk=pk, producer=producer)
    services.certificate_delete(by=request.user, certificate=certificate)
    messages.success(request, _("The certificate has been removed."))
    return redirect("tracing:my_producer")


# --- Production areas --------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def area_edit(request, pk: int | None = None):
    producer = own_producer(request)
    area = None
    if pk:
        area = get_object_or_404(
            ProductionArea.objects.prefetch_related(
                Prefetch("capacities", queryset=AreaCapacity.objects.select_related("product_kind"))
            ),
            pk=pk,
            producer=producer,
        )
    if request.method == "POST":
        form = ProductionAreaForm(request.POST)
        if form.is_valid():
            try:
                if area is None:
                    services.production_area_add(by=request.user, producer=producer, **form.service_values())
                else:
                    services.production_area_update(by=request.user, area=area, **form.service_values())
            except ValidationError as exc:
                add_service_errors(form, exc, aliases={"location": "lat"})
            else:
                messages.success(request, _("The production area has been saved."))
                return redirect("tracing:my_producer")
    else:
        form = ProductionAreaForm(initial=ProductionAreaForm.initial_for(area) if area else None)
    return render(
        request,
        "tracing/producers/area_form.html",
        {"form": form, "area": area, "producer": producer},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def area_delete(request, pk: int):
    producer = own_producer(request)
    area = get_object_or_404(ProductionArea, pk=pk, producer=producer)
    try:
        services.production_area_delete(by=request.user, area=area)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The production area has been removed."))
    return redirect("tracing:my_producer")
