"""GET /api/v1/retail-points/nearest and GET /api/v1/geocode."""

import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from geo.containment import units_containing
from geo.coordinates import directions_urls
from geo.filters import _NEAREST_FILTERS, NearestFilter
from tests.geo.retail_factories import PENDING, VIET_QUANG, make_point, make_reorganised_map

pytestmark = pytest.mark.django_db

URL = "/api/v1/retail-points/nearest"


def test_nearest_lists_shops_nearest_first_with_what_a_consumer_needs(api_client):
    far = make_point("Far", 22.9, 104.98, hours="always", phone="0219 3860 000", zalo="0912345678")
    near = make_point("Near", 22.81, 104.98, kinds=("orange", "tea"))
    make_point("Unverified", 22.805, 104.98, status=PENDING)
    response = api_client.get(URL, {"lat": 22.8, "lng": 104.98})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [near.pk, far.pk]
    first, second = results
    assert first["distance_m"] == pytest.approx(1106.5, abs=2)
    assert first["product_kinds"] == ["orange", "tea"]
    assert first["opening"] == {"is_open": False, "closes_at": None, "opens_next": None}
    assert second["opening"]["is_open"] is True and second["opening"]["closes_at"] == "23:59"
    assert second["phone"] == "0219 3860 000" and second["zalo"] == "0912345678"
    assert (second["lat"], second["lng"]) == (22.9, 104.98)
    assert second["directions"] == directions_urls(22.9, 104.98)
    assert second["address"] == "Far, Hà Giang"


def test_nearest_filters_by_product_kind_radius_and_limit(api_client):
    make_point("Tea shop", 22.801, 104.98, kinds=("tea",))
    orange_near = make_point("Orange near", 22.81, 104.98)
    make_point("Orange far", 23.3, 104.98)
    response = api_client.get(URL, {"lat": 22.8, "lng": 104.98, "product_kind": "orange", "radius_m": 20000})
    assert [r["id"] for r in response.json()["results"]] == [orange_near.pk]
    response = api_client.get(URL, {"lat": 22.8, "lng": 104.98, "limit": 1})
    assert [r["name"] for r in response.json()["results"]] == ["Tea shop"]


def test_open_now_keeps_only_shops_open_at_this_moment(api_client):
    make_point("Never open", 22.801, 104.98)
    always = make_point("Always open", 22.9, 104.98, hours="always")
    response = api_client.get(URL, {"lat": 22.8, "lng": 104.98, "open_now": "1"})
    assert [r["id"] for r in response.json()["results"]] == [always.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lng": 104.98}, "lat"),
        ({"lat": 22.8}, "lng"),
        ({"lat": "nan", "lng": 104.98}, "lat"),
        ({"lat": "NaN", "lng": 104.98}, "lat"),
        ({"lat": "inf", "lng": 104.98}, "lat"),
        ({"lat": 22.8, "lng": "-Infinity"}, "lng"),
        ({"lat": 91, "lng": 104.98}, "lat"),
        ({"lat": 22.8, "lng": 181}, "lng"),
        ({"lat": "22,8", "lng": 104.98}, "lat"),
        ({"lat": "", "lng": 104.98}, "lat"),
        ({"lat": 22.8, "lng": 104.98, "radius_m": 0}, "radius_m"),
        ({"lat": 22.8, "lng": 104.98, "radius_m": 500_001}, "radius_m"),
        ({"lat": 22.8, "lng": 104.98, "radius_m": "nan"}, "radius_m"),
        ({"lat": 22.8, "lng": 104.98, "radius_m": "wide"}, "radius_m"),
        ({"lat": 22.8, "lng": 104.98, "limit": 0}, "limit"),
        ({"lat": 22.8, "lng": 104.98, "limit": 51}, "limit"),
        ({"lat": 22.8, "lng": 104.98, "limit": "ten"}, "limit"),
        ({"lat": 22.8, "lng": 104.98, "product_kind": "durian"}, "product_kind"),
        ({"lat": 22.8, "lng": 104.98, "open_now": "maybe"}, "open_now"),
        ({"lat": 22.8, "lng": 104.98, "shop_type": "12"}, "shop_type"),
        ({"lat": 22.8, "lng": 104.98, "radius": "100"}, "radius"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_client, params, field):
    response = api_client.get(URL, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert error["message"].startswith(f"{field}:")


def test_a_filter_registered_by_an_app_above_geo_is_applied_and_checked(api_client, monkeypatch):
    shop = make_point("Đại lý cam", 22.81, 104.98)
    make_point("Other", 22.805, 104.98)

    class Dealers(NearestFilter):
        name = "product"

        @staticmethod
        def _check(value):
            if not value.isdigit():
                raise ValueError("product must be a product id.")

        def build(self, value, params=None):
            self._check(value)
            return Q(name__startswith="Đại lý")

        def sql(self, value, params=None):
            self._check(value)
            return "({id}) IN (SELECT p.id FROM geo_retailpoint p WHERE starts_with(p.name, %s))", ["Đại lý"]

    # A stand-in for the marketplace's filter (the real one is restored afterwards).
    monkeypatch.setitem(_NEAREST_FILTERS, "product", Dealers())
    ok = api_client.get(URL, {"lat": 22.8, "lng": 104.98, "product": "7"})
    assert [r["id"] for r in ok.json()["results"]] == [shop.pk]
    bad = api_client.get(URL, {"lat": 22.8, "lng": 104.98, "product": "seven"})
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"product": ["product must be a product id."]}


def _count_queries(api_client, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api_client.get(URL, params).status_code == 200
    return len(captured.captured_queries)


def test_nearest_costs_the_same_number_of_queries_for_few_or_many_results(api_client, django_assert_num_queries):
    for index in range(3):
        make_point(f"Shop {index}", 22.8 + index / 100, 104.98, hours="always", kinds=("orange", "tea"))
    params = {"lat": 22.8, "lng": 104.98, "limit": 50, "product_kind": "orange"}
    _count_queries(api_client, params)  # the first request on a connection also prepares the statement
    few = _count_queries(api_client, params)
    assert few <= 2  # the rate-limit counter and the nearest shops with everything shown
    for index in range(3, 40):
        make_point(f"Shop {index}", 22.8 + index / 100, 104.98, hours="always", kinds=("orange", "tea"))
    with django_assert_num_queries(few):
        response = api_client.get(URL, params)
    assert len(response.json()["results"]) == 40


def test_the_public_endpoints_are_rate_limited_for_anonymous_visitors(api_client, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    statuses = [api_client.get(URL, {"lat": 22.8, "lng": 104.98}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert api_client.get("/api/v1/geocode", {"q": "x"}).json()["error"]["code"] == "throttled"


# --- geocode --------------------------------------------------------------------------------------------


def test_geocode_returns_candidates_from_the_gazetteer(api_client):
    make_reorganised_map()
    response = api_client.get("/api/v1/geocode", {"q": "BAC QUANG"})
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first["name"] == "Xã Bắc Quang, Tỉnh Tuyên Quang"
    assert first["level"] == "commune"
    assert first["source"] == "gazetteer"
    assert (first["lat"], first["lng"]) == pytest.approx((22.4, 104.825), abs=0.06)


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "q"), ({"q": ""}, "q"), ({"q": "   "}, "q"), ({"q": "x" * 201}, "q"), ({"q": "a", "limit": 11}, "limit")],
)
def test_geocode_refuses_an_empty_or_overlong_query(api_client, params, field):
    response = api_client.get("/api/v1/geocode", params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_2024_shop_still_shows_its_district_on_the_old_map():
    units = make_reorganised_map()
    registered = datetime.date(2024, 3, 1)
    (district,) = units_containing(*VIET_QUANG, on=registered, level="district")
    assert district == units["bac_quang_district"]
    assert district.parent.name == "Tỉnh Hà Giang"


def test_with_prepared_statements_off_the_nearest_statement_is_sent_as_it_is(api_client, settings):
    """Behind PgBouncer in transaction mode (DATABASE_PREPARED_STATEMENTS=0) nothing is PREPAREd."""
    near = make_point("Near", 22.81, 104.98)
    settings.PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as queries_run:
        response = api_client.get(URL, {"lat": 22.8, "lng": 104.98})
    assert [r["id"] for r in response.json()["results"]] == [near.pk]
    assert not [q for q in queries_run if q["sql"].startswith(("PREPARE", "EXECUTE"))]


def test_open_now_and_a_product_kind_reuse_one_prepared_statement(api_client):
    """Every filter comes in its SQL form (geo.filters): open now is prepared once, like the others."""
    always = make_point("Always open", 22.81, 104.98, hours="always")
    make_point("Never open", 22.805, 104.98)
    params = {"lat": 22.8, "lng": 104.98, "product_kind": "orange", "open_now": "1"}
    with CaptureQueriesContext(connection) as queries_run:
        for _ in range(3):
            assert [r["id"] for r in api_client.get(URL, params).json()["results"]] == [always.pk]
    nearest = [q["sql"] for q in queries_run if "hg_nearest" in q["sql"]]
    assert sum(sql.startswith("EXECUTE") for sql in nearest) == 3
    assert sum(sql.startswith("PREPARE") for sql in nearest) <= 1
