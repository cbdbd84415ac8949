"""The "genuine, in stock" search for a product walks the product's own stock rows (their GiST index).

Stock rows carry their shop's location, kept by the database: these tests check that the copy follows
the shop, that the API finds exactly the shops a brute-force search finds, and that its prepared
statement walks retailstock_near_idx.
"""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from geopy.distance import geodesic

from geo import coordinates
from geo.models import RetailPoint
from geo.nearest import nearest_retail_points
from marketplace.locator import PRODUCT
from marketplace.models import RetailStock
from tests.marketplace import factories as f

ORIGIN = (22.405, 104.82)


def _stock_location(row: RetailStock) -> tuple[float, float]:
    location = RetailStock.objects.values_list("location", flat=True).get(pk=row.pk)
    return round(location.y, 7), round(location.x, 7)


def _api(client, **params) -> list[int]:
    params = {"lat": ORIGIN[0], "lng": ORIGIN[1], **params}
    response = client.get("/api/v1/retail-points/nearest", params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def _knn_walk(client, **params) -> str:
    """The plan of the nearest API's prepared statement for these parameters, from its first walk (hg_knn) to its band.

    With a few dozen rows (and whatever statistics earlier tests left) sorting them all can look
    cheapest; on a real table the walk wins by far (bench.marketplace_nearest_stock prints that
    plan): as with seqscan, the planner is told the rows are many.
    """
    with CaptureQueriesContext(connection) as run:
        _api(client, **params)
    (executed,) = [query["sql"] for query in run.captured_queries if query["sql"].startswith("EXECUTE hg_nearest")]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + executed)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return plan[plan.index("CTE hg_knn") : plan.index("CTE hg_band")]


def _brute_force(lat, lng, product, *, limit=10, radius_m=None, kind=None) -> list[int]:
    """Every public shop with a genuine, in-stock row of the product, measured with geopy and sorted."""
    rows = []
    genuine = RetailStock.objects.filter(product=product, authorised=True, in_stock=True)
    for shop in RetailPoint.objects.public().filter(pk__in=genuine.values("retail_point")):
        if kind and not shop.product_kinds.filter(code=kind).exists():
            continue
        metres = geodesic((lat, lng), (shop.location.y, shop.location.x)).meters
        if radius_m is None or metres <= radius_m:
            rows.append((metres, shop.pk))
    return [pk for _metres, pk in sorted(rows)[:limit]]


@pytest.fixture
def scattered(oranges, tea, shop):
    """120 shops around Việt Quang in every state the filter must see through, with oranges or tea."""
    rng = random.Random(20261128)
    for index in range(120):
        lat, lng = ORIGIN[0] + rng.uniform(-0.3, 0.3), ORIGIN[1] + rng.uniform(-0.3, 0.3)
        state = rng.choice(["genuine", "genuine", "unverified", "inactive", "unauthorised", "out", "tea", "none"])
        point = f.make_shop(f"Shop {index}", lat, lng, verified=state != "unverified")
        if state == "inactive":
            RetailPoint.objects.filter(pk=point.pk).update(is_active=False)
        if state == "none":
            continue
        RetailStock.objects.create(
            retail_point=point,
            product=(tea if state == "tea" else oranges).product,
            in_stock=state != "out",
            authorised=state != "unauthorised",
        )
    return oranges.product


def test_a_stock_row_carries_its_shop_location_and_follows_the_shop_when_it_moves(shop, oranges):
    row = RetailStock.objects.create(retail_point=shop, product=oranges.product, authorised=True)
    assert _stock_location(row) == (22.406, 104.821)
    shop.location = coordinates.point(22.5, 104.9)
    shop.save()
    assert _stock_location(row) == (22.5, 104.9)
    other = f.make_shop("Cửa hàng Hùng An", 22.45, 104.85)
    row.retail_point = other
    row.save()  # the whole row is written, location included: the database puts the shop's back
    assert _stock_location(row) == (22.45, 104.85)
    RetailPoint.objects.filter(pk=other.pk).update(location=coordinates.point(22.3, 104.7))
    assert _stock_location(row) == (22.3, 104.7)


def test_the_nearest_resellers_of_a_product_are_the_shops_a_brute_force_search_finds(client_of, scattered):
    client = client_of()
    rng = random.Random(5)
    searched = 0
    for _ in range(12):
        lat, lng = ORIGIN[0] + rng.uniform(-0.4, 0.4), ORIGIN[1] + rng.uniform(-0.4, 0.4)
        limit = rng.choice([1, 3, 10, 25])
        radius_m = rng.choice([None, None, 8_000, 30_000])
        params = {"lat": lat, "lng": lng, "product": scattered.pk, "limit": limit}
        if radius_m:
            params["radius_m"] = radius_m
        expected = _brute_force(lat, lng, scattered, limit=limit, radius_m=radius_m)
        assert _api(client, **params) == expected, params
        orm = nearest_retail_points(
            lat=lat, lng=lng, limit=limit, radius_m=radius_m, extra=PRODUCT.build(str(scattered.pk))
        )
        assert [point.pk for point in orm] == expected, params
        searched += len(expected)
    assert searched > 30  # the comparisons are not between empty lists


def test_the_product_search_keeps_the_other_filters_product_kind_in_stock_and_open_now(client_of, scattered):
    client = client_of()
    assert _api(client, product=scattered.pk, product_kind="orange") == _brute_force(*ORIGIN, scattered, kind="orange")
    assert _api(client, product=scattered.pk, product_kind="tea") == []  # the shops sell oranges only
    assert _api(client, product=scattered.pk, product_kind="orange", in_stock="1") == _brute_force(
        *ORIGIN, scattered, kind="orange"
    )
    # open_now takes the statement compiled by the ORM each time: the same source, the same answer
    orm = nearest_retail_points(
        lat=ORIGIN[0], lng=ORIGIN[1], limit=10, open_at=timezone.now(), extra=PRODUCT.build(str(scattered.pk))
    )
    assert _api(client, product=scattered.pk, open_now="1") == [point.pk for point in orm]


def test_a_shop_that_moves_is_found_at_its_new_place(client_of, scattered):
    client = client_of()
    nearest = _api(client, product=scattered.pk, limit=1)
    moved = RetailPoint.objects.exclude(pk__in=nearest).filter(
        stock_rows__product=scattered, stock_rows__authorised=True, stock_rows__in_stock=True, is_active=True
    )
    moved = moved.filter(verification_status=RetailPoint.Verification.VERIFIED).order_by("pk").first()
    moved.location = coordinates.point(ORIGIN[0] + 0.0001, ORIGIN[1])
    moved.save()
    assert _api(client, product=scattered.pk, limit=1) == [moved.pk]
    assert _api(client, product=scattered.pk, limit=5) == _brute_force(*ORIGIN, scattered, limit=5)


def test_the_prepared_product_search_walks_the_stock_rows_gist_index(client_of, scattered):
    walk = _knn_walk(client_of(), product=scattered.pk)
    assert "retailstock_near_idx" in walk
    assert "Order By: (location <->" in walk
    assert "geo_retailpoint_location" not in walk  # not the all-shops walk any more


@pytest.mark.parametrize("value", ["cam", "0", "-3", "1.5", "", str(2**63)])
def test_a_bad_product_is_a_400_naming_it(client_of, db, value):
    response = client_of().get("/api/v1/retail-points/nearest", {"lat": 22.4, "lng": 104.8, "product": value})
    assert response.status_code == 400
    assert "product" in response.json()["error"]["fields"]


def test_an_unknown_product_finds_no_shop(client_of, scattered):
    assert _api(client_of(), product=987654321) == []


def test_a_location_written_to_a_stock_row_by_hand_is_replaced_by_its_shops(shop, oranges):
    row = RetailStock.objects.create(retail_point=shop, product=oranges.product, authorised=True)
    row.location = coordinates.point(10.0, 106.0)
    row.save()
    assert _stock_location(row) == (22.406, 104.821)


def _brute_force_in_stock(lat, lng, kind=None, *, limit=10) -> list[int]:
    """Every public shop with some genuine, in-stock product (of the kind), measured with geopy."""
    genuine = RetailStock.objects.filter(authorised=True, in_stock=True)
    if kind:
        genuine = genuine.filter(product__kind__code=kind)
    shops = RetailPoint.objects.public().filter(pk__in=genuine.values("retail_point"))
    if kind:
        shops = shops.filter(product_kinds__code=kind)
    rows = sorted((geodesic((lat, lng), (shop.location.y, shop.location.x)).meters, shop.pk) for shop in shops)
    return [pk for _metres, pk in rows[:limit]]


def test_in_stock_of_a_kind_walks_the_stock_rows_and_lists_a_shop_with_two_such_products_once(
    client_of, scattered, producer
):
    second = f.make_product(producer, "Cam Vinh")
    for row in RetailStock.objects.filter(product=scattered, authorised=True, in_stock=True)[:10]:
        RetailStock.objects.create(retail_point=row.retail_point, product=second, authorised=True)
    client = client_of()
    for limit in (1, 5, 25):
        found = _api(client, product_kind="orange", in_stock="1", limit=limit)
        assert found == _brute_force_in_stock(*ORIGIN, "orange", limit=limit)
        assert len(found) == len(set(found))
    assert _api(client, in_stock="1", limit=25) == _brute_force_in_stock(*ORIGIN, limit=25)
    assert len(_api(client, in_stock="0", limit=25)) == 25  # in_stock=0 does not filter
    walk = _knn_walk(client, product_kind="orange", in_stock="1")
    assert "retailstock_near_idx" in walk and "Order By: (location <->" in walk, walk


def test_a_product_with_in_stock_of_its_kind_walks_the_product_and_keeps_the_kind_condition(client_of, scattered):
    client = client_of()
    expected = _brute_force(*ORIGIN, scattered, kind="orange")
    assert _api(client, product=scattered.pk, in_stock="1", product_kind="orange") == expected
    assert _api(client, product=scattered.pk, in_stock="1", product_kind="tea") == []
