"""Password guessing is limited per account and per client on every sign-in path, without locking owners out."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from backend import login_limits
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

START = 1_800_000_000.0  # a whole quarter of an hour in Unix time
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def clock(monkeypatch, settings):
    """The limits' clock, held still unless the test moves it (the run hashes with a fast hasher: tests/conftest.py)."""
    now = [START + 60]
    monkeypatch.setattr(login_limits, "clock", lambda: now[0])
    return now


def web_login(client, username, password, address="203.0.113.1", path=LOGIN, **extra):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def fail_from_many_addresses(username, count, path=LOGIN):
    """`count` wrong passwords for one account, each from another address (and another browser)."""
    from django.test import Client

    return [web_login(Client(), username, "wrong", f"198.51.100.{n}", path).status_code for n in range(1, count + 1)]


def test_a_guessed_account_is_refused_with_429_and_retry_after_even_with_the_right_password(client):
    make_user("lan")
    assert fail_from_many_addresses("lan", login_limits.FAILURES_PER_ACCOUNT) == [200] * 10
    response = web_login(client, "lan", PASSWORD, "192.0.2.50", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = response.content.decode()
    assert "Too many failed sign-in attempts" in body and "minutes" in body
    assert "_auth_user_id" not in client.session  # refused before the password was even checked


def test_the_refusal_is_in_vietnamese_first(client):
    make_user("lan")
    fail_from_many_addresses("lan", login_limits.FAILURES_PER_ACCOUNT)
    response = web_login(client, "lan", PASSWORD, "192.0.2.50")
    assert response.status_code == 429
    assert "Có quá nhiều lần đăng nhập sai" in response.content.decode()


def test_one_client_trying_many_accounts_is_refused_and_other_clients_are_not(client):
    for n in range(login_limits.FAILURES_PER_CLIENT):
        assert web_login(client, f"user{n}", "wrong", "203.0.113.9").status_code == 200
    make_user("mai")
    assert web_login(client, "mai", PASSWORD, "203.0.113.9").status_code == 429
    assert web_login(client, "mai", PASSWORD, "203.0.113.10").status_code == 302


def test_spelling_variants_of_a_name_count_on_one_account(client):
    make_user("lan")
    variants = [" lan", "lan ", "ｌａｎ", " ｌａｎ "]  # stripped and NFKC-normalised, as the form reads them
    from django.test import Client

    statuses = [web_login(Client(), variants[n % 4], "wrong", f"198.51.100.{n}").status_code for n in range(10)]
    assert statuses == [200] * 10
    assert web_login(client, "lan", PASSWORD, "192.0.2.50").status_code == 429


def test_successful_sign_ins_are_not_counted(client):
    from django.test import Client

    make_user("lan")
    # A school's whole class behind one address signs in, each from a new browser.
    statuses = [web_login(Client(), "lan", PASSWORD, "203.0.113.5").status_code for _ in range(25)]
    assert statuses == [302] * 25


def test_unknown_accounts_are_limited_exactly_like_real_ones():
    """The limits do not tell which accounts exist."""
    make_user("lan")
    real = fail_from_many_addresses("lan", 12)
    unknown = fail_from_many_addresses("nobody-here", 12)
    assert real == unknown == [200] * 10 + [429] * 2


def test_a_locked_account_lets_attempts_in_again_slowly_rather_than_for_ever(client, clock):
    make_user("lan")
    fail_from_many_addresses("lan", 10)
    response = web_login(client, "lan", PASSWORD, "192.0.2.50")
    wait = int(response["Retry-After"])
    assert 60 < wait <= 2 * login_limits.FAILURE_WINDOW_S
    clock[0] += wait
    assert web_login(client, "lan", "wrong-again", "192.0.2.51").status_code == 200  # one more try fits…
    assert web_login(client, "lan", PASSWORD, "192.0.2.52").status_code == 429  # …and then a wait again
    clock[0] += 2 * login_limits.FAILURE_WINDOW_S
    assert web_login(client, "lan", PASSWORD, "192.0.2.52").status_code == 302  # all forgotten


def test_the_owner_signs_in_from_a_known_browser_while_a_stranger_keeps_the_account_locked(client):
    make_user("lan")
    assert web_login(client, "lan", PASSWORD, "192.0.2.7").status_code == 302
    assert login_limits.DEVICE_COOKIE in client.cookies
    client.post("/accounts/logout/")
    assert fail_from_many_addresses("lan", 15) == [200] * 10 + [429] * 5
    # Same browser, even from another network (the stranger's failures were not hers).
    assert web_login(client, "lan", PASSWORD, "100.64.9.9").status_code == 302
    # A forged or copied-over cookie for another account is no pass.
    make_user("mai")
    fail_from_many_addresses("mai", 10)
    client.post("/accounts/logout/")
    assert web_login(client, "mai", PASSWORD, "100.64.9.9").status_code == 429


def test_a_known_browser_guessing_is_limited_too(client):
    make_user("lan")
    web_login(client, "lan", PASSWORD)
    client.post("/accounts/logout/")
    statuses = [web_login(client, "lan", "wrong").status_code for _ in range(login_limits.FAILURES_PER_DEVICE + 1)]
    assert statuses == [200] * login_limits.FAILURES_PER_DEVICE + [429]


def test_a_password_reset_link_makes_the_browser_known(client):
    lan = make_user("lan")
    fail_from_many_addresses("lan", 10)
    path = f"/accounts/reset/{urlsafe_base64_encode(force_bytes(lan.pk))}/{default_token_generator.make_token(lan)}/"
    form_page = client.get(path, follow=True)
    new_password = "a-new-pass-for-lan-2026"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    assert web_login(client, "lan", new_password, "192.0.2.99").status_code == 302


def test_the_admin_login_is_limited_like_the_site_login(client, admin_user):
    assert fail_from_many_addresses("admin1", 10, path=ADMIN_LOGIN) == [200] * 10
    response = web_login(client, "admin1", PASSWORD, "192.0.2.50", path=ADMIN_LOGIN, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_the_admin_login_works_and_failures_on_the_site_count_there_too(client, admin_user):
    assert web_login(client, "admin1", PASSWORD, path=ADMIN_LOGIN).status_code == 302
    client.post("/admin/logout/")
    fail_from_many_addresses("admin1", 10)  # on the site's login page
    from django.test import Client

    assert web_login(Client(), "admin1", PASSWORD, "192.0.2.50", path=ADMIN_LOGIN).status_code == 429


def test_token_login_is_limited_per_account_across_addresses_in_the_error_shape():
    make_user("tuan")
    statuses = [
        APIClient().post(TOKEN, {"username": "tuan", "password": "wrong"}, REMOTE_ADDR=f"198.51.100.{n}").status_code
        for n in range(1, 12)
    ]
    assert statuses == [400] * 10 + [429]
    response = APIClient().post(
        TOKEN, {"username": "tuan", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert error["message"].startswith("Too many failed sign-in attempts")
    assert int(response["Retry-After"]) > 0


def test_failures_on_any_path_share_the_account_counter():
    make_user("tuan")
    for n in range(5):
        APIClient().post(TOKEN, {"username": "tuan", "password": "wrong"}, REMOTE_ADDR=f"198.51.100.{n}")
    fail_from_many_addresses("tuan", 5)
    response = APIClient().post(TOKEN, {"username": "tuan", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1")
    assert response.status_code == 429
