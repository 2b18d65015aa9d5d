"""Forms for the trade-licence officer pages: the queue filters, the report's fiscal year
and the workflow actions on one application (each with a confirmation box).

The forms only collect what the officer typed; every rule (who may take which step, the
reason needed to return or reject, the holding-tax dues) is enforced by
trade_licenses.services, which the views call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fiscal import current_fiscal_year
from core.formfields import FiscalYearField, WardChoiceField
from core.models import Zone
from core.uploads import MAX_DOCUMENT_BYTES

from .models import Application, BusinessCategory

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ZoneChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Zone.objects.order_by("number"),
            to_field_name="number",
            required=False,
            label=_("Zone"),
            empty_label=_("All zones"),
            **kwargs,
        )


def category_choices(fiscal_year: str | None = None) -> list[tuple[str, StrOrPromise]]:
    """The categories of the year's schedule (code, name in the active language)."""
    fy = fiscal_year or current_fiscal_year()
    return [("", _("All categories"))] + [
        (c.code, c.name)
        for c in BusinessCategory.objects.filter(schedule__fiscal_year=fy).order_by("name_en")
    ]


class QueueFilterForm(forms.Form):
    ward = WardChoiceField()
    zone = ZoneChoiceField()
    category = forms.ChoiceField(label=_("Business category"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Application.Kind.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = category_choices()


class ReportFilterForm(forms.Form):
    fy = FiscalYearField(label=_("Fiscal year"), required=False)


# --- actions on one application ------------------------------------------------------------


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the application and want to take this step."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class ReasonForm(ConfirmForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The trader sees this; it is kept in the history and the audit log."),
        error_messages={"required": _("Give the reason.")},
    )

    field_order = ["reason", "confirm"]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason."), code="required")
        return reason


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={
                    "accept": "image/jpeg,image/png",
                    # Checked in the browser before sending (static/js/portal.js).
                    "data-max-bytes": MAX_DOCUMENT_BYTES,
                    "data-too-big": _(
                        "A photo is larger than 5 MB, so nothing was sent. Choose smaller "
                        "photos, or take them again at a lower resolution."
                    ),
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class InspectionForm(ConfirmForm):
    visited_at = forms.DateTimeField(
        label=_("Visited at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        error_messages={"required": _("Enter when you visited the premises.")},
    )
    findings = forms.CharField(
        label=_("Findings"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write down what was found at the premises.")},
    )
    photos = MultipleFileField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_("JPEG or PNG, checked like every document."),
    )

    field_order = ["visited_at", "findings", "photos", "confirm"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial", {"visited_at": timezone.localtime().replace(second=0, microsecond=0)}
        )
        super().__init__(*args, **kwargs)

    def clean_findings(self):
        findings = self.cleaned_data["findings"].strip()
        if not findings:
            raise forms.ValidationError(
                _("Write down what was found at the premises."), code="required"
            )
        return findings
