"""Geocoding: our gazetteer (accents and case optional), then the real geopy Nominatim client talking
to a local fake Nominatim on 127.0.0.1 — never the network."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from geo import geocoding
from geo.coordinates import point
from geo.models import Place
from tests.geo.retail_factories import make_reorganised_map

pytestmark = pytest.mark.django_db


@pytest.fixture
def gazetteer():
    units = make_reorganised_map()
    Place.objects.create(
        name="Việt Quang", kind="town", location=point(22.4167, 104.8167), population=20000,
        unit=units["bac_quang_district"], source="GeoNames", external_id="1562414",
    )  # fmt: skip
    Place.objects.create(name="Quang Bình", kind="town", location=point(22.39, 104.62), source="GeoNames")
    return units


@pytest.mark.parametrize("typed", ["bac quang", "Bắc Quang", "BAC QUANG", "  bắc   QUANG ", "huyen bac quang"])
def test_the_gazetteer_finds_bac_quang_with_or_without_diacritics(gazetteer, typed):
    candidates = geocoding.geocode(typed)
    names = [candidate.name for candidate in candidates]
    assert any("Bắc Quang" in name for name in names[:2]), names
    assert all(candidate.source == "gazetteer" for candidate in candidates)


def test_the_current_commune_comes_before_the_abolished_district(gazetteer):
    first, second = geocoding.geocode("bac quang")[:2]
    assert first.name == "Xã Bắc Quang, Tỉnh Tuyên Quang"
    assert first.level == "commune"
    assert second.level == "district"
    assert second.name.startswith("Huyện Bắc Quang, Tỉnh Hà Giang")
    assert "2025" in second.name  # says it is the old map


def test_a_place_is_found_by_a_prefix_and_placed_where_it_is(gazetteer):
    (candidate,) = [c for c in geocoding.geocode("viet qu") if c.level == "town"]
    assert candidate.name == "Việt Quang, Huyện Bắc Quang"
    assert (candidate.lat, candidate.lng) == pytest.approx((22.4167, 104.8167))


def test_a_word_inside_a_name_matches_after_a_whole_name(gazetteer):
    names = [c.name for c in geocoding.geocode("quang")]
    assert names.index("Quang Bình") < names.index("Xã Bắc Quang, Tỉnh Tuyên Quang")


def test_nothing_matches_an_unknown_place_when_offline(gazetteer, settings):
    settings.GEOCODER = "none"
    assert geocoding.geocode("Thành phố Hồ Chí Minh") == []


@pytest.mark.parametrize("typed", ["", "   ", "x" * 201])
def test_an_empty_or_overlong_search_is_refused(typed):
    with pytest.raises(ValueError):
        geocoding.geocode(typed)


# --- the provider, against a local fake Nominatim -----------------------------------------------------


class FakeNominatim:
    """A tiny HTTP server answering /search like Nominatim's JSON API."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.delay_s = 0.0
        self.results = [
            {
                "place_id": 1,
                "lat": "21.0285",
                "lon": "105.8542",
                "display_name": "Hoàn Kiếm, Hà Nội, Việt Nam",
                "addresstype": "suburb",
                "type": "administrative",
                "class": "boundary",
                "boundingbox": ["21.0", "21.05", "105.83", "105.87"],
            }
        ]
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                fake.requests.append(
                    {"path": url.path, "query": parse_qs(url.query), "user_agent": self.headers.get("User-Agent")}
                )
                time.sleep(fake.delay_s)
                body = json.dumps(fake.results if fake.status == 200 else {"error": "down"}).encode()
                try:
                    self.send_response(fake.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def nominatim(settings):
    fake = FakeNominatim()
    settings.GEOCODER = "nominatim"
    settings.GEOCODER_DOMAIN = fake.domain
    settings.GEOCODER_SCHEME = "http"
    settings.GEOCODER_TIMEOUT_S = 1
    yield fake
    fake.close()


def test_the_provider_answers_what_the_gazetteer_does_not_know(gazetteer, nominatim):
    (candidate,) = geocoding.geocode("Hoàn Kiếm, Hà Nội")
    assert candidate == geocoding.Candidate("Hoàn Kiếm, Hà Nội, Việt Nam", "suburb", 21.0285, 105.8542, "nominatim")
    (request,) = nominatim.requests
    assert request["path"] == "/search"
    assert request["query"]["q"] == ["Hoàn Kiếm, Hà Nội"]
    assert request["query"]["countrycodes"] == ["vn"]
    assert request["user_agent"].startswith("HaGiangOrigin/")


def test_the_provider_is_not_asked_when_the_gazetteer_knows_the_place(gazetteer, nominatim):
    geocoding.geocode("Bắc Quang")
    assert nominatim.requests == []


def test_provider_answers_are_cached_for_a_day(gazetteer, nominatim):
    first = geocoding.geocode("Hoàn Kiếm")
    # Within the same second the provider may not be asked again: an answer can only come from the cache.
    assert geocoding.geocode("hoan kiem") == first != []
    assert len(nominatim.requests) == 1


def test_the_provider_is_asked_at_most_once_a_second(gazetteer, nominatim):
    geocoding.geocode("Hoàn Kiếm")
    assert geocoding.geocode("Ba Đình") == []  # the slot is taken: no second request this second
    assert len(nominatim.requests) == 1
    time.sleep(2.05)  # the shared slot is kept in whole seconds
    assert geocoding.geocode("Ba Đình") != []
    assert len(nominatim.requests) == 2


def test_a_failing_provider_falls_back_to_the_gazetteer(gazetteer, nominatim):
    nominatim.status = 500
    assert geocoding.geocode("Hoàn Kiếm") == []
    # …and a partial gazetteer answer is still returned.
    assert [c.source for c in geocoding.geocode("viet qu")] == ["gazetteer"]


def test_a_slow_provider_times_out_into_the_gazetteer(gazetteer, nominatim):
    nominatim.delay_s = 1.5
    started = time.monotonic()
    assert geocoding.geocode("Hoàn Kiếm") == []
    assert time.monotonic() - started < 1.45


def test_get_provider_builds_nothing_when_geocoding_is_off(settings):
    settings.GEOCODER = "none"
    assert geocoding.get_provider() is None
