"""Forms of the producer, official and public pages. They parse shapes; the services check the rules.

A ValidationError raised by a service is put back on the form next to the field it names
(:func:`add_service_errors`), so a page never answers a rule break with a 500.
"""

from __future__ import annotations

from django import forms
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from backend import dates, storage
from backend.bilingual import localised
from backend.formatting import plain_number
from geo import queries
from geo.models import AdminUnit, GrowingRegion, ProductKind, RetailPoint
from tracing.models import Batch, BatchEvent, Certificate, Producer, Product, ProductionArea, Unit

MAX_PHOTOS_PER_UPLOAD = 12
GEOJSON_MAX_CHARS = 200_000  # a hand-drawn boundary of a few hundred corners is far below this


def add_service_errors(form: forms.Form, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: under the field it names, else at the top of the form.

    A storage failure (disk full or read-only) is shown at the top and remembered for error_status().
    """
    aliases = aliases or {}
    form.error_status = storage.status_for(exc) or getattr(form, "error_status", None)
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            field = aliases.get(name, name)
            messages = [message for error in errors for message in error.messages]
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


def error_status(*forms_shown: forms.Form) -> int:
    """The status of a page showing these forms again after a failed POST: 507 or 503 when the storage
    refused a file, else 400."""
    return next((form.error_status for form in forms_shown if getattr(form, "error_status", None)), 400)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (photos picked together on a phone); the services check their content."""

    def __init__(self, *args, max_files: int = MAX_PHOTOS_PER_UPLOAD, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        self.max_files = max_files
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > self.max_files:
            raise ValidationError(_("At most %(count)d photos at once.") % {"count": self.max_files})
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class LocalisedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return localised(obj, "name") or str(obj)


class LocalisedMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return localised(obj, "name") or str(obj)


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        english = (get_language() or "vi").startswith("en")
        name = obj.name_en if english and obj.name_en else obj.name
        return f"{name} ({localised(obj.product_kind, 'name')})"


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}, {obj.parent.name}" if obj.parent_id else obj.name


class CertificateChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.label} {obj.number}" + (f" ({_('expired')})" if obj.is_expired else "")


class PointFormMixin:
    """Hidden `lat`/`lng` fields filled by the map or the phone's GPS; `point()` is the GEOS point or None."""

    def clean(self):
        cleaned = super().clean()
        lat, lng = cleaned.get("lat"), cleaned.get("lng")
        if (lat is None) != (lng is None):
            self.add_error("lat", _("Place the point on the map again."))
        elif lat is not None:
            try:
                cleaned["point"] = queries.point(lat, lng)
            except ValueError as exc:
                self.add_error("lat", str(exc))
        cleaned.setdefault("point", None)
        return cleaned


def _lat_lng_fields():
    return (
        forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-pick-lat": ""})),
        forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-pick-lng": ""})),
    )


# --- The organisation --------------------------------------------------------------------------


class ProducerForm(PointFormMixin, forms.Form):
    """The organisation's data, for the application and for later corrections by its staff."""

    kind = forms.ChoiceField(label=_("Kind of organisation"), choices=Producer.Kind.choices)
    name = forms.CharField(
        label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    tax_number = forms.CharField(
        label=_("Tax or registration number"),
        max_length=20,
        help_text=Producer._meta.get_field("tax_number").help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        help_text=_("House number, street or village."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    commune = CommuneChoiceField(
        label=_("Commune"), queryset=AdminUnit.objects.none(), empty_label=_("Choose a commune")
    )
    lat, lng = _lat_lng_fields()
    representative = forms.CharField(
        label=_("Representative"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=20, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )
    email = forms.EmailField(label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    zalo = forms.CharField(
        label=_("Zalo number"), max_length=20, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    logo = forms.FileField(
        label=_("Logo"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )
    description_vi = forms.CharField(
        label=_("Description (Vietnamese)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, producer: Producer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        communes = AdminUnit.objects.current().filter(level=AdminUnit.Level.COMMUNE)
        if producer is not None and producer.commune_id:
            # A commune abolished since registration stays selectable for this record only.
            communes = communes | AdminUnit.objects.filter(pk=producer.commune_id)
        self.fields["commune"].queryset = communes.select_related("parent").order_by("name")
        self.producer = producer

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("point") is None and "lat" not in self.errors:
            self.add_error("lat", _("Place your organisation on the map (tap the map or use your location)."))
        return cleaned

    def service_values(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in self.fields if name not in ("lat", "lng", "logo")}
        values["location"] = data["point"]
        return values


# --- Certificates and production areas ---------------------------------------------------------


class CertificateForm(forms.Form):
    scheme = forms.ChoiceField(label=_("Scheme"), choices=Certificate.Scheme.choices)
    ocop_stars = forms.TypedChoiceField(
        label=_("OCOP stars"),
        choices=[("", "—")] + [(n, "★" * n) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For OCOP certificates only."),
    )
    number = forms.CharField(label=_("Certificate number"), max_length=100)
    issuer = forms.CharField(label=_("Issued by"), max_length=200)
    scope = forms.CharField(
        label=_("Scope"),
        required=False,
        max_length=2000,
        help_text=_("Products and areas covered, as written on it."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    product_kinds = LocalisedMultipleChoiceField(
        label=_("Products covered"),
        queryset=ProductKind.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    production_areas = forms.ModelMultipleChoiceField(
        label=_("Areas covered"),
        queryset=ProductionArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    valid_from = dates.DateField(label=_("Valid from"), widget=DateInput())
    valid_to = dates.DateField(
        label=_("Valid to"), required=False, help_text=_("Empty if it does not expire."), widget=DateInput()
    )
    document = forms.FileField(
        label=_("Document (PDF or photo)"),
        required=False,
        help_text=_("A scan or a photo of the certificate, at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/*"}),
    )
    remove_document = forms.BooleanField(label=_("Remove the current document"), required=False)

    def __init__(self, *args, producer: Producer | None, certificate: Certificate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        areas = (
            ProductionArea.objects.filter(producer=producer) if producer is not None else ProductionArea.objects.none()
        )
        self.fields["production_areas"].queryset = areas
        if producer is None or not areas.exists():
            del self.fields["production_areas"]
        if certificate is None or not certificate.document:
            del self.fields["remove_document"]

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("remove_document", None)
        document = data.pop("document", None)
        if document:
            data["document"] = document
        elif self.cleaned_data.get("remove_document"):
            data["document"] = None
        return data


class GeoJSONPolygonField(forms.CharField):
    """A boundary drawn on the map, posted as GeoJSON (lon, lat) in a hidden input."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(max_length=GEOJSON_MAX_CHARS, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            geometry = GEOSGeometry(value, srid=4326)
        except (GEOSException, ValueError, TypeError) as exc:
            raise ValidationError(_("The boundary could not be read; draw it again.")) from exc
        if not isinstance(geometry, Polygon | MultiPolygon):
            raise ValidationError(_("Draw the boundary as a polygon."))
        return geometry


class ProductionAreaForm(PointFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the area"), max_length=150, help_text=_("e.g. “Đồi chè Phìn Hồ”."))
    boundary = GeoJSONPolygonField(widget=forms.HiddenInput(attrs={"data-pick-boundary": ""}))
    lat, lng = _lat_lng_fields()
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.capacity_fields = []
        for kind in ProductKind.objects.all():
            name = f"capacity_{kind.code}"
            self.fields[name] = forms.DecimalField(
                label=_("%(product)s: yearly capacity (kg)") % {"product": localised(kind, "name")},
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=1,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
            )
            self.capacity_fields.append((name, kind))

    @property
    def capacity_bound_fields(self):
        return [self[name] for name, _kind in self.capacity_fields]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("boundary") is None and cleaned.get("point") is None and not self.errors:
            self.add_error("boundary", _("Draw the area on the map or place a point."))
        return cleaned

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "boundary": data["boundary"],
            "location": data["point"],
            "note": data["note"],
            "capacities": [(kind, data[name]) for name, kind in self.capacity_fields if data.get(name)],
        }

    @classmethod
    def initial_for(cls, area: ProductionArea) -> dict:
        initial = {"name": area.name, "note": area.note}
        if area.boundary is not None:
            initial["boundary"] = area.boundary.json
        if area.location is not None:
            initial["lat"], initial["lng"] = area.location.y, area.location.x
        for capacity in area.capacities.all():
            initial[f"capacity_{capacity.product_kind.code}"] = plain_number(capacity.yearly_kg)
        return initial


# --- Products, batches, events -----------------------------------------------------------------


class ProductForm(forms.Form):
    kind = LocalisedChoiceField(label=_("Kind of product"), queryset=ProductKind.objects.all(), empty_label=None)
    name_vi = forms.CharField(label=_("Name (Vietnamese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    description_vi = forms.CharField(
        label=_("Description (Vietnamese)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    unit = forms.ChoiceField(label=_("Sold by"), choices=Unit.choices)
    net_quantity = forms.DecimalField(
        label=_("Net quantity"),
        max_digits=10,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )
    net_quantity_unit = forms.ChoiceField(label=_("Unit of the net quantity"), choices=Product.NetUnit.choices)
    gtin = forms.CharField(
        label=_("GTIN (barcode)"),
        required=False,
        max_length=14,
        help_text=_("Optional: the 8, 12, 13 or 14 digits under the barcode."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    growing_region = RegionChoiceField(
        label=_("Growing region"),
        queryset=GrowingRegion.objects.select_related("product_kind").order_by("product_kind", "name"),
        required=False,
        empty_label=_("Not in a registered region"),
    )
    certificates = CertificateChoiceField(
        label=_("Certificates it relies on"),
        queryset=Certificate.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(
        label=_("Shown to consumers"),
        required=False,
        initial=True,
        help_text=_("Untick to hide it without deleting it."),
    )
    photos = MultipleFileField(
        label=_("Add photos"), help_text=_("JPEG, PNG or WebP; several at once. Location data is removed.")
    )
    audio = forms.FileField(
        label=_("Audio clip"),
        required=False,
        help_text=_("Record or choose a short description (MP3, Ogg, M4A or WebM; at most 3 minutes, 5 MB)."),
        widget=forms.FileInput(attrs={"accept": "audio/*", "capture": ""}),
    )

    def __init__(self, *args, producer: Producer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certificates"].queryset = Certificate.objects.filter(producer=producer)
        if not self.fields["certificates"].queryset.exists():
            del self.fields["certificates"]

    def service_values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name not in ("photos", "audio")}

    @staticmethod
    def initial_for(product: Product) -> dict:
        initial = {name: getattr(product, name) for name in ProductForm.base_fields if hasattr(product, name)}
        initial.pop("photos", None)
        initial.pop("audio", None)
        initial["kind"] = product.kind_id
        # Stored with three decimals: 200 g would come back into the form as "200.000".
        initial["net_quantity"] = plain_number(product.net_quantity)
        initial["growing_region"] = product.growing_region_id
        initial["certificates"] = [c.pk for c in product.certificates.all()]
        return initial


class BatchForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none(), empty_label=None)
    lot_code = forms.CharField(
        label=_("Lot code"),
        max_length=20,
        help_text=_("Printed on the stamps; letters, digits and - . / _ only."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )
    harvest_started_on = dates.DateField(label=_("Harvest date"), widget=DateInput())
    harvest_ended_on = dates.DateField(
        label=_("Harvest end date"),
        required=False,
        help_text=_("If the harvest took several days."),
        widget=DateInput(),
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    production_area = forms.ModelChoiceField(
        label=_("Production area"), queryset=ProductionArea.objects.none(), required=False, empty_label="—"
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, producer: Producer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(producer=producer).order_by("name_vi")
        self.fields["product"].label_from_instance = lambda product: product.name
        self.fields["production_area"].queryset = ProductionArea.objects.filter(producer=producer)

    @staticmethod
    def initial_from(previous: Batch, lot_code: str) -> dict:
        """Everything of the previous batch, with the next lot code and today's date: the template of a new one."""
        return {
            "product": previous.product_id,
            "lot_code": lot_code,
            "harvest_started_on": timezone.localdate(),
            "quantity": plain_number(previous.quantity),
            "unit": previous.unit,
            "production_area": previous.production_area_id,
            "note": previous.note,
        }


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class BatchEventForm(PointFormMixin, forms.Form):
    event_type = forms.ChoiceField(label=_("Step"), choices=BatchEvent.Type.choices)
    occurred_at = dates.DateTimeField(
        label=_("Time (Vietnam time)"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=LocalDateTimeInput(),
    )
    lat, lng = _lat_lng_fields()
    retail_point = forms.ModelChoiceField(
        label=_("Or the shop where it happened"),
        queryset=RetailPoint.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("Required for “received at a shop”."),
    )
    actor = forms.CharField(
        label=_("Done by"), required=False, max_length=150, help_text=_("A person, a team or a transport company.")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    photos = MultipleFileField(label=_("Photos"), max_files=6)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["retail_point"].queryset = RetailPoint.objects.public().order_by("name")
        self.fields["photos"].widget.attrs["capture"] = "environment"

    @staticmethod
    def initial_now() -> dict:
        return {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}


# --- Officials ---------------------------------------------------------------------------------


class ScheduleSurveyForm(forms.Form):
    scheduled_for = dates.DateField(label=_("Date of the visit"), widget=DateInput())
    note = forms.CharField(
        label=_("Note for the producer"),
        required=False,
        max_length=2000,
        help_text=_("Who comes, what to prepare (papers, access to the areas)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class SurveyForm(PointFormMixin, forms.Form):
    surveyed_on = dates.DateField(label=_("Date of the visit"), widget=DateInput())
    lat, lng = _lat_lng_fields()
    identity_confirmed = forms.TypedChoiceField(
        label=_("Identity and papers confirmed"), choices=YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect
    )
    certificates_genuine = forms.TypedChoiceField(
        label=_("Certificates genuine"), choices=YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect
    )
    areas_as_declared = forms.TypedChoiceField(
        label=_("Production areas as declared"), choices=YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect
    )
    gap_practice_seen = forms.TypedChoiceField(
        label=_("GAP practice seen"), choices=YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect
    )
    findings = forms.CharField(
        label=_("Findings"),
        required=False,
        max_length=5000,
        help_text=_("Required when a check is not passed."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = MultipleFileField(label=_("Photos"), max_files=10)

    CHECKLIST = ("identity_confirmed", "certificates_genuine", "areas_as_declared", "gap_practice_seen")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].widget.attrs["capture"] = "environment"

    def service_values(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in self.CHECKLIST}
        values.update(
            surveyed_on=data["surveyed_on"], location=data["point"], findings=data["findings"], photos=data["photos"]
        )
        return values


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        help_text=_("The producer reads it in the email and on their page."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ChangeDecisionForm(forms.Form):
    """An official's note on a change to verified data: optional to accept it, required to refuse it."""

    reason = forms.CharField(
        label=_("Note for the producer"),
        required=False,
        max_length=2000,
        help_text=_("Required to refuse: the producer reads it in the email and on their page."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReapplyForm(forms.Form):
    reason = forms.CharField(
        label=_("What did you correct?"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
