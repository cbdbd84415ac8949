"""A producer's certificates and production areas: add, correct and remove them.

Every page answers only for the signed-in user's own organisation (another producer's records are
404: their existence is not revealed); every write goes through tracing.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tracing import services
from tracing.form_fields import add_service_errors, error_status
from tracing.forms import CertificateForm, ProductionAreaForm
from tracing.models import AreaCapacity, Certificate, ProductionArea
from tracing.views.common import own_producer

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
