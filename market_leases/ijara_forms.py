"""Ijara forms: a bid (amount, and a bank pay order when the security is above the gateway's
limit), a tender notice, and the opening's pay-order confirmations. Bengali digits are
accepted wherever digits are typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from core.formfields import LocalizedDecimalField, LocalizedIntegerField

from .ijara_models import IjaraSite


class BidForm(forms.Form):
    amount = LocalizedDecimalField(
        label=gettext_lazy("Your bid (taka)"),
        max_digits=14,
        decimal_places=2,
        min_value=1,
        help_text=gettext_lazy(
            "Sealed: nobody sees it before the opening. One bid per bidder; it cannot be changed."
        ),
    )
    pay_order_number = forms.CharField(
        label=gettext_lazy("Bank pay order number"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Only when the security is above what can be paid online."),
    )
    pay_order_bank = forms.CharField(
        label=gettext_lazy("Bank and branch of the pay order"), max_length=120, required=False
    )


class SiteChoiceField(forms.ModelChoiceField):
    """A site by its name in the reader's language, with its ward."""

    def label_from_instance(self, obj) -> str:
        from django.utils.translation import gettext

        from core.digits import localize_digits

        return f"{obj.name} ({gettext('ward')} {localize_digits(obj.ward.number)})"


class TenderForm(forms.Form):
    site = SiteChoiceField(
        label=gettext_lazy("Site"), queryset=IjaraSite.objects.select_related("ward")
    )
    year = LocalizedIntegerField(
        label=gettext_lazy("Bengali year leased"), min_value=1400, max_value=1500
    )
    reference = forms.CharField(label=gettext_lazy("Notice reference"), max_length=200)
    schedule_fee = LocalizedDecimalField(
        label=gettext_lazy("Schedule fee"), max_digits=14, decimal_places=2, min_value=0
    )
    security_step = LocalizedDecimalField(
        label=gettext_lazy("Security rounded up to a multiple of"),
        max_digits=14,
        decimal_places=2,
        min_value=1,
        initial=50000,
    )
    bid_opens_at = forms.DateTimeField(
        label=gettext_lazy("Bids from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    bid_closes_at = forms.DateTimeField(
        label=gettext_lazy("Bids until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    opening_at = forms.DateTimeField(
        label=gettext_lazy("Opening"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    reserve_price = LocalizedDecimalField(
        label=gettext_lazy("Reserve price (empty: the average of the last three years)"),
        max_digits=14,
        decimal_places=2,
        required=False,
    )
    reserve_reason = forms.CharField(
        label=gettext_lazy("Why the reserve price differs from the average"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    balance_days = LocalizedIntegerField(
        label=gettext_lazy("Days the winner has to pay the balance"),
        min_value=1,
        max_value=90,
        initial=7,
    )
