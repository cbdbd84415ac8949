"""Expire unpaid bank-transfer orders past their deadline (releasing their stock) and drop stale anonymous carts.

Run it every few minutes (cron, a systemd timer, or a loop beside `manage.py worker`):
    python manage.py expire_orders
"""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from marketplace.conf import ANONYMOUS_CART_DAYS
from marketplace.models import Cart
from marketplace.services import orders_expire


class Command(BaseCommand):
    help = "Expire overdue unpaid bank transfers (their stock goes back on sale) and delete stale anonymous carts."

    def handle(self, *args, **options):
        expired = orders_expire()
        cutoff = timezone.now() - datetime.timedelta(days=ANONYMOUS_CART_DAYS)
        carts, _details = Cart.objects.filter(owner__isnull=True, updated_at__lt=cutoff).delete()
        self.stdout.write(f"expired orders: {expired}; stale anonymous carts removed: {carts}")
