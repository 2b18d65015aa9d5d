"""Renewing agreements: the estate officer's list of allotments whose agreement ends within
some days (and expired ones still renewable), and renewing one to a new end date through
services.allotment_renew — the new end and the decision's memo number, then a confirmation
page that says what will change, then the renewal."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.digits import localize_date, localize_digits, to_ascii_digits
from core.formfields import LocalizedIntegerField
from core.views import paginate

from .. import reports
from ..defaults import DEFAULT_AGREEMENT_YEARS
from ..models import Allotment
from ..services import allotment_renew
from .officer import EstateOfficerRequired, _form_errors
from .reports import MarketField

#: The list's window unless the officer chooses another.
DEFAULT_WITHIN_DAYS = 90


class RenewalsFilter(forms.Form):
    within = LocalizedIntegerField(
        label=gettext_lazy("Agreements ending within (days)"),
        required=False,
        min_value=0,
        max_value=3650,
    )
    which = forms.ChoiceField(
        label=gettext_lazy("Which agreements"),
        required=False,
        choices=[
            ("", gettext_lazy("Ending soon and expired")),
            ("ending", gettext_lazy("Ending soon (still active)")),
            ("expired", gettext_lazy("Expired")),
        ],
    )
    market = MarketField()
    q = forms.CharField(
        label=gettext_lazy("Shop number, lessee's name, mobile or NID"),
        required=False,
        max_length=100,
    )


class DateField(forms.DateField):
    """A day as 2031-12-31, Bengali digits accepted."""

    widget = forms.DateInput(attrs={"type": "date"})

    def to_python(self, value: Any) -> datetime.date | None:
        return super().to_python(to_ascii_digits(value) if isinstance(value, str) else value)


class RenewForm(forms.Form):
    ends_on = DateField(
        label=gettext_lazy("New end of the agreement"),
        error_messages={
            "required": gettext_lazy("Enter the new end of the agreement."),
            "invalid": gettext_lazy("Enter the new end as a date, such as 2031-12-31."),
        },
    )
    decision_reference = forms.CharField(
        label=gettext_lazy("Decision reference"),
        max_length=200,
        help_text=gettext_lazy("The memo number of the city's decision renewing the agreement."),
        error_messages={"required": gettext_lazy("Enter the decision's memo number.")},
    )

    def clean_decision_reference(self) -> str:
        value: str = self.cleaned_data["decision_reference"].strip()
        if not value:
            raise ValidationError(_("Enter the decision's memo number."), code="required")
        return value


def _years_on(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class RenewalsView(EstateOfficerRequired, View):
    """Allotments whose agreement ends within N days (90 unless chosen), and expired ones."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        form = RenewalsFilter(request.GET or None)
        data: dict | None = {}
        if form.is_bound:
            data = form.cleaned_data if form.is_valid() else None
        else:
            form = RenewalsFilter(initial={"within": DEFAULT_WITHIN_DAYS})
        context: dict[str, Any] = {"form": form, "today": today, "invalid": data is None}
        if data is not None:
            within = data.get("within")
            within = DEFAULT_WITHIN_DAYS if within is None else within
            rows = reports.renewals_due(
                today=today,
                within_days=within,
                market=data.get("market"),
                q=data.get("q") or "",
                which=data.get("which") or "",
            )
            context.update(
                page=paginate(request, rows),
                within=within,
                horizon=today + datetime.timedelta(days=within),
            )
        return TemplateResponse(request, "market_leases/officer/renewals.html", context)


class RenewView(EstateOfficerRequired, View):
    """One allotment's renewal: the form, then the confirmation, then the service."""

    template_name = "market_leases/officer/renewals_form.html"

    def allotment(self, pk: int) -> Allotment:
        return get_object_or_404(
            Allotment.objects.select_related("shop__market__ward", "lessee"), pk=pk
        )

    def render(self, request, allotment: Allotment, form: RenewForm, status: int = 200):
        renewable = allotment.status in (Allotment.Status.ACTIVE, Allotment.Status.EXPIRED)
        holder = None
        if allotment.status == Allotment.Status.EXPIRED:
            holder = (
                Allotment.objects.select_related("lessee")
                .filter(shop_id=allotment.shop_id, status__in=Allotment.OCCUPYING)
                .exclude(pk=allotment.pk)
                .first()
            )
        return TemplateResponse(
            request,
            self.template_name,
            {
                "allotment": allotment,
                "form": form,
                "renewable": renewable and holder is None,
                "holder": holder,
                "today": timezone.localdate(),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        allotment = self.allotment(pk)
        start = max(allotment.ends_on, timezone.localdate())
        suggested = _years_on(start, DEFAULT_AGREEMENT_YEARS)
        return self.render(request, allotment, RenewForm(initial={"ends_on": suggested}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        allotment = self.allotment(pk)
        form = RenewForm(request.POST)
        if not form.is_valid():
            return self.render(request, allotment, form, status=400)
        data = form.cleaned_data
        if request.POST.get("confirm") == "no":  # back from the confirmation to change it
            return self.render(request, allotment, form)
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "market_leases/officer/renewals_confirm.html",
                {
                    "allotment": allotment,
                    "ends_on": data["ends_on"],
                    "decision_reference": data["decision_reference"],
                    "reactivates": allotment.status == Allotment.Status.EXPIRED,
                },
            )
        try:
            allotment_renew(
                allotment=allotment,
                ends_on=data["ends_on"],
                decision_reference=data["decision_reference"],
                actor=request.user,
            )
        except ValidationError as e:
            _form_errors(form, e)
            return self.render(request, self.allotment(pk), form, status=400)
        messages.success(
            request,
            _("The agreement of shop %(number)s now ends on %(date)s.")
            % {
                "number": localize_digits(allotment.shop.number),
                "date": localize_date(data["ends_on"]),
            },
        )
        return redirect("market_leases:allotment", pk=allotment.pk)
