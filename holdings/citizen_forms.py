"""Forms for the citizen, quick-pay and counter holding pages, and the small helpers that
turn a statement into what those pages show (pay choices with their exact amounts, head
labels, the explanation of each demand line). Writes happen in holdings.services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.digits import is_bengali, localize_digits
from core.fiscal import fiscal_year, fiscal_year_label
from core.formfields import BDMobileField, DigitsInput, LocalizedDecimalField, NIDField
from core.money import format_amount, to_money
from core.places import normalize_holding_number, ward_by_number, ward_number
from core.privacy import mask_name

from .models import Arrear, Assessment, Holding, Instalment, Owner, Use
from .selectors import (
    Statement,
    effective_due_date,
    find_holding,
    is_overdue,
    valuation_basis,
)
from .services import HEAD_LABELS, bill_lines_for

# --- finding a holding -----------------------------------------------------------------------


class HoldingLookupForm(forms.Form):
    """Ward + holding number (Bengali digits accepted); `holding` is set when valid."""

    ward = forms.CharField(
        label=gettext_lazy("Ward number"),
        max_length=5,
        widget=DigitsInput(attrs={"size": 5}),
        help_text=gettext_lazy("As printed on your holding-tax bill."),
    )
    number = forms.CharField(
        label=gettext_lazy("Holding number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("For example 123, 12/A or ১২৩."),
    )

    holding: Holding | None = None

    def clean_ward(self):
        return ward_number(self.cleaned_data["ward"])  # looked up with the holding

    def clean_number(self):
        return normalize_holding_number(self.cleaned_data["number"])

    def clean(self):
        """The holding and its ward in one query; "ward" becomes the Ward."""
        data = super().clean()
        if "ward" not in data:
            return data
        try:
            if "number" in data:
                self.holding = find_holding(data["ward"], data["number"])
                data["ward"] = self.holding.ward
            else:
                data["ward"] = ward_by_number(data["ward"])
        except ValidationError as exc:
            self.add_error("ward" if exc.code == "unknown_ward" else "number", exc)
        return data


class LinkForm(HoldingLookupForm):
    NID, CODE = "nid", "code"

    method = forms.ChoiceField(
        label=gettext_lazy("How do you show that you own it?"),
        widget=forms.RadioSelect,
        initial=NID,
        choices=[
            (NID, gettext_lazy("My NID: enter the owner's National ID number")),
            (CODE, gettext_lazy("Send a one-time code to the owner's mobile number on record")),
        ],
    )
    nid = NIDField(
        label=gettext_lazy("Owner's NID number"),
        required=False,
        help_text=gettext_lazy("Only needed for the NID way. Bengali digits are fine."),
    )

    def clean(self):
        data = super().clean()
        if data.get("method") == self.NID and not data.get("nid") and "nid" not in self.errors:
            self.add_error("nid", _("Enter the owner's NID number, or choose the code by SMS."))
        return data


class LinkCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the SMS"),
        max_length=12,
        widget=DigitsInput(attrs={"autocomplete": "one-time-code"}),
        help_text=gettext_lazy("Six digits. Bengali digits are fine."),
    )


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Owner) -> str:
        return obj.name or f"#{obj.pk}"


class CounterLinkForm(forms.Form):
    """At the counter: link one owner of the holding to a citizen's account by mobile."""

    owner = OwnerChoiceField(
        queryset=Owner.objects.none(),
        label=gettext_lazy("Owner"),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    mobile = BDMobileField(label=gettext_lazy("Mobile number of the citizen's portal account"))

    def __init__(self, *args, holding: Holding, **kwargs):
        super().__init__(*args, **kwargs)
        cast(OwnerChoiceField, self.fields["owner"]).queryset = holding.owners.order_by("pk")

    def clean_mobile(self):
        mobile = self.cleaned_data["mobile"]
        user = get_user_model().objects.filter(mobile=mobile, is_active=True).first()
        if user is None:
            raise ValidationError(
                _(
                    "No portal account uses this mobile number. Ask the "
                    "citizen to sign up first, then link again."
                ),
                code="no_account",
            )
        self.user = user
        return mobile


# --- what to pay -----------------------------------------------------------------------------


@dataclass
class PayOption:
    key: str
    label: str
    detail: str
    instalments: list[Instalment]
    arrears: list[Arrear]
    amount: Decimal  # the bill's total, rebate and surcharge included
    rebate: Decimal = Decimal("0.00")  # taken off (positive)
    surcharge: Decimal = Decimal("0.00")
    before_rebate: Decimal = field(default=Decimal("0.00"))


def _quarters_text(instalments: list[Instalment]) -> str:
    by_year: dict[str, list[int]] = {}
    for inst in instalments:
        by_year.setdefault(inst.demand.fiscal_year, []).append(inst.quarter)
    parts = []
    for fy, quarters in by_year.items():
        parts.append(
            ngettext("%(fy)s: quarter %(quarters)s", "%(fy)s: quarters %(quarters)s", len(quarters))
            % {
                "fy": fiscal_year_label(fy),
                "quarters": localize_digits(", ".join(str(q) for q in quarters)),
            }
        )
    return "; ".join(parts)


def _option(
    key: str,
    label: str,
    detail: str,
    instalments: list[Instalment],
    arrears: list[Arrear],
    today: date,
) -> PayOption:
    lines = bill_lines_for(instalments=instalments, arrears=arrears, today=today)
    amounts = [(line.head, to_money(line.amount)) for line in lines]
    total = sum((a for _h, a in amounts), Decimal("0.00"))
    rebate = -sum((a for h, a in amounts if h == "rebate"), Decimal("0.00"))
    surcharge = sum((a for h, a in amounts if h == "surcharge"), Decimal("0.00"))
    return PayOption(
        key, label, detail, instalments, arrears, total, rebate, surcharge, total + rebate
    )


def pay_options(st: Statement, today: date) -> list[PayOption]:
    """The pay choices for a statement, each with exactly what its bill will total: the next
    instalment, the next N, the whole year (with the rebate when it is due), all arrears."""
    due = st.due_instalments
    arrears = [a for a in st.arrears if a.status == Arrear.Status.DUE]
    options: list[PayOption] = []
    if due:
        years = [i.demand.fiscal_year for i in due]
        year = fiscal_year(today) if fiscal_year(today) in years else max(years)
        year_insts = [i for i in due if i.demand.fiscal_year == year]
        year_keys = {i.pk for i in year_insts}
        options.append(
            _option("next", _("The next instalment"), _quarters_text(due[:1]), due[:1], [], today)
        )
        for n in range(2, min(len(due), 8) + 1):
            if {i.pk for i in due[:n]} == year_keys:
                continue
            options.append(
                _option(
                    f"next_{n}",
                    ngettext("The next %(n)s instalment", "The next %(n)s instalments", n)
                    % {"n": localize_digits(n)},
                    _quarters_text(due[:n]),
                    due[:n],
                    [],
                    today,
                )
            )
        if year_keys != {due[0].pk}:
            options.append(
                _option(
                    "year",
                    _("The whole year %(fy)s") % {"fy": fiscal_year_label(year)},
                    _quarters_text(year_insts),
                    year_insts,
                    [],
                    today,
                )
            )
    if arrears:
        detail = "; ".join(
            _("%(fy)s with %(percent)s%% surcharge")
            % {
                "fy": fiscal_year_label(a.demand.fiscal_year),
                "percent": percent_text(a.surcharge_percent),
            }
            for a in arrears
        )
        options.append(
            _option("arrears", _("All arrears of earlier years"), detail, [], arrears, today)
        )
    return options


class PayForm(forms.Form):
    """One of the pay choices of `options` (the template renders them with amounts)."""

    what = forms.ChoiceField(
        label=gettext_lazy("What do you want to pay?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose what to pay."),
            "invalid_choice": gettext_lazy(
                "That choice is no longer available. The statement has changed; choose again."
            ),
        },
    )

    def __init__(self, *args, options: list[PayOption], **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        cast(forms.ChoiceField, self.fields["what"]).choices = [(o.key, o.label) for o in options]
        self.initial.setdefault("what", options[0].key if options else None)

    @property
    def option(self) -> PayOption:
        key = self.cleaned_data["what"]
        return next(o for o in self.options if o.key == key)

    def checked(self) -> str:
        return str(self["what"].value() or "")


class QuickPayForm(PayForm):
    mobile = BDMobileField(
        label=gettext_lazy("Your mobile number (optional)"),
        required=False,
        help_text=gettext_lazy("We send the receipt by SMS to this number."),
    )


# --- showing a statement ---------------------------------------------------------------------


def head_label(head: str) -> str:
    bn, en = HEAD_LABELS.get(head, (head, head.replace("_", " ").capitalize()))
    return bn if is_bengali() else en


def percent_text(value: Decimal) -> str:
    """7.00 → "7", 7.50 → "7.5" (Bengali digits in Bengali)."""
    return localize_digits(f"{Decimal(value).normalize():f}")


def decorate(st: Statement, today: date) -> Statement:
    """Attach what the templates show: head labels, each line's explanation, the
    valuation's basis, overdue instalments (past their due date, selectors.is_overdue) and
    years carried into arrears."""
    assessments: dict[int | None, Assessment] = {
        a.pk: a for a in st.holding.assessments.prefetch_related("units")
    }
    in_arrears = {a.demand_id: a for a in st.arrears}
    use_label = Use(st.holding.use).label
    bengali = is_bengali()
    for arrear in st.arrears:
        arrear.to_pay = arrear.principal + arrear.surcharge
        arrear.percent_text = percent_text(arrear.surcharge_percent)
    for demand in st.demands:
        assessment = assessments.get(demand.assessment_id)
        demand.basis = (
            valuation_basis(demand, assessment)["bn" if bengali else "en"] if assessment else ""
        )
        demand.arrear_row = in_arrears.get(demand.pk)
        for line in demand.lines.all():
            line.label = head_label(line.head)
            line.percent_text = percent_text(line.percent) if line.percent is not None else ""
            if line.percent is not None:
                line.explanation = _(
                    "%(fy)s schedule: %(percent)s%% of the %(use)s annual valuation %(valuation)s"
                ) % {
                    "fy": fiscal_year_label(demand.fiscal_year),
                    "percent": line.percent_text,
                    "use": str(use_label).lower(),
                    "valuation": format_amount(demand.annual_valuation),
                }
            else:
                line.explanation = _("%(fy)s schedule: flat yearly tax for vacant land") % {
                    "fy": fiscal_year_label(demand.fiscal_year)
                }
        for inst in demand.instalments.all():
            inst.overdue = inst.status == Instalment.Status.DUE and is_overdue(
                effective_due_date(inst), today
            )
        # A year with nothing left to pay is shown folded on the statement.
        statuses = {i.status for i in demand.instalments.all()}
        setattr(demand, "has_due", Instalment.Status.DUE in statuses)  # noqa: B010 - not fields
        setattr(demand, "all_paid", statuses == {Instalment.Status.PAID})  # noqa: B010
    return st


def masked_owner_names(holding: Holding) -> list[str]:
    """Owner names for strangers: first letter of each word only."""
    return [mask_name(o.name) for o in sorted(holding.owners.all(), key=lambda o: o.pk) if o.name]


class ObjectionForm(forms.Form):
    """The owner's objection to the assessment in force."""

    reason = forms.CharField(
        label=gettext_lazy("Why do you object?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    claimed_rent = LocalizedDecimalField(
        label=gettext_lazy("Yearly rent you say is right (taka, optional)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text=gettext_lazy(
            "Bengali digits are fine. Bring any papers to the assessor if asked."
        ),
    )


class AppealForm(ObjectionForm):
    """The owner's appeal against an objection's decision."""

    reason = forms.CharField(
        label=gettext_lazy("Why do you appeal against the decision?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# --- mutation (নামজারি) ---------------------------------------------------------------------


class MutationForm(forms.Form):
    """The registered deed that changed the holding's ownership."""

    deed_number = forms.CharField(label=gettext_lazy("Deed number"), max_length=60)
    deed_date = forms.DateField(
        label=gettext_lazy("Deed date"), widget=forms.DateInput(attrs={"type": "date"})
    )


class NewOwnerForm(forms.Form):
    """One owner named in the deed; a row left empty is ignored."""

    name_bn = forms.CharField(label=gettext_lazy("Name (Bengali)"), max_length=200, required=False)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200, required=False)
    nid = NIDField(label=gettext_lazy("NID"), required=False)
    mobile = BDMobileField(label=gettext_lazy("Mobile"), required=False)
    share_percent = LocalizedDecimalField(
        label=gettext_lazy("Share (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
    )

    def has_changed(self) -> bool:
        return any(
            str(self.data.get(self.add_prefix(name), "")).strip()
            for name in ("name_bn", "name_en", "nid", "mobile", "share_percent")
        )

    def clean(self):
        data = super().clean()
        if not self.has_changed():
            return data
        if not (data.get("name_bn") or data.get("name_en")) and not self.has_error("name_bn"):
            self.add_error("name_bn", _("Enter the owner's name as on the deed."))
        if not data.get("nid") and not self.has_error("nid"):
            self.add_error("nid", _("Enter the owner's NID."))
        return data


class BaseNewOwnerFormSet(forms.BaseFormSet):
    def owners(self):
        """The filled rows as services.mutations.NewOwner (after is_valid()); one owner
        without a share holds 100%."""
        from .services.mutations import NewOwner

        rows = [form.cleaned_data for form in self.forms if form.has_changed()]
        return [
            NewOwner(
                name_bn=row["name_bn"],
                name_en=row["name_en"],
                nid=row["nid"],
                mobile=row["mobile"] or "",
                share_percent=row["share_percent"]
                if row["share_percent"] is not None
                else (Decimal("100") if len(rows) == 1 else Decimal("0")),
            )
            for row in rows
        ]


NewOwnerFormSet = forms.formset_factory(
    NewOwnerForm, formset=BaseNewOwnerFormSet, extra=4, max_num=10, validate_max=True
)


# --- a new holding number ---------------------------------------------------------------------


class HoldingApplicationForm(forms.Form):
    """The premises and its owner, for a new holding number."""

    ward = forms.CharField(
        label=gettext_lazy("Ward number"), max_length=5, widget=DigitsInput(attrs={"size": 5})
    )
    road = forms.CharField(label=gettext_lazy("Road"), max_length=200)
    mahalla = forms.CharField(label=gettext_lazy("Mahalla"), max_length=200, required=False)
    use = forms.ChoiceField(label=gettext_lazy("Use"), choices=Use.choices)
    owner_name_bn = forms.CharField(
        label=gettext_lazy("Owner's name (Bengali)"), max_length=200, required=False
    )
    owner_name_en = forms.CharField(
        label=gettext_lazy("Owner's name (English)"), max_length=200, required=False
    )
    owner_nid = NIDField(label=gettext_lazy("Owner's NID"))
    owner_mobile = BDMobileField(label=gettext_lazy("Owner's mobile"))
    deed_number = forms.CharField(
        label=gettext_lazy("Deed number of the land (optional)"), max_length=60, required=False
    )

    def clean_ward(self):
        return ward_by_number(self.cleaned_data["ward"])

    def clean(self):
        data = super().clean()
        if not (data.get("owner_name_bn") or data.get("owner_name_en")):
            self.add_error("owner_name_bn", _("Enter the owner's name."))
        return data
