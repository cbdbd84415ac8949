"""Inspection on site: scan a stamp with the phone (BarcodeDetector, or type the code), see the official
view (batch, authorised resellers, whether this shop is one, scan history), record a finding."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from geo.coordinates import point, validate_lat_lng
from geo.models import RetailPoint
from geo.nearest import nearest_retail_points
from oversight import services
from oversight.inspection import official_view
from oversight.models import InspectionFinding
from oversight.views.common import official_required
from tracing.form_fields import add_service_errors, error_status
from tracing.models import Scan
from tracing.services import scan_record
from tracing.stamps.scan_limits import network_key
from tracing.stamps.scans import stamp_for_page
from tracing.stamps.selection import parse_code

NEARBY_SHOPS = 8


class FindingForm(forms.Form):
    result = forms.ChoiceField(label=gettext_lazy("Result"), choices=InspectionFinding.Result.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    shop = forms.ModelChoiceField(
        label=gettext_lazy("Shop inspected"), queryset=RetailPoint.objects.all(), required=False
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    accuracy_m = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0, max_value=100_000)
    # A plain file field: tracing.uploads checks the content (format, size, pixels) with clear messages.
    photo = forms.FileField(
        label=gettext_lazy("Photo"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("lat") is None) != (cleaned.get("lng") is None):
            raise forms.ValidationError(_("Latitude and longitude must be given together."))
        return cleaned


def _coordinates(request):
    try:
        return validate_lat_lng(request.GET["lat"], request.GET["lng"])
    except (KeyError, ValueError):
        return None


@require_GET
@official_required
def scanner(request):
    """The scanner page; a typed or scanned code (a stamp link or a bare serial) opens the official view."""
    code = request.GET.get("code", "").strip()
    error = ""
    if code:
        try:
            serial = parse_code(code)
        except ValueError as exc:
            error = str(exc)
        else:
            params = {k: request.GET[k] for k in ("shop", "lat", "lng", "accuracy") if request.GET.get(k)}
            url = reverse("oversight:inspect_stamp", args=[serial])
            return redirect(f"{url}?{urlencode(params)}" if params else url)
    return render(request, "oversight/inspect.html", {"code": code, "error": error}, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
@official_required
def stamp_view(request, serial: str):
    stamp = stamp_for_page(serial)
    if stamp is None:
        return render(
            request, "oversight/inspect.html", {"code": serial, "error": _("This code is not one of ours.")}, status=404
        )
    shop = None
    if request.GET.get("shop", "").isdigit():
        shop = RetailPoint.objects.filter(pk=request.GET["shop"]).first()
    position = _coordinates(request)
    nearby = []
    if position is not None:
        nearby = list(nearest_retail_points(lat=position[0], lng=position[1], limit=NEARBY_SHOPS, verified_only=False))
    status = 200
    if request.method == "POST":
        form = FindingForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            location = point(data["lat"], data["lng"]) if data.get("lat") is not None else None
            try:
                services.inspection_record(
                    by=request.user,
                    serial=stamp.serial,
                    result=data["result"],
                    note=data["note"],
                    retail_point=data.get("shop"),
                    location=location,
                    accuracy_m=data.get("accuracy_m"),
                    photo=data.get("photo"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Finding recorded."))
                return redirect("oversight:inspect_stamp", serial=stamp.serial)
        status = error_status(form)
        shop = form.cleaned_data.get("shop") if hasattr(form, "cleaned_data") else shop
    else:
        # The inspector's look-up is a scan like any other, marked as staff (it never counts as a sighting).
        scan_record(
            serial=stamp.serial,
            channel=Scan.Channel.STAFF,
            user_agent=request.headers.get("user-agent", ""),
            network=network_key(request, stamp.serial),
            user=request.user,
            stamp=stamp,
        )
        initial = {"shop": shop, "accuracy_m": request.GET.get("accuracy") or None}
        if position is not None:
            initial.update(lat=position[0], lng=position[1])
        form = FindingForm(initial=initial)
    view = official_view(stamp, shop)
    findings = InspectionFinding.objects.filter(stamp=stamp).select_related("retail_point", "inspector")[:20]
    return render(
        request,
        "oversight/inspect_stamp.html",
        {"view": view, "stamp": stamp, "form": form, "nearby": nearby, "findings": findings, "position": position},
        status=status,
    )


@require_GET
@official_required
def finding_detail(request, pk: int):
    finding = get_object_or_404(InspectionFinding.objects.select_related("retail_point", "inspector", "stamp"), pk=pk)
    return render(request, "oversight/finding.html", {"finding": finding})
