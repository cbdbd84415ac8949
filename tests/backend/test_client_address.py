"""The client's address for every limit: REMOTE_ADDR, or the trusted proxy's header only when configured."""

import pytest
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from backend import login_limits
from backend.client_address import client_address, client_network
from tests.conftest import PASSWORD, make_user

PROXY = "10.0.0.1"


def request(**meta):
    return RequestFactory().get("/", **meta)


@pytest.fixture
def behind(settings):
    """Configure the proxy header as a deployer would (TRUSTED_PROXY_HEADER / TRUSTED_PROXY_COUNT)."""

    def configure(header: str, count: int = 1):
        settings.TRUSTED_PROXY_HEADER = header
        settings.TRUSTED_PROXY_COUNT = count

    return configure


def test_without_configuration_forwarding_headers_are_ignored():
    spoofed = request(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4", HTTP_X_REAL_IP="5.6.7.8")
    assert client_address(spoofed) == "203.0.113.7"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "1.2.3.4, 198.51.100.1", "198.51.100.1"),  # the client's own entry on the left is not read
        (2, "1.2.3.4, 198.51.100.1, 10.0.0.2", "198.51.100.1"),  # two proxies: the second entry from the right
        (2, "198.51.100.1", "198.51.100.1"),  # fewer entries than proxies: the left-most
        (1, "198.51.100.1:51234", "198.51.100.1"),  # a proxy that adds the port
        (1, "[2001:db8::5]:443", "2001:db8::5"),
        (1, "::ffff:198.51.100.1", "198.51.100.1"),
        (1, "not-an-address", PROXY),  # garbage: the connection's own address
        (1, "", PROXY),
    ],
)
def test_x_forwarded_for_is_read_from_the_right_by_the_number_of_trusted_proxies(behind, count, forwarded, expected):
    behind("x-forwarded-for", count)
    assert client_address(request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)) == expected


def test_x_real_ip_is_read_when_it_is_the_configured_header(behind):
    behind("x-real-ip")
    assert client_address(request(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="198.51.100.3")) == "198.51.100.3"
    assert client_address(request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.4")) == PROXY
    assert client_address(request(REMOTE_ADDR=PROXY)) == PROXY


def test_an_ipv6_client_is_counted_by_its_64_network():
    one = client_network(request(REMOTE_ADDR="2001:db8:1:2::a"))
    other_address_same_line = client_network(request(REMOTE_ADDR="2001:db8:1:2:ffff::1"))
    next_line = client_network(request(REMOTE_ADDR="2001:db8:1:3::a"))
    assert one == other_address_same_line == "2001:db8:1:2::/64"
    assert next_line != one
    assert client_network(request(REMOTE_ADDR="203.0.113.7")) == "203.0.113.7"


# Every limit takes the address from the same place: the API, the scan pages and the logins.


@pytest.mark.django_db
def test_behind_the_proxy_api_clients_are_limited_one_by_one(behind, settings):
    behind("x-forwarded-for")
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = APIClient()

    def get(forwarded):
        return client.get("/api/v1/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [get("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert get("198.51.100.2") == 200  # another visitor behind the same proxy
    assert get("1.2.3.4, 198.51.100.1") == 429  # a spoofed first hop does not help


@pytest.mark.django_db
def test_without_the_setting_a_spoofed_header_does_not_escape_the_api_limit(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = APIClient()
    statuses = [
        client.get("/api/v1/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


@pytest.mark.django_db
def test_behind_the_proxy_scan_page_visitors_are_limited_one_by_one(behind, monkeypatch):
    from tracing.stamps import scan_limits, serials

    behind("x-real-ip")
    monkeypatch.setattr(scan_limits, "clock", lambda: 1_800_000_030.0)
    monkeypatch.setattr(scan_limits, "SCAN_PER_VISITOR", 3)
    client = Client()

    def scan(visitor):
        return client.get(f"/t/{serials.new_serial()}", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=visitor).status_code

    assert [scan("198.51.100.1") for _ in range(4)] == [404, 404, 404, 429]
    assert scan("198.51.100.2") == 404  # unknown code, but let in: not limited by the first visitor


@pytest.mark.django_db
def test_behind_the_proxy_login_failures_are_counted_per_real_client(behind, monkeypatch, settings):
    monkeypatch.setattr(login_limits, "clock", lambda: 1_800_000_060.0)
    behind("x-forwarded-for")
    make_user("lan")

    def login(forwarded, username, password):
        return (
            Client()
            .post(
                "/accounts/login/",
                {"username": username, "password": password},
                REMOTE_ADDR=PROXY,
                HTTP_X_FORWARDED_FOR=forwarded,
            )
            .status_code
        )

    for n in range(login_limits.FAILURES_PER_CLIENT):
        assert login("198.51.100.1", f"someone{n}", "wrong") == 200
    assert login("198.51.100.1", "lan", PASSWORD) == 429
    assert login("198.51.100.2", "lan", PASSWORD) == 302  # the site is not locked for everyone behind the proxy
