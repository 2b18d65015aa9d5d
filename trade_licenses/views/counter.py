"""Filing a trade-licence application at the counter, on the trader's behalf.

A counter clerk (accounts.use_counter) enters the trader's mobile number (Bengali digits
accepted) with the same details as the trader's step 1. The trader's account is the one
with that number, or a new citizen account made for it; the business is registered for
the trader and the draft is filed by the clerk, recorded as on the trader's behalf (the
services do both). The clerk then carries on with the trader's documents and review steps.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.roles import perm
from core.views import StaffRoleRequiredMixin

from .. import services
from ..trader_forms import ApplicationDetailsForm


class CounterApplicationForm(ApplicationDetailsForm):
    """The trader's step 1, worded for the clerk who fills it in for the trader."""

    LABELS = {
        "trader_mobile": gettext_lazy("Trader's mobile number"),
        "trader_name_bn": gettext_lazy("Trader's name (Bengali)"),
        "trader_name_en": gettext_lazy("Trader's name (English)"),
        "trader_nid": gettext_lazy("Trader's NID number"),
        "trader_tin": gettext_lazy("Trader's e-TIN"),
        "trader_father_or_husband_name": gettext_lazy("Trader's father's or husband's name"),
        "trader_mother_name": gettext_lazy("Trader's mother's name"),
        "trader_present_address": gettext_lazy("Trader's present address"),
        "trader_permanent_address": gettext_lazy("Trader's permanent address"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.LABELS.items():
            self.fields[name].label = label
        self.fields["trader_mobile"].help_text = gettext_lazy(
            "The trader's account is found by this number; a new one is opened if there is "
            "none. The trader gets an SMS at each step."
        )
        self.fields["trader_permanent_address"].help_text = gettext_lazy(
            "As on the trader's NID; the same as the present one if the trader lives there."
        )


class CounterApplyView(StaffRoleRequiredMixin, View):
    permission_required = perm("use_counter")
    template_name = "trade_licenses/trader/counter_apply.html"

    def get(self, request):
        return render(request, self.template_name, {"form": CounterApplicationForm(), "step": 1})

    def post(self, request):
        form = CounterApplicationForm(request.POST)
        if form.is_valid():
            values = form.trader_values()
            try:
                application = services.application_start(
                    actor=request.user,
                    business_values=form.business_values(),
                    trader_values=values,
                    on_behalf=True,
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(
                    request,
                    " ".join(exc.messages)
                    if isinstance(exc, ValidationError)
                    else (str(exc) or _("You may not do that.")),
                )
            else:
                messages.success(
                    request,
                    _(
                        "The draft is saved for the trader, filed by you "
                        "on the trader's behalf. Now upload the "
                        "documents."
                    ),
                )
                return redirect("trade_licenses:documents", pk=application.pk)
        return render(request, self.template_name, {"form": form, "step": 1}, status=400)
