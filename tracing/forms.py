"""Forms of the producers' pages: the organisation, certificates and areas, products, batches and events.

They parse shapes; the services check the rules. Shared fields and the service errors put back on a
form: tracing/form_fields.py; officials' forms: tracing/official_forms.py; stamps': tracing/stamps/forms.py.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend import dates
from backend.bilingual import localised
from backend.formatting import plain_number
from geo.models import AdminUnit, GrowingRegion, ProductKind, RetailPoint
from tracing.form_fields import (
    CertificateChoiceField,
    CommuneChoiceField,
    DateInput,
    GeoJSONPolygonField,
    LocalDateTimeInput,
    LocalisedChoiceField,
    LocalisedMultipleChoiceField,
    MultipleFileField,
    PointFormMixin,
    RegionChoiceField,
    lat_lng_fields,
)
from tracing.models import Batch, BatchEvent, Certificate, Producer, Product, ProductionArea, Unit

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
    lat, lng = lat_lng_fields()
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


class ProductionAreaForm(PointFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the area"), max_length=150, help_text=_("e.g. “Đồi chè Phìn Hồ”."))
    boundary = GeoJSONPolygonField(widget=forms.HiddenInput(attrs={"data-pick-boundary": ""}))
    lat, lng = lat_lng_fields()
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


class BatchEventForm(PointFormMixin, forms.Form):
    event_type = forms.ChoiceField(label=_("Step"), choices=BatchEvent.Type.choices)
    occurred_at = dates.DateTimeField(
        label=_("Time (Vietnam time)"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=LocalDateTimeInput(),
    )
    lat, lng = lat_lng_fields()
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


class JourneyReasonMixin(forms.Form):
    reason = forms.CharField(
        label=_("Why it changes"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required once stamps of the batch are on products: officials read it."),
    )


class BatchEventEditForm(BatchEventForm, JourneyReasonMixin):
    """Correct a step: the same fields as adding one (its photos stay), and why."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["photos"]

    @staticmethod
    def initial_for(event: BatchEvent) -> dict:
        initial = {
            "event_type": event.event_type,
            "occurred_at": timezone.localtime(event.occurred_at).replace(second=0, microsecond=0),
            "retail_point": event.retail_point_id,
            "actor": event.actor,
            "note": event.note,
        }
        if event.location is not None:
            initial.update(lat=event.location.y, lng=event.location.x)
        return initial


class BatchEventDeleteForm(JourneyReasonMixin):
    pass


# --- Officials ---------------------------------------------------------------------------------


class ReapplyForm(forms.Form):
    reason = forms.CharField(
        label=_("What did you correct?"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
