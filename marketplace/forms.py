"""Forms of the marketplace pages. Forms parse and check shapes; services check the rules."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from backend import dates
from geo import coordinates
from geo.models import AdminUnit, ProductKind, RetailPoint
from marketplace.banks import bank_choices, bank_for_bin
from marketplace.models import Listing, Order, SellerProfile
from marketplace.workflow import Carrier
from tracing.models import Certificate, Product


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


class KindChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name_en if _english() else obj.name_vi


class CatalogueForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "enterkeyhint": "search", "placeholder": _("e.g. cam sành")}),
    )
    kind = KindChoiceField(
        label=_("Product"),
        queryset=ProductKind.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Any product"),
    )
    producer = forms.TypedChoiceField(label=_("Producer"), required=False, coerce=int, empty_value=None)
    area = forms.TypedChoiceField(label=_("Area"), required=False, coerce=int, empty_value=None)
    certificate = forms.ChoiceField(label=_("Certificate"), required=False)
    in_season = forms.BooleanField(label=_("In season now"), required=False)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].choices = [("", _("Any producer"))] + [(p.pk, p.name) for p in choices["producers"]]
        self.fields["area"].choices = [("", _("Anywhere"))] + [(a.pk, a.name) for a in choices["areas"]]
        self.fields["certificate"].choices = [("", _("Any certificate")), *Certificate.Scheme.choices]


class AddToCartForm(forms.Form):
    listing = forms.ModelChoiceField(queryset=Listing.objects.all(), widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000, initial=1)


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        parent = f", {obj.parent.name}" if obj.parent_id else ""
        return f"{obj.name}{parent}"


class CommuneSelect(forms.Select):
    """Communes grouped by province, each option naming its province (`data-province`) for the script
    that shows only the chosen province's communes."""

    def __init__(self, *args, provinces: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.provinces = provinces or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = getattr(value, "value", value)
        if key in self.provinces:
            option["attrs"]["data-province"] = self.provinces[key]
        return option


class CheckoutForm(forms.Form):
    """Contact, delivery (home: commune, address, map pin; pickup: one shop per producer), payment, note.

    No price, fee or total is read from the form: the server computes them.
    """

    checkout_token = forms.UUIDField(widget=forms.HiddenInput)
    contact_name = forms.CharField(
        label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=30, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("We send the link to follow your order here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    delivery_method = forms.ChoiceField(
        label=_("Delivery"), choices=Order.Delivery.choices, widget=forms.RadioSelect, initial=Order.Delivery.PICKUP
    )
    province = forms.ModelChoiceField(
        label=_("Province or city"),
        queryset=AdminUnit.objects.none(),
        required=False,
        empty_label=_("Choose a province"),
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
    )
    commune = CommuneChoiceField(
        label=_("Commune"), queryset=AdminUnit.objects.none(), required=False, empty_label=_("Choose a commune")
    )
    commune_name = forms.CharField(
        label=_("Commune or ward, if it is not in the list"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        required=False,
        help_text=_("House number, street or village."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    payment_method = forms.ChoiceField(
        label=_("Payment"), choices=Order.Payment.choices, widget=forms.RadioSelect, initial=Order.Payment.CASH
    )
    note = forms.CharField(
        label=_("Note for the producer"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, provinces, communes, pickup_choices: dict, **kwargs):
        """`provinces` and `communes`: where the cart's producers deliver (communes only those we hold);
        `pickup_choices`: producer → list of (RetailPoint, distance text or '') it offers for pickup."""
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces
        commune = self.fields["commune"]
        commune.queryset = communes
        grouped: dict = {}
        for unit in communes:
            grouped.setdefault(unit.parent.name if unit.parent_id else "", []).append((unit.pk, unit.name))
        commune.widget = CommuneSelect(provinces={unit.pk: unit.parent_id for unit in communes})
        commune.choices = [("", commune.empty_label), *((name, options) for name, options in grouped.items())]
        self.pickup_field_names = {}
        for producer, points in pickup_choices.items():
            name = f"pickup_{producer.pk}"
            self.pickup_field_names[producer.pk] = name
            self.fields[name] = forms.ModelChoiceField(
                label=_("Pickup point for %(producer)s") % {"producer": producer.name},
                queryset=RetailPoint.objects.filter(pk__in=[p.pk for p, _d in points]),
                required=False,
                empty_label=None if points else _("No pickup point offered"),
                widget=forms.RadioSelect,
            )
            self.fields[name].choices = [
                (p.pk, f"{p.name} — {p.address}" + (f" ({d})" if d else "")) for p, d in points
            ]
            if points:
                self.fields[name].initial = points[0][0].pk

    @staticmethod
    def new_token() -> uuid.UUID:
        return uuid.uuid4()

    def clean(self):
        cleaned = super().clean()
        lat, lng = cleaned.get("lat"), cleaned.get("lng")
        cleaned["location"] = None
        if lat is not None and lng is not None:
            try:
                cleaned["location"] = coordinates.point(lat, lng)
            except ValueError as error:
                self.add_error(None, str(error))
        cleaned["pickup_points"] = {
            producer_id: cleaned.get(name) for producer_id, name in self.pickup_field_names.items() if cleaned.get(name)
        }
        return cleaned

    def pickup_fields(self):
        return [self[name] for name in self.pickup_field_names.values()]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ShipForm(forms.Form):
    """The carrier and tracking number of a shipped order (checked again by workflow.shipping_details)."""

    carrier = forms.ChoiceField(
        label=_("Carrier"), required=False, choices=[("", _("Choose the carrier")), *Carrier.choices]
    )
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        required=False,
        max_length=60,
        help_text=_("Optional for your own delivery."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class StampSerialsForm(forms.Form):
    serials = forms.CharField(
        label=_("Stamp codes"),
        help_text=_("One per line, as printed under the QR code."),
        widget=forms.Textarea(attrs={"rows": 4, "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_serials(self):
        return [line.strip() for line in self.cleaned_data["serials"].splitlines() if line.strip()]


class ListingForm(forms.ModelForm):
    class Meta:
        model = Listing
        fields = [
            "price_vnd",
            "unit",
            "stock",
            "min_per_order",
            "max_per_order",
            "home_delivery",
            "pickup_points",
            "available_from",
            "available_to",
            "allow_preorder",
            "is_active",
        ]
        field_classes = {"available_from": dates.DateField, "available_to": dates.DateField}
        widgets = {
            "available_from": forms.DateInput(attrs={"type": "date"}),
            "available_to": forms.DateInput(attrs={"type": "date"}),
            "pickup_points": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, producer, **kwargs):
        from marketplace.services import pickup_point_choices

        super().__init__(*args, **kwargs)
        points = self.fields["pickup_points"]
        points.queryset = pickup_point_choices(producer.pk).order_by("name")
        points.required = False
        points.help_text = _("Your own shops and the shops you authorised as resellers (on the Resellers page).")
        points.error_messages["invalid_choice"] = _(
            "Choose pickup points among your own shops and your authorised resellers."
        )
        if self.instance.pk is None:
            self.fields["product"] = forms.ModelChoiceField(
                label=_("Product"),
                queryset=Product.objects.filter(producer=producer, is_active=True, listing__isnull=True),
            )
            self.order_fields(["product"])


class BankSelect(forms.Select):
    """The banks' names are their registered Vietnamese names: proper names, marked so (HTML `translate="no"`)
    that neither a browser's translator nor a reader takes them for text of the page's language."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value and bank_for_bin(str(value)) is not None:
            option["attrs"] = {**option["attrs"], "translate": "no", "lang": "vi"}
        return option


class SellerProfileForm(forms.ModelForm):
    """Selling terms. The bank is picked from the list of Vietnamese banks (the form sends its NAPAS BIN)."""

    bank_bin = forms.ChoiceField(
        label=_("Bank"),
        required=False,
        widget=BankSelect,
        help_text=_("The bank of the account that receives VietQR transfers."),
        error_messages={"invalid_choice": _("Choose your bank from the list.")},
    )

    class Meta:
        model = SellerProfile
        fields = [
            "bank_bin",
            "bank_account",
            "bank_account_name",
            "delivery_areas",
            "delivery_fee_vnd",
            "nationwide_fee_vnd",
            "free_delivery_from_vnd",
        ]
        widgets = {"delivery_areas": forms.SelectMultiple(attrs={"size": 10})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("No bank transfers")), *bank_choices()]
        stored = self.instance.bank_bin
        if stored and bank_for_bin(stored) is None:
            # Saved before the list existed: still offered, so that saving other terms keeps it.
            choices.append((stored, _("Bank code %(bin)s (not in the list)") % {"bin": stored}))
        self.fields["bank_bin"].choices = choices
        areas = self.fields["delivery_areas"]
        areas.queryset = (
            AdminUnit.objects.current()
            .filter(level__in=[AdminUnit.Level.PROVINCE, AdminUnit.Level.COMMUNE])
            .select_related("parent")
            .order_by("level", "parent__name", "name")
        )
        areas.required = False
        areas.help_text = _(
            "Whole provinces (any of Viet Nam's 34) or single communes. On a computer, hold Ctrl (⌘ on a Mac) "
            "to choose several."
        )
        provinces, communes = [], {}
        for unit in areas.queryset:
            if unit.level == AdminUnit.Level.PROVINCE:
                provinces.append((unit.pk, unit.name))
            else:
                communes.setdefault(unit.parent.name if unit.parent_id else "", []).append((unit.pk, unit.name))
        areas.choices = [
            (_("Whole provinces"), provinces),
            *((_("Communes of %(province)s") % {"province": name}, options) for name, options in communes.items()),
        ]


class RetailStockForm(forms.Form):
    """A shop's product list: each known product of an approved producer, carried or not, in stock or not."""

    def __init__(self, *args, products, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.products = list(products)
        for product in self.products:
            row = current.get(product.pk)
            self.fields[f"carry_{product.pk}"] = forms.BooleanField(
                label=product.name_vi, required=False, initial=row is not None
            )
            self.fields[f"stock_{product.pk}"] = forms.BooleanField(
                label=_("in stock"), required=False, initial=bool(row and row.in_stock)
            )

    def rows(self):
        return [(product, self[f"carry_{product.pk}"], self[f"stock_{product.pk}"]) for product in self.products]

    def declared(self):
        return [
            (product, self.cleaned_data[f"stock_{product.pk}"])
            for product in self.products
            if self.cleaned_data[f"carry_{product.pk}"]
        ]
