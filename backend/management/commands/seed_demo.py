"""Load the Hà Giang fixtures and demo records, then print how to log in. Idempotent."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from backend import roles
from backend.services import user_create
from geo.loading import load_geography

DEMO_PASSWORD = "hagiang-demo-2026"  # noqa: S105 - printed on purpose for the local demo
DEMO_ACCOUNTS = [
    ("consumer", roles.CONSUMER, "Người tiêu dùng"),
    ("producer", roles.PRODUCER_STAFF, "Nhà sản xuất"),
    ("retailer", roles.RETAILER_STAFF, "Cửa hàng"),
    ("official", roles.OFFICIAL, "Cán bộ Sở Công Thương"),
    ("admin", roles.ADMINISTRATOR, "Quản trị"),
]


class Command(BaseCommand):
    help = "Load the Hà Giang fixtures and demo records (idempotent) and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo accounts.")

    @transaction.atomic
    def handle(self, *args, quiet=False, **options):
        for username, role, first_name in DEMO_ACCOUNTS:
            if not User.objects.filter(username=username).exists():
                user_create(
                    username=username,
                    email=f"{username}@demo.hagiang.local",
                    password=DEMO_PASSWORD,
                    role=role,
                    first_name=first_name,
                    is_staff=role in (roles.ADMINISTRATOR, roles.OFFICIAL),
                    is_superuser=role == roles.ADMINISTRATOR,
                )
        load_geography()
        if quiet:
            return
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD})"))
        for username, role, _label in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<10} {role}")
