"""Stamp records for tests, made through the services: a run issued by an official, stamps on a batch."""

from __future__ import annotations

import csv
import io

import pytest

from tracing import services
from tracing.models import Stamp, StampRun
from tracing.stamps.selection import Selection


def issue(official, producer, quantity: int = 10, product=None, **kwargs) -> StampRun:
    return services.stamps_issue(by=official, producer=producer, quantity=quantity, product=product, **kwargs)


def stamps_of(run: StampRun) -> list[Stamp]:
    return list(Stamp.objects.filter(run=run).order_by("number"))


def pins_of(official, run: StampRun) -> dict[str, str]:
    """serial → PIN, read from the run's PIN list (which this takes: it can be taken once)."""
    _name, data = services.stamp_run_pins_take(by=official, run=run)
    return {row["serial"]: row["pin"] for row in csv.DictReader(io.StringIO(data.decode()))}


def activate_range(owner, batch, stamps: list[Stamp]) -> int:
    return services.stamps_activate(
        by=owner, batch=batch, selection=Selection(first=stamps[0].serial, last=stamps[-1].serial)
    )


def provinces():
    """Two current provinces with square boundaries: around Hà Giang city / Bắc Quang, and around Hà Nội."""
    from django.contrib.gis.geos import MultiPolygon

    from geo.models import AdminUnit
    from tests.tracing.conftest import square

    north = AdminUnit.objects.create(
        level="province", code="08", name="Tuyên Quang", boundary=MultiPolygon(square(104.3, 22.0, 1.2), srid=4326)
    )
    capital = AdminUnit.objects.create(
        level="province", code="01", name="Hà Nội", boundary=MultiPolygon(square(105.3, 20.6, 1.0), srid=4326)
    )
    return north, capital


HA_GIANG_LAT_LNG = (22.8233, 104.9784)
HA_NOI_LAT_LNG = (21.0285, 105.8542)


@pytest.fixture(autouse=True)
def product_kinds_present(request):
    """The product kinds of migration geo/0002, made again if a transactional test flushed them.

    Autouse in every module that imports it; runs before the `kinds` fixture reads them.
    """
    if not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    from tests.geo.pages_data import ensure_product_kinds

    ensure_product_kinds()
