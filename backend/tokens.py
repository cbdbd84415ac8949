"""API tokens (DRF's authtoken, one per user): they expire, and a new password revokes them.

A token is good for settings.API_TOKEN_TTL_DAYS days after it was issued (`Token.created`);
after that the API answers 401 with the code "token_expired", and /api/v1/auth/token/ issues a new
one for the username and password. Changing a user's password by any path (the password change
and reset pages, the admin, `manage.py changepassword`, `set_password()` and save) deletes their
token, as Django already ends their other sessions.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def lifetime() -> timedelta:
    return timedelta(days=settings.API_TOKEN_TTL_DAYS)


def expires_at(token: Token) -> datetime:
    return token.created + lifetime()


def token_for(user) -> Token:
    """The user's token: the current one while it lasts, else a new one (an expired token is deleted)."""
    Token.objects.filter(user=user, created__lte=timezone.now() - lifetime()).delete()
    token, _created = Token.objects.get_or_create(user=user)
    return token


def tokens_revoke(user) -> int:
    """Delete the user's API tokens; how many there were."""
    return Token.objects.filter(user=user).delete()[0]


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused with 401 "token_expired" once the token is older than its lifetime."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if timezone.now() >= expires_at(token):
            raise AuthenticationFailed(
                _("This token has expired. Ask for a new one at /api/v1/auth/token/."), code="token_expired"
            )
        return user, token


def note_password_change(sender, instance, raw=False, update_fields=None, **kwargs):
    """pre_save of the user: remember whether the stored password hash is about to change."""
    instance._password_changed = False
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return  # a fixture, a new user, or a save of other fields (e.g. last_login at each sign-in)
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_changed = stored is not None and stored != instance.password


def revoke_after_password_change(sender, instance, created=False, raw=False, **kwargs):
    """post_save of the user: a new password revokes the API tokens issued under the old one."""
    if getattr(instance, "_password_changed", False):
        instance._password_changed = False
        tokens_revoke(instance)
