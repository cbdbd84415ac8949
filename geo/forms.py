"""Forms of the geo pages: the consumer's shop search and the province map's filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from geo.models import ProductKind


class ProductKindChoiceField(forms.ModelChoiceField):
    """Product kinds by code (stable in links), labelled in the page's language."""

    def label_from_instance(self, obj):
        from django.utils.translation import get_language

        return obj.name_en if (get_language() or "vi").startswith("en") else obj.name_vi


class FindShopForm(forms.Form):
    """GET form: a typed place or the browser's location, a product kind, open now.

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
    in_stock = forms.BooleanField(
        label=_("Genuine, in stock"),
        required=False,
        help_text=_("Only shops the producer authorised that have the product in stock now."),
    )
    lat = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "In stock" is known only where an app above geo (the marketplace) registered it.
        from geo.filters import nearest_filters

        if "in_stock" not in nearest_filters():
            del self.fields["in_stock"]

    lng = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

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
