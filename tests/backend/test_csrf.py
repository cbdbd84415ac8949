"""backend.csrf.get_token: tokens Django's CSRF middleware accepts, from an even random source."""

from collections import Counter

import pytest
from django.http import HttpResponse
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_TOKEN_LENGTH,
    CsrfViewMiddleware,
    _unmask_cipher_token,
)
from django.test import RequestFactory

from backend import csrf


def _view(request):
    return HttpResponse("ok")


def _middleware():
    return CsrfViewMiddleware(_view)


def test_a_new_token_creates_the_secret_and_masks_it():
    request = RequestFactory().get("/")
    token = csrf.get_token(request)
    assert len(token) == CSRF_TOKEN_LENGTH
    assert set(token) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    # Each call masks the same secret anew (BREACH): the tokens differ, the secret does not.
    again = csrf.get_token(request)
    assert again != token
    assert _unmask_cipher_token(again) == request.META["CSRF_COOKIE"]


def test_the_middleware_sends_the_secret_as_the_cookie_and_accepts_the_token_back():
    factory = RequestFactory()
    middleware = _middleware()
    request = factory.get("/")
    middleware.process_request(request)
    token = csrf.get_token(request)
    response = middleware.process_response(request, HttpResponse())
    cookie = response.cookies["csrftoken"].value
    assert cookie == request.META["CSRF_COOKIE"]

    post = factory.post("/", {"csrfmiddlewaretoken": token})
    post.COOKIES["csrftoken"] = cookie
    middleware.process_request(post)
    assert middleware.process_view(post, _view, (), {}) is None  # accepted

    forged = factory.post("/", {"csrfmiddlewaretoken": csrf.get_token(factory.get("/"))})
    forged.COOKIES["csrftoken"] = cookie
    middleware.process_request(forged)
    assert middleware.process_view(forged, _view, (), {}).status_code == 403


def test_an_existing_secret_is_kept():
    factory = RequestFactory()
    middleware = _middleware()
    first = factory.get("/")
    middleware.process_request(first)
    csrf.get_token(first)
    secret = first.META["CSRF_COOKIE"]

    second = factory.get("/")
    second.COOKIES["csrftoken"] = secret
    middleware.process_request(second)
    assert _unmask_cipher_token(csrf.get_token(second)) == secret


@pytest.mark.parametrize("length", [1, 32, 100])
def test_random_chars_has_the_length_asked_for(length):
    assert len(csrf.random_chars(length)) == length


def test_every_character_is_about_equally_likely():
    """62 characters from 256 byte values: without rejection the first 8 would come up 5/4 as often."""
    counts = Counter(csrf.random_chars(124_000))
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    expected = 2000
    # A biased draw gives ~2480 for a..h; an even one stays within ~4.5 standard deviations (σ ≈ 44.4).
    assert max(counts.values()) < expected + 200
    assert min(counts.values()) > expected - 200
