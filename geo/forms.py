"""Forms of the geo pages: the consumer's shop search, the province map's filters and the units they offer."""

import datetime

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from geo.filters import page_filters
from geo.models import AdminUnit, ProductKind


class ProductKindChoiceField(forms.ModelChoiceField):
    """Product kinds by code (stable in links), labelled in the page's language."""

    def label_from_instance(self, obj):
        from django.utils.translation import get_language

        return obj.name_en if (get_language() or "vi").startswith("en") else obj.name_vi


class FindShopForm(forms.Form):
    """GET form: a typed place or the browser's location, a product kind, open now, the registered filters.

    lat/lng arrive together from "Use my location" (or a link to another place candidate) and then
    take precedence over the typed place; the view validates their range with geo.coordinates.
    """

    q = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=120,
        strip=True,
        help_text=_("A town, commune or city, e.g. Bắc Quang, Hà Giang, Hà Nội."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "address-level2", "enterkeyhint": "search"}),
    )
    product_kind = ProductKindChoiceField(
        label=_("Product"),
        queryset=ProductKind.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Any product"),
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    lat = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    lng = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A checkbox for each filter an app above geo registered with a label (e.g. the marketplace's
        # "Genuine, in stock"): the page knows them only through the registry.
        self.page_filters = [registered for name, registered in page_filters().items() if name not in self.fields]
        for registered in self.page_filters:
            self.fields[registered.name] = forms.BooleanField(
                label=registered.label, required=False, help_text=registered.help_text
            )

    def page_filter_fields(self):
        """The bound checkboxes of the registered filters, in the order they were registered."""
        return [self[registered.name] for registered in self.page_filters]

    def clean(self):
        cleaned = super().clean()
        lat, lng = cleaned.get("lat"), cleaned.get("lng")
        if bool(lat) != bool(lng):
            raise forms.ValidationError(_("Latitude and longitude must be given together."), code="coordinates")
        return cleaned


class ProvinceMapFilterForm(forms.Form):
    """The province map's filters; the map's script reads them and re-queries the API."""

    MAP_DATE_CHOICES = [
        ("2025-06-30", _("Before 1 July 2025 (with districts)")),
        ("2025-07-01", _("From 1 July 2025 (merged province)")),
    ]

    product_kind = ProductKindChoiceField(
        label=_("Product"),
        queryset=ProductKind.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All products"),
    )
    unit = forms.ChoiceField(label=_("Administrative unit"), required=False)
    valid_on = forms.ChoiceField(
        label=_("Administrative map"), choices=MAP_DATE_CHOICES, initial="2025-07-01", widget=forms.RadioSelect
    )
    verification = forms.ChoiceField(
        label=_("Verification"),
        required=False,
        choices=[
            ("verified", _("Verified only")),
            ("pending", _("Pending")),
            ("suspended", _("Suspended")),
            ("all", _("All statuses")),
        ],
    )

    def __init__(self, *args, units=(), show_verification=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units")), *units]
        if not show_verification:
            del self.fields["verification"]


def unit_choices(day: datetime.date) -> list:
    """Units in force on a day, grouped by level for the filter's <optgroup>s."""
    # Provinces known by name only (the national list, for delivery addresses) have nothing on the map.
    has_units = Exists(AdminUnit.objects.filter(parent=OuterRef("pk")))
    units = (
        AdminUnit.objects.valid_on(day)
        .exclude(Q(level=AdminUnit.Level.PROVINCE, boundary=None) & ~has_units)
        .only("pk", "name", "level")
        .order_by("name")
    )
    grouped: dict[str, list] = {}
    for unit in units:
        grouped.setdefault(unit.level, []).append((str(unit.pk), unit.name))
    labels = dict(AdminUnit.Level.choices)
    return [(str(labels[level]).capitalize(), grouped[level]) for level in AdminUnit.Level.values if level in grouped]
