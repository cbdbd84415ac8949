"""A producer's edits of its own data: correct the organisation (changes to verified data wait for an
official's review) and withdraw a change that waits.

Every page answers only for the signed-in user's own organisation; every write goes through tracing.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tracing import services
from tracing.form_fields import add_service_errors, error_status
from tracing.forms import ProducerForm
from tracing.models import Producer, ProducerChange
from tracing.views.common import own_producer


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
