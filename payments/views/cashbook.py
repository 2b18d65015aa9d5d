"""Counter cash to the bank: an office's daily cash book for a month, its sessions waiting
for the bank with the form that records a bank slip against them, and a deposit's page where
its variance is explained (payments.services.cashbook)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.digits import localize_digits
from core.exports import export_response, requested_format
from core.formfields import LocalizedDecimalField
from core.models import Ward
from core.money import format_amount
from core.roles import perm
from core.views import StaffRoleRequiredMixin

from ..models import BankDeposit, CounterSession
from ..services import PaymentError
from ..services.cashbook import (
    cash_book,
    deposit_explain,
    deposit_record,
    oldest_waiting_office,
    waiting_sessions,
)
from ..services.closing import first_day, last_day, month_label
from ..services.counter import session_cash_taken
from ..staff_common import refused

HEAD_OFFICE = "0"


def office_choices() -> list[tuple[str, str]]:
    return [(HEAD_OFFICE, str(_("Head office")))] + [
        (str(w.pk), str(w.label)) for w in Ward.objects.order_by("number")
    ]


class CashBookForm(forms.Form):
    office = forms.ChoiceField(label=gettext_lazy("Office"), required=False)
    month = forms.CharField(
        label=gettext_lazy("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        office = self.fields["office"]
        assert isinstance(office, forms.ChoiceField)  # noqa: S101
        office.choices = office_choices()

    def clean_month(self) -> datetime.date:
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return first_day(timezone.localdate())
        try:
            return datetime.date.fromisoformat(f"{text}-01")
        except ValueError:
            raise forms.ValidationError(_("Choose a month, such as 2026-11.")) from None

    def ward_id(self) -> int | None:
        office = self.cleaned_data.get("office") or HEAD_OFFICE
        return None if office == HEAD_OFFICE else int(office)


class SessionsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Closed sessions, each labelled with its clerk, close time and cash."""

    def label_from_instance(self, obj: Any) -> str:
        closed = timezone.localtime(obj.closed_at) if obj.closed_at else None
        return _("#%(pk)s, %(clerk)s, closed %(when)s: %(cash)s") % {
            "pk": localize_digits(obj.pk),
            "clerk": obj.clerk.display_name,
            "when": localize_digits(closed.strftime("%d-%m-%Y %H:%M")) if closed else "—",
            "cash": format_amount(session_cash_taken(obj)),
        }


class DepositForm(forms.Form):
    sessions = SessionsField(
        label=gettext_lazy("Counter sessions whose cash went to the bank"),
        queryset=CounterSession.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Tick the sessions whose cash is on the slip.")},
    )
    bank = forms.CharField(label=gettext_lazy("Bank and branch"), max_length=100)
    slip_number = forms.CharField(label=gettext_lazy("Bank slip number"), max_length=50)
    deposited_on = forms.DateField(
        label=gettext_lazy("Deposited on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = LocalizedDecimalField(
        label=gettext_lazy("Amount on the slip (taka)"), max_digits=14, decimal_places=2
    )

    def __init__(self, *args: Any, ward_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["sessions"]
        assert isinstance(field, SessionsField)  # noqa: S101
        field.queryset = waiting_sessions(ward_id)


def _office_label(ward_id: int | None) -> str:
    if ward_id is None:
        return str(_("Head office"))
    ward = Ward.objects.filter(pk=ward_id).first()
    return str(ward.label) if ward else "—"


BOOK_HEADERS = [
    gettext_lazy("Day"),
    gettext_lazy("In hand at the start"),
    gettext_lazy("Cash taken"),
    gettext_lazy("Deposited"),
    gettext_lazy("In hand at the end"),
]


def _chosen(request: HttpRequest) -> tuple[CashBookForm, int | None, datetime.date]:
    """The office and month in the URL (bad values: the head office, this month)."""
    data = request.GET.copy()
    data.setdefault("month", f"{timezone.localdate():%Y-%m}")
    if "office" not in data:  # the office whose cash has waited longest, else the head office
        ward_id = oldest_waiting_office()
        data["office"] = str(ward_id) if ward_id else HEAD_OFFICE
    form = CashBookForm(data)
    form.is_valid()
    month = form.cleaned_data.get("month") or first_day(timezone.localdate())
    return form, form.ward_id(), month


def render_cash_book(request: HttpRequest, deposit_form: DepositForm | None = None) -> HttpResponse:
    form, ward_id, month = _chosen(request)
    last = min(last_day(month), timezone.localdate())
    days = cash_book(ward_id, month, last) if month <= last else []
    fmt = requested_format(request)
    if fmt:
        return export_response(
            fmt,
            [str(h) for h in BOOK_HEADERS],
            ([d.day, d.opening, d.taken, d.deposited, d.closing] for d in days),
            filename=f"cash-book-{month:%Y-%m}",
            title=_("Cash book"),
        )
    office_q = {"ward__isnull": True} if ward_id is None else {"ward_id": ward_id}
    deposits = BankDeposit.objects.filter(
        deposited_on__gte=month, deposited_on__lte=last_day(month), **office_q
    ).select_related("recorded_by")
    return TemplateResponse(
        request,
        "payments/staff/cash_book.html",
        {
            "form": form,
            "office": _office_label(ward_id),
            "office_value": HEAD_OFFICE if ward_id is None else str(ward_id),
            "month": month,
            "month_text": f"{month:%Y-%m}",
            "label": month_label(month),
            "days": days,
            "taken": sum((d.taken for d in days), Decimal("0.00")),
            "deposited": sum((d.deposited for d in days), Decimal("0.00")),
            "deposits": deposits,
            "deposit_form": deposit_form
            or DepositForm(ward_id=ward_id, initial={"deposited_on": timezone.localdate()}),
            "can_record": request.user.has_perm(perm("void_payments")),
        },
        status=400 if deposit_form is not None and deposit_form.errors else 200,
    )


class CashBookView(StaffRoleRequiredMixin, View):
    permission_required = perm("view_revenue_reports")

    def get(self, request: HttpRequest) -> HttpResponse:
        return render_cash_book(request)


class DepositRecordView(StaffRoleRequiredMixin, View):
    permission_required = perm("void_payments")
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DepositForm(request.POST, ward_id=_chosen(request)[1])
        if not form.is_valid():
            return render_cash_book(request, deposit_form=form)
        data = form.cleaned_data
        try:
            deposit = deposit_record(
                sessions=list(data["sessions"]),
                bank=data["bank"],
                slip_number=data["slip_number"],
                deposited_on=data["deposited_on"],
                amount=data["amount"],
                officer=request.user,
            )
        except PaymentError as exc:
            form.add_error(None, str(exc))
            return render_cash_book(request, deposit_form=form)
        if deposit.variance:
            messages.warning(
                request,
                _("The deposit is recorded, with a variance to explain."),
            )
        else:
            messages.success(request, _("The deposit is recorded: it matches the sessions' cash."))
        return redirect(reverse("payments:revenue_deposit", kwargs={"pk": deposit.pk}))


class ExplainForm(forms.Form):
    explanation = forms.CharField(
        label=gettext_lazy("Why the slip differs from the sessions' cash"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Write why; it is kept in the audit log.")},
    )


def render_deposit(
    request: HttpRequest, deposit: BankDeposit, form: ExplainForm | None = None
) -> HttpResponse:
    sessions = [
        (s, session_cash_taken(s)) for s in deposit.sessions.select_related("clerk").order_by("pk")
    ]
    return TemplateResponse(
        request,
        "payments/staff/deposit.html",
        {
            "deposit": deposit,
            "office": _office_label(deposit.ward_id),
            "sessions": sessions,
            "form": form or ExplainForm(),
            "can_explain": deposit.flagged and request.user.has_perm(perm("void_payments")),
            "book_url": reverse("payments:revenue_cash_book")
            + f"?office={deposit.ward_id or HEAD_OFFICE}&month={deposit.deposited_on:%Y-%m}",
        },
        status=400 if form is not None and form.errors else 200,
    )


class DepositView(StaffRoleRequiredMixin, View):
    permission_required = perm("view_revenue_reports")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render_deposit(request, get_object_or_404(BankDeposit, pk=pk))


class DepositExplainView(StaffRoleRequiredMixin, View):
    permission_required = perm("void_payments")
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        deposit = get_object_or_404(BankDeposit, pk=pk)
        form = ExplainForm(request.POST)
        if not form.is_valid():
            return render_deposit(request, deposit, form)
        try:
            deposit_explain(
                deposit=deposit, officer=request.user, explanation=form.cleaned_data["explanation"]
            )
        except PaymentError as exc:
            refused(request, _("Could not record the explanation: %(reason)s"), exc)
        else:
            messages.success(request, _("The variance is explained."))
        return redirect("payments:revenue_deposit", pk=deposit.pk)
