"""Marketplace settings, with their defaults (backend/settings.py sets them from the environment)."""

from django.conf import settings

DEFAULT_UNPAID_TRANSFER_HOURS = 24
ANONYMOUS_CART_DAYS = 30


def unpaid_transfer_hours() -> int:
    """How long a bank-transfer order may stay unpaid before it expires and its stock goes back on sale."""
    return int(getattr(settings, "MARKETPLACE_UNPAID_TRANSFER_HOURS", DEFAULT_UNPAID_TRANSFER_HOURS))
