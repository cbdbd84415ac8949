"""manage.py load_geography: the Hà Giang units, places, growing regions and demo shops."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from geo.loading import load_geography


class Command(BaseCommand):
    help = (
        "Load the administrative units of Hà Giang before and after the 2025 reform, the gazetteer's "
        "places, the growing regions of tea, orange and honey and the demo retail points from "
        "fixtures/ (idempotent: a second run changes nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-demo-shops",
            action="store_true",
            help="Load the real geography only, not the fictional demo retail points.",
        )

    def handle(self, *args, without_demo_shops=False, **options):
        report = load_geography(
            stdout=self.stdout if options["verbosity"] > 1 else None,
            demo_retail_points=not without_demo_shops,
        )
        if report.changed_anything:
            created = sum(report.created.values())
            updated = sum(report.updated.values())
            self.stdout.write(
                self.style.SUCCESS(
                    _("Geography loaded: %(created)d rows created, %(updated)d updated.")
                    % {"created": created, "updated": updated}
                )
            )
        else:
            self.stdout.write(_("Geography already up to date: nothing changed."))
