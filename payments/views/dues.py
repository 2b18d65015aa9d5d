"""Every due in one place: billing one of a citizen's open dues (core.portal.OpenDue) —
by the citizen from "what I owe" and "my bills", or by a counter clerk for the citizen
found by mobile number. The declaring service makes the bill (its `bill_due`, through
core.portal); payments never imports a service app."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from core import portal
from core.roles import perm
from core.validators import normalize_mobile
from core.views import StaffRoleRequiredMixin

from ..models import Bill


def _bill(user: Any, service: str, token: str, actor: Any) -> Bill:
    """The service's bill for the due (Http404 when no service bills dues by that key)."""
    try:
        bill: Bill = portal.bill_due(user=user, service=service, token=token, actor=actor)
    except LookupError:
        raise Http404 from None
    return bill


def _message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@login_required
@require_POST
def bill_due(request: HttpRequest, service: str, token: str) -> HttpResponse:
    """Bill one of my open dues, then show it ticked on my bills (pay it online there)."""
    try:
        bill = _bill(request.user, service, token, request.user)
    except ValidationError as exc:
        messages.error(
            request, _("The bill could not be made: %(reason)s") % {"reason": _message(exc)}
        )
        return HttpResponseRedirect(reverse("payments:bills"))
    messages.success(request, _("Bill %(number)s is ready to pay.") % {"number": bill.number})
    return HttpResponseRedirect(f"{reverse('payments:bills')}?{urlencode({'new': bill.number})}")


def citizen_by_mobile(text: str) -> Any:
    """The active account with this mobile number (Bengali digits accepted), or None."""
    try:
        mobile = normalize_mobile(text)
    except ValidationError:
        return None
    return get_user_model().objects.filter(mobile=mobile, is_active=True).first()


class CounterBillDueView(StaffRoleRequiredMixin, View):
    """A clerk bills one of the citizen's open dues (found by the citizen's mobile number);
    the bill's payer is the citizen. Back to the counter with the bill found."""

    permission_required = perm("use_counter")
    http_method_names = ["post"]

    def post(self, request: HttpRequest, service: str, token: str) -> HttpResponse:
        query = request.POST.get("q", "")
        citizen = citizen_by_mobile(request.POST.get("mobile", ""))
        if citizen is None:
            raise Http404
        try:
            bill = _bill(citizen, service, token, request.user)
        except ValidationError as exc:
            messages.error(
                request, _("The bill could not be made: %(reason)s") % {"reason": _message(exc)}
            )
            return HttpResponseRedirect(
                f"{reverse('payments:counter_home')}?{urlencode({'q': query})}"
            )
        messages.success(
            request,
            _("Bill %(number)s is made for %(payer)s. Tick it to take the cash.")
            % {"number": bill.number, "payer": bill.payer_name or citizen},
        )
        # Back to the same search (the citizen's mobile number): the new bill is listed
        # with the citizen's other bills, all ticked, under one total.
        return HttpResponseRedirect(
            f"{reverse('payments:counter_home')}?{urlencode({'q': query or bill.number})}"
        )
