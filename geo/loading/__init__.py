"""Load the real Hà Giang geography and the demo retail points from fixtures/ (idempotent).

    from geo.loading import load_geography
    report = load_geography()          # or: manage.py load_geography

What is loaded, and from which file, is described in fixtures/README.md. Rows are keyed on stable
codes (level + official code + validity start; product kind + name; source + name; the demo shop's
name) and written only when they differ, so a second run changes nothing. A boundary imported from
an official file (`manage.py import_boundaries`) is never replaced by the loader's approximation.
"""

from django.db import transaction

from geo.loading.places import load_places
from geo.loading.regions import load_regions
from geo.loading.retail import load_demo_retail_points
from geo.loading.units import load_units
from geo.loading.upsert import LoadReport

__all__ = ["LoadReport", "load_geography"]


def load_geography(*, stdout=None, demo_retail_points: bool = True) -> LoadReport:
    """Load units, places, growing regions and (unless told not to) the demo shops, in one transaction.

    `stdout` (a file-like object) receives one line per model saying what was created or updated.
    """
    report = LoadReport()
    with transaction.atomic():
        units = load_units(report)
        load_places(report, units)
        load_regions(report, units)
        if demo_retail_points:
            load_demo_retail_points(report, units)
    if stdout is not None:
        for line in report.lines():
            stdout.write(line + "\n")
    return report
