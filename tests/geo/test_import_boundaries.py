import io
import json
import subprocess

import pytest
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from geo.loading import load_geography
from geo.models import AdminUnit, GrowingRegion

BAC_QUANG_LABEL = (104.90589, 22.39982)
ORANGE_REGION = "Vùng cam sành Hà Giang"


def square(lng, lat, half=0.05):
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lng - half, lat - half],
                [lng + half, lat - half],
                [lng + half, lat + half],
                [lng - half, lat + half],
                [lng - half, lat - half],
            ]
        ],
    }


def write_geojson(path, features):
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": props, "geometry": geometry} for props, geometry in features],
    }
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def to_shapefile(geojson_path, shp_path, *, srs="EPSG:32648"):
    """A real shapefile (.shp/.shx/.dbf/.prj) made by GDAL's ogr2ogr, reprojected to `srs`."""
    subprocess.run(
        ["ogr2ogr", "-f", "ESRI Shapefile", "-t_srs", srs, "-lco", "ENCODING=UTF-8", str(shp_path), str(geojson_path)],
        check=True,
        capture_output=True,
    )
    return shp_path


def run(*args):
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_boundaries", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def boundaries():
    """Everything an import may change, to check that a refused import changed nothing."""
    units = AdminUnit.objects.order_by("pk").values_list("pk", "boundary", "boundary_is_approximate", "boundary_source")
    regions = GrowingRegion.objects.order_by("pk").values_list(
        "pk", "boundary", "boundary_is_approximate", "boundary_source", "area_ha"
    )
    return [(row[0], row[1] and row[1].ewkb.hex(), *row[2:]) for row in [*units, *regions]]


def district(code):
    return AdminUnit.objects.get(level="district", code=code)


def test_geojson_replaces_an_approximate_district_boundary(hagiang_geography, tmp_path):
    path = write_geojson(tmp_path / "huyen.geojson", [({"ma_huyen": "034"}, square(*BAC_QUANG_LABEL))])

    output = run(
        path, "--target", "adminunit", "--level", "district", "--code-field", "ma_huyen", "--source", "Sở TN&MT"
    )

    bac_quang = district("034")
    expected = MultiPolygon(GEOSGeometry(json.dumps(square(*BAC_QUANG_LABEL))), srid=4326)
    assert bac_quang.boundary.equals_exact(expected, 1e-9)
    assert bac_quang.boundary_is_approximate is False
    assert bac_quang.boundary_source == "Sở TN&MT"
    assert district("035").boundary_is_approximate is True
    assert "Boundaries replaced: 1" in output


def test_shapefile_in_utm_is_reprojected_and_replaces_a_growing_region(hagiang_geography, tmp_path):
    polygon = square(104.85, 22.45, half=0.1)
    source = write_geojson(tmp_path / "vung.geojson", [({"name": ORANGE_REGION, "kind": "orange"}, polygon)])
    shapefile = to_shapefile(source, tmp_path / "vung_cam.shp")
    assert "UTM" in (tmp_path / "vung_cam.prj").read_text()

    run(shapefile, "--target", "region", "--product-field", "kind")

    region = GrowingRegion.objects.get(name=ORANGE_REGION)
    expected = GEOSGeometry(json.dumps(polygon), srid=4326)
    assert region.boundary.geom_type == "MultiPolygon"
    # Back in longitude/latitude to within a few millimetres (a shapefile may turn the rings around).
    assert region.boundary.sym_difference(expected).area < 1e-12
    assert region.boundary_is_approximate is False
    assert region.boundary_source == "Imported from vung_cam.shp"
    utm_area_ha = expected.transform(CoordTransform(SpatialReference(4326), SpatialReference(32648)), clone=True).area
    assert region.area_ha == pytest.approx(utm_area_ha / 10_000, rel=0.002)


def test_importing_the_same_file_twice_changes_nothing(hagiang_geography, tmp_path):
    path = write_geojson(tmp_path / "huyen.geojson", [({"code": "034"}, square(*BAC_QUANG_LABEL))])
    run(path, "--target", "adminunit", "--level", "district")
    before = boundaries()

    output = run(path, "--target", "adminunit", "--level", "district")

    assert "Boundaries replaced: 0; already up to date: 1." in output
    assert boundaries() == before


def test_reloading_the_fixtures_keeps_an_imported_boundary(hagiang_geography, tmp_path):
    path = write_geojson(tmp_path / "huyen.geojson", [({"code": "034"}, square(*BAC_QUANG_LABEL))])
    run(path, "--target", "adminunit", "--level", "district")
    before = boundaries()

    report = load_geography()

    assert boundaries() == before
    assert report.updated["administrative units"] == 0
    assert district("034").boundary_is_approximate is False


def test_validity_options_choose_between_the_old_and_the_2025_commune(hagiang_geography, tmp_path):
    path = write_geojson(tmp_path / "xa.geojson", [({"code": "00715"}, square(105.31552, 23.36106, half=0.02))])

    run(path, "--target", "adminunit", "--level", "commune", "--valid-from", "2025-07-01")

    assert AdminUnit.objects.get(code="00715", valid_from__isnull=False).boundary is not None
    assert AdminUnit.objects.get(code="00715", valid_from__isnull=True).boundary is None

    run(path, "--target", "adminunit", "--level", "commune", "--valid-on", "2024-01-01")

    assert AdminUnit.objects.get(code="00715", valid_from__isnull=True).boundary is not None


def test_a_shapefile_without_prj_is_read_with_the_coordinate_system_given(hagiang_geography, tmp_path):
    source = write_geojson(tmp_path / "src.geojson", [({"code": "034"}, square(*BAC_QUANG_LABEL))])
    to_shapefile(source, tmp_path / "huyen.shp")
    (tmp_path / "huyen.prj").unlink()

    run(tmp_path / "huyen.shp", "--target", "adminunit", "--level", "district", "--source-srs", "EPSG:32648")

    assert district("034").boundary.centroid.distance(GEOSGeometry("POINT (104.90589 22.39982)")) < 1e-6


def test_features_sharing_a_code_become_one_multipolygon(hagiang_geography, tmp_path):
    lng, lat = BAC_QUANG_LABEL
    path = write_geojson(
        tmp_path / "parts.geojson",
        [({"code": "034"}, square(lng, lat, half=0.02)), ({"code": "034"}, square(lng + 0.1, lat, half=0.02))],
    )

    run(path, "--target", "adminunit", "--level", "district")

    assert district("034").boundary.num_geom == 2


def _bowtie():
    lng, lat = BAC_QUANG_LABEL
    ring = [[lng, lat], [lng + 0.1, lat + 0.1], [lng + 0.1, lat], [lng, lat + 0.1], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _refusal_cases(tmp_path):
    good = square(*BAC_QUANG_LABEL)
    garbage = tmp_path / "garbage.geojson"
    garbage.write_text("this is not a boundary file", encoding="utf-8")
    no_prj = to_shapefile(write_geojson(tmp_path / "src.geojson", [({"code": "034"}, good)]), tmp_path / "noprj.shp")
    (tmp_path / "noprj.prj").unlink()
    return {
        "unreadable": ([garbage, "--target", "adminunit"], "garbage.geojson: cannot be read"),
        "missing file": ([tmp_path / "nowhere.geojson", "--target", "adminunit"], "nowhere.geojson: cannot be read"),
        "no such attribute": (
            [
                write_geojson(tmp_path / "a.geojson", [({"code": "034"}, good)]),
                "--target",
                "adminunit",
                "--code-field",
                "ma",
            ],
            "no attribute “ma”",
        ),
        "unknown code": (
            [write_geojson(tmp_path / "b.geojson", [({"code": "099"}, good)]), "--target", "adminunit"],
            "no administrative unit with code 099",
        ),
        "invalid geometry": (
            [write_geojson(tmp_path / "c.geojson", [({"code": "034"}, _bowtie())]), "--target", "adminunit"],
            "invalid geometry (Self-intersection",
        ),
        "points, not polygons": (
            [
                write_geojson(
                    tmp_path / "d.geojson", [({"code": "034"}, {"type": "Point", "coordinates": [104.9, 22.4]})]
                ),
                "--target",
                "adminunit",
            ],
            "polygons or multipolygons are required",
        ),
        "one bad feature among good ones": (
            [
                write_geojson(tmp_path / "e.geojson", [({"code": "034"}, good), ({"code": "035"}, _bowtie())]),
                "--target",
                "adminunit",
                "--level",
                "district",
            ],
            "e.geojson, feature 2: invalid geometry",
        ),
        "code of both the old and the 2025 commune": (
            [write_geojson(tmp_path / "f.geojson", [({"code": "00715"}, good)]), "--target", "adminunit"],
            "matches several units",
        ),
        "unknown region": (
            [write_geojson(tmp_path / "g.geojson", [({"name": "Vùng không có"}, good)]), "--target", "region"],
            "no growing region named “Vùng không có”",
        ),
        "unknown product kind": (
            [
                write_geojson(tmp_path / "h.geojson", [({"name": ORANGE_REGION}, good)]),
                "--target",
                "region",
                "--product-kind",
                "coffee",
            ],
            "unknown product kind “coffee”",
        ),
        "unknown coordinate system": (
            [no_prj, "--target", "adminunit", "--source-srs", "EPSG:999999"],
            "Unknown coordinate system “EPSG:999999”",
        ),
        "empty file": (
            [write_geojson(tmp_path / "empty.geojson", []), "--target", "adminunit"],
            "empty.geojson: no features",
        ),
        "shapefile without a coordinate system": (
            [no_prj, "--target", "adminunit"],
            "noprj.shp: no coordinate reference system",
        ),
    }


CASES = [
    "unreadable",
    "missing file",
    "no such attribute",
    "unknown code",
    "invalid geometry",
    "points, not polygons",
    "one bad feature among good ones",
    "code of both the old and the 2025 commune",
    "unknown region",
    "unknown product kind",
    "unknown coordinate system",
    "empty file",
    "shapefile without a coordinate system",
]


@pytest.mark.parametrize("case", CASES)
def test_a_bad_file_is_refused_whole_with_a_one_line_message(hagiang_geography, tmp_path, case):
    args, expected = _refusal_cases(tmp_path)[case]
    before = boundaries()

    with pytest.raises(CommandError) as refused:
        run(*args)

    message = str(refused.value)
    assert message.startswith("Nothing imported: ")
    assert expected in message
    assert "\n" not in message
    assert boundaries() == before
