"""Accounts in a real browser: signing up and confirming the address; signing in while a stranger guesses."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client

from backend import login_limits
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def quick(settings, monkeypatch):
    monkeypatch.setattr(login_limits, "clock", lambda: 1_800_000_060.0)  # no window ends mid-test


def test_a_new_consumer_signs_up_and_confirms_the_address_from_the_email(page):
    page.goto("/accounts/signup/")
    page.fill("#id_username", "hoa")
    page.fill("#id_email", "hoa@example.test")
    page.fill("#id_password1", "che-shan-tuyet-2026")
    page.fill("#id_password2", "che-shan-tuyet-2026")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    assert "hoa@example.test" in page.locator(".messages").inner_text()
    assert "xác nhận" in page.locator(".messages").inner_text()

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    [message] = mail.outbox
    path = re.search(r"https://origin\.test(/\S+)", message.body).group(1)
    page.goto(path)
    page.get_by_role("button", name="Xác nhận địa chỉ này").click()
    page.wait_for_load_state()
    assert "đã được xác nhận" in page.locator(".messages").inner_text()
    assert User.objects.get(username="hoa").email == "hoa@example.test"


def sign_in(page, username, password):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()


def test_the_owner_signs_in_from_her_own_phone_while_a_stranger_has_locked_her_name(page, browser, live_server):
    make_user("lan")
    sign_in(page, "lan", PASSWORD)
    page.locator("label.menu-button").click()  # the phone's menu
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()

    for n in range(login_limits.FAILURES_PER_ACCOUNT):  # a stranger, from many addresses
        Client().post("/accounts/login/", {"username": "lan", "password": f"guess{n}"}, REMOTE_ADDR=f"198.51.100.{n}")

    stranger = browser.new_context(locale="vi-VN", base_url=live_server.url).new_page()
    sign_in(stranger, "lan", PASSWORD)
    assert "Có quá nhiều lần đăng nhập sai" in stranger.locator(".errors").inner_text()
    stranger.context.close()

    sign_in(page, "lan", PASSWORD)  # her own phone: the stranger's failures were not hers
    assert page.url.rstrip("/") == live_server.url
    page.locator("label.menu-button").click()
    assert page.locator(".menu .who").inner_text() == "lan"
