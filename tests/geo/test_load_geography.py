import datetime
import io

import pytest
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.core.management import call_command
from django.db.models import F
from django.utils import translation

from geo.loading import load_geography
from geo.models import AdminUnit, GrowingRegion, OpeningException, OpeningPeriod, Place, RetailPoint
from tests.conftest import make_user

BEFORE_REFORM = datetime.date(2024, 6, 1)
AFTER_REFORM = datetime.date(2025, 8, 1)
UTM_48N = CoordTransform(SpatialReference(4326), SpatialReference(32648))


def unit(level, code, *, after_reform):
    valid_from = datetime.date(2025, 7, 1) if after_reform else None
    return AdminUnit.objects.get(level=level, code=code, valid_from=valid_from)


def utm_area_km2(geometry):
    """Planar area in UTM zone 48N (Hà Giang lies on its central meridian 105° E): independent of PostGIS."""
    return geometry.transform(UTM_48N, clone=True).area / 1e6


def snapshot():
    return {
        "units": list(
            AdminUnit.objects.order_by("pk").values_list(
                "pk",
                "level",
                "code",
                "valid_from",
                "valid_to",
                "name",
                "parent",
                "boundary",
                "centre",
                "boundary_source",
            )
        ),
        "successors": sorted(AdminUnit.successors.through.objects.values_list("from_adminunit", "to_adminunit")),
        "places": list(Place.objects.order_by("pk").values_list("pk", "source", "name", "unit", "location")),
        "regions": list(GrowingRegion.objects.order_by("pk").values_list("pk", "name", "area_ha", "boundary")),
        "region_units": sorted(GrowingRegion.units.through.objects.values_list("growingregion", "adminunit")),
        "retail": sorted(RetailPoint.objects.values_list("pk", "name", "verification_status", "updated_at")),
        "hours": sorted(OpeningPeriod.objects.values_list("pk", "retail_point", "weekday", "opens", "closes")),
        "exceptions": sorted(OpeningException.objects.values_list("pk", "retail_point", "date", "closed")),
    }


def test_loader_creates_the_real_units_places_regions_and_demo_shops(hagiang_geography):
    provinces = AdminUnit.objects.filter(level=AdminUnit.Level.PROVINCE)
    assert list(
        provinces.exclude(boundary=None)
        .order_by("code", F("valid_from").asc(nulls_first=True))
        .values_list("code", "name", "valid_from", "valid_to")
    ) == [
        ("02", "Tỉnh Hà Giang", None, datetime.date(2025, 6, 30)),
        ("08", "Tỉnh Tuyên Quang", None, datetime.date(2025, 6, 30)),
        ("08", "Tỉnh Tuyên Quang", datetime.date(2025, 7, 1), None),
    ]
    # Viet Nam's 34 provinces of 2025, the others by name and code only (home delivery goes anywhere).
    current = provinces.filter(valid_from=datetime.date(2025, 7, 1), valid_to=None)
    assert current.count() == 34
    assert set(current.values_list("code", "name").filter(code__in=["01", "79", "96"])) == {
        ("01", "Thành phố Hà Nội"),
        ("79", "Thành phố Hồ Chí Minh"),
        ("96", "Tỉnh Cà Mau"),
    }
    assert AdminUnit.objects.filter(level=AdminUnit.Level.DISTRICT, parent__code="02").count() == 11
    communes = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE)
    assert communes.filter(valid_to=datetime.date(2025, 6, 30), parent__level="district").count() == 193
    assert (
        communes.filter(valid_from=datetime.date(2025, 7, 1), parent__valid_from=datetime.date(2025, 7, 1)).count()
        == 73
    )
    assert Place.objects.count() >= 18
    assert Place.objects.filter(external_id="8473997").exists()  # GeoNames: Thị Trấn Việt Quang
    assert sorted(GrowingRegion.objects.values_list("product_kind__code", flat=True)) == ["honey", "orange", "tea"]
    assert RetailPoint.objects.count() >= 40


def test_second_run_changes_nothing_and_creates_no_duplicates(hagiang_geography):
    before = snapshot()

    report = load_geography()

    assert not report.changed_anything
    assert snapshot() == before


def test_load_geography_command_says_when_nothing_changed(hagiang_geography):
    out = io.StringIO()
    with translation.override("en"):
        call_command("load_geography", stdout=out)
    assert "nothing changed" in out.getvalue()


def test_reload_puts_back_a_unit_that_was_edited(hagiang_geography):
    commune = unit("commune", "00715", after_reform=True)
    commune.name = "Xã Lũng Cú (sửa nhầm)"
    commune.save()

    report = load_geography()

    assert report.updated["administrative units"] == 1
    assert unit("commune", "00715", after_reform=True).name == "Xã Lũng Cú"


def test_command_can_leave_out_the_demo_shops(db):
    call_command("load_geography", "--without-demo-shops", stdout=io.StringIO())
    assert AdminUnit.objects.count() == 3 + 33 + 11 + 193 + 73
    assert not RetailPoint.objects.exists()


def test_a_2024_address_still_shows_its_district_and_the_old_province(hagiang_geography):
    commune = AdminUnit.objects.valid_on(BEFORE_REFORM).get(level="commune", code="00715")
    assert commune.parent.name == "Huyện Đồng Văn"
    assert commune.parent.parent.name == "Tỉnh Hà Giang"

    today = AdminUnit.objects.valid_on(AFTER_REFORM).get(level="commune", code="00715")
    assert today.pk != commune.pk
    assert today.parent.name == "Tỉnh Tuyên Quang"
    assert today.parent.code == "08"


@pytest.mark.parametrize(
    ("old_code", "new_codes"),
    [
        ("00688", {"00691", "00694"}),  # Phường Quang Trung was split into Hà Giang 2 and Hà Giang 1
        ("00736", {"00733"}),  # Xã Xà Phìn → Xã Sà Phìn
        ("01207", {"01201"}),  # Xã Tiên Kiều → Xã Hùng An
        ("00916", {"00913"}),  # Thị trấn Nông Trường Việt Lâm → Xã Vị Xuyên
    ],
)
def test_pre2025_communes_lead_to_their_2025_communes(hagiang_geography, old_code, new_codes):
    old = unit("commune", old_code, after_reform=False)
    successors = old.successors.all()
    assert {s.code for s in successors} == new_codes
    assert all(s.valid_from == datetime.date(2025, 7, 1) for s in successors)


def test_2025_commune_knows_the_communes_it_was_made_of(hagiang_geography):
    lung_cu = unit("commune", "00715", after_reform=True)
    assert sorted(lung_cu.predecessors.filter(level="commune").values_list("name", flat=True)) == [
        "Xã Lũng Cú",
        "Xã Lũng Táo",
        "Xã Má Lé",
    ]
    assert list(lung_cu.predecessors.filter(level="district").values_list("name", flat=True)) == ["Huyện Đồng Văn"]


def test_old_provinces_and_districts_lead_to_the_new_map(hagiang_geography):
    new_tuyen_quang = unit("province", "08", after_reform=True)
    assert list(unit("province", "02", after_reform=False).successors.all()) == [new_tuyen_quang]
    assert list(unit("province", "08", after_reform=False).successors.all()) == [new_tuyen_quang]
    bac_quang = unit("district", "034", after_reform=False)
    assert sorted(bac_quang.successors.values_list("code", flat=True)) == [
        "01153", "01156", "01165", "01171", "01180", "01192", "01201", "01216",
    ]  # fmt: skip


def test_every_district_centre_lies_inside_its_approximate_boundary(hagiang_geography):
    districts = AdminUnit.objects.filter(level="district")
    assert districts.count() == 11
    for district in districts:
        assert district.boundary.contains(district.centre), district.name


def test_district_sketches_tile_the_province_outline_without_overlap(hagiang_geography):
    province = unit("province", "02", after_reform=False)
    cells = [d.boundary for d in AdminUnit.objects.filter(level="district")]
    total = sum(utm_area_km2(cell) for cell in cells)
    assert total == pytest.approx(utm_area_km2(province.boundary), rel=0.001)
    # Hà Giang's published area is 7,929 km²; Natural Earth's 1:10m outline comes within 1 %.
    assert total == pytest.approx(7929, rel=0.01)
    for index, cell in enumerate(cells):
        for other in cells[index + 1 :]:
            assert utm_area_km2(cell.intersection(other)) < 0.01


def test_region_area_equals_the_area_of_its_districts_measured_independently(hagiang_geography):
    orange = GrowingRegion.objects.get(product_kind__code="orange")
    districts = AdminUnit.objects.filter(level="district", code__in=["030", "034", "035"])
    expected_ha = sum(utm_area_km2(d.boundary) for d in districts) * 100
    assert orange.area_ha == pytest.approx(expected_ha, rel=0.005)


def test_region_areas_are_plausible(hagiang_geography):
    province_ha = utm_area_km2(unit("province", "02", after_reform=False).boundary) * 100
    areas = dict(GrowingRegion.objects.values_list("product_kind__code", "area_ha"))
    # Đồng Văn + Mèo Vạc + Yên Minh + Quản Bạ: about 2,340 km² on the official map.
    assert 150_000 < areas["honey"] < 350_000
    assert all(0 < area < province_ha for area in areas.values())
    assert areas["tea"] > areas["orange"]  # six districts against three


def test_regions_carry_their_protection_and_elevation(hagiang_geography):
    honey = GrowingRegion.objects.get(product_kind__code="honey")
    assert honey.designation == GrowingRegion.Designation.GEOGRAPHICAL_INDICATION
    assert "Mèo Vạc" in honey.designation_detail
    assert (honey.elevation_min_m, honey.elevation_max_m) == (1000, 1600)
    assert honey.description_vi and honey.description_en
    orange = GrowingRegion.objects.get(product_kind__code="orange")
    assert "cam sành" in orange.designation_detail
    assert orange.elevation_min_m is None


def test_regions_link_the_real_communes_they_were_drawn_around(hagiang_geography):
    orange = GrowingRegion.objects.get(product_kind__code="orange")
    linked = set(orange.units.values_list("level", "code", "valid_from"))
    assert ("commune", "01207", None) in linked  # Xã Tiên Kiều, in the GI list
    assert ("commune", "01201", datetime.date(2025, 7, 1)) in linked  # Xã Hùng An, its 2025 commune
    assert ("district", "034", None) in linked
    tea = GrowingRegion.objects.get(product_kind__code="tea")
    # Lũng Phìn has ancient tea but lies outside the GI's districts: not in the region.
    assert not tea.units.filter(code="00763").exists()
    assert not tea.boundary.contains(unit("district", "026", after_reform=False).centre)


def test_every_approximate_geometry_says_so(hagiang_geography):
    with_boundary = AdminUnit.objects.filter(boundary__isnull=False)
    assert with_boundary.count() == 3 + 11
    for item in with_boundary:
        assert item.boundary_is_approximate, item.name
        assert "Natural Earth" in item.boundary_source
    for district in with_boundary.filter(level="district"):
        assert district.boundary_source.startswith("APPROXIMATION")
        assert "63%" in district.boundary_source
    assert not AdminUnit.objects.filter(level="commune", boundary__isnull=False).exists()
    for region in GrowingRegion.objects.all():
        assert region.boundary_is_approximate
        assert region.boundary_source.startswith("APPROXIMATION drawn around real communes")


def test_places_link_the_commune_of_their_time_and_give_communes_a_centre(hagiang_geography):
    viet_quang = Place.objects.get(name="Thị Trấn Việt Quang")
    assert viet_quang.unit == unit("commune", "01153", after_reform=False)
    assert viet_quang.unit.name == "Thị trấn Việt Quang"
    assert unit("commune", "01153", after_reform=True).centre.equals_exact(viet_quang.location, 1e-9)
    assert Place.objects.get(name="Hà Giang").unit.name == "Thành phố Hà Giang"
    hanoi = Place.objects.get(name="Hà Nội")
    assert hanoi.kind == "city"
    assert hanoi.location.y == pytest.approx(21.03, abs=0.05)


def test_demo_shops_are_labelled_and_varied(hagiang_geography):
    shops = RetailPoint.objects.all()
    assert all(shop.name.endswith("(demo)") for shop in shops)
    assert set(shops.values_list("kind", flat=True)) == set(RetailPoint.Kind.values)
    statuses = list(shops.values_list("verification_status", flat=True))
    assert statuses.count("verified") > len(statuses) / 2
    assert "pending" in statuses and "suspended" in statuses
    for shop in shops.filter(verification_status="verified"):
        assert shop.verified_at is not None
    assert set(shops.values_list("product_kinds__code", flat=True)) == {"tea", "orange", "honey"}
    assert all(shop.phone.startswith("0") for shop in shops)


def test_demo_shops_have_weekly_hours_lunch_breaks_sundays_off_and_tet(hagiang_geography):
    shop = RetailPoint.objects.get(name="Cửa hàng Cam sành Bắc Quang (demo)")
    monday = list(shop.opening_periods.filter(weekday=0).values_list("opens", "closes"))
    assert monday == [(datetime.time(7, 30), datetime.time(11, 30)), (datetime.time(13, 30), datetime.time(17, 30))]
    assert not shop.opening_periods.filter(weekday=6).exists()
    tet = shop.opening_exceptions.get(date=datetime.date(2027, 2, 6))
    assert tet.closed
    assert "Tết" in tet.note
    assert shop.commune == unit("commune", "01153", after_reform=True)


def test_retailer_and_official_users_are_attached_when_they_exist(db):
    retailer = make_user("retailer")
    official = make_user("official")

    load_geography()

    shops = RetailPoint.objects.filter(staff=retailer)
    assert 2 <= shops.count() <= 3
    old_ha_giang = unit("province", "02", after_reform=False)
    assert all(old_ha_giang.boundary.contains(shop.location) for shop in shops)
    assert RetailPoint.objects.filter(verification_status="verified", verified_by=official).count() > 20
    assert not RetailPoint.objects.filter(verification_status="pending", verified_by__isnull=False).exists()
