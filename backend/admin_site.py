"""The admin site: Django's, with its login limited like the site's (backend/login_limits.py)."""

from django.contrib import admin

from backend import login_limits
from backend.forms import LimitedAdminAuthenticationForm


class AdminSite(admin.AdminSite):
    login_form = LimitedAdminAuthenticationForm

    def login(self, request, extra_context=None):
        return login_limits.login_response(request, super().login(request, extra_context))
