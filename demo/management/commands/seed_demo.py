"""Load the Hà Giang fixtures and the demo province, then print how to sign in and a few stamps to open."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from demo import province as spec
from demo.build import province_build
from demo.producers import accounts_ensure
from geo.loading import load_geography

# The PINs of the demo stamps exist in clear only when their run is issued: kept here for later runs.
DEMO_STAMPS_FILE = Path(settings.BASE_DIR) / ".local" / "demo-stamps.txt"


class Command(BaseCommand):
    help = "Load the Hà Giang fixtures and the demo province (idempotent); print the demo accounts and stamps."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo accounts and stamps.")

    def handle(self, *args, quiet=False, **options):
        started = time.monotonic()
        accounts_ensure()  # first: the demo shops name their staff accounts
        load_geography()
        province = province_build()
        lines = [f"  {s.url}  PIN {s.pin}  {s.producer}: {s.note}" for s in province.stamps if s.pin]
        if lines:
            DEMO_STAMPS_FILE.parent.mkdir(parents=True, exist_ok=True)
            DEMO_STAMPS_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
        elif DEMO_STAMPS_FILE.exists():
            lines = DEMO_STAMPS_FILE.read_text(encoding="utf-8").splitlines()
        else:
            lines = [f"  {s.url}  {s.producer}: {s.note}" for s in province.stamps]
        if quiet:
            return
        seconds = time.monotonic() - started
        verb = "built" if province.created else "already there"
        self.stdout.write(self.style.SUCCESS(f"Demo province {verb} ({seconds:.1f} s)"))
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {spec.PASSWORD})"))
        for account in spec.ACCOUNTS:
            self.stdout.write(f"  {account.username:<18} {account.role:<15} {account.first_name} {account.last_name}")
        self.stdout.write(self.style.SUCCESS("Demo stamps (open one; confirm a genuine one with its PIN)"))
        for line in lines:
            self.stdout.write(line)
