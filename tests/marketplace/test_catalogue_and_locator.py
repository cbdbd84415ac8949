"""Catalogue search (accent-insensitive) and filters; the locator's "genuine, in stock" filter."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from marketplace.models import Listing, RetailStock
from tests.marketplace import factories as f
from tracing.models import Certificate


def names(response) -> list[str]:
    return [row["product"]["name_vi"] for row in response.json()["results"]]


@pytest.mark.parametrize("typed", ["cam sanh", "CAM SÀNH", "Cam  sành bac quang", "orange", "viet quang"])
def test_search_ignores_accents_and_case(typed, client_of, oranges, tea):
    assert names(client_of().get("/api/v1/listings/", {"q": typed})) == ["Cam sành Bắc Quang"]


def test_the_catalogue_page_finds_oranges_typed_without_accents(client, oranges, tea):
    body = client.get("/san-pham/", {"q": "cam sanh"}).content.decode()
    cards = re.findall(r'data-listing="(\d+)"', body)
    assert cards == [str(oranges.pk)]
    assert "Cam sành Bắc Quang" in body


def test_filters_by_kind_producer_area_and_certificate(client_of, oranges, tea, producer, other_producer, area):
    client = client_of()
    assert names(client.get("/api/v1/listings/", {"kind": "tea"})) == ["Chè Shan tuyết"]
    assert names(client.get("/api/v1/listings/", {"producer": producer.pk})) == ["Cam sành Bắc Quang"]
    assert names(client.get("/api/v1/listings/", {"area": area["vinh_tuy"].pk})) == ["Chè Shan tuyết"]
    assert sorted(names(client.get("/api/v1/listings/", {"area": area["province"].pk}))) == sorted(
        ["Cam sành Bắc Quang", "Chè Shan tuyết"]
    )
    certificate = Certificate.objects.create(
        producer=producer, scheme="vietgap", number="VG-01", issuer="Sở NN", valid_from=datetime.date(2024, 1, 1)
    )
    oranges.product.certificates.add(certificate)
    assert names(client.get("/api/v1/listings/", {"certificate": "vietgap"})) == ["Cam sành Bắc Quang"]
    certificate.valid_to = datetime.date(2024, 12, 31)
    certificate.save()
    assert names(client.get("/api/v1/listings/", {"certificate": "vietgap"})) == []


def test_in_season_keeps_pre_orders_and_drops_listings_out_of_season(client_of, oranges, tea):
    today = timezone.localdate()
    Listing.objects.filter(pk=tea.pk).update(available_to=today - datetime.timedelta(days=1))
    Listing.objects.filter(pk=oranges.pk).update(
        available_from=today + datetime.timedelta(days=30), allow_preorder=True
    )
    [row] = client_of().get("/api/v1/listings/", {"in_season": "1"}).json()["results"]
    assert row["season_state"] == "preorder" and row["is_orderable"]


def test_hidden_listings_are_not_in_the_catalogue(client_of, oranges, tea, other_producer):
    other_producer.status = "suspended"
    other_producer.save()
    Listing.objects.filter(pk=oranges.pk).update(is_active=False)
    assert client_of().get("/api/v1/listings/").json()["results"] == []


def test_an_unknown_catalogue_parameter_is_a_400_naming_it(client_of, db):
    response = client_of().get("/api/v1/listings/", {"colour": "orange"})
    assert response.status_code == 400
    assert "colour" in response.json()["error"]["fields"]


def test_the_catalogue_list_costs_the_same_queries_for_two_or_seven_listings(client_of, oranges, tea, producer):
    from django.test.utils import CaptureQueriesContext

    client = client_of()
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/listings/")
    for index in range(5):
        f.make_listing(f.make_product(producer, f"Cam hộp {index}"))
    with CaptureQueriesContext(connection) as more:
        assert len(client.get("/api/v1/listings/").json()["results"]) == 7
    assert len(more.captured_queries) == len(few.captured_queries)


@pytest.fixture
def stocked(shop, oranges, tea, area):
    """Three shops near Việt Quang: genuine with oranges, genuine but out of stock, declared but not authorised."""
    out_of_stock = f.make_shop("Cửa hàng hết cam", 22.4055, 104.8205)
    unauthorised = f.make_shop("Cửa hàng chưa được duyệt", 22.4052, 104.8202)
    far = f.make_shop("Cửa hàng Vĩnh Tuy", 22.27, 104.88)
    RetailStock.objects.create(retail_point=shop, product=oranges.product, in_stock=True, authorised=True)
    RetailStock.objects.create(retail_point=out_of_stock, product=oranges.product, in_stock=False, authorised=True)
    RetailStock.objects.create(retail_point=unauthorised, product=oranges.product, in_stock=True, authorised=False)
    RetailStock.objects.create(retail_point=far, product=tea.product, in_stock=True, authorised=True)
    return {"genuine": shop, "far": far}


def nearest(client, **params):
    params = {"lat": 22.405, "lng": 104.82, **params}
    response = client.get("/api/v1/retail-points/nearest", params)
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_nearest_with_a_product_lists_only_authorised_resellers_with_it_in_stock(client_of, stocked, oranges):
    assert nearest(client_of(), product=oranges.product_id) == ["Cửa hàng Cam Việt Quang"]


def test_nearest_in_stock_of_a_kind(client_of, stocked):
    assert nearest(client_of(), product_kind="orange", in_stock="1") == ["Cửa hàng Cam Việt Quang"]


def test_a_bad_product_parameter_is_a_400_naming_it(client_of, db):
    response = client_of().get("/api/v1/retail-points/nearest", {"lat": 22.4, "lng": 104.8, "product": "cam"})
    assert response.status_code == 400
    assert "product" in response.json()["error"]["fields"]


def assert_walks_the_spatial_index(plan: str) -> None:
    """The shops come nearest first from the GiST index (`<->` as the scan's order), and the stock rows by
    an index too. Which stock index the planner takes for a handful of rows (the partial genuine index,
    the unique one or the foreign key's) depends on the statistics of the moment, so any will do."""
    knn = re.search(
        r"Index Scan using geo_retailpoint_location\S* on geo_retailpoint.*\n\s*Order By: \(location <->", plan
    )
    assert knn, plan
    assert re.search(r"Index (Only )?Scan using \S*retailstock\S* on marketplace_retailstock", plan), plan


def test_the_genuine_in_stock_search_still_walks_the_spatial_index(stocked, oranges):
    from geo.nearest import nearest_retail_points
    from marketplace.locator import PRODUCT

    queryset = nearest_retail_points(lat=22.405, lng=104.82, limit=10, extra=PRODUCT.build(str(oranges.product_id)))
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")  # a handful of rows: sorting them would be cheaper
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert_walks_the_spatial_index(plan)


def test_the_in_stock_filter_keeps_only_shops_with_a_product_of_the_asked_kind(stocked):
    from geo.nearest import nearest_retail_points
    from marketplace.locator import IN_STOCK

    extra = IN_STOCK.build("1", {"product_kind": "orange"})
    found = nearest_retail_points(lat=22.405, lng=104.82, limit=10, product_kind="orange", extra=extra)
    assert [point.name for point in found] == ["Cửa hàng Cam Việt Quang"]


def test_find_a_shop_offers_genuine_in_stock_only(client, stocked):
    page = client.get("/cua-hang/", {"lat": 22.405, "lng": 104.82, "product_kind": "orange", "in_stock": "1"})
    assert page.status_code == 200
    listed = [result.name for result in page.context["results"]]
    assert listed == ["Cửa hàng Cam Việt Quang"]
    everything = client.get("/cua-hang/", {"lat": 22.405, "lng": 104.82, "product_kind": "orange"})
    assert len(everything.context["results"]) > 1
    assert 'name="in_stock"' in everything.content.decode()


@pytest.mark.parametrize(
    ("name", "value", "params"),
    [
        ("product", "oranges", {}),
        ("in_stock", "1", {"product_kind": "orange"}),
        ("in_stock", "1", {"product_kind": "tea"}),
        ("in_stock", "1", {}),
        ("product", "9999999", {}),
    ],
)
def test_the_prepared_sql_of_a_locator_filter_finds_the_same_shops_as_its_orm_query(
    name, value, params, stocked, oranges
):
    from geo.filters import nearest_filters
    from geo.nearest import nearest_retail_point_rows, nearest_retail_points_sql

    registered = nearest_filters()[name]
    value = str(oranges.product_id) if value == "oranges" else value
    arguments = registered.arguments(value, params)
    condition = registered.sql(*arguments)
    moment = timezone.now()
    found = []
    for lat, lng in [(22.405, 104.82), (22.27, 104.88), (21.0, 105.8)]:
        common = {"lat": lat, "lng": lng, "at": moment, "limit": 3, "product_kind": None}
        cached = nearest_retail_point_rows(**common, extra_sql=[condition])
        orm = nearest_retail_point_rows(**common, extra=registered.build(*arguments))
        assert [(row.id, row.distance_m) for row in cached] == [(row.id, row.distance_m) for row in orm]
        # The cached statement is the one the ORM compiles for the same condition (a no-op Q forces it).
        statement, values = nearest_retail_points_sql(**common, extra_sql=[condition])
        fresh, fresh_values = nearest_retail_points_sql(**common, extra_sql=[condition], extra=Q())
        assert statement == fresh
        assert [str(item) for item in values] == [str(item) for item in fresh_values]
        found.extend(row.name for row in cached)
    assert bool(found) == (value != "9999999")  # the comparison is not between two empty lists


def test_the_nearest_api_with_a_locator_filter_runs_a_prepared_statement(client_of, stocked, oranges):
    from django.test.utils import CaptureQueriesContext

    client = client_of()
    with CaptureQueriesContext(connection) as queries_run:
        for _ in range(2):
            assert nearest(client, product=oranges.product_id) == ["Cửa hàng Cam Việt Quang"]
            assert nearest(client, product_kind="orange", in_stock="1") == ["Cửa hàng Cam Việt Quang"]
    executed = [query["sql"] for query in queries_run.captured_queries if "hg_nearest" in query["sql"]]
    assert sum(sql.startswith("EXECUTE") for sql in executed) == 4
    assert sum(sql.startswith("PREPARE") for sql in executed) <= 2


def test_the_prepared_genuine_in_stock_search_still_walks_the_spatial_index(stocked, oranges):
    from geo.nearest import nearest_retail_points_sql
    from marketplace.locator import PRODUCT

    statement, params = nearest_retail_points_sql(
        lat=22.405, lng=104.82, at=timezone.now(), extra_sql=[PRODUCT.sql(str(oranges.product_id))]
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")  # a handful of rows: sorting them would be cheaper
        cursor.execute("EXPLAIN " + statement, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert_walks_the_spatial_index(plan)
