"""The admin site: Django's, with input it cannot use shown as a form error or left out, never a 500.

Two holes of Django's admin that a link or a form can open (found by the bad-input sweep):

* the "add" page takes initial values from its query string (`?commune=3`) and renders them
  without checking them: `?commune=abc` on a field with an autocomplete widget, or any value on a
  date-and-time field, was a 500 (ValueError, AttributeError) for the official who followed it.
  Values the form field would refuse are left out of the initial data;
* an autocomplete widget re-rendering a refused form looks its invalid value up in the database
  (`Field 'id' expected a number`). It shows only the values that can be ids.

Its login is limited like the site's (backend/login_limits.py).

Every ModelAdmin registered with the site (ours, Django's, the libraries') and its inlines get these
through `AdminSite.register`; settings install the site with `backend.apps.AdminConfig`.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError

from backend import login_limits
from backend.forms import LimitedAdminAuthenticationForm


def _usable(widget: AutocompleteMixin, value) -> bool:
    remote = widget.field.remote_field
    to_field = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
    try:
        to_field.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    return True


class _SafeAutocomplete:
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if _usable(self, v)], attr)


def _make_safe(widget) -> None:
    inner = getattr(widget, "widget", widget)  # RelatedFieldWidgetWrapper holds the real widget
    if isinstance(inner, AutocompleteMixin) and not isinstance(inner, _SafeAutocomplete):
        inner.__class__ = type(f"Safe{type(inner).__name__}", (_SafeAutocomplete, type(inner)), {})


class SafeInputMixin:
    """Mixed into every ModelAdmin and inline of the site (see the module's docstring)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            _make_safe(formfield.widget)
        return formfield

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        fields = self.get_form(request).base_fields
        usable = {}
        for name, value in initial.items():
            if name in fields:
                try:
                    fields[name].clean(value)
                except (ValidationError, ValueError, TypeError):
                    continue
            usable[name] = value
        return usable


def safe(admin_class: type) -> type:
    if issubclass(admin_class, SafeInputMixin):
        return admin_class
    attributes = {"__module__": admin_class.__module__}
    if getattr(admin_class, "inlines", None):
        attributes["inlines"] = [safe(inline) for inline in admin_class.inlines]
    return type(admin_class.__name__, (SafeInputMixin, admin_class), attributes)


class AdminSite(admin.AdminSite):
    """Django's admin site, with its login limited like the site's (backend/login_limits.py)."""

    login_form = LimitedAdminAuthenticationForm

    def login(self, request, extra_context=None):
        return login_limits.login_response(request, super().login(request, extra_context))

    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(model_or_iterable, safe(admin_class or admin.ModelAdmin), **options)
