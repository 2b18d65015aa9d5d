"""Forms for the holding-tax officer pages: the assessor's queue, valuations and objection
decisions; the revenue officer's demand runs and reports.

Fiscal years and amounts accept Bengali digits ("২০২৫-২৬", "১,২০,০০০"). The rent limits
are the ones holdings.services enforces; the service is still the final check.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core import forms as core_forms
from core.fiscal import (
    current_fiscal_year,
    fiscal_year_label,
    fiscal_year_start,
    next_fiscal_year,
)
from core.formfields import FiscalYearField, LocalizedDecimalField, WardChoiceField

from . import tax
from .models import Use
from .services import MAX_YEARLY_RENT


def clean_rent(value: Decimal | None) -> Decimal | None:
    """The same limits as holdings.services: not negative, not beyond belief."""
    if value is None:
        return None
    if value < 0:
        raise forms.ValidationError(_("The yearly rent cannot be negative."), code="negative_rent")
    if value > MAX_YEARLY_RENT:
        raise forms.ValidationError(
            _("A yearly rent of %(rent)s taka is not believable; check it."),
            code="absurd_rent",
            params={"rent": value},
        )
    return value


class RentField(LocalizedDecimalField):
    """Taka, two decimals at most; the size is checked by clean_rent (with a clear message)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def clean(self, value):
        return clean_rent(super().clean(value))


# --- assessor ---------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    ward = WardChoiceField()


class AssessmentForm(forms.Form):
    """The year and either the whole holding's yearly rent or (in the units table,
    UnitFormSet) each floor's; vacant land takes a nominal annual valuation instead."""

    effective_fy = FiscalYearField(label=_("In force from fiscal year"))
    annual_rent = RentField(
        label=_("Yearly rent (taka)"),
        required=False,
        help_text=_(
            "The rent the holding earns or would earn in a year. Bengali digits and "
            "commas are fine. Leave it empty when you value the building unit by unit below."
        ),
    )
    owner_occupied = forms.BooleanField(label=_("Owner-occupied"), required=False)
    nominal_valuation = RentField(
        label=_("Nominal annual valuation (taka)"),
        required=False,
        help_text=_(
            "Used where the year's schedule taxes vacant land at the ordinary rates on a "
            "nominal valuation instead of a flat tax."
        ),
    )

    def __init__(self, *args, vacant_land: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.vacant_land = vacant_land
        if vacant_land:
            del self.fields["annual_rent"], self.fields["owner_occupied"]
            self.fields["nominal_valuation"].required = True
        else:
            del self.fields["nominal_valuation"]

    def clean_effective_fy(self):
        value = self.cleaned_data["effective_fy"]
        latest = next_fiscal_year(current_fiscal_year())
        if fiscal_year_start(value) > fiscal_year_start(latest):
            raise forms.ValidationError(
                _("An assessment can take effect from %(latest)s at the latest."),
                code="too_late",
                params={"latest": latest},
            )
        return value


#: Units of a built use (vacant land is never a unit of a building).
UNIT_USES = [(value, label) for value, label in Use.choices if value != Use.VACANT_LAND]


class UnitForm(forms.Form):
    """One floor or flat; a row left empty is ignored."""

    label = forms.CharField(label=_("Floor or flat"), max_length=60, required=False)
    use = forms.ChoiceField(label=_("Use"), choices=UNIT_USES, initial=Use.RESIDENTIAL)
    owner_occupied = forms.BooleanField(label=_("Owner lives or works here"), required=False)
    annual_rent = RentField(label=_("Yearly rent (taka)"), required=False)

    def has_changed(self) -> bool:
        return bool(self.data.get(self.add_prefix("label"), "").strip()) or bool(
            self.data.get(self.add_prefix("annual_rent"), "").strip()
        )

    def clean(self):
        data = super().clean()
        if not self.has_changed():
            return data
        if not (data.get("label") or "").strip():
            self.add_error("label", _("Name the floor or flat (e.g. 2nd floor)."))
        if data.get("annual_rent") is None and "annual_rent" not in self.errors:
            self.add_error(
                "annual_rent",
                _(
                    "Enter the unit's yearly rent (for the owner's own unit, what it would "
                    "let for)."
                ),
            )
        return data


class BaseUnitFormSet(forms.BaseFormSet):
    def units(self) -> list[tax.Unit]:
        """The filled rows as tax.Unit (after is_valid(); none when the form posted no
        units table at all)."""
        if not self.is_bound:
            return []
        return [
            tax.Unit(
                form.cleaned_data["label"].strip(),
                form.cleaned_data["use"],
                form.cleaned_data["owner_occupied"],
                form.cleaned_data["annual_rent"],
            )
            for form in self.forms
            if form.has_changed()
        ]


UNIT_ROWS = 6
UnitFormSet = forms.formset_factory(
    UnitForm, formset=BaseUnitFormSet, extra=UNIT_ROWS, max_num=30, validate_max=True
)


def assessment_input(form: AssessmentForm, units: BaseUnitFormSet) -> dict | None:
    """What assessment_record needs from the two forms, or None with the errors added:
    built holdings give one rent or units, not both and not neither."""
    units_ok = form.vacant_land or not units.is_bound or units.is_valid()
    if not (form.is_valid() and units_ok):
        return None
    data = form.cleaned_data
    if form.vacant_land:
        return {
            "effective_fy": data["effective_fy"],
            "nominal_valuation": data["nominal_valuation"],
        }
    rows = units.units()
    if rows and data["annual_rent"] is not None:
        form.add_error(
            "annual_rent",
            _("Enter either the whole holding's yearly rent or its units below, not both."),
        )
        return None
    if not rows and data["annual_rent"] is None:
        form.add_error(
            "annual_rent",
            _("Enter the yearly rent, or value the building unit by unit below."),
        )
        return None
    if rows:
        return {"effective_fy": data["effective_fy"], "units": rows}
    return {
        "effective_fy": data["effective_fy"],
        "annual_rent": data["annual_rent"],
        "owner_occupied": data["owner_occupied"],
    }


class DecisionForm(core_forms.DecisionForm):
    """An officer's decision on an owner's request: the choice (each subclass's `decision`),
    the reason the owner sees, and a confirmation (it cannot be changed afterwards)."""

    field_order = ["decision", "number", "reason", "revised_rent", "confirm"]
    reason_help = _("The owner sees this; it is kept in the audit log.")

    def rent_only_with(self, choice: str, message) -> None:
        """A revised rent goes with `choice` only (else `message` on the rent field)."""
        data = self.cleaned_data
        if data.get("decision") != choice and data.get("revised_rent") is not None:
            self.add_error("revised_rent", message)


class ObjectionDecisionForm(DecisionForm):
    ACCEPT, REJECT = "accept", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[(ACCEPT, _("Accept the objection")), (REJECT, _("Reject the objection"))],
        error_messages={"required": _("Choose whether to accept or reject the objection.")},
    )
    revised_rent = RentField(
        label=_("Revised yearly rent (taka, optional)"),
        required=False,
        help_text=_(
            "Only when accepting. Left empty, the rent the owner claimed is used; "
            "if they claimed none, the assessment stays as it is."
        ),
    )
    confirm = forms.BooleanField(
        label=_(
            "I have checked the objection and want to record this decision. "
            "It cannot be changed afterwards."
        ),
        error_messages={"required": _("Tick the box to confirm the decision.")},
    )

    def clean(self):
        data = super().clean()
        self.rent_only_with(
            self.ACCEPT,
            _("A revised rent goes only with accepting the objection. Leave it empty to reject."),
        )
        return data


class AppealDecisionForm(DecisionForm):
    """The review officer's decision on an appeal."""

    STANDS, REVISE = "stands", "revise"

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (STANDS, _("The objection's decision stands")),
            (REVISE, _("Revise the valuation")),
        ],
        error_messages={"required": _("Choose whether the decision stands or is revised.")},
    )
    revised_rent = RentField(
        label=_("Revised yearly rent (taka, optional)"),
        required=False,
        help_text=_("Only when revising. Left empty, the rent the owner claimed is used."),
    )

    def clean(self):
        data = super().clean()
        self.rent_only_with(
            self.REVISE,
            _("A revised rent goes only with revising. Leave it empty if the decision stands."),
        )
        return data


class MutationDecisionForm(DecisionForm):
    """The assessor's decision on a mutation."""

    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (APPROVE, _("Approve: the deed's owners replace those on record")),
            (REJECT, _("Reject")),
        ],
        error_messages={"required": _("Choose whether to approve or reject the mutation.")},
    )


class HoldingNumberDecisionForm(DecisionForm):
    """The assessor gives the new holding its number, or rejects the application."""

    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[(APPROVE, _("Give the holding number")), (REJECT, _("Reject"))],
        error_messages={"required": _("Choose whether to give the number or reject.")},
    )
    number = forms.CharField(
        label=_("Holding number"),
        max_length=20,
        required=False,
        help_text=_("The next free number in the ward is suggested; 12/A and ১২ are fine."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.APPROVE and not (data.get("number") or "").strip():
            self.add_error("number", _("Enter the holding number to give."))
        return data


# --- revenue officer --------------------------------------------------------------------------


class DemandRunForm(forms.Form):
    fiscal_year = FiscalYearField(label=_("Fiscal year"))

    def clean_fiscal_year(self):
        value = self.cleaned_data["fiscal_year"]
        current = current_fiscal_year()
        if fiscal_year_start(value) > fiscal_year_start(current):
            raise forms.ValidationError(
                _(
                    "The demand for %(fy)s can be generated once that year begins on 1 July, "
                    "so that this year's unpaid instalments are not carried forward as arrears "
                    "before they fall due."
                ),
                code="future_year",
                params={"fy": fiscal_year_label(value)},
            )
        return value


class CollectionFilterForm(forms.Form):
    fy = FiscalYearField(label=_("Fiscal year"), required=False)


class DefaulterFilterForm(forms.Form):
    SORT_CHOICES = [
        ("owed_desc", _("Amount owed, largest first")),
        ("owed_asc", _("Amount owed, smallest first")),
        ("holding", _("Ward and holding number")),
    ]

    ward = WardChoiceField()
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)
