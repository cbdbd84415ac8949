from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "geo"
    verbose_name = _("Geography")

    def ready(self):
        from django.db.models.signals import post_migrate

        from geo.product_kinds import ensure_base_kinds

        # A flush (between transactional tests) empties the table the data migration filled.
        post_migrate.connect(ensure_base_kinds, sender=self, dispatch_uid="geo.ensure_base_kinds")
