"""manage.py import_boundaries FILE [FILE …]: official boundaries replace the approximations."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from geo.loading.boundaries import ADMIN_UNIT, REGION, TARGETS, BoundaryFileError, ImportOptions, import_boundaries
from geo.models import AdminUnit


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text}) from error


class Command(BaseCommand):
    help = (
        "Replace the boundaries of administrative units or growing regions with the polygons of "
        "shapefiles or GeoJSON files (reprojected to EPSG:4326). Idempotent; a file with any bad "
        "feature is refused whole and nothing changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Shapefiles (.shp with .dbf, .shx, .prj) or GeoJSON files.")
        parser.add_argument("--target", required=True, choices=TARGETS, help="What the polygons are the boundaries of.")
        parser.add_argument(
            "--code-field", default="code", help="adminunit: attribute holding the official (GSO) code. Default: code."
        )
        parser.add_argument(
            "--name-field", default="name", help="region: attribute holding the growing region's name. Default: name."
        )
        parser.add_argument("--product-field", help="region: attribute holding the product kind code (tea, orange…).")
        parser.add_argument("--product-kind", help="region: the product kind code of every feature.")
        parser.add_argument("--level", choices=AdminUnit.Level.values, help="adminunit: only units of this level.")
        parser.add_argument(
            "--valid-from",
            help="adminunit: only units valid from this date (YYYY-MM-DD), or 'none' for units without a start "
            "date (the map before the 2025 reform).",
        )
        parser.add_argument("--valid-on", help="adminunit: only units in force on this date (YYYY-MM-DD).")
        parser.add_argument(
            "--source", help="Where the boundaries come from (stored with them). Default: the file names."
        )
        parser.add_argument("--source-srs", help="Coordinate system of files that do not declare one, e.g. EPSG:32648.")

    def handle(self, *args, files, target, **options):
        if target == REGION and options["product_field"] and options["product_kind"]:
            raise CommandError(_("Give --product-field or --product-kind, not both."))
        if target == ADMIN_UNIT and (options["product_field"] or options["product_kind"]):
            raise CommandError(_("--product-field and --product-kind apply to --target region only."))
        valid_from = options["valid_from"]
        import_options = ImportOptions(
            target=target,
            key_field=options["code_field"] if target == ADMIN_UNIT else options["name_field"],
            product_field=options["product_field"],
            product_kind=options["product_kind"],
            level=options["level"],
            valid_from=_date(valid_from) if valid_from and valid_from.lower() != "none" else None,
            valid_from_unset=bool(valid_from) and valid_from.lower() == "none",
            valid_on=_date(options["valid_on"]) if options["valid_on"] else None,
            source=options["source"],
            source_srs=options["source_srs"],
        )
        paths = [Path(name) for name in files]
        try:
            result = import_boundaries(paths, import_options)
        except BoundaryFileError as error:
            raise CommandError(_("Nothing imported: %(reason)s") % {"reason": error}) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Boundaries replaced: %(updated)d; already up to date: %(unchanged)d.")
                % {"updated": len(result.updated), "unchanged": len(result.unchanged)}
            )
        )
        if options["verbosity"] > 1:
            for name in result.updated:
                self.stdout.write(f"  {name}")
