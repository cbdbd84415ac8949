"""Load the Hà Giang fixtures and demo records, then print how to log in and a few stamps. Idempotent."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from backend import roles
from backend.services import user_create
from geo.loading import load_geography
from marketplace.demo import market_demo
from tracing.demo import stamps_demo

DEMO_PASSWORD = "hagiang-demo-2026"  # noqa: S105 - printed on purpose for the local demo
DEMO_ACCOUNTS = [
    ("consumer", roles.CONSUMER, "Người tiêu dùng"),
    ("producer", roles.PRODUCER_STAFF, "Nhà sản xuất"),
    ("retailer", roles.RETAILER_STAFF, "Cửa hàng"),
    ("official", roles.OFFICIAL, "Cán bộ Sở Công Thương"),
    ("admin", roles.ADMINISTRATOR, "Quản trị"),
]
# The PINs of the demo stamps exist in clear only when the run is issued: keep them for later runs.
DEMO_STAMPS_FILE = Path(settings.BASE_DIR) / ".local" / "demo-stamps.txt"


class Command(BaseCommand):
    help = "Load the Hà Giang fixtures and demo records (idempotent) and print the demo accounts and stamps."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo accounts.")

    def handle(self, *args, quiet=False, **options):
        with transaction.atomic():
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
        producer_user = User.objects.get(username="producer")
        stamps = stamps_demo(official=User.objects.get(username="official"), producer_user=producer_user)
        market_demo(producer_user=producer_user, retailer_user=User.objects.get(username="retailer"))
        lines = [f"  {s['url']}  PIN {s['pin']}  ({s['status']})" for s in stamps if s["pin"]]
        if lines:
            DEMO_STAMPS_FILE.parent.mkdir(parents=True, exist_ok=True)
            DEMO_STAMPS_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
        elif DEMO_STAMPS_FILE.exists():
            lines = DEMO_STAMPS_FILE.read_text(encoding="utf-8").splitlines()
        else:
            lines = [f"  {s['url']}  ({s['status']})" for s in stamps]
        if quiet:
            return
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD})"))
        for username, role, _label in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<10} {role}")
        self.stdout.write(self.style.SUCCESS("Demo stamps (open one, then confirm it with its PIN)"))
        for line in lines[:6]:
            self.stdout.write(line)
