"""Forms for the trader's licence pages: the application's details (trader and business),
a document upload, and the confirmations. Bengali digits are accepted in every number.
Writes happen in trade_licenses.services; these forms only clean the input."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.digits import to_ascii_digits
from core.fiscal import current_fiscal_year
from core.formfields import BDMobileField, DigitsInput, LocalizedDecimalField, NIDField
from core.places import ward_by_number
from core.validators import normalize_tin

from .models import BusinessCategory, DocumentKind
from .services import schedule_for

RENTED, OWNED = "rented", "owned"


def category_choices(fiscal_year: str | None = None) -> list[tuple[str, str]]:
    """The open categories of the year's schedule, with the fixed fee where there is one."""
    schedule = schedule_for(fiscal_year or current_fiscal_year())
    categories = BusinessCategory.objects.filter(schedule=schedule, is_active=True)
    return [("", _("Choose the kind of business"))] + sorted(
        ((c.code, c.name) for c in categories), key=lambda choice: choice[1]
    )


class ApplicationDetailsForm(forms.Form):
    """Step 1 of applying: who the trader is and what the business is."""

    trader_name_bn = forms.CharField(
        label=gettext_lazy("Your name (Bengali)"), max_length=200, required=False
    )
    trader_name_en = forms.CharField(
        label=gettext_lazy("Your name (English)"), max_length=200, required=False
    )
    trader_nid = NIDField(
        label=gettext_lazy("Your NID number"),
        help_text=gettext_lazy("10, 13 or 17 digits. Bengali digits are fine."),
    )
    trader_mobile = BDMobileField(
        label=gettext_lazy("Your mobile number"),
        help_text=gettext_lazy("We send an SMS at each step."),
    )
    trader_tin = forms.CharField(
        label=gettext_lazy("Your e-TIN"),
        max_length=20,
        widget=DigitsInput(),
        help_text=gettext_lazy("The 12-digit taxpayer identification number."),
    )
    trader_father_or_husband_name = forms.CharField(
        label=gettext_lazy("Your father's or husband's name"), max_length=200
    )
    trader_mother_name = forms.CharField(label=gettext_lazy("Your mother's name"), max_length=200)
    trader_present_address = forms.CharField(
        label=gettext_lazy("Your present address"), widget=forms.Textarea(attrs={"rows": 2})
    )
    trader_permanent_address = forms.CharField(
        label=gettext_lazy("Your permanent address"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("As on your NID; the same as the present one if you live there."),
    )
    name_bn = forms.CharField(label=gettext_lazy("Business name (Bengali)"), max_length=200)
    name_en = forms.CharField(
        label=gettext_lazy("Business name (English)"), max_length=200, required=False
    )
    category_code = forms.ChoiceField(label=gettext_lazy("Kind of business"), choices=())
    paid_up_capital = LocalizedDecimalField(
        label=gettext_lazy("Paid-up capital (taka)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=gettext_lazy("Limited companies only: the fee depends on it."),
    )
    premises_address = forms.CharField(
        label=gettext_lazy("Address of the premises"), widget=forms.Textarea(attrs={"rows": 3})
    )
    ward = forms.CharField(
        label=gettext_lazy("Ward number of the premises"),
        max_length=5,
        widget=DigitsInput(attrs={"size": 5}),
    )
    premises = forms.ChoiceField(
        label=gettext_lazy("The premises is"),
        widget=forms.RadioSelect,
        initial=RENTED,
        choices=[(RENTED, gettext_lazy("Rented")), (OWNED, gettext_lazy("Owned"))],
    )
    holding_ward = forms.CharField(
        label=gettext_lazy("Holding's ward"),
        max_length=5,
        required=False,
        widget=DigitsInput(attrs={"size": 5}),
        help_text=gettext_lazy("Owned premises only."),
    )
    holding_number = forms.CharField(
        label=gettext_lazy("Holding number"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Owned premises only: as printed on the holding-tax bill."),
    )
    signboard_sqft = LocalizedDecimalField(
        label=gettext_lazy("Signboard size (square feet)"),
        min_value=0,
        max_digits=8,
        decimal_places=2,
        initial=0,
        help_text=gettext_lazy("0 when there is no signboard."),
    )

    def __init__(self, *args, fiscal_year: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fiscal_year = fiscal_year or current_fiscal_year()
        field = cast(forms.ChoiceField, self.fields["category_code"])
        field.choices = category_choices(self.fiscal_year)

    def clean_trader_tin(self):
        try:
            return normalize_tin(self.cleaned_data["trader_tin"])
        except ValidationError as exc:
            raise ValidationError(exc.messages[0], code="invalid_tin") from None

    def clean_ward(self):
        return ward_by_number(self.cleaned_data["ward"]).number

    def clean_holding_ward(self):
        return to_ascii_digits(self.cleaned_data["holding_ward"]).strip()

    def clean(self):
        data = super().clean()
        if (
            not (data.get("trader_name_bn") or "").strip()
            and not (data.get("trader_name_en") or "").strip()
        ):
            self.add_error("trader_name_bn", _("Enter your name in Bengali or English."))
        code = data.get("category_code")
        if code:
            category = BusinessCategory.objects.filter(
                schedule__fiscal_year=self.fiscal_year, code=code
            ).first()
            if (
                category is not None
                and category.by_capital
                and data.get("paid_up_capital") is None
                and "paid_up_capital" not in self.errors
            ):
                self.add_error("paid_up_capital", _("Enter the company's paid-up capital."))
        if data.get("premises") == OWNED:
            for field in ("holding_ward", "holding_number"):
                if not data.get(field) and field not in self.errors:
                    self.add_error(
                        field, _("For owned premises, enter the holding's ward and number.")
                    )
        return data

    def trader_values(self) -> dict:
        data = self.cleaned_data
        return {
            f: data[f]
            for f in (
                "trader_name_bn",
                "trader_name_en",
                "trader_nid",
                "trader_mobile",
                "trader_tin",
                "trader_father_or_husband_name",
                "trader_mother_name",
                "trader_present_address",
                "trader_permanent_address",
            )
        }

    def business_values(self) -> dict:
        data = self.cleaned_data
        owned = data["premises"] == OWNED
        return {
            "name_bn": data["name_bn"],
            "name_en": data["name_en"],
            "category_code": data["category_code"],
            "paid_up_capital": data["paid_up_capital"],
            "premises_address": data["premises_address"],
            "ward": data["ward"],
            "premises_owned": owned,
            "holding_ward": data["holding_ward"] if owned else "",
            "holding_number": data["holding_number"] if owned else "",
            "signboard_sqft": data["signboard_sqft"] or 0,
        }

    @classmethod
    def initial_for(cls, application) -> dict:
        business = application.business
        return {
            "trader_name_bn": application.trader_name_bn,
            "trader_name_en": application.trader_name_en,
            "trader_nid": application.trader_nid,
            "trader_mobile": application.trader_mobile,
            "trader_tin": application.trader_tin,
            "trader_father_or_husband_name": application.trader_father_or_husband_name,
            "trader_mother_name": application.trader_mother_name,
            "trader_present_address": application.trader_present_address,
            "trader_permanent_address": application.trader_permanent_address,
            "name_bn": business.name_bn,
            "name_en": business.name_en,
            "category_code": business.category_code,
            "paid_up_capital": business.paid_up_capital,
            "premises_address": business.premises_address,
            "ward": business.ward.number,
            "premises": OWNED if business.premises_owned else RENTED,
            "holding_ward": business.holding_ward,
            "holding_number": business.holding_number,
            "signboard_sqft": business.signboard_sqft,
        }

    @classmethod
    def initial_for_user(cls, user) -> dict:
        return {
            "trader_name_bn": getattr(user, "name_bn", ""),
            "trader_name_en": getattr(user, "name_en", ""),
            "trader_nid": getattr(user, "nid", ""),
            "trader_mobile": getattr(user, "mobile", ""),
            "trader_present_address": getattr(user, "address", ""),
        }


class DocumentUploadForm(forms.Form):
    """One document of one kind (the kind comes from the required list, or "other")."""

    kind = forms.ChoiceField(choices=DocumentKind.choices, widget=forms.HiddenInput)
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("PDF, JPEG or PNG, at most 5 MB.")
    )


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm that these details are correct."),
        error_messages={"required": gettext_lazy("Tick the box to confirm.")},
    )


class RenewalForm(ConfirmForm):
    """One-step renewal: the confirmation, and exactly the trader's particulars the rules
    require that the licence being renewed lacks (`missing`: TRADER_FIELDS names from
    services.renewal_missing_particulars, e.g. ["trader_tin"]). Bengali digits accepted."""

    ASKED = ("trader_name_bn", "trader_nid", "trader_mobile", "trader_tin")

    def __init__(self, *args, missing: Sequence[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        asked = [name for name in self.ASKED if name in missing]
        for name in asked:
            field = copy.deepcopy(ApplicationDetailsForm.base_fields[name])
            field.required = field.widget.is_required = True
            self.fields[name] = field
        # The confirmation comes last, after what is asked.
        self.order_fields([*asked, "confirm"])

    def clean_trader_tin(self):
        try:
            return normalize_tin(self.cleaned_data["trader_tin"])
        except ValidationError as exc:
            raise ValidationError(exc.messages[0], code="invalid_tin") from None

    def particulars(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.ASKED if name in self.fields}
