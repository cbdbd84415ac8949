"""A producer's application pages: apply (the organisation, a first certificate and area together), the
organisation's home that follows the application, and applying again after a rejection.

Every page answers only for the signed-in user's own organisation; every write goes through
tracing.services. areas_with_warnings and history_of are also read by the officials' pages (oversight).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
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
    FieldSurvey,
    Producer,
    ProducerChange,
    ProducerStatusChange,
    Product,
    ProductionArea,
    ProductionAreaRegion,
)
from tracing.services.common import forget_cached_membership
from tracing.views.common import area_features, collection, map_config, own_producer, producer_feature, with_validity
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
