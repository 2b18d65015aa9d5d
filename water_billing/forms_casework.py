"""Forms of the water casework: an application for a new connection (from home or at the
counter), the water officer's decision on it and the connection's opening, the order to
disconnect, and the report filters. Bengali digits are accepted (core.formfields)."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import forms as core_forms
from core.digits import localize_digits, to_ascii_digits
from core.formfields import BDMobileField, LocalizedIntegerField, WardChoiceField
from core.places import ward_by_number

from .models import PIPE_CHOICES, Category, DocumentKind


def pipe_choices() -> list[tuple[int, str]]:
    """The pipe diameters in the reader's language and digits ("১২ মিমি (½″)")."""
    return [
        (
            d,
            _("%(mm)s mm (%(inches)s)")
            % {
                "mm": localize_digits(d),
                "inches": localize_digits(label.split("(", 1)[-1].rstrip(")")),
            },
        )
        for d, label in PIPE_CHOICES
    ]


class ApplicationForm(forms.Form):
    """What an application asks: the holding, the connection wanted, the applicant and the
    papers (PDF, JPEG or PNG, at most 5 MB each; checked by content when filed)."""

    ward = forms.CharField(label=gettext_lazy("Ward"), max_length=3)
    holding_number = forms.CharField(
        label=gettext_lazy("Holding number"),
        max_length=20,
        help_text=gettext_lazy("As the holding-tax bill writes it, such as 45/A."),
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        choices=[c for c in Category.choices if c[0] != Category.EXEMPT],
    )
    pipe_diameter_mm = forms.TypedChoiceField(
        label=gettext_lazy("Pipe diameter"), choices=pipe_choices, coerce=int, initial=12
    )
    metered = forms.BooleanField(label=gettext_lazy("With a meter"), required=False, initial=True)
    sewerage = forms.BooleanField(label=gettext_lazy("Sewerage connected"), required=False)
    road_cutting = forms.BooleanField(
        label=gettext_lazy("The pipe must cross a road"),
        required=False,
        help_text=gettext_lazy("The road-cutting fee is charged when the pipe must cross a road."),
    )
    applicant_name = forms.CharField(label=gettext_lazy("Applicant's name"), max_length=200)
    applicant_mobile = BDMobileField(
        label=gettext_lazy("Applicant's mobile number"),
        help_text=gettext_lazy("Messages about the application and the bills go to this number."),
    )
    doc_nid = forms.FileField(label=DocumentKind.NID.label, required=False)
    doc_ownership = forms.FileField(label=DocumentKind.OWNERSHIP.label, required=False)

    def clean_ward(self) -> int:
        try:
            return ward_by_number(to_ascii_digits(self.cleaned_data["ward"]).strip()).number
        except ValidationError as e:
            raise ValidationError(e.messages[0]) from None

    def documents(self) -> dict:
        return {
            DocumentKind.NID: self.cleaned_data.get("doc_nid"),
            DocumentKind.OWNERSHIP: self.cleaned_data.get("doc_ownership"),
        }


class DecisionForm(core_forms.DecisionForm):
    """The water officer's decision on an application: approve (the fees are billed) or
    reject, the reason the applicant sees, and a confirmation."""

    APPROVE, REJECT = "approve", "reject"
    field_order = ["decision", "reason", "confirm"]

    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (APPROVE, gettext_lazy("Approve and bill the fees")),
            (REJECT, gettext_lazy("Reject the application")),
        ],
        error_messages={"required": gettext_lazy("Choose whether to approve or reject.")},
    )


class ConnectForm(forms.Form):
    """Opening a paid connection: the day, and for a metered one the meter with its first
    reading."""

    installed_on = forms.DateField(
        label=gettext_lazy("Connected on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    serial = forms.CharField(
        label=gettext_lazy("Meter serial number"), max_length=40, required=False
    )
    initial_reading = LocalizedIntegerField(
        label=gettext_lazy("First reading (m³)"), min_value=0, required=False, initial=0
    )
    dial_digits = LocalizedIntegerField(
        label=gettext_lazy("Dial digits"), min_value=3, max_value=9, initial=5
    )

    def __init__(self, *args, metered: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["installed_on"].initial = timezone.localdate()
        if not metered:
            for name in ("serial", "initial_reading", "dial_digits"):
                del self.fields[name]

    def clean_installed_on(self) -> datetime.date:
        day = self.cleaned_data["installed_on"]
        if day > timezone.localdate():
            raise ValidationError(_("Enter the day it happened, not a day in the future."))
        return day


class DisconnectForm(core_forms.DecisionForm):
    """The order to disconnect: its reason and a confirmation."""


class ReportFilterForm(forms.Form):
    """Filters of the water reports: a month range, a ward, a category."""

    start = forms.CharField(
        label=gettext_lazy("From month"),
        max_length=7,
        required=False,
        help_text=gettext_lazy("Year and month, such as 2026-11."),
    )
    end = forms.CharField(label=gettext_lazy("To month"), max_length=7, required=False)
    ward = WardChoiceField()
    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        choices=[("", gettext_lazy("All categories")), *Category.choices],
        required=False,
    )

    @staticmethod
    def _month(value: str) -> datetime.date | None:
        text = to_ascii_digits(value or "").strip()
        if not text:
            return None
        try:
            year, month = (int(p) for p in text.split("-"))
            return datetime.date(year, month, 1)
        except ValueError:
            raise ValidationError(
                _("Write the month as year and month, such as 2026-11.")
            ) from None

    def clean_start(self):
        return self._month(self.cleaned_data.get("start", ""))

    def clean_end(self):
        return self._month(self.cleaned_data.get("end", ""))
