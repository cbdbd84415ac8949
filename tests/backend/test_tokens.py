"""API tokens expire, are renewed by signing in again, and die with the password they were issued under."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"
NEW_PASSWORD = "a-brand-new-pass-2026"


def token_of(username: str, password: str = PASSWORD) -> dict:
    response = APIClient().post(TOKEN, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def me(key: str, **extra):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(ME, **extra)


def age(key: str, days: float) -> None:
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(days=days))


def test_the_token_answer_says_when_it_expires(settings):
    settings.API_TOKEN_TTL_DAYS = 30
    make_user("tuan")
    before = timezone.now()
    answer = token_of("tuan")
    expires = timezone.datetime.fromisoformat(answer["expires_at"])
    assert before + timedelta(days=30) - timedelta(seconds=5) <= expires <= timezone.now() + timedelta(days=30)
    assert me(answer["token"]).status_code == 200


def test_an_expired_token_is_refused_with_a_clear_401_in_the_error_shape():
    make_user("tuan")
    key = token_of("tuan")["token"]
    age(key, 31)
    response = me(key, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "token_expired"
    assert "expired" in error["message"] and "/api/v1/auth/token/" in error["message"]
    assert response["WWW-Authenticate"] == "Token"


def test_the_lifetime_comes_from_the_settings(settings):
    settings.API_TOKEN_TTL_DAYS = 2
    make_user("tuan")
    key = token_of("tuan")["token"]
    age(key, 1.9)
    assert me(key).status_code == 200
    age(key, 2.1)
    assert me(key).status_code == 401


def test_signing_in_again_gives_the_same_token_until_it_expires_then_a_new_one():
    make_user("tuan")
    key = token_of("tuan")["token"]
    assert token_of("tuan")["token"] == key
    age(key, 31)
    # A script that still sends its old token along with the credentials gets a new one.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(TOKEN, {"username": "tuan", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    fresh = response.json()["token"]
    assert fresh != key
    assert me(fresh).status_code == 200
    assert me(key).status_code == 401


def change_by_form(user):
    client = APIClient()
    client.force_login(user)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302


def change_by_reset_link(user):
    client = APIClient()
    path = f"/accounts/reset/{urlsafe_base64_encode(force_bytes(user.pk))}/{default_token_generator.make_token(user)}/"
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302


def change_in_the_admin(user):
    admin = make_user("boss", is_staff=True, is_superuser=True)
    client = APIClient()
    client.force_login(admin)
    response = client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302


def change_from_the_command_line(user, monkeypatch):
    from django.contrib.auth.management.commands import changepassword

    monkeypatch.setattr(changepassword.Command, "_get_pass", lambda self, prompt="": NEW_PASSWORD)
    call_command("changepassword", user.username, stdout=io.StringIO())


def change_in_code(user):
    user.set_password(NEW_PASSWORD)
    user.save()


@pytest.mark.parametrize(
    "change", [change_by_form, change_by_reset_link, change_in_the_admin, change_from_the_command_line, change_in_code]
)
def test_a_new_password_revokes_the_api_token_whatever_the_path(change, monkeypatch):
    tuan = make_user("tuan")
    key = token_of("tuan")["token"]
    if change is change_from_the_command_line:
        change(tuan, monkeypatch)
    else:
        change(tuan)
    assert me(key).status_code == 401
    assert token_of("tuan", NEW_PASSWORD)["token"] != key


def test_other_changes_to_the_account_keep_the_token(client):
    tuan = make_user("tuan")
    key = token_of("tuan")["token"]
    tuan.first_name = "Tuấn"
    tuan.save()
    client.post("/accounts/login/", {"username": "tuan", "password": PASSWORD})  # updates last_login
    tuan.refresh_from_db()
    tuan.save()  # a full save with the same password
    assert me(key).status_code == 200
