"""What the forms of tracing's pages share: service errors put back on the form, widgets, fields, a map point.

A ValidationError raised by a service is put back on the form next to the field it names
(add_service_errors), so a page never answers a rule break with a 500."""

from __future__ import annotations

from django import forms
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from backend import storage
from backend.bilingual import localised
from geo import coordinates

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
                cleaned["point"] = coordinates.point(lat, lng)
            except ValueError as exc:
                self.add_error("lat", str(exc))
        cleaned.setdefault("point", None)
        return cleaned


def lat_lng_fields():
    return (
        forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-pick-lat": ""})),
        forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-pick-lng": ""})),
    )


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


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
