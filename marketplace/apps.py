from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Marketplace")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from marketplace import locator, signals

        locator.register()
        user_logged_in.connect(signals.merge_cart_at_login, dispatch_uid="marketplace_merge_cart")
