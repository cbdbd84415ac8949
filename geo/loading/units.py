"""Provinces, the 11 old districts and the communes before and after the 2025 reform."""

from dataclasses import dataclass, field

from django.contrib.gis.geos import Point

from geo import approximations
from geo.loading import sources
from geo.loading.upsert import LoadReport, Rows, sync_relation, upsert
from geo.models import AdminUnit
from geo.text import fold

OLD_HA_GIANG = "02"
TUYEN_QUANG = "08"

DISTRICT_BOUNDARY_SOURCE = (
    "APPROXIMATION, not a boundary: the Voronoi cell of this district's official label point among "
    "the 11 label points of Hà Giang's districts (OCHA HDX COD-AB Viet Nam, CC BY 3.0 IGO), clipped "
    "to the Natural Earth 1:10m outline of Hà Giang, computed in PostGIS (ST_VoronoiPolygons + "
    "ST_Intersection). Measured against real district outlines such cells overlap only about 63% on "
    "average. Replace it with an official file: manage.py import_boundaries --target adminunit."
)


@dataclass
class Units:
    """The loaded units, by official code, for the loaders that link to them."""

    provinces: dict[tuple[str, bool], AdminUnit] = field(default_factory=dict)  # (code, after reform)
    districts: dict[str, AdminUnit] = field(default_factory=dict)
    district_cells: dict[str, object] = field(default_factory=dict)  # code → approximate MultiPolygon
    communes_old: dict[str, AdminUnit] = field(default_factory=dict)
    communes_new: dict[str, AdminUnit] = field(default_factory=dict)
    rows: Rows | None = None

    @property
    def tuyen_quang_2025(self) -> AdminUnit:
        return self.provinces[(TUYEN_QUANG, True)]


def ascii_name(name: str) -> str:
    """'Huyện Bắc Quang' → 'Huyen Bac Quang' (as the official ASCII lists write it)."""
    return fold(name).title()


def _place_points() -> tuple[dict[str, Point], dict[str, Point]]:
    """Centre points of communes from the GeoNames places: (pre-2025 code → point, 2025 code → point).

    Where several places fall in one 2025 commune, the one that was its namesake seat wins.
    """
    old, new = {}, {}
    for row in sources.places():
        point = Point(float(row["lon"]), float(row["lat"]), srid=4326)
        if row["old_unit_code"]:
            old.setdefault(row["old_unit_code"], point)
        new_code = row["new_commune_code_2025"]
        if new_code and (new_code not in new or row["old_unit_code"] == new_code):
            new[new_code] = point
    return old, new


def _load_provinces(report: LoadReport, units: Units) -> None:
    for province in sources.provinces():
        after_reform = province.valid_from is not None
        units.provinces[(province.code, after_reform)] = upsert(
            report,
            units.rows,
            {"level": AdminUnit.Level.PROVINCE, "code": province.code, "valid_from": province.valid_from},
            {
                "kind": "Tỉnh",
                "name": province.name,
                "name_ascii": ascii_name(province.name),
                "parent": None,
                "valid_to": province.valid_to,
                "boundary": province.boundary,
                "boundary_source": province.source,
                "boundary_is_approximate": True,
                "centre": None,
            },
        )


def _load_national_provinces(report: LoadReport, units: Units) -> None:
    """The other 33 provinces of 2025, by name and code only: home delivery can go anywhere in Viet Nam.

    Tuyên Quang (08) is the one loaded above with its outline.
    """
    for row in sources.provinces_2025():
        if (row["code"], True) in units.provinces:
            continue
        units.provinces[(row["code"], True)] = upsert(
            report,
            units.rows,
            {"level": AdminUnit.Level.PROVINCE, "code": row["code"], "valid_from": sources.REFORM_DAY},
            {
                "kind": row["kind"],
                "name": row["name"],
                "name_ascii": ascii_name(row["name"]),
                "parent": None,
                "valid_to": None,
                "boundary": None,
                "boundary_source": "",
                "boundary_is_approximate": False,
                "centre": None,
            },
        )


def _load_districts(report: LoadReport, units: Units) -> None:
    old_ha_giang = next(p for p in sources.provinces() if p.code == OLD_HA_GIANG)
    districts = sources.districts()
    units.district_cells = approximations.voronoi_cells_clipped(
        {district.code: district.label_point for district in districts}, old_ha_giang.boundary
    )
    for district in districts:
        units.districts[district.code] = upsert(
            report,
            units.rows,
            {"level": AdminUnit.Level.DISTRICT, "code": district.code, "valid_from": None},
            {
                "kind": district.kind,
                "name": district.name,
                "name_ascii": ascii_name(district.name),
                "parent": units.provinces[(OLD_HA_GIANG, False)],
                "valid_to": sources.LAST_DAY_BEFORE_REFORM,
                "boundary": units.district_cells[district.code],
                "boundary_source": DISTRICT_BOUNDARY_SOURCE,
                "boundary_is_approximate": True,
                "centre": district.label_point,
            },
        )


def _load_communes(report: LoadReport, units: Units) -> None:
    old_points, new_points = _place_points()
    no_boundary = {"boundary": None, "boundary_source": "", "boundary_is_approximate": False}
    for row in sources.communes_2025():
        units.communes_new[row["new_code"]] = upsert(
            report,
            units.rows,
            {"level": AdminUnit.Level.COMMUNE, "code": row["new_code"], "valid_from": sources.REFORM_DAY},
            {
                "kind": row["new_type"],
                "name": row["new_name"],
                "name_ascii": row["new_name_ascii"],
                "parent": units.tuyen_quang_2025,
                "valid_to": None,
                "centre": new_points.get(row["new_code"]),
                **no_boundary,
            },
        )
    for row in sources.communes_pre2025():
        commune = upsert(
            report,
            units.rows,
            {"level": AdminUnit.Level.COMMUNE, "code": row["old_code"], "valid_from": None},
            {
                "kind": row["old_type"],
                "name": row["old_name"],
                "name_ascii": ascii_name(row["old_name"]),
                "parent": units.districts[row["old_district_code"]],
                "valid_to": sources.LAST_DAY_BEFORE_REFORM,
                "centre": old_points.get(row["old_code"]),
                **no_boundary,
            },
        )
        units.communes_old[row["old_code"]] = commune


def _link_successors(report: LoadReport, units: Units) -> None:
    """Old province → 2025 province; old district and old commune → the 2025 communes they went to."""
    wanted = {units.provinces[(code, False)].pk: {units.tuyen_quang_2025.pk} for code in (OLD_HA_GIANG, TUYEN_QUANG)}
    for district in sources.districts():
        wanted[units.districts[district.code].pk] = {units.communes_new[code].pk for code in district.communes_2025}
    for row in sources.communes_pre2025():
        wanted[units.communes_old[row["old_code"]].pk] = {
            units.communes_new[code].pk for code in sources.codes(row["new_code_2025"])
        }
    sync_relation(report, AdminUnit, "successors", wanted)


def load_units(report: LoadReport) -> Units:
    codes = {province.code for province in sources.provinces()}
    codes |= {row["code"] for row in sources.provinces_2025()}
    codes |= {district.code for district in sources.districts()}
    codes |= {row["old_code"] for row in sources.communes_pre2025()}
    codes |= {row["new_code"] for row in sources.communes_2025()}
    units = Units(rows=Rows(AdminUnit.objects.filter(code__in=codes), ("level", "code", "valid_from")))
    _load_provinces(report, units)
    _load_national_provinces(report, units)
    _load_districts(report, units)
    _load_communes(report, units)
    _link_successors(report, units)
    return units
