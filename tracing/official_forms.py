"""Forms of the officials' pages: scheduling and recording a field survey, decisions on an application or a change."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from backend import dates
from tracing.form_fields import (
    DateInput,
    MultipleFileField,
    PointFormMixin,
    lat_lng_fields,
)


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
    lat, lng = lat_lng_fields()
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
