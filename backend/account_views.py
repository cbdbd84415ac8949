"""Accounts: signing in, signing up (with the email confirmed by a link) and password resets, all limited.

The limits and what they count are in backend/login_limits.py; the emails are sent by the
background worker (backend/account_emails.py).
"""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import Group
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backend import account_emails, login_limits
from backend.forms import BackgroundPasswordResetForm, LimitedAuthenticationForm, SignupForm
from backend.roles import CONSUMER

_login = auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LimitedAuthenticationForm)


def login_view(request, *args, **kwargs):
    """Django's login page with the attempts limited: 429 and Retry-After over a limit."""
    return login_limits.login_response(request, _login(request, *args, **kwargs))


def _limited(request, template: str, context: dict, wait: int):
    response = render(request, template, {**context, "limited": login_limits.busy_message(wait)}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _next_page(request) -> str:
    """Where to go after signing up: `next` (from the page that sent here) when it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    # A path of ours only: a bare word ("9999-12-31") would be read by redirect() as a view's name.
    return target if safe and target.startswith("/") else ""


def signup(request):
    """A consumer account, signed in at once; the email address is attached when its owner opens our link.

    The answer is the same whether or not another account uses the address (its owner is told by
    email instead), so the page cannot be used to learn who has an account. A producer (the choice on
    the form, or `next` from the producers' guide) goes on to the application at once.
    """
    next_page = _next_page(request)
    if request.user.is_authenticated:
        return redirect(next_page or "home")
    if request.method == "POST":
        wait = login_limits.signup_wait(request)
        if wait is not None:
            # Not validated: the form would say whether the username is taken.
            form = SignupForm(initial={"username": request.POST.get("username", "")[:150]})
            return _limited(request, "registration/signup.html", {"form": form, "next": next_page}, wait)
    applying = next_page == reverse("tracing:producer_apply")
    form = SignupForm(request.POST or None, initial={"producer": applying})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            email, user.email = user.email, ""
            user.save()
            user.groups.add(Group.objects.get(name=CONSUMER))
            if login_limits.account_email_allowed(email):
                account_emails.signup_email.enqueue(user.pk, email, get_language())
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _(
                "Welcome! Your account is ready. We sent a message to %(email)s: "
                "open the link in it to confirm your address."
            )
            % {"email": email},
        )
        if form.cleaned_data["producer"]:
            return redirect("tracing:producer_apply")
        return redirect(next_page or "home")
    return render(
        request,
        "registration/signup.html",
        {"form": form, "next": next_page},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def email_confirm(request, token: str):
    """The link of a signup email: shows the address; attaches it to the account on POST (mail scanners only GET)."""
    data = account_emails.read_confirmation(token)
    user_model = get_user_model()
    user = user_model._default_manager.filter(pk=data["u"]).first() if data else None
    if user is None or user.email != data["was"]:
        return render(request, "registration/email_confirm.html", {"validlink": False})
    context = {"validlink": True, "email": data["e"], "username": user.get_username()}
    if request.method == "POST":
        with transaction.atomic():
            user = user_model._default_manager.select_for_update().get(pk=user.pk)
            if user.email != data["was"]:
                return render(request, "registration/email_confirm.html", {"validlink": False})
            if user_model._default_manager.filter(email__iexact=data["e"]).exclude(pk=user.pk).exists():
                return render(request, "registration/email_confirm.html", {**context, "taken": True}, status=409)
            user.email = data["e"]
            user.save(update_fields=["email"])
        messages.success(request, _("Your email address %(email)s is confirmed.") % {"email": data["e"]})
        return redirect("home")
    return render(request, "registration/email_confirm.html", context)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, limited per client, with the email queued for the worker (same answer, same work)."""

    form_class = BackgroundPasswordResetForm

    def post(self, request, *args, **kwargs):
        wait = login_limits.reset_wait(request)
        if wait is not None:
            return _limited(request, self.template_name, {"form": self.form_class()}, wait)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's new-password page; the browser that used the link counts as the owner's (login_limits)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        login_limits.remember_device(self.request, response, form.user)
        return response
