from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BackendConfig(AppConfig):
    name = "backend"
    verbose_name = _("Site and accounts")

    def ready(self):
        from backend import checks  # noqa: F401  (registers the deploy checks)
        from backend.roles import roles_sync_permissions

        # After every migrate, so that permissions of models added later reach their roles.
        post_migrate.connect(roles_sync_permissions, dispatch_uid="backend.roles_sync_permissions")
