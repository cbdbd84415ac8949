"""Producers' staff pages for products (text, photos, audio), batches and the batch's journey events."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from backend.formatting import plain_number
from backend.storage import StorageUnavailable, atomic_with_files
from tracing import services
from tracing.form_fields import add_service_errors, error_status
from tracing.forms import BatchEventDeleteForm, BatchEventEditForm, BatchEventForm, BatchForm, ProductForm
from tracing.models import Batch, BatchEvent, Product, ProductPhoto
from tracing.services.batches import batch_in_circulation, next_lot_code, removed_after_circulation
from tracing.views.common import own_producer


def _own_product(request, pk: int) -> Product:
    producer = own_producer(request)
    return get_object_or_404(
        Product.objects.select_related("producer", "kind", "growing_region").prefetch_related("photos", "certificates"),
        pk=pk,
        producer=producer,
    )


def _save_media(request, product: Product, form: ProductForm) -> None:
    """Photos and the audio clip of the form, each checked by its service (errors under "photos" / "audio")."""
    for image in form.cleaned_data["photos"]:
        try:
            services.product_photo_add(by=request.user, product=product, image=image)
        except StorageUnavailable:
            raise
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from exc
    if form.cleaned_data.get("audio"):
        services.product_audio_set(by=request.user, product=product, audio=form.cleaned_data["audio"])


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def product_edit(request, pk: int | None = None):
    """Create or change a product: its text in both languages, kind, unit, GTIN, region, certificates, photos, audio."""
    producer = own_producer(request)
    product = _own_product(request, pk) if pk else None
    if request.method == "POST":
        form = ProductForm(request.POST, request.FILES, producer=producer)
        if form.is_valid():
            try:
                with atomic_with_files():
                    if product is None:
                        saved = services.product_create(by=request.user, producer=producer, **form.service_values())
                    else:
                        saved = services.product_update(by=request.user, product=product, **form.service_values())
                    _save_media(request, saved, form)
            except ValidationError as exc:
                if product is not None:
                    product.refresh_from_db()
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The product has been saved."))
                return redirect("tracing:product_edit", pk=saved.pk)
    else:
        form = ProductForm(initial=ProductForm.initial_for(product) if product else None, producer=producer)
    return render(
        request,
        "tracing/products/product_form.html",
        {"form": form, "product": product, "producer": producer},
        status=error_status(form) if form.errors else 200,
    )


@login_required
@require_POST
def product_photo_delete(request, pk: int):
    producer = own_producer(request)
    photo = get_object_or_404(ProductPhoto.objects.select_related("product"), pk=pk, product__producer=producer)
    services.product_photo_delete(by=request.user, photo=photo)
    messages.success(request, _("The photo has been removed."))
    return redirect("tracing:product_edit", pk=photo.product_id)


@login_required
@require_POST
def product_audio_delete(request, pk: int):
    product = _own_product(request, pk)
    services.product_audio_clear(by=request.user, product=product)
    messages.success(request, _("The audio clip has been removed."))
    return redirect("tracing:product_edit", pk=product.pk)


# --- Batches -----------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def batch_new(request):
    """A new batch; `?tu=<batch>` starts from a previous batch (everything prefilled, next lot code)."""
    producer = own_producer(request)
    previous = None
    if request.GET.get("tu", "").isdigit():
        previous = get_object_or_404(Batch, pk=int(request.GET["tu"]), producer=producer)
    if request.method == "POST":
        form = BatchForm(request.POST, producer=producer)
        if form.is_valid():
            try:
                batch = services.batch_create(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Batch %(lot)s has been created.") % {"lot": batch.lot_code})
                return redirect("tracing:batch_manage", pk=batch.pk)
    else:
        if previous is not None:
            initial = BatchForm.initial_from(previous, next_lot_code(previous))
        else:
            initial = {"harvest_started_on": timezone.localdate()}
            product_id = request.GET.get("san-pham", "")
            if product_id.isdigit():
                product = get_object_or_404(Product, pk=int(product_id), producer=producer)
                initial.update(product=product.pk, unit=product.unit)
        form = BatchForm(initial=initial, producer=producer)
    return render(
        request,
        "tracing/batches/batch_form.html",
        {"form": form, "previous": previous, "producer": producer},
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def batch_manage(request, pk: int):
    """A batch for its staff: correct it, see its journey and add the next step (time, place, note, photos)."""
    producer = own_producer(request)
    batch = get_object_or_404(Batch.objects.select_related("product", "production_area"), pk=pk, producer=producer)
    event_form = BatchEventForm(initial=BatchEventForm.initial_now())
    batch_form = BatchForm(
        initial={
            "product": batch.product_id,
            **{
                name: getattr(batch, name)
                for name in ("lot_code", "harvest_started_on", "harvest_ended_on", "unit", "note")
            },
            "quantity": plain_number(batch.quantity),
            "production_area": batch.production_area_id,
        },
        producer=producer,
    )
    batch_form.fields["product"].disabled = True
    status = 200
    if request.method == "POST" and request.POST.get("form") == "event":
        event_form = BatchEventForm(request.POST, request.FILES)
        if event_form.is_valid():
            data = event_form.cleaned_data
            try:
                services.batch_event_add(by=request.user, batch=batch, photos=data["photos"], **_step_fields(data))
            except ValidationError as exc:
                add_service_errors(event_form, exc, aliases={"location": "lat"})
            else:
                messages.success(request, _("The step has been added to the journey."))
                return redirect("tracing:batch_manage", pk=batch.pk)
        status = error_status(event_form)
    elif request.method == "POST" and request.POST.get("form") == "batch":
        batch_form = BatchForm(request.POST, producer=producer)
        batch_form.fields["product"].disabled = True
        batch_form.fields["product"].initial = batch.product_id
        if batch_form.is_valid():
            changes = {name: value for name, value in batch_form.cleaned_data.items() if name != "product"}
            try:
                services.batch_update(by=request.user, batch=batch, **changes)
            except ValidationError as exc:
                add_service_errors(batch_form, exc)
            else:
                messages.success(request, _("The batch has been saved."))
                return redirect("tracing:batch_manage", pk=batch.pk)
        status = 400
    events = (
        BatchEvent.objects.filter(batch=batch)
        .select_related("retail_point", "recorded_by")
        .prefetch_related(Prefetch("photos"))
        .order_by("occurred_at", "pk")
    )
    return render(
        request,
        "tracing/batches/manage.html",
        {
            "batch": batch,
            "events": events,
            "event_form": event_form,
            "batch_form": batch_form,
            "producer": producer,
            "manage": True,
            "removed_steps": removed_after_circulation(batch),
            "revisions": batch.journey_revisions.select_related("by")[:50],
            "in_circulation": batch_in_circulation(batch),
        },
        status=status,
    )


def _step_fields(data: dict) -> dict:
    """A journey step's fields as the add and correct services take them, from the step form's cleaned data."""
    return {
        "event_type": data["event_type"],
        "occurred_at": data["occurred_at"],
        "location": data["point"],
        "retail_point": data["retail_point"],
        "actor": data["actor"],
        "note": data["note"],
    }


def _own_event(request, pk: int, event_pk: int) -> BatchEvent:
    """A step of one of the producer's own batches; another producer's (or none) is a 404."""
    producer = own_producer(request)
    return get_object_or_404(
        BatchEvent.objects.select_related("batch__product", "retail_point"),
        pk=event_pk,
        batch_id=pk,
        batch__producer=producer,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def batch_event_edit(request, pk: int, event_pk: int):
    """Correct a step of the journey (time, kind, place, who, note), with the reason once stamps are out."""
    event = _own_event(request, pk, event_pk)
    if request.method == "POST":
        form = BatchEventEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.batch_event_update(by=request.user, event=event, reason=data["reason"], **_step_fields(data))
            except ValidationError as exc:
                add_service_errors(form, exc, aliases={"location": "lat"})
            else:
                messages.success(request, _("The step has been corrected."))
                return redirect("tracing:batch_manage", pk=event.batch_id)
    else:
        form = BatchEventEditForm(initial=BatchEventEditForm.initial_for(event))
    return render(
        request,
        "tracing/batches/event_edit.html",
        {"event": event, "batch": event.batch, "form": form, "in_circulation": batch_in_circulation(event.batch)},
        status=error_status(form) if form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def batch_event_delete(request, pk: int, event_pk: int):
    """Delete a step: a confirmation page first (GET), the deletion on POST."""
    event = _own_event(request, pk, event_pk)
    form = BatchEventDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.batch_event_delete(by=request.user, event=event, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The step has been deleted from the journey."))
            return redirect("tracing:batch_manage", pk=event.batch_id)
    return render(
        request,
        "tracing/batches/event_delete.html",
        {"event": event, "batch": event.batch, "form": form, "in_circulation": batch_in_circulation(event.batch)},
        status=error_status(form) if form.errors else 200,
    )
