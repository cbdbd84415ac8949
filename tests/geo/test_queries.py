"""geo.nearest, geo.containment, geo.geojson: nearest shops (exact, index-assisted), viewports, GeoJSON, 2025 map."""

import datetime
import math
import random

import pytest
from django.db import connection
from django.db.models import Q
from geopy.distance import geodesic

from geo import coordinates
from geo.containment import (
    regions_containing,
    retail_points_in_bbox,
    retail_points_in_region,
    retail_points_in_unit,
    units_containing,
)
from geo.coordinates import directions_urls, validate_lat_lng
from geo.geojson import retail_points_geojson
from geo.models import GrowingRegion, ProductKind, RetailPoint
from geo.nearest import nearest_retail_point_rows, nearest_retail_points, nearest_retail_points_sql
from tests.geo.retail_factories import PENDING, SUSPENDED, VERIFIED, VIET_QUANG, box, make_point, make_reorganised_map

pytestmark = pytest.mark.django_db

KINDS = ("tea", "orange", "honey")


def _random_points(count: int, seed: int) -> list[RetailPoint]:
    """`count` shops scattered over northern Việt Nam, some unverified, inactive or selling nothing."""
    rng = random.Random(seed)
    kinds = {kind.code: kind for kind in ProductKind.objects.filter(code__in=KINDS)}
    points = RetailPoint.objects.bulk_create(
        RetailPoint(
            name=f"Shop {index}",
            address="Hà Giang",
            location=coordinates.point(rng.uniform(20.5, 23.4), rng.uniform(103.5, 106.6)),
            verification_status=rng.choices([VERIFIED, PENDING, SUSPENDED], weights=[8, 1, 1])[0],
            is_active=rng.random() > 0.05,
        )
        for index in range(count)
    )
    through = RetailPoint.product_kinds.through
    through.objects.bulk_create(
        through(retailpoint_id=point.pk, productkind_id=kinds[code].pk)
        for point in points
        for code in rng.sample(KINDS, rng.randint(0, 3))
    )
    return points


def _brute_force(lat, lng, *, limit, radius_m=None, product_kind=None):
    """The expected answer: every public point measured with geopy's geodesic, sorted, cut."""
    rows = []
    for point in RetailPoint.objects.public().prefetch_related("product_kinds"):
        if product_kind and product_kind not in {kind.code for kind in point.product_kinds.all()}:
            continue
        metres = geodesic((lat, lng), (point.location.y, point.location.x)).meters
        if radius_m is not None and metres > radius_m:
            continue
        rows.append((metres, point.pk))
    rows.sort()
    return rows[:limit]


def random_queries(seed: int, *, count: int = 24, limits=(1, 3, 10, 25, 50), kinds=(None, *KINDS)):
    """`count` nearest-shop queries around Hà Giang: (lat, lng, limit, radius_m or None, product kind or None)."""
    rng = random.Random(seed)
    for _query in range(count):
        lat, lng = rng.uniform(20.8, 23.2), rng.uniform(103.8, 106.3)
        yield lat, lng, rng.choice(limits), rng.choice([None, None, 15_000, 40_000, 120_000]), rng.choice(kinds)


def test_nearest_equals_a_brute_force_geodesic_ranking_on_random_points_and_filters():
    _random_points(300, seed=20250701)
    for lat, lng, limit, radius_m, product_kind in random_queries(7):
        expected = _brute_force(lat, lng, limit=limit, radius_m=radius_m, product_kind=product_kind)
        found = list(nearest_retail_points(lat=lat, lng=lng, limit=limit, radius_m=radius_m, product_kind=product_kind))
        context = f"query at {lat:.4f},{lng:.4f} limit={limit} radius={radius_m} kind={product_kind}"
        assert [point.pk for point in found] == [pk for _metres, pk in expected], context
        for point, (metres, _pk) in zip(found, expected, strict=True):
            assert point.distance_m == pytest.approx(metres, abs=0.05), context


def test_nearest_breaks_a_near_tie_by_the_geodesic_not_by_the_sphere():
    # Due north and due east of the origin at the same sphere distance: on the WGS84 ellipsoid the
    # north-south one is ~0.6 % shorter at this latitude, so it must come first.
    origin = (22.8, 104.98)
    north = make_point("North", 22.8 + 0.09, 104.98)
    east = make_point("East", 22.8, 104.98 + 0.09 / math.cos(math.radians(22.8)) * 0.997)
    found = list(nearest_retail_points(lat=origin[0], lng=origin[1], limit=1))
    expected = min((geodesic(origin, (p.location.y, p.location.x)).meters, p.pk) for p in (north, east))
    assert found[0].pk == expected[1]


def test_nearest_hides_unverified_suspended_and_inactive_shops_unless_asked():
    make_point("Pending", 22.80, 104.98, status=PENDING)
    make_point("Suspended", 22.80, 104.99, status=SUSPENDED)
    make_point("Closed down", 22.80, 105.00, active=False)
    visible = make_point("Genuine", 22.9, 105.1)
    assert [p.pk for p in nearest_retail_points(lat=22.8, lng=104.98)] == [visible.pk]
    assert len(nearest_retail_points(lat=22.8, lng=104.98, verified_only=False)) == 4


def test_nearest_radius_includes_a_shop_just_inside_and_excludes_one_just_outside():
    shop = make_point("Shop", 22.81, 104.98)
    metres = geodesic((22.8, 104.98), (22.81, 104.98)).meters
    assert [p.pk for p in nearest_retail_points(lat=22.8, lng=104.98, radius_m=metres + 0.5)] == [shop.pk]
    assert list(nearest_retail_points(lat=22.8, lng=104.98, radius_m=metres - 0.5)) == []


@pytest.mark.parametrize("radius_m", [1, 500_000])
def test_nearest_accepts_the_smallest_and_largest_radius(radius_m):
    make_point("Here", 22.8, 104.98)
    assert len(nearest_retail_points(lat=22.8, lng=104.98, radius_m=radius_m)) == 1


@pytest.mark.parametrize("radius_m", [0, 0.5, 500_001, -10, math.nan, math.inf, "far"])
def test_nearest_refuses_a_radius_out_of_bounds(radius_m):
    with pytest.raises(ValueError, match="radius_m"):
        nearest_retail_points(lat=22.8, lng=104.98, radius_m=radius_m)


def test_nearest_limit_edges_one_fifty_and_fewer_matches_than_asked():
    for index in range(60):
        make_point(f"Shop {index}", 22.8 + index * 0.001, 104.98)
    assert [p.name for p in nearest_retail_points(lat=22.8, lng=104.98, limit=1)] == ["Shop 0"]
    assert len(nearest_retail_points(lat=22.8, lng=104.98, limit=50)) == 50
    # 0.001° of latitude is ~110.7 m here: shops 0…9 lie within 1 km (shop 9 at ~996 m), shop 10 beyond.
    assert len(nearest_retail_points(lat=22.8, lng=104.98, limit=50, radius_m=1_000)) == 10


@pytest.mark.parametrize("limit", [0, 51, -1, 2.5, "10", True])
def test_nearest_refuses_a_limit_out_of_bounds(limit):
    with pytest.raises(ValueError, match="limit"):
        nearest_retail_points(lat=22.8, lng=104.98, limit=limit)


def test_nearest_with_an_unknown_product_kind_finds_nothing():
    make_point("Shop", 22.8, 104.98)
    assert list(nearest_retail_points(lat=22.8, lng=104.98, product_kind="durian")) == []


def test_nearest_applies_an_extra_condition_from_a_caller_above_geo():
    make_point("Aaa", 22.8, 104.98)
    far = make_point("Bbb", 23.0, 105.2)
    found = nearest_retail_points(lat=22.8, lng=104.98, extra=Q(name__startswith="B"))
    assert [p.pk for p in found] == [far.pk]


@pytest.mark.parametrize(
    ("lat", "lng", "field"),
    [
        (math.nan, 104.9, "lat"),
        (22.8, math.nan, "lng"),
        (math.inf, 104.9, "lat"),
        (22.8, -math.inf, "lng"),
        (90.0001, 104.9, "lat"),
        (-91, 104.9, "lat"),
        (22.8, 180.5, "lng"),
        (22.8, -181, "lng"),
        ("north", 104.9, "lat"),
        (None, 104.9, "lat"),
        (22.8, "", "lng"),
    ],
)
def test_bad_coordinates_are_refused_with_the_coordinate_named(lat, lng, field):
    with pytest.raises(ValueError, match=field):
        validate_lat_lng(lat, lng)
    with pytest.raises(ValueError, match=field):
        nearest_retail_points(lat=lat, lng=lng)


def test_point_swaps_the_axis_order_for_geos():
    where = coordinates.point(22.8, 104.98)
    assert (where.x, where.y, where.srid) == (104.98, 22.8, 4326)


def _gist_index_name() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes "
            "WHERE tablename = 'geo_retailpoint' AND indexdef LIKE '%%USING gist (location)%%'"
        )
        return cursor.fetchone()[0]


def test_nearest_plan_walks_the_gist_index_and_never_sorts_every_row():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO geo_retailpoint (name, kind, address, location, phone, zalo, photo, verification_status,
                                         is_active, created_at, updated_at)
            SELECT 'Shop ' || n, 'shop', 'Hà Giang',
                   ST_SetSRID(ST_MakePoint(103.5 + random() * 3, 20.5 + random() * 3), 4326)::geography,
                   '', '', '', CASE WHEN n % 10 = 0 THEN 'pending' ELSE 'verified' END, true, now(), now()
            FROM generate_series(1, 20000) AS n
            """
        )
        cursor.execute(
            """
            INSERT INTO geo_retailpoint_product_kinds (retailpoint_id, productkind_id)
            SELECT rp.id, pk.id FROM geo_retailpoint rp JOIN geo_productkind pk ON pk.code = 'orange'
            WHERE rp.id % 3 = 0
            """
        )
        cursor.execute("ANALYZE geo_retailpoint")
        cursor.execute("ANALYZE geo_retailpoint_product_kinds")
    plan = nearest_retail_points(lat=22.8, lng=104.98, limit=10, product_kind="orange").explain()
    index = _gist_index_name()
    assert f"Index Scan using {index} on geo_retailpoint" in plan, plan
    assert "Order By: (location <-> " in plan, plan  # the KNN step
    assert "Seq Scan on geo_retailpoint" not in plan, plan
    assert "Sort Key: ((location <->" not in plan and "Sort Key: ((w0.location <->" not in plan, plan
    # The only sort is of the small band fetched through the index by the KNN bound.
    assert "_st_expand" in plan, plan


# --- viewports, units, regions ------------------------------------------------------------------


def test_bbox_includes_points_on_its_edges_and_excludes_those_outside():
    inside = make_point("Inside", 22.5, 105.0)
    corner = make_point("Corner", 22.0, 104.5)
    make_point("West", 22.5, 104.4999)
    make_point("North", 23.0001, 105.0)
    found = set(retail_points_in_bbox(104.5, 22.0, 105.5, 23.0).values_list("pk", flat=True))
    assert found == {inside.pk, corner.pk}


def test_a_wide_bbox_follows_the_parallels_not_great_circles():
    # Near the middle of a 10° wide box, a great circle between the top corners bulges north of the
    # parallel; a point just above the box there must still be outside, one just below inside.
    below_top = make_point("Below the top edge", 19.99, 105.0)
    make_point("Above the top edge", 20.02, 105.0)
    above_bottom = make_point("Above the bottom edge", 10.01, 105.0)
    make_point("Below the bottom edge", 9.98, 105.0)
    found = set(retail_points_in_bbox(100.0, 10.0, 110.0, 20.0).values_list("pk", flat=True))
    assert found == {below_top.pk, above_bottom.pk}


@pytest.mark.parametrize(
    "bbox",
    [(105.5, 22.0, 104.5, 23.0), (104.5, 23.0, 105.5, 22.0), (104.5, 22.0, 104.5, 23.0), (104.5, -95, 105, 22)],
)
def test_an_inverted_empty_or_out_of_range_bbox_is_refused(bbox):
    with pytest.raises(ValueError):
        retail_points_in_bbox(*bbox)


def test_units_containing_a_point_follow_the_2025_reorganisation():
    units = make_reorganised_map()
    lat, lng = VIET_QUANG
    in_2024 = list(units_containing(lat, lng, on=datetime.date(2024, 5, 1)))
    in_2026 = list(units_containing(lat, lng, on=datetime.date(2026, 1, 15)))
    assert in_2024 == [units["ha_giang"], units["bac_quang_district"]]
    assert [unit.name for unit in in_2024] == ["Tỉnh Hà Giang", "Huyện Bắc Quang"]
    assert in_2026 == [units["tuyen_quang"], units["bac_quang_commune"]]
    assert list(units_containing(lat, lng, on=datetime.date(2024, 5, 1), level="district")) == [
        units["bac_quang_district"]
    ]
    # The last day of the old map and the first of the new one.
    assert units["bac_quang_district"] in units_containing(lat, lng, on=datetime.date(2025, 6, 30))
    assert units["bac_quang_district"] not in units_containing(lat, lng, on=datetime.date(2025, 7, 1))


def test_no_unit_contains_a_point_far_away():
    make_reorganised_map()
    assert list(units_containing(10.8, 106.7, on=datetime.date(2024, 5, 1))) == []


def test_retail_points_in_a_unit_are_those_inside_its_boundary():
    units = make_reorganised_map()
    inside = make_point("In Việt Quang", *VIET_QUANG)
    make_point("In Hà Giang city", 22.82, 104.98)
    found = retail_points_in_unit(units["bac_quang_district"])
    assert [p.pk for p in found] == [inside.pk]
    assert retail_points_in_unit(units["ha_giang"]).count() == 2


def _orange_region() -> GrowingRegion:
    return GrowingRegion.objects.create(
        name="Vùng cam sành Bắc Quang",
        product_kind=ProductKind.objects.get(code="orange"),
        boundary=box(104.7, 22.3, 105.0, 22.5),
        boundary_source="Test rectangle",
    )


def test_regions_containing_a_point_and_points_inside_a_region():
    region = _orange_region()
    inside = make_point("Orchard shop", *VIET_QUANG)
    make_point("Elsewhere", 22.82, 104.98)
    assert list(regions_containing(*VIET_QUANG)) == [region]
    assert list(regions_containing(22.82, 104.98)) == []
    assert [p.pk for p in retail_points_in_region(region)] == [inside.pk]


# --- GeoJSON -----------------------------------------------------------------------------------------


def test_geojson_is_built_in_one_query_with_coordinates_rounded_to_a_metre(django_assert_num_queries):
    import json

    point = make_point("Cam Việt Quang", 22.4051234567, 104.8209876543, kinds=("orange", "tea"))
    with django_assert_num_queries(1):
        body = retail_points_geojson(RetailPoint.objects.order_by("pk"))
    collection = json.loads(body)
    assert collection["type"] == "FeatureCollection"
    (feature,) = collection["features"]
    assert feature["id"] == point.pk
    assert feature["geometry"] == {"type": "Point", "coordinates": [104.82099, 22.40512]}
    assert feature["properties"] == {
        "name": "Cam Việt Quang",
        "kind": "shop",
        "verified": True,
        "product_kinds": ["orange", "tea"],
    }


def test_geojson_of_nothing_is_an_empty_collection():
    import json

    assert json.loads(retail_points_geojson(RetailPoint.objects.none()))["features"] == []


def test_directions_links_open_osm_and_google_at_the_shop():
    links = directions_urls(22.405, 104.82)
    assert links["osm"].startswith("https://www.openstreetmap.org/directions?")
    assert "22.405000%2C104.820000" in links["osm"]
    assert links["google"] == "https://www.google.com/maps/dir/?api=1&destination=22.405000%2C104.820000"


@pytest.mark.parametrize(
    ("radius_m", "product_kind", "limit"),
    [(None, None, 10), (2500.5, None, 1), (None, "tea", 50), (40_000, "orange", 7)],
)
def test_the_api_statement_reuses_a_compiled_shape_equal_to_a_fresh_compilation(radius_m, product_kind, limit):
    from django.utils import timezone

    rng = random.Random(11)
    moment = timezone.now()
    for _ in range(3):
        lat, lng = rng.uniform(8.6, 23.4), rng.uniform(102.1, 109.5)
        cached = nearest_retail_points_sql(
            lat=lat, lng=lng, at=moment, limit=limit, radius_m=radius_m, product_kind=product_kind
        )
        # An `extra` condition that changes nothing forces the ORM to compile the statement afresh.
        fresh = nearest_retail_points_sql(
            lat=lat, lng=lng, at=moment, limit=limit, radius_m=radius_m, product_kind=product_kind, extra=Q()
        )
        assert cached[0] == fresh[0]
        assert [str(value) for value in cached[1]] == [str(value) for value in fresh[1]]


def _api_rows(lat, lng, *, limit, radius_m=None, product_kind=None):
    from django.utils import timezone

    rows = nearest_retail_point_rows(
        lat=lat, lng=lng, at=timezone.now(), limit=limit, radius_m=radius_m, product_kind=product_kind
    )
    return [(row.id, row.distance_m) for row in rows]


def test_the_api_statement_equals_a_brute_force_geodesic_ranking_on_random_points_and_filters():
    _random_points(300, seed=20251128)
    for lat, lng, limit, radius_m, product_kind in random_queries(17):
        expected = _brute_force(lat, lng, limit=limit, radius_m=radius_m, product_kind=product_kind)
        found = _api_rows(lat, lng, limit=limit, radius_m=radius_m, product_kind=product_kind)
        context = f"query at {lat:.4f},{lng:.4f} limit={limit} radius={radius_m} kind={product_kind}"
        assert [pk for pk, _metres in found] == [pk for _metres, pk in expected], context
        for (_pk, metres), (expected_metres, _) in zip(found, expected, strict=True):
            assert metres == pytest.approx(expected_metres, abs=0.05), context


@pytest.mark.parametrize("limit", [1, 3, 10])
def test_the_api_statement_stays_exact_when_many_shops_are_almost_equidistant(limit):
    # Twenty shops on a circle of ~5 km: their sphere distances differ by far less than the 2 % band,
    # so the candidates past the limit-th are inside it and the statement must also scan the band.
    # The geodesic ranks them by bearing (the ellipsoid is flatter north-south), not by the sphere.
    origin = (22.8, 104.98)
    ring = []
    for index in range(20):
        bearing = math.radians(index * 18 + 7)
        dlat = 0.045 * math.cos(bearing)
        dlng = 0.045 * math.sin(bearing) / math.cos(math.radians(origin[0]))
        ring.append(make_point(f"Ring {index}", origin[0] + dlat, origin[1] + dlng))
    make_point("Far", 23.3, 104.98)
    expected = _brute_force(*origin, limit=limit)
    found = _api_rows(*origin, limit=limit)
    assert [pk for pk, _metres in found] == [pk for _metres, pk in expected]
    assert [pk for pk, _metres in found] == [
        point.pk for point in nearest_retail_points(lat=origin[0], lng=origin[1], limit=limit)
    ]
    assert _band_scan_loops(*origin, limit=limit) == 1  # the case this test is about


def _band_scan_loops(lat, lng, limit) -> int:
    """How many times the API statement's band scan (under its one-time filter) ran."""
    from django.utils import timezone

    statement, params = nearest_retail_points_sql(lat=lat, lng=lng, at=timezone.now(), limit=limit)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
        plan = cursor.fetchone()[0][0]["Plan"]

    def guarded(node):
        for child in node.get("Plans", []):
            if child.get("Node Type") == "Result" and "One-Time Filter" in child:
                yield child
            yield from guarded(child)

    (band,) = guarded(plan)
    (scan,) = [child for child in band["Plans"] if child.get("Parent Relationship") == "Outer"]
    return scan["Actual Loops"]


def test_the_api_statement_skips_the_band_scan_when_the_extra_candidates_already_cover_it():
    for index in range(12):  # one shop every ~1.1 km northwards: the 5th is far beyond the 3rd's band
        make_point(f"Shop {index}", 22.8 + 0.01 * (index + 1), 104.98)
    assert _band_scan_loops(22.8, 104.98, limit=3) == 0
