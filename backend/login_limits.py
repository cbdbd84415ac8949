"""Limits on guessing passwords, creating accounts and sending account emails.

Counters are the API's (backend/throttling.py: PostgreSQL, a sliding estimate over two fixed
windows); addresses, account names and email addresses go into their keys as keyed hashes. The
client is the address of backend/client_address.py. docs/operations.md ("Security model") lists
the thresholds.

Signing in (the site's login page, the admin's and the API's token endpoint) counts failed
attempts only. Over a limit, the attempt is refused before the password is checked, with 429,
a message and Retry-After:

* per client: :data:`FAILURES_PER_CLIENT` failures per :data:`FAILURE_WINDOW_S` seconds, whatever
  the account (one address trying many accounts);
* per account: :data:`FAILURES_PER_ACCOUNT` failures per window, whatever the client (many
  addresses trying one account). The account is the name typed: unknown names are counted the
  same way, so the limits do not tell which accounts exist.

Neither locks anything for good: the estimate slides, so after a burst the window lets attempts
in again, slowly (about one per window ÷ limit). A stranger who keeps failing on someone's account
can keep that account's counter full, though, so the owner is not judged by it: a browser that
has signed in to the account before (or opened a password-reset link of it) carries a signed
device cookie, and its attempts are counted only per (account, device), at
:data:`FAILURES_PER_DEVICE` per window — strangers' failures never refuse the owner's own
browsers (OWASP's "device cookies"). A new browser of the owner waits like anyone else, or uses
a password-reset link, which makes it known.

Signing up and asking for a password reset count every request per client
(:data:`SIGNUPS_PER_CLIENT`, :data:`RESETS_PER_CLIENT` an hour, with 429). Emails sent to an
address on the word of an anonymous visitor (signup confirmations, reset links) are capped at
:data:`EMAILS_PER_ADDRESS` an hour per address; over it they are silently not sent, and the page
says the same as ever (the address's owner already has the earlier emails).
"""

from __future__ import annotations

import math
import secrets
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import ngettext

from backend import throttling

FAILURE_WINDOW_S = 900
FAILURES_PER_CLIENT = 20
FAILURES_PER_ACCOUNT = 10
FAILURES_PER_DEVICE = 10
SIGNUPS_PER_CLIENT = 10
SIGNUP_WINDOW_S = 3600
RESETS_PER_CLIENT = 10
RESET_WINDOW_S = 3600
EMAILS_PER_ADDRESS = 3
EMAIL_WINDOW_S = 3600

DEVICE_COOKIE = "hg_device"
DEVICE_COOKIE_SALT = "backend.login_limits.device"
DEVICE_MAX_AGE_S = 365 * 24 * 3600
DEVICE_ACCOUNTS = 10  # accounts remembered per browser, the most recent first

#: The clock of the counters (tests hold it still or move it by hand).
clock = time.time


def account_name(username: str) -> str:
    """The account as its counter knows it: NFKC and stripped, as the login forms read it (variants share it)."""
    return unicodedata.normalize("NFKC", username).strip()


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))


@dataclass(frozen=True)
class LoginAttempt:
    """The counters one sign-in attempt is judged on: (client, account), or (account, device) from a known browser."""

    counters: tuple[tuple[str, int, int], ...]

    def wait(self) -> int | None:
        """Whole seconds until an attempt would be let in, or None if it may go ahead now (nothing is counted)."""
        waits = [w for w in throttling.waits(list(self.counters), clock()) if w is not None]
        return _seconds(max(waits)) if waits else None

    def failed(self) -> None:
        """Count a failed attempt on each counter."""
        throttling.hit_many(list(self.counters), clock())


def login_attempt(request, username: str) -> LoginAttempt:
    name = account_name(username)
    user_pk = _known_device_user(request, name)
    if user_pk is not None:
        device = _device(request)[0]
        return LoginAttempt(
            ((f"login-d:{throttling.keyed(f'{user_pk}:{device}')}", FAILURES_PER_DEVICE, FAILURE_WINDOW_S),)
        )
    return LoginAttempt(
        (
            (f"login-c:{throttling.address_key(request)}", FAILURES_PER_CLIENT, FAILURE_WINDOW_S),
            (f"login-a:{throttling.keyed(name)}", FAILURES_PER_ACCOUNT, FAILURE_WINDOW_S),
        )
    )


def refusal_message(wait: int) -> str:
    minutes = math.ceil(wait / 60)
    return ngettext(
        "Too many failed sign-in attempts for this account or from your connection. "
        "Please wait %(minutes)d minute and try again, or reset your password.",
        "Too many failed sign-in attempts for this account or from your connection. "
        "Please wait %(minutes)d minutes and try again, or reset your password.",
        minutes,
    ) % {"minutes": minutes}


def busy_message(wait: int) -> str:
    minutes = math.ceil(wait / 60)
    return ngettext(
        "Too many requests from your connection. Please wait %(minutes)d minute and try again.",
        "Too many requests from your connection. Please wait %(minutes)d minutes and try again.",
        minutes,
    ) % {"minutes": minutes}


def _count(key: str, limit: int, window_s: int) -> int | None:
    wait = throttling.hit(key, limit, window_s, clock())
    return None if wait is None else _seconds(wait)


def signup_wait(request) -> int | None:
    """Count a signup request of this client: None if it may go ahead, else whole seconds to wait."""
    return _count(f"signup-c:{throttling.address_key(request)}", SIGNUPS_PER_CLIENT, SIGNUP_WINDOW_S)


def reset_wait(request) -> int | None:
    """Count a password-reset request of this client: None if it may go ahead, else whole seconds to wait."""
    return _count(f"reset-c:{throttling.address_key(request)}", RESETS_PER_CLIENT, RESET_WINDOW_S)


def account_email_allowed(address: str) -> bool:
    """Count an account email to `address` (signup or reset): False once the address has had its share."""
    key = f"mail-to:{throttling.keyed(address.strip().lower())}"
    return _count(key, EMAILS_PER_ADDRESS, EMAIL_WINDOW_S) is None


# The device cookie ----------------------------------------------------------------------------


def _device(request) -> tuple[str, list[int]]:
    """(device id, ids of the accounts signed in from this browser), or ('', []) without a valid cookie."""
    value = request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_COOKIE_SALT, max_age=DEVICE_MAX_AGE_S)
    device, _, accounts = value.partition(":")
    try:
        return device, [int(pk) for pk in accounts.split(".") if pk][:DEVICE_ACCOUNTS]
    except ValueError:
        return "", []


def _known_device_user(request, name: str) -> int | None:
    """The pk of the account `name` if this browser has signed in to it before, else None."""
    device, accounts = _device(request)
    if not device or not accounts:
        return None
    user_model = get_user_model()
    return (
        user_model._default_manager.filter(pk__in=accounts, **{user_model.USERNAME_FIELD: name})
        .values_list("pk", flat=True)
        .first()
    )


def remember_device(request, response, user) -> None:
    """Mark this browser as one `user` signs in from (after a successful sign-in or a password-reset link)."""
    device, accounts = _device(request)
    device = device or secrets.token_urlsafe(12)
    accounts = [user.pk] + [pk for pk in accounts if pk != user.pk]
    response.set_signed_cookie(
        DEVICE_COOKIE,
        f"{device}:{'.'.join(str(pk) for pk in accounts[:DEVICE_ACCOUNTS])}",
        salt=DEVICE_COOKIE_SALT,
        max_age=DEVICE_MAX_AGE_S,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def login_response(request, response):
    """The login page's response, finished: 429 with Retry-After when refused, the device cookie when signed in.

    The login forms (backend/forms.py) leave `request.login_retry_after` when they refused an
    attempt without checking its password.
    """
    wait = getattr(request, "login_retry_after", None)
    if wait is not None:
        response.status_code = 429
        response["Retry-After"] = str(wait)
    elif request.method == "POST" and 300 <= response.status_code < 400 and request.user.is_authenticated:
        remember_device(request, response, request.user)
    return response
