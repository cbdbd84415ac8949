"""Account emails sent by the background worker: password-reset links and signup confirmations.

They are queued by the request and sent by `manage.py db_worker`, so that a request does the
same work whether or not an account uses the address it names (sending mail takes long enough to
be timed). Each is written in the language of the page it was asked from.

A signup leaves the new account without an email address. If no account uses the address given,
its owner gets a link that attaches it (:func:`confirmation_token`, valid as long as a reset link,
settings.PASSWORD_RESET_TIMEOUT); if one does, its owner is told that someone tried to sign up
with it, and nothing is attached. Either way the page said "check your email".
"""

from __future__ import annotations

from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

CONFIRM_SALT = "backend.account_emails.confirm"


@task()
def password_reset_email(email: str, language: str) -> None:
    """Send the reset link to each active account of `email` (Django's form and templates); none if there is none."""
    site = urlparse(settings.SITE_URL)
    with translation.override(language):
        form = PasswordResetForm({"email": email})
        if form.is_valid():
            form.save(
                domain_override=site.netloc,
                use_https=site.scheme == "https",
                subject_template_name="registration/password_reset_subject.txt",
                email_template_name="registration/password_reset_email.html",
            )


def confirmation_token(user, email: str) -> str:
    """A signed token that attaches `email` to `user`, only while the user's address is still what it is now."""
    return signing.dumps({"u": user.pk, "e": email, "was": user.email}, salt=CONFIRM_SALT, compress=True)


def read_confirmation(token: str) -> dict | None:
    """The token's {"u", "e", "was"}, or None if it is forged, malformed or older than the reset timeout."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not {"u", "e", "was"} <= data.keys():
        return None
    return data


@task()
def signup_email(user_id: int, email: str, language: str) -> None:
    """After a signup with `email`: the confirmation link, or, if an account already uses it, a note to its owner."""
    user_model = get_user_model()
    user = user_model._default_manager.filter(pk=user_id).first()
    if user is None:
        return
    holders = list(user_model._default_manager.filter(email__iexact=email).exclude(pk=user_id).order_by("pk")[:5])
    with translation.override(language):
        if holders:
            subject = _("Someone tried to sign up with your email address")
            body = render_to_string(
                "registration/signup_taken_email.txt",
                {"usernames": [holder.get_username() for holder in holders], **_links()},
            )
        else:
            subject = _("Confirm your email address")
            link = settings.SITE_URL + reverse("email-confirm", args=[confirmation_token(user, email)])
            body = render_to_string(
                "registration/signup_confirm_email.txt", {"username": user.get_username(), "link": link}
            )
        site = _("Hà Giang Origin")  # the site's name in the reader's language, as on its pages
        EmailMessage(f"[{site}] {subject}", body, settings.DEFAULT_FROM_EMAIL, [email]).send(fail_silently=False)


def _links() -> dict:
    return {
        "login_url": settings.SITE_URL + reverse("login"),
        "reset_url": settings.SITE_URL + reverse("password_reset"),
    }
