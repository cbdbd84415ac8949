"""The gazetteer's places: GeoNames towns of Hà Giang and the city centres of the demo shops."""

from django.contrib.gis.geos import Point

from geo.loading import sources
from geo.loading.units import Units
from geo.loading.upsert import LoadReport, Rows, upsert
from geo.models import AdminUnit, Place

GEONAMES_SOURCE = "GeoNames (CC BY 4.0)"
CITY_CENTRE_SOURCE = "City centre, well-known coordinates"

_KIND_BY_FEATURE_CODE = {"PPLA": "city", "PPLA2": "town", "PPLA3": "village"}


def _geonames_place_unit(row: dict[str, str], units: Units) -> AdminUnit | None:
    """The pre-2025 commune the place was matched to, else its old district (the unit of its time)."""
    if row["old_unit_code"]:
        return units.communes_old[row["old_unit_code"]]
    return units.districts.get(row["old_district_gso_code"])


def load_places(report: LoadReport, units: Units) -> list[Place]:
    rows = Rows(Place.objects.filter(source__in=[GEONAMES_SOURCE, CITY_CENTRE_SOURCE]), ("source", "name"))
    loaded = []
    for row in sources.places():
        population = int(row["population"] or 0)
        loaded.append(
            upsert(
                report,
                rows,
                {"source": GEONAMES_SOURCE, "name": row["name"]},
                {
                    "kind": _KIND_BY_FEATURE_CODE.get(row["feature_code"], "place"),
                    "location": Point(float(row["lon"]), float(row["lat"]), srid=4326),
                    # GeoNames writes 0 for an unknown population.
                    "population": population or None,
                    "unit": _geonames_place_unit(row, units),
                    "external_id": row["geonameid"],
                },
            )
        )
    for city in sources.demo_retail()["city_centres"]:
        location = Point(city["lng"], city["lat"], srid=4326)
        province = AdminUnit.objects.filter(
            level=AdminUnit.Level.PROVINCE, valid_from=sources.REFORM_DAY, boundary__contains=location
        ).first()
        loaded.append(
            upsert(
                report,
                rows,
                {"source": CITY_CENTRE_SOURCE, "name": city["name"]},
                {"kind": "city", "location": location, "population": None, "unit": province, "external_id": ""},
            )
        )
    return loaded
