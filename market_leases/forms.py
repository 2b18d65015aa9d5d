"""The estate officer's forms: allotting a vacant shop (the lessee by NID with name, mobile
and photo; tender or committee with the decision's reference; a confirmation, as the
allotment bills the lessee at once), and the month of a rent run. Bengali digits are
accepted wherever digits are typed (core.formfields)."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.digits import to_ascii_digits
from core.formfields import BDMobileField, DigitsInput, LocalizedDecimalField, NIDField
from core.forms import DecisionForm

from .billing import BillingError, as_period, check_month
from .models import Allotment


class AllotForm(forms.Form):
    nid = NIDField(label=gettext_lazy("Lessee's national ID number"))
    name_bn = forms.CharField(label=gettext_lazy("Name (Bengali)"), max_length=200, required=False)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200, required=False)
    mobile = BDMobileField(
        label=gettext_lazy("Mobile"),
        help_text=gettext_lazy("Bills and notices are sent by SMS to this number."),
    )
    address = forms.CharField(
        label=gettext_lazy("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = forms.FileField(
        label=gettext_lazy("Lessee's photo"),
        required=False,
        help_text=gettext_lazy("JPEG or PNG. Needed unless the lessee already has one on record."),
    )
    trade_licence_number = forms.CharField(
        label=gettext_lazy("Trade licence number"),
        max_length=40,
        widget=DigitsInput(),
        help_text=gettext_lazy("The lessee's current trade licence (Bengali digits are fine)."),
    )
    basis = forms.ChoiceField(label=gettext_lazy("Allotted by"), choices=Allotment.Basis.choices)
    decision_reference = forms.CharField(
        label=gettext_lazy("Decision reference"),
        max_length=200,
        help_text=gettext_lazy("The tender's or the committee meeting's memo number."),
    )
    decision_date = forms.DateField(
        label=gettext_lazy("Decision date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Agreement starts"), widget=forms.DateInput(attrs={"type": "date"})
    )
    salami = LocalizedDecimalField(
        label=gettext_lazy("Salami set by the tender"),
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=14,
        help_text=gettext_lazy("Leave empty to charge the rent schedule's salami."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I have checked the lessee's NID, photo and licence and the decision. The lessee "
            "will be billed the salami and deposit at once; this cannot be undone here."
        ),
        error_messages={"required": gettext_lazy("Tick the box to confirm the allotment.")},
    )

    def clean(self):
        data = super().clean()
        if not (data.get("name_bn", "").strip() or data.get("name_en", "").strip()):
            self.add_error("name_bn", _("Enter the lessee's name."))
        return data


class MonthForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Rent month"),
        max_length=7,
        help_text=gettext_lazy("Year and month, such as 2026-11."),
    )

    def clean_month(self) -> datetime.date:
        try:
            period = as_period(to_ascii_digits(self.cleaned_data["month"]))
            check_month(period, timezone.localdate())
        except BillingError:
            raise ValidationError(
                _("Choose this month or an earlier one, written as year and month (2026-11).")
            ) from None
        return period


class TransferForm(forms.Form):
    """A name change: the new lessee by NID with name and mobile, their trade licence and
    the decision; a confirmation (the new lessee is billed the transfer fee at once)."""

    nid = NIDField(label=gettext_lazy("New lessee's national ID number"))
    name_bn = forms.CharField(label=gettext_lazy("Name (Bengali)"), max_length=200, required=False)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200, required=False)
    mobile = BDMobileField(
        label=gettext_lazy("Mobile"),
        help_text=gettext_lazy("Bills and notices are sent by SMS to this number."),
    )
    trade_licence_number = forms.CharField(
        label=gettext_lazy("Trade licence number"),
        max_length=40,
        widget=DigitsInput(),
        help_text=gettext_lazy("The new lessee's current trade licence."),
    )
    decision_reference = forms.CharField(
        label=gettext_lazy("Decision reference"),
        max_length=200,
        help_text=gettext_lazy("The memo number of the decision allowing the name change."),
    )
    decision_date = forms.DateField(
        label=gettext_lazy("Decision date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I have checked the new lessee's NID and licence and the decision. The new lessee "
            "will be billed the transfer fee at once."
        ),
        error_messages={"required": gettext_lazy("Tick the box to confirm the transfer.")},
    )

    def clean(self):
        data = super().clean()
        if not (data.get("name_bn", "").strip() or data.get("name_en", "").strip()):
            self.add_error("name_bn", _("Enter the lessee's name."))
        return data


class NoticeForm(forms.Form):
    hearing_on = forms.DateField(
        label=gettext_lazy("Hearing date"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ArrearsDecisionForm(DecisionForm):
    """After the hearing: cancel the allotment or withdraw the notice, with the reason."""

    reason_help = gettext_lazy("Recorded with the allotment's history.")
    field_order = ["decision", "reason", "confirm"]
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("cancel", gettext_lazy("Cancel the allotment (the deposit is set against the dues)")),
            ("withdraw", gettext_lazy("Withdraw the notice")),
        ],
        widget=forms.RadioSelect,
    )
