from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Oversight")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from oversight import audit, casework
        from tracing import audit as tracing_audit

        # tracing's services write the audit trail and open cases through these (explicit calls, no signals).
        tracing_audit.connect(recorder=audit.record, queue=casework)
