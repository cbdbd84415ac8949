"""The Find a shop and province map pages, through the Django test client (no JavaScript)."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_user
from tests.geo.pages_data import make_bac_quang_shops, make_places, make_shop, open_all_week

pytestmark = pytest.mark.django_db

FIND = reverse("geo:find_shop")
MAP = reverse("geo:province_map")


@pytest.fixture
def bac_quang(db):
    make_places()
    return make_bac_quang_shops()


def listed_names(response) -> list[str]:
    """Shop names in the order the list shows them."""
    return [html.unescape(name) for name in re.findall(r'<h3 class="shop-name" id="[^"]+">([^<]+)</h3>', response.text)]


def shop_item(response, pk: int) -> str:
    """The HTML of one shop's list item."""
    items = response.text.split('<li class="shop" ')
    return next(item for item in items if item.startswith(f'id="shop-{pk}"'))


def listed_distances(response) -> list[str]:
    return [
        html.unescape(text)
        for text in re.findall(r"<span class=\"shop-distance\" data-distance>([^<]+)</span>", response.text)
    ]


def test_the_empty_page_offers_the_search_form(client):
    response = client.get(FIND)
    assert response.status_code == 200
    assert 'name="q"' in response.text
    assert 'name="product_kind"' in response.text
    assert 'name="open_now"' in response.text
    assert "data-use-location" in response.text
    assert listed_names(response) == []


@pytest.mark.parametrize("typed", ["Bắc Quang", "bac quang", "BAC QUANG", "  bắc   quang "])
def test_a_typed_place_lists_the_nearest_verified_shops_without_javascript(client, bac_quang, typed):
    response = client.get(FIND, {"q": typed})

    assert response.status_code == 200
    assert listed_names(response) == [
        "Cam sành Việt Quang",
        "Sạp chợ Vĩnh Tuy",
        "Đặc sản Hà Giang",
        "Mật ong Hà Giang tại Hà Nội",
    ]
    assert "Cửa hàng chưa xác minh" not in response.text  # pending shops are not public
    assert "Bắc Quang" in response.text  # "shops near Bắc Quang"


def test_each_shop_shows_distance_phone_zalo_address_and_directions(client, bac_quang):
    response = client.get(FIND, {"q": "Bắc Quang"}, HTTP_ACCEPT_LANGUAGE="vi")
    first = shop_item(response, bac_quang["viet_quang"].pk)
    assert 'href="tel:02193820123"' in first
    assert 'href="https://zalo.me/0912345678"' in first
    assert "Tổ 5, thị trấn Việt Quang, Bắc Quang" in first
    assert "https://www.openstreetmap.org/directions?" in first
    assert "https://www.google.com/maps/dir/?api=1&amp;destination=22.415090%2C104.806820" in first
    assert "Cam sành" in first  # the product it sells, in Vietnamese


def test_distances_are_ascending_and_formatted_for_the_language(client, bac_quang):
    vi = listed_distances(client.get(FIND, {"q": "Bắc Quang"}, HTTP_ACCEPT_LANGUAGE="vi"))
    en = listed_distances(client.get(FIND, {"q": "Bắc Quang"}, HTTP_ACCEPT_LANGUAGE="en"))

    # Việt Quang is 9.7 km from the Bắc Quang point; Hà Nội about 200 km.
    assert vi[0] == "9,7\u00a0km"
    assert en[0] == "9.7\u00a0km"
    assert re.fullmatch(r"\d{3}\u00a0km", vi[-1])

    def metres(label: str) -> float:
        number, unit = label.split("\u00a0")
        value = float(number.replace(",", "."))
        return value * 1000 if unit == "km" else value

    assert [metres(label) for label in en] == sorted(metres(label) for label in en)


def test_the_page_renders_in_english_when_asked(client, bac_quang):
    response = client.get(FIND, {"q": "bac quang"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert "Shops near Bắc Quang" in response.text
    assert "Cam sành orange" in response.text  # the product's English name
    assert "Market stall" in response.text or "market stall" in response.text


def test_the_page_renders_in_vietnamese_by_default(client, bac_quang):
    response = client.get(FIND, {"q": "bac quang"})
    assert '<html lang="vi">' in response.text
    assert "Cam sành orange" not in response.text
    assert "Cam sành" in response.text


def test_the_product_filter_keeps_only_shops_selling_it(client, bac_quang):
    response = client.get(FIND, {"q": "Bắc Quang", "product_kind": "honey"})
    assert listed_names(response) == ["Đặc sản Hà Giang", "Mật ong Hà Giang tại Hà Nội"]

    response = client.get(FIND, {"q": "Bắc Quang", "product_kind": "tea"})
    assert listed_names(response) == ["Sạp chợ Vĩnh Tuy", "Đặc sản Hà Giang"]


def test_the_open_now_filter_drops_closed_shops(client, bac_quang):
    everything = listed_names(client.get(FIND, {"q": "Bắc Quang", "product_kind": "orange"}))
    open_now = listed_names(client.get(FIND, {"q": "Bắc Quang", "product_kind": "orange", "open_now": "on"}))

    assert everything == ["Cam sành Việt Quang", "Sạp chợ Vĩnh Tuy"]
    assert open_now == ["Cam sành Việt Quang"]  # Vĩnh Tuy is closed for Tết


def test_a_closed_shop_says_so(client, bac_quang):
    response = client.get(FIND, {"q": "Bắc Quang", "product_kind": "orange"}, HTTP_ACCEPT_LANGUAGE="en")
    assert 'class="shop-open is-open"' in response.text
    assert 'class="shop-open is-closed"' in response.text


def test_my_location_lists_shops_near_the_coordinates(client, bac_quang):
    response = client.get(FIND, {"lat": "21.03", "lng": "105.85"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert listed_names(response)[0] == "Mật ong Hà Giang tại Hà Nội"
    assert "Shops near your location" in response.text


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "91", "lng": "105"},
        {"lat": "22.4", "lng": "-181"},
        {"lat": "abc", "lng": "105"},
        {"lat": "nan", "lng": "105"},
        {"lat": "inf", "lng": "105"},
        {"lat": "22.4"},
    ],
)
def test_bad_coordinates_get_a_400_page_with_a_message(client, bac_quang, params):
    response = client.get(FIND, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "data-find-message" in response.text
    assert re.search(r"lat|lng|[Ll]atitude", response.text)
    assert listed_names(response) == []
    assert 'name="q"' in response.text  # the form is still there to try again


def test_an_unknown_product_kind_gets_a_400_page_with_a_message(client, bac_quang):
    response = client.get(FIND, {"q": "Bắc Quang", "product_kind": "durian"})
    assert response.status_code == 400
    assert "data-find-message" in response.text


def test_an_unknown_place_gets_a_helpful_message_not_an_error(client, bac_quang):
    response = client.get(FIND, {"q": "Atlantis"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "We could not find “Atlantis”" in html.unescape(response.text)
    assert listed_names(response) == []


def test_an_empty_place_asks_for_one(client, bac_quang):
    response = client.get(FIND, {"q": "", "product_kind": "orange"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Type a place, or use your location" in response.text


def test_a_place_with_no_shop_nearby_says_so(client, db):
    make_places()
    response = client.get(FIND, {"q": "Hà Nội"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "No shop near Hà Nội yet." in html.unescape(response.text)


def test_the_query_count_does_not_grow_with_the_number_of_results(client, bac_quang, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as few:
        client.get(FIND, {"q": "Bắc Quang"})
    for index in range(6):
        shop = make_shop(f"Cam sành số {index}", 22.45 + index / 100, 104.85, ("orange", "tea"), phone="0912000000")
        open_all_week(shop)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(FIND, {"q": "Bắc Quang"})
    assert len(listed_names(response)) == 10


def test_the_map_data_matches_the_list(client, bac_quang):
    response = client.get(FIND, {"q": "Bắc Quang", "product_kind": "orange"})
    data = response.context["map_data"]
    assert [shop["name"] for shop in data["shops"]] == listed_names(response)
    assert data["origin"]["label"] == "Bắc Quang"


def test_the_province_map_page_has_the_legend_filters_and_map_config(client, db):
    response = client.get(MAP, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    text = response.text
    for code, name in (("tea", "Chè Shan tuyết"), ("orange", "Cam sành"), ("honey", "Mật ong bạc hà")):
        assert f'data-legend-kind="{code}"' in text
        assert name in text
    assert 'id="province-map"' in text
    assert 'name="valid_on"' in text
    assert 'name="unit"' in text
    assert "leaflet.markercluster.js" in text
    config = response.context["map_config"]
    assert config["api"]["retailPoints"] == "/api/v1/retail-points/"


def test_only_officials_get_the_verification_filter(client, db):
    assert 'name="verification"' not in client.get(MAP).text

    official = make_user("inspector", "official", is_staff=True)
    client.force_login(official)
    assert 'name="verification"' in client.get(MAP).text


def test_the_real_hagiang_data_finds_shops_near_bac_quang(client, hagiang_geography):
    response = client.get(FIND, {"q": "bac quang", "product_kind": "orange"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    distances = [float(value) for value in re.findall(r'data-distance-m="([\d.]+)"', response.text)]
    assert 1 <= len(distances) <= 10
    assert distances == sorted(distances)
    assert distances[0] < 30_000  # the orange country has shops of its own


def test_the_province_map_lists_the_real_units_of_the_merged_province(client, hagiang_geography):
    response = client.get(MAP)
    assert response.status_code == 200
    assert "Tuyên Quang" in response.text  # the 2025 province, default map date


def test_other_places_matching_the_text_are_offered_as_links(client, bac_quang):
    response = client.get(FIND, {"q": "quang", "product_kind": "orange"}, HTTP_ACCEPT_LANGUAGE="en")
    links = response.context["candidates"]
    assert len(links) >= 1
    viet_quang = next(link for link in links if link["name"] == "Thị Trấn Việt Quang")

    followed = client.get(viet_quang["url"], HTTP_ACCEPT_LANGUAGE="en")
    assert followed.status_code == 200
    assert "Shops near Thị Trấn Việt Quang" in html.unescape(followed.text)
    assert listed_names(followed)[0] == "Cam sành Việt Quang"
    assert "Đặc sản Hà Giang" not in listed_names(followed)  # the product filter is kept


def test_the_page_offers_every_registered_filter_with_a_label_and_applies_it(client, bac_quang, monkeypatch):
    from django.db.models import Q

    from geo.filters import _NEAREST_FILTERS, NearestFilter

    class Markets(NearestFilter):
        """A stand-in for a filter of an app above geo: market stalls only."""

        name = "market_only"
        label = "Market stalls only"

        def build(self, value, params=None):
            return Q(kind="market_stall")

        def sql(self, value, params=None):
            return "({id}) IN (SELECT p.id FROM geo_retailpoint p WHERE p.kind = %s)", ["market_stall"]

    monkeypatch.setitem(_NEAREST_FILTERS, "market_only", Markets())
    page = client.get(FIND)
    assert 'name="market_only"' in page.text and "Market stalls only" in page.text
    assert 'name="in_stock"' in page.text  # the marketplace's, registered the same way
    ticked = client.get(FIND, {"q": "Bắc Quang", "product_kind": "orange", "market_only": "on"})
    assert listed_names(ticked) == ["Sạp chợ Vĩnh Tuy"]
    other_places = client.get(FIND, {"q": "quang", "product_kind": "orange", "market_only": "on"})
    assert all("market_only=1" in link["url"] for link in other_places.context["candidates"])  # they keep it
    assert other_places.context["candidates"]
