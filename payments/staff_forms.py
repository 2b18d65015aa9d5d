"""Forms for the staff payment pages: the counter (cash sessions, finding bills, taking
cash) and the revenue officer's checks (verifying sessions, holds, voids, refunds).

Amounts accept Bengali digits and commas (LocalizedDecimalField); mobile numbers are
normalised the same way BDMobileField does. Every irreversible action carries a required
confirmation checkbox.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypedDict

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core import portal
from core.digits import to_ascii_digits
from core.formfields import LocalizedDecimalField
from core.money import format_amount
from core.validators import normalize_mobile

from .models import Bill, Credit, Payment
from .services.counter import close_note_required_message


class _MoneyField(TypedDict):
    max_digits: int
    decimal_places: int
    min_value: Decimal


MONEY_FIELD: _MoneyField = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}


def _mobile_or_blank(text: str) -> str:
    """The canonical mobile number in `text` (Bengali digits and +880 accepted), or ""."""
    try:
        return normalize_mobile(text)
    except ValidationError:
        return ""


def _search_words(text: str) -> tuple[str, str, str]:
    """(as typed, with ASCII digits, canonical mobile or "") for a search box value."""
    typed = (text or "").strip()
    ascii_text = to_ascii_digits(typed)
    return typed, ascii_text, _mobile_or_blank(typed)


# --- the counter ------------------------------------------------------------------------


class OpenSessionForm(forms.Form):
    opening_cash = LocalizedDecimalField(
        label=_("Opening cash in the drawer (taka)"),
        **MONEY_FIELD,
        help_text=_("Count the notes and coins you start with. Bengali digits are fine."),
    )


class BillSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Bill number, payer's mobile number, or holding or licence number"),
        max_length=64,
        required=False,
        help_text=_("Bengali digits are fine. Only bills still to be paid are listed."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def bills(self) -> QuerySet[Bill]:
        """Open, payable bills matching the search (none when the box is empty)."""
        if not self.is_valid() or not self.cleaned_data["q"]:
            return Bill.objects.none()
        typed, ascii_text, mobile = _search_words(self.cleaned_data["q"])
        match = Q(number__iexact=ascii_text) | Q(subject_id=typed) | Q(subject_id=ascii_text)
        if len(typed) >= 3:  # a name or reference on the bill (business, licence number …)
            match |= (
                Q(subject_label_en__icontains=typed)
                | Q(subject_label_bn__icontains=typed)
                | Q(period_label__icontains=ascii_text)
            )
        if mobile:
            # The number on the bill, or the payer's account: every service's bills of
            # that citizen, whichever number the bill was issued with.
            match |= Q(payer_mobile=mobile) | Q(payer__mobile=mobile)
        return (
            Bill.objects.filter(match, status=Bill.Status.OPEN, total__gt=0)
            .select_related("payer")
            .order_by("due_date", "pk")
        )

    def open_dues(self) -> dict[str, Any] | None:
        """When the search is a citizen's mobile number: the citizen, their mobile and what
        they owe with no bill yet (core.portal.open_dues) — the clerk can bill each."""
        if not self.is_valid() or not self.cleaned_data["q"]:
            return None
        _typed, _ascii_text, mobile = _search_words(self.cleaned_data["q"])
        if not mobile:
            return None
        from django.contrib.auth import get_user_model

        citizen = get_user_model().objects.filter(mobile=mobile, is_active=True).first()
        if citizen is None:
            return None
        return {"citizen": citizen, "mobile": mobile, "dues": portal.open_dues(citizen)}


class TakeCashForm(forms.Form):
    """The bills picked from the search results, and the cash the payer handed over."""

    bills = forms.ModelMultipleChoiceField(
        queryset=Bill.objects.all(),
        to_field_name="number",
        label=_("Bills"),
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Tick at least one bill to take cash for.")},
    )
    tendered = LocalizedDecimalField(
        label=_("Cash tendered (optional)"),
        required=False,
        **MONEY_FIELD,
        help_text=_("What the payer handed over; the change to return is shown."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        bills = data.get("bills")
        if bills is not None:
            data["bills"] = list(bills.select_related("payer").order_by("pk"))
            data["total"] = sum((b.total for b in data["bills"]), Decimal("0.00"))
            tendered = data.get("tendered")
            if tendered is not None and tendered < data["total"]:
                self.add_error(
                    "tendered",
                    _("The cash tendered (%(tendered)s) is less than the total (%(total)s).")
                    % {"tendered": format_amount(tendered), "total": format_amount(data["total"])},
                )
        return data


class CloseSessionForm(forms.Form):
    counted_cash = LocalizedDecimalField(
        label=_("Cash counted in the drawer (taka)"),
        **MONEY_FIELD,
        help_text=_("Count every note and coin, including the opening cash."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the counted cash is short or over: say why."),
    )
    confirm = forms.BooleanField(
        label=_("I have counted the cash and want to close this session. It cannot be reopened."),
        error_messages={"required": _("Tick the box to confirm closing the session.")},
    )

    def __init__(self, *args: Any, expected_cash: Decimal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected_cash = expected_cash

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        counted = data.get("counted_cash")
        if self.expected_cash is not None and counted is not None:
            difference = counted - self.expected_cash
            if difference and not (data.get("note") or "").strip():
                self.add_error("note", close_note_required_message(difference))
        return data


# --- the revenue officer ----------------------------------------------------------------


class VerifySessionForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000)
    confirm = forms.BooleanField(
        label=_("I have checked the counted cash against the receipts."),
        error_messages={"required": _("Tick the box to confirm the verification.")},
    )


class PaymentActionForm(forms.Form):
    """Release, refund or void: a reason is required and so is a confirmation."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason; it is kept in the payment's history.")},
    )
    confirm = forms.BooleanField(
        label=_("I understand this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class CreditRefundForm(forms.Form):
    remarks = forms.CharField(label=_("Remarks (optional)"), required=False, max_length=255)
    confirm = forms.BooleanField(
        label=_("Send this amount back through the gateway."),
        error_messages={"required": _("Tick the box to confirm the refund.")},
    )


class PaymentFilterForm(forms.Form):
    ATTENTION = ""
    ALL = "all"

    q = forms.CharField(
        label=_("Transaction id or mobile number"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (ATTENTION, _("On hold or flagged")),
            (ALL, _("All statuses")),
            *Payment.Status.choices,
        ],
    )

    def filter(self, qs: QuerySet[Payment]) -> QuerySet[Payment]:
        if not self.is_valid():
            return qs.filter(status__in=[Payment.Status.ON_HOLD, Payment.Status.FLAGGED])
        status = self.cleaned_data["status"]
        if status == self.ATTENTION:
            qs = qs.filter(status__in=[Payment.Status.ON_HOLD, Payment.Status.FLAGGED])
        elif status != self.ALL:
            qs = qs.filter(status=status)
        if self.cleaned_data["q"]:
            _typed, ascii_text, mobile = _search_words(self.cleaned_data["q"])
            match = Q(tran_id__iexact=ascii_text)
            if mobile:
                match |= Q(payer_mobile=mobile)
            qs = qs.filter(match)
        return qs


class CreditFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Transaction id or mobile number"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def filter(self, qs: QuerySet[Credit]) -> QuerySet[Credit]:
        if not self.is_valid() or not self.cleaned_data["q"]:
            return qs
        _typed, ascii_text, mobile = _search_words(self.cleaned_data["q"])
        match = Q(payment__tran_id__iexact=ascii_text)
        if mobile:
            match |= Q(payer_mobile=mobile)
        return qs.filter(match)
