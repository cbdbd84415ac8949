"""The cart link in the site header: the number of units in the cart, for consumers and visitors."""

import re

import pytest
from django.template import RequestContext, Template
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def header_cart(html: str) -> str | None:
    found = re.search(r'<header class="site-header">.*?(<a class="header-cart"[^>]*>.*?</a>)', html, re.S)
    return found.group(1) if found else None


def test_an_anonymous_visitor_sees_the_cart_and_its_count_in_the_header(client, oranges, tea):
    link = header_cart(client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode())
    assert link is not None and 'href="/gio-hang/"' in link and "Giỏ hàng" in link and "data-count" not in link
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 2})
    client.post("/gio-hang/them/", {"listing": tea.pk, "quantity": 1})
    vi = header_cart(client.get("/nha-san-xuat/", HTTP_ACCEPT_LANGUAGE="vi").content.decode())
    assert 'data-count="3"' in vi and 'aria-label="Giỏ hàng, 3 sản phẩm"' in vi
    en = header_cart(client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert 'aria-label="Cart, 3 items"' in en and ">Cart <" in en


def test_a_consumer_sees_their_own_cart_and_not_another_one(client, oranges, consumer, other_consumer):
    client.force_login(consumer)
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 4})
    assert 'data-count="4"' in header_cart(client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    client.force_login(other_consumer)
    link = header_cart(client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert link is not None and "data-count" not in link


def test_staff_of_a_producer_without_a_consumer_account_and_officials_get_no_cart_link(client, producer, official):
    from tests.conftest import join_staff, make_user

    staff_only = join_staff(make_user("staff_only"), producer)
    for user in (staff_only, official):
        client.force_login(user)
        assert header_cart(client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()) is None


def test_a_producers_staff_member_who_also_buys_gets_the_cart_link(client, owner):
    client.force_login(owner)  # signed up as a consumer, then taken on by the producer
    assert header_cart(client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()) is not None


def test_a_page_rendered_once_for_every_visitor_shows_nobody_s_count(client, oranges):
    client.post("/gio-hang/them/", {"listing": oranges.pk, "quantity": 2})
    request = RequestFactory().get("/")
    request.session = client.session
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    template = Template("{% load marketplace %}{% header_cart %}")
    assert 'data-count="2"' in template.render(RequestContext(request, {}))
    shared = template.render(RequestContext(request, {"shared_render": True}))
    assert "header-cart" in shared and "data-count" not in shared
