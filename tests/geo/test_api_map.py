"""GeoJSON for the maps: /api/v1/retail-points/?in_bbox=…, /api/v1/regions/, /api/v1/admin-units/."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from geo.models import GrowingRegion, ProductKind
from tests.conftest import make_user
from tests.geo.retail_factories import PENDING, SUSPENDED, box, make_point, make_reorganised_map

pytestmark = pytest.mark.django_db

URL = "/api/v1/retail-points/"
HA_GIANG_VIEW = "104.5,22.0,105.6,23.4"


def test_the_viewport_lists_public_points_as_geojson_with_marker_fields_only(api_client):
    shop = make_point("Cam Hà Giang", 22.8234567, 104.9812345, kinds=("orange",), phone="0219 000")
    make_point("Pending", 22.80, 104.98, status=PENDING)
    make_point("Outside", 21.0, 105.85)
    response = api_client.get(URL, {"in_bbox": HA_GIANG_VIEW})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["next"] is None and body["previous"] is None
    (feature,) = body["features"]
    assert feature == {
        "type": "Feature",
        "id": shop.pk,
        "geometry": {"type": "Point", "coordinates": [104.98123, 22.82346]},
        "properties": {"name": "Cam Hà Giang", "kind": "shop", "verified": True, "product_kinds": ["orange"]},
    }


def test_the_viewport_is_paginated_with_a_next_link_in_the_body(api_client):
    for index in range(5):
        make_point(f"Shop {index}", 22.8 + index / 100, 104.98)
    first = api_client.get(URL, {"in_bbox": HA_GIANG_VIEW, "limit": 2}).json()
    assert len(first["features"]) == 2
    assert "offset=2" in first["next"] and "limit=2" in first["next"]
    second = api_client.get(first["next"]).json()
    third = api_client.get(second["next"]).json()
    assert third["next"] is None
    assert second["previous"] is not None
    ids = [f["id"] for page in (first, second, third) for f in page["features"]]
    assert len(ids) == len(set(ids)) == 5


def test_the_viewport_filters_by_product_kind(api_client):
    make_point("Tea", 22.8, 104.98, kinds=("tea",))
    honey = make_point("Honey", 22.9, 105.3, kinds=("honey", "tea"))
    body = api_client.get(URL, {"in_bbox": HA_GIANG_VIEW, "product_kind": "honey"}).json()
    assert [f["id"] for f in body["features"]] == [honey.pk]


def test_the_points_of_a_unit(api_client):
    units = make_reorganised_map()
    inside = make_point("Việt Quang", 22.405, 104.82)
    make_point("Hà Giang city", 22.82, 104.98)
    body = api_client.get(URL, {"unit": units["bac_quang_district"].pk}).json()
    assert [f["id"] for f in body["features"]] == [inside.pk]


@pytest.mark.parametrize(
    "bbox",
    [
        "105.6,22.0,104.5,23.4",
        "104.5,23.4,105.6,22.0",
        "104.5,22.0,105.6",
        "a,b,c,d",
        "104.5,22,105.6,nan",
        "0,-91,1,1",
    ],
)
def test_an_inverted_or_malformed_bbox_is_a_400_naming_in_bbox(api_client, bbox):
    response = api_client.get(URL, {"in_bbox": bbox})
    assert response.status_code == 400
    assert "in_bbox" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 10_001}, "limit"),
        ({"offset": -1}, "offset"),
        ({"product_kind": "durian"}, "product_kind"),
        ({"unit": 999999}, "unit"),
        ({"region": "x"}, "region"),
        ({"include": "everything"}, "include"),
        ({"bbox": "1,2,3,4"}, "bbox"),
    ],
)
def test_bad_list_parameters_are_a_400_naming_the_field(api_client, params, field):
    response = api_client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_officials_can_see_every_point_and_retailers_their_own(api_client, official):
    retailer = make_user("shopkeeper", "retailer_staff")
    public = make_point("Public", 22.8, 104.98)
    own_pending = make_point("Own pending", 22.81, 104.98, status=PENDING, staff=[retailer])
    suspended = make_point("Suspended", 22.82, 104.98, status=SUSPENDED)

    anonymous = api_client.get(URL, {"include": "all"})
    assert anonymous.status_code in (401, 403)

    api_client.force_authenticate(retailer)
    ids = {f["id"] for f in api_client.get(URL, {"include": "all"}).json()["features"]}
    assert ids == {public.pk, own_pending.pk}

    api_client.force_authenticate(official)
    body = api_client.get(URL, {"include": "all", "verification": "suspended"}).json()
    assert [f["id"] for f in body["features"]] == [suspended.pk]
    assert body["features"][0]["properties"]["verified"] is False


def _queries_for(api_client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api_client.get(url, params).status_code == 200
    return len(captured.captured_queries)


def test_the_viewport_costs_the_same_number_of_queries_for_3_or_300_points(api_client, django_assert_num_queries):
    for index in range(3):
        make_point(f"Shop {index}", 22.8, 104.9 + index / 1000, kinds=("orange", "tea"))
    params = {"in_bbox": HA_GIANG_VIEW, "product_kind": "orange"}
    few = _queries_for(api_client, URL, params)
    for index in range(3, 300):
        make_point(f"Shop {index}", 22.8, 104.9 + index / 1000, kinds=("orange", "tea"))
    with django_assert_num_queries(few):
        assert len(api_client.get(URL, params).json()["features"]) == 300


# --- regions and units --------------------------------------------------------------------------------


@pytest.fixture
def regions():
    orange = ProductKind.objects.get(code="orange")
    honey = ProductKind.objects.get(code="honey")
    return [
        GrowingRegion.objects.create(
            name="Cam sành Bắc Quang", name_en="Bắc Quang oranges", product_kind=orange,
            boundary=box(104.7, 22.3, 105.0, 22.5), boundary_source="Drawn around the orange communes",
            designation="gi",
        ),
        GrowingRegion.objects.create(
            name="Mật ong bạc hà Đồng Văn", product_kind=honey, boundary=box(105.0, 23.0, 105.5, 23.3),
            boundary_source="Drawn around the karst plateau communes",
        ),
    ]  # fmt: skip


def test_regions_are_geojson_with_their_product_colour_area_and_source(api_client, regions):
    response = api_client.get("/api/v1/regions/", {"product_kind": "orange"})
    assert response.status_code == 200
    (feature,) = response.json()["features"]
    properties = feature["properties"]
    assert properties["name"] == "Cam sành Bắc Quang"
    assert properties["name_en"] == "Bắc Quang oranges"
    assert properties["product_kind"] == "orange"
    assert properties["colour"] == ProductKind.objects.get(code="orange").colour
    assert properties["area_ha"] == pytest.approx(regions[0].area_ha)
    assert properties["designation"] == "gi"
    assert properties["boundary_is_approximate"] is True
    assert properties["boundary_source"] == "Drawn around the orange communes"
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert len(api_client.get("/api/v1/regions/").json()["features"]) == 2


def test_regions_and_units_cost_one_data_query_whatever_their_number(api_client, regions, django_assert_num_queries):
    make_reorganised_map()
    few = _queries_for(api_client, "/api/v1/regions/", {})
    units = _queries_for(api_client, "/api/v1/admin-units/", {})
    orange = ProductKind.objects.get(code="orange")
    for index in range(20):
        GrowingRegion.objects.create(
            name=f"Region {index}", product_kind=orange, boundary=box(104 + index / 10, 22, 104.05 + index / 10, 22.1),
            boundary_source="test",
        )  # fmt: skip
    with django_assert_num_queries(few):
        api_client.get("/api/v1/regions/")
    assert units == few


def test_admin_units_on_a_day_show_the_map_in_force_that_day(api_client):
    units = make_reorganised_map()
    old = api_client.get("/api/v1/admin-units/", {"valid_on": "2024-05-01"}).json()["features"]
    new = api_client.get("/api/v1/admin-units/", {"valid_on": "2026-01-01", "level": "commune"}).json()["features"]
    assert {f["properties"]["name"] for f in old} == {"Tỉnh Hà Giang", "Huyện Bắc Quang"}
    (commune,) = new
    assert commune["properties"] == {
        "id": units["bac_quang_commune"].pk,
        "code": "01153",
        "level": "commune",
        "name": "Xã Bắc Quang",
        "kind": "Xã",
        "parent_id": units["tuyen_quang"].pk,
        "valid_from": "2025-07-01",
        "valid_to": None,
        "boundary_is_approximate": False,
    }
    children = api_client.get("/api/v1/admin-units/", {"parent": units["ha_giang"].pk}).json()["features"]
    assert [f["properties"]["name"] for f in children] == ["Huyện Bắc Quang"]
    assert datetime.date.fromisoformat(old[0]["properties"]["valid_to"]) == datetime.date(2025, 6, 30)


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/admin-units/", {"valid_on": "2024-13-01"}, "valid_on"),
        ("/api/v1/admin-units/", {"level": "village"}, "level"),
        ("/api/v1/admin-units/", {"parent": "abc"}, "parent"),
        ("/api/v1/regions/", {"product_kind": "durian"}, "product_kind"),
        ("/api/v1/regions/", {"colour": "red"}, "colour"),
    ],
)
def test_bad_region_and_unit_filters_are_a_400_naming_the_field(api_client, url, params, field):
    response = api_client.get(url, params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
