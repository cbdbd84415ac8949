from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UserCreationForm
from django.contrib.auth.models import User
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from backend import account_emails, login_limits


class SignupForm(UserCreationForm):
    """A new account. The email is attached once its owner opens the link we send (backend/account_emails.py).

    Whether an account already uses the address is never said on the page: the answer is always
    "check your email", and the address's owner is told by email instead.
    """

    email = forms.EmailField(
        label=_("Email"),
        required=True,
        help_text=_("We send a link to confirm it; then it serves for password resets and order updates."),
    )

    producer = forms.BooleanField(
        label=_("I represent a producer (enterprise, cooperative or household business) and want to apply"),
        required=False,
        help_text=_("After signing up you go straight on to the application form."),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class LoginLimitMixin:
    """An authentication form whose attempts are limited (backend/login_limits.py).

    Over a limit the attempt is refused before the password is checked; a failure is counted.
    The view finishes the response with login_limits.login_response (429 and Retry-After).
    """

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # a missing field: the form says so, nothing is checked
        attempt = login_limits.login_attempt(self.request, username)
        wait = attempt.wait()
        if wait is not None:
            self.request.login_retry_after = wait
            raise forms.ValidationError(login_limits.refusal_message(wait), code="too_many_attempts")
        try:
            return super().clean()
        except forms.ValidationError:
            attempt.failed()
            raise


class LimitedAuthenticationForm(LoginLimitMixin, AuthenticationForm):
    """The site's login form."""


class LimitedAdminAuthenticationForm(LoginLimitMixin, AdminAuthenticationForm):
    """The admin's login form (staff only), limited like the site's."""


class BackgroundPasswordResetForm(PasswordResetForm):
    """Queues the reset email for the background worker instead of sending it during the request.

    The request then does the same work whether or not an account uses the address (a check of the
    per-address cap and one queued task), so neither its answer nor its duration tells.
    """

    def save(self, **kwargs):
        email = self.cleaned_data["email"]
        if login_limits.account_email_allowed(email):
            account_emails.password_reset_email.enqueue(email, get_language())
