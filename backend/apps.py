from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class BackendConfig(AppConfig):
    default = True  # the app's own config; AdminConfig below is named in INSTALLED_APPS by its path
    name = "backend"
    verbose_name = _("Site and accounts")

    def ready(self):
        from django.contrib.auth import get_user_model

        from backend import checks, tokens  # noqa: F401  (checks registers the deploy checks)
        from backend.roles import roles_sync_permissions

        # After every migrate, so that permissions of models added later reach their roles.
        post_migrate.connect(roles_sync_permissions, dispatch_uid="backend.roles_sync_permissions")
        user_model = get_user_model()
        pre_save.connect(tokens.note_password_change, sender=user_model, dispatch_uid="backend.tokens.note")
        post_save.connect(tokens.revoke_after_password_change, sender=user_model, dispatch_uid="backend.tokens.revoke")


class AdminConfig(admin_apps.AdminConfig):
    """The admin on our AdminSite (backend/admin.py): its login counts failures like the site's, and bad input
    in its forms is a form error, not a 500."""

    default = False  # named in INSTALLED_APPS; BackendConfig is this module's default
    default_site = "backend.admin.AdminSite"
