"""Profile pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from . import services
from .forms import ProfileForm
from .models import User


def _set_language_cookie(response, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
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
            response = redirect("profile")
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
    return render(request, "accounts/profile.html",
                  {"form": form, "token": token, "new_token": new_token})


@login_required
@require_POST
def create_token(request):
    """Issue (or replace) the caller's API token for the REST API."""
    token = services.user_rotate_api_token(user=request.user)
    messages.success(request, _("A new API token was created. The old one no longer works."))
    request.session["new_token"] = token.key
    return redirect("profile")


def dev_sms_outbox(request):
    """Development only (mounted when DEBUG): the latest text messages, codes included."""
    from .models import SmsMessage

    return render(request, "accounts/dev_sms_outbox.html",
                  {"sms_list": SmsMessage.objects.all()[:30]})
