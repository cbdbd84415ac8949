"""System checks of the deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_proxy_client_address(app_configs, **kwargs):
    """Behind a proxy without its header named, every client has the proxy's address: one limit for all."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and settings.TRUSTED_PROXY_HEADER == "none":
        return [
            Warning(
                "DJANGO_BEHIND_PROXY is on but TRUSTED_PROXY_HEADER is not set: every request seems to come "
                "from the proxy, so the per-client rate limits (logins, scans, the API) apply to all clients at once.",
                hint="Set TRUSTED_PROXY_HEADER=x-forwarded-for (or x-real-ip) as your proxy sends it; "
                "see docs/operations.md.",
                id="backend.W001",
            )
        ]
    return []
