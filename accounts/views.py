"""Profile pages, the staff password step of sign-in, and the admin's sign-in door."""

from urllib.parse import urlencode

from allauth.account.internal.decorators import login_stage_required
from allauth.account.internal.flows.login import record_authentication
from allauth.account.internal.stagekit import clear_login, stash_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from . import services
from .forms import ProfileForm, StaffPasswordForm
from .models import User
from .stages import MAX_PASSWORD_ATTEMPTS, StaffPasswordStage


def _set_language_cookie(response, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=user)
        if form.is_valid():
            # The form has already applied the cleaned values to `user`; start from the
            # database copy so the audit row compares the real before and after.
            fresh = User.objects.get(pk=user.pk)
            language_before = fresh.preferred_language
            services.user_update_profile(user=fresh, data=form.cleaned_data, actor=user)
            messages.success(request, _("Your profile is saved."))
            response = redirect("accounts:profile")
            if fresh.preferred_language != language_before:
                # A language cookie from the switch would otherwise keep the old one.
                _set_language_cookie(response, fresh.preferred_language)
            return response
        messages.error(request, _("Please correct the errors below. Nothing was saved."))
    else:
        form = ProfileForm(instance=user)
    token = Token.objects.filter(user=user).first()
    # A newly created key is shown once, on the page right after its creation.
    new_token = request.session.pop("new_token", None)
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "token": token,
            "new_token": new_token,
            # The API-token controls, only for accounts that use the API.
            "uses_api": token is not None or services.user_uses_api(user),
        },
    )


@login_required
@require_POST
def create_token(request):
    """Replace the caller's API token (accounts that use the API only: an administrator
    issues the first one)."""
    if not services.user_uses_api(request.user):
        messages.error(
            request,
            _("API tokens are for accounts that use the API. Ask an administrator for one."),
        )
        return redirect("accounts:profile")
    token = services.user_rotate_api_token(user=request.user)
    messages.success(request, _("A new API token was created. The old one no longer works."))
    request.session["new_token"] = token.key
    return redirect("accounts:profile")


def dev_sms_outbox(request):
    """Development only (mounted when DEBUG): the latest text messages, codes included."""
    from .models import SmsMessage

    return render(
        request, "accounts/dev_sms_outbox.html", {"sms_list": SmsMessage.objects.all()[:30]}
    )


@login_stage_required(stage=StaffPasswordStage.key, redirect_urlname="account_login")
@require_http_methods(["GET", "POST"])
def staff_password(request):
    """Sign-in, last step for accounts with a password: reached only with the right code."""
    stage = request._login_stage
    user = stage.login.user
    form = StaffPasswordForm(request.POST or None, user=user, request=request)
    if request.method == "POST":
        if form.is_valid():
            record_authentication(request, user, method="password")
            return stage.exit()
        failures = stage.state.get("failures", 0) + 1
        if failures >= MAX_PASSWORD_ATTEMPTS:
            clear_login(request)
            messages.error(request, _("Too many wrong passwords. Start again with a new code."))
            return redirect("account_login")
        stage.state["failures"] = failures
        stash_login(request, stage.login)
    return render(request, "account/staff_password.html", {"form": form})


@never_cache
def admin_login(request, extra_context=None):
    """The admin has no sign-in of its own: everyone signs in through the portal's page
    (mobile number, one-time code, then the password for staff), with its limits."""
    admin_index = reverse("admin:index")
    target = request.GET.get("next") or admin_index
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = admin_index
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return HttpResponseRedirect(target)
        # Signed in, but not an administrator: the sign-in page would only send them back.
        raise PermissionDenied
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': target})}")
