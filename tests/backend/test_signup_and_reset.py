"""Signing up and resetting a password: limited per client, and never telling whether an address has an account."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from backend import account_emails, login_limits
from tests.conftest import make_user

SIGNUP = "/accounts/signup/"
RESET = "/accounts/password_reset/"
GOOD_PASSWORD = "ha-giang-tea-2026"


@pytest.fixture(autouse=True)
def still_clock(monkeypatch, settings):
    monkeypatch.setattr(login_limits, "clock", lambda: 1_800_000_060.0)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def signup(client, username, email, address="203.0.113.1", password=GOOD_PASSWORD, **extra):
    return client.post(
        SIGNUP,
        {"username": username, "email": email, "password1": password, "password2": password},
        REMOTE_ADDR=address,
        **extra,
    )


def link_in(message) -> str:
    return re.search(r"https://origin\.test(/\S+)", message.body).group(1)


@pytest.mark.django_db
def test_signup_answers_the_same_whether_or_not_the_email_is_taken():
    make_user("first")  # first@example.test
    answers = []
    for username, email in (("second", "FIRST@example.test"), ("third", "new@example.test")):
        client = Client()
        with CaptureQueriesContext(connection) as queries:
            response = signup(client, username, email, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 302 and response["Location"] == "/"
        page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode().replace(email.lower(), "EMAIL")
        assert "open the link in it to confirm your address" in page
        answers.append((re.search(r'<ul class="messages".*?</ul>', page, re.S).group(0), len(queries)))
        assert client.get("/api/v1/me/").json()["username"] == username
    assert answers[0] == answers[1]  # the same words, and the same work in the request
    assert User.objects.get(username="second").email == User.objects.get(username="third").email == ""


@pytest.mark.django_db(transaction=True)  # the worker closes the connection between tasks
def test_the_address_is_attached_once_its_owner_opens_the_link():
    client = Client()
    signup(client, "lan", "Lan@Example.test")
    assert mail.outbox == []  # sent by the worker, not in the request
    run_worker()
    [message] = mail.outbox
    assert message.to == ["lan@example.test"]
    path = link_in(message)
    page = Client().get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "lan@example.test" in page.content.decode()
    assert User.objects.get(username="lan").email == ""  # opening the link (a mail scanner) attaches nothing
    assert Client().post(path).status_code == 302
    assert User.objects.get(username="lan").email == "lan@example.test"
    again = Client().post(path, HTTP_ACCEPT_LANGUAGE="en")
    assert "This link has expired" in again.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_taken_address_gets_a_note_to_its_owner_and_is_not_attached():
    make_user("first")
    signup(Client(), "second", "first@example.test", HTTP_ACCEPT_LANGUAGE="en")
    run_worker()
    [message] = mail.outbox
    assert message.to == ["first@example.test"]
    assert "already belongs to an account" in message.body and "first" in message.body
    assert "/accounts/email/confirm/" not in message.body
    assert "/accounts/password_reset/" in message.body
    assert User.objects.get(username="second").email == ""


@pytest.mark.django_db
def test_a_confirmation_link_is_refused_when_forged_or_when_the_address_was_taken_meanwhile():
    lan = User.objects.create_user("lan", password=GOOD_PASSWORD)  # signed up, address not confirmed yet
    token = account_emails.confirmation_token(lan, "lan@example.test")
    forged = Client().post(f"/accounts/email/confirm/{token[:-2]}xx/", HTTP_ACCEPT_LANGUAGE="en")
    assert "This link has expired" in forged.content.decode()
    User.objects.create_user("other", email="LAN@example.test", password=GOOD_PASSWORD)
    taken = Client().post(f"/accounts/email/confirm/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert taken.status_code == 409
    assert "Another account already uses" in taken.content.decode()
    lan.refresh_from_db()
    assert lan.email == ""


@pytest.mark.django_db
def test_signups_are_limited_per_client_and_the_refusal_does_not_check_the_username():
    make_user("taken")
    for n in range(login_limits.SIGNUPS_PER_CLIENT):
        assert signup(Client(), f"bot{n}", f"bot{n}@example.test", password="short").status_code == 400
    response = signup(Client(), "taken", "x@example.test", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = response.content.decode()
    assert "Too many requests from your connection" in body
    assert "already exists" not in body
    assert not User.objects.filter(email="x@example.test").exists()
    assert signup(Client(), "fresh", "fresh@example.test", address="203.0.113.2").status_code == 302


@pytest.mark.django_db
def test_password_reset_answers_and_works_the_same_for_known_and_unknown_addresses():
    make_user("mai")
    answers = []
    for email in ("mai@example.test", "nobody@example.test"):
        with CaptureQueriesContext(connection) as queries:
            response = Client().post(RESET, {"email": email})
        answers.append((response.status_code, response["Location"], len(queries)))
    assert answers[0] == answers[1] == (302, "/accounts/password_reset/done/", answers[0][2])
    assert mail.outbox == []  # queued for the worker either way


@pytest.mark.django_db(transaction=True)
def test_password_reset_sends_a_link_that_works_in_the_language_of_the_page():
    make_user("mai")
    Client().post(RESET, {"email": "MAI@example.test"}, HTTP_ACCEPT_LANGUAGE="en")
    Client().post(RESET, {"email": "nobody@example.test"})
    run_worker()
    [message] = mail.outbox
    assert message.to == ["mai@example.test"]
    assert message.subject == "Reset your Hà Giang Origin password"
    client = Client()
    form_page = client.get(link_in(message), follow=True)
    assert form_page.status_code == 200
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "new-pass-for-mai-1", "new_password2": "new-pass-for-mai-1"}
    )
    assert done.status_code == 302
    assert client.login(username="mai", password="new-pass-for-mai-1")


@pytest.mark.django_db
def test_password_resets_are_limited_per_client():
    for n in range(login_limits.RESETS_PER_CLIENT):
        assert Client().post(RESET, {"email": f"x{n}@example.test"}, REMOTE_ADDR="203.0.113.3").status_code == 302
    response = Client().post(RESET, {"email": "y@example.test"}, REMOTE_ADDR="203.0.113.3", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many requests from your connection" in response.content.decode()
    assert Client().post(RESET, {"email": "y@example.test"}, REMOTE_ADDR="203.0.113.4").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_emails_to_one_address_are_capped_silently():
    make_user("mai")
    for n in range(login_limits.EMAILS_PER_ADDRESS + 2):
        response = Client().post(RESET, {"email": "mai@example.test"}, REMOTE_ADDR=f"198.51.100.{n}")
        assert (response.status_code, response["Location"]) == (302, "/accounts/password_reset/done/")
    signup(Client(), "again", "mai@example.test", address="198.51.100.99")  # a signup's email counts too
    run_worker()
    assert len(mail.outbox) == login_limits.EMAILS_PER_ADDRESS
