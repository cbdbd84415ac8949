"""Forms of the stamp pages: parse and show errors; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.formatting import decimal_text
from tracing.models import Batch, Producer, Product
from tracing.models.stamps import MAX_RUN_SIZE
from tracing.stamps import layouts
from tracing.stamps.selection import parse_code


class CheckCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Stamp code"),
        max_length=200,
        help_text=_("The 14 characters under the QR code, e.g. ABCD-EFGH-JKMN-PQ."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self):
        try:
            return parse_code(self.cleaned_data["code"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class PinForm(forms.Form):
    pin = forms.CharField(
        label=_("PIN under the scratch layer"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9 \\-]*"}),
    )
    scan = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)


class ReportForm(forms.Form):
    serial = forms.CharField(label=_("Stamp code (if there is one)"), max_length=40, required=False)
    # A plain file field: tracing.uploads checks the content (format, size, pixels) with clear messages.
    photo = forms.FileField(
        label=_("Photo of the product or the stamp"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    place = forms.CharField(label=_("Where did you see it?"), max_length=200, required=False)
    shop = forms.CharField(label=_("Shop or seller"), max_length=200, required=False)
    note = forms.CharField(
        label=_("What did you notice?"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)


class IssueRunForm(forms.Form):
    producer = forms.ModelChoiceField(
        label=_("Producer"), queryset=Producer.objects.filter(status=Producer.Status.APPROVED)
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.filter(is_active=True, producer__status=Producer.Status.APPROVED).select_related(
            "producer"
        ),
        required=False,
        help_text=_("Printed on the labels. Leave empty for stamps that fit any of the producer's products."),
    )
    quantity = forms.IntegerField(label=_("Number of stamps"), min_value=1, max_value=MAX_RUN_SIZE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class SelectionFields(forms.Form):
    first = forms.CharField(label=_("First code of the range"), max_length=200, required=False)
    last = forms.CharField(label=_("Last code of the range"), max_length=200, required=False)
    serials = forms.CharField(
        label=_("Or a list of codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("One code per line: typed, or scanned with the camera button."),
    )


class ActivateForm(SelectionFields):
    batch = forms.ModelChoiceField(label=_("Batch"), queryset=Batch.objects.none())

    def __init__(self, *args, producer_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = (
            Batch.objects.filter(producer_id=producer_id)
            .exclude(status=Batch.Status.RECALLED)
            .select_related("product")
        )
        self.fields["batch"].label_from_instance = lambda b: f"{b.lot_code} — {b.product.name_vi}"


class RevokeForm(SelectionFields):
    reason = forms.CharField(label=_("Reason"), max_length=300)


def layout_label(layout: layouts.LabelLayout) -> str:
    """A label layout as a printer's customer names it: "A4 sheet, 3 × 8 labels of 70 × 37 mm"."""
    size = {"width": decimal_text(layout.label_width), "height": decimal_text(layout.label_height)}
    if layout.columns * layout.rows == 1:
        return gettext("Roll of labels of %(width)s × %(height)s mm") % size
    if layout.crop_marks:
        text = gettext("A4 sheet, %(columns)s × %(rows)s labels of %(width)s × %(height)s mm, with crop marks")
    else:
        text = gettext("A4 sheet, %(columns)s × %(rows)s labels of %(width)s × %(height)s mm")
    return text % {**size, "columns": layout.columns, "rows": layout.rows}


def layout_choices() -> list[tuple[str, str]]:
    return [(name, layout_label(layout)) for name, layout in layouts.PRESETS.items()]


class PrintForm(forms.Form):
    layout = forms.ChoiceField(label=_("Label layout"), choices=layout_choices, initial="a4-3x8-70x37")
    first = forms.IntegerField(label=_("From label number"), min_value=1, required=False)
    last = forms.IntegerField(label=_("To label number"), min_value=1, required=False)
