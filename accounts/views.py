"""Profile pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from core import audit

from . import services
from .forms import ProfileForm
from .models import User


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=user)
        if form.is_valid():
            # The form has already applied the cleaned values to `user`; start from the
            # database copy so the audit row compares the real before and after.
            fresh = User.objects.get(pk=user.pk)
            services.user_update_profile(user=fresh, data=form.cleaned_data, actor=user)
            messages.success(request, _("Your profile is saved."))
            return redirect("profile")
        messages.error(request, _("Please correct the errors below. Nothing was saved."))
    else:
        form = ProfileForm(instance=user)
    token = Token.objects.filter(user=user).first()
    return render(request, "accounts/profile.html", {"form": form, "token": token})


@login_required
@require_POST
def create_token(request):
    """Issue (or replace) the caller's API token for the REST API."""
    Token.objects.filter(user=request.user).delete()
    token = Token.objects.create(user=request.user)
    audit.record(action="user.api_token_created", obj=request.user)
    messages.success(request, _("A new API token was created. The old one no longer works."))
    request.session["new_token"] = token.key
    return redirect("profile")


def dev_sms_outbox(request):
    """Development only (mounted when DEBUG): the latest text messages, codes included."""
    from .models import SmsMessage

    return render(request, "accounts/dev_sms_outbox.html",
                  {"sms_list": SmsMessage.objects.all()[:30]})
