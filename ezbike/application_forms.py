"""Forms of e-bike applications (from home or at the counter; Bengali digits accepted
through core.formfields), the e-bike officer's decision and queue search. The services check
what matters (residency, unique numbers, papers by content); a form only reads what was
typed."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import forms as core_forms
from core.digits import localize_digits, to_ascii_digits
from core.formfields import BDMobileField, LocalizedIntegerField, NIDField

from .models import DocumentKind, VehicleType
from .services.applications import MAX_DRIVERS

PHOTO_HELP = _("A clear photo, JPEG or PNG, at most 5 MB.")


class ApplicationForm(forms.Form):
    """The owner, the e-bike with its papers, and up to three drivers."""

    owner_nid = NIDField(label=_("Owner's NID number"), max_length=30)
    owner_name_bn = forms.CharField(label=_("Owner's name (Bengali)"), max_length=200)
    owner_name_en = forms.CharField(
        label=_("Owner's name (English)"), max_length=200, required=False
    )
    owner_mobile = BDMobileField(
        label=_("Owner's mobile number"),
        help_text=_("Messages about the application and the licence go to this number."),
    )
    owner_nid_ward = forms.CharField(
        label=_("Ward of the address on the NID"),
        max_length=3,
        help_text=_("The owner must be a permanent resident of the city."),
    )
    owner_address = forms.CharField(label=_("Address on the NID"), max_length=300, required=False)
    owner_photo = forms.FileField(label=_("Owner's photo"), required=False, help_text=PHOTO_HELP)
    vehicle_type = forms.ChoiceField(
        label=_("Type"), choices=VehicleType.choices, initial=VehicleType.PASSENGER
    )
    chassis_no = forms.CharField(label=_("Chassis number"), max_length=40)
    motor_no = forms.CharField(label=_("Motor number"), max_length=40)
    battery_count = LocalizedIntegerField(
        label=_("Number of batteries"), min_value=1, max_value=12, initial=4
    )
    maker = forms.CharField(label=_("Maker"), max_length=100, required=False)
    doc_vehicle_photo = forms.FileField(
        label=DocumentKind.VEHICLE_PHOTO.label, required=False, help_text=PHOTO_HELP
    )
    doc_ownership = forms.FileField(
        label=DocumentKind.OWNERSHIP.label,
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 5 MB."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, MAX_DRIVERS + 1):
            n = {"n": localize_digits(i)}
            self.fields[f"driver{i}_nid"] = NIDField(
                label=_("Driver %(n)s: NID number") % n, max_length=30, required=False
            )
            self.fields[f"driver{i}_driving_licence_no"] = forms.CharField(
                label=_("Driver %(n)s: driving licence number") % n,
                max_length=40,
                required=False,
            )
            self.fields[f"driver{i}_name_bn"] = forms.CharField(
                label=_("Driver %(n)s: name") % n, max_length=200, required=False
            )
            self.fields[f"driver{i}_mobile"] = BDMobileField(
                label=_("Driver %(n)s: mobile number") % n, required=False
            )
            self.fields[f"driver{i}_photo"] = forms.FileField(
                label=_("Driver %(n)s: photo") % n, required=False, help_text=PHOTO_HELP
            )

    def clean_owner_nid_ward(self) -> str:
        text = to_ascii_digits(self.cleaned_data["owner_nid_ward"]).strip()
        if not text.isdigit():
            raise ValidationError(_("Enter the ward number."))
        return text

    # Sections of the page.
    def section(self, prefix: str) -> list:
        return [self[name] for name in self.fields if name.startswith(prefix)]

    def owner_fields(self) -> list:
        return self.section("owner_")

    def vehicle_fields(self) -> list:
        names = ("vehicle_type", "chassis_no", "motor_no", "battery_count", "maker")
        return [self[n] for n in names] + self.section("doc_")

    def driver_groups(self) -> list[list]:
        return [self.section(f"driver{i}_") for i in range(1, MAX_DRIVERS + 1)]

    def owner(self) -> dict:
        d = self.cleaned_data
        return {
            "nid": d["owner_nid"],
            "name_bn": d["owner_name_bn"],
            "name_en": d.get("owner_name_en", ""),
            "mobile": d["owner_mobile"],
            "ward": int(d["owner_nid_ward"]),
            "address": d.get("owner_address", ""),
            "photo": d.get("owner_photo"),
        }

    def vehicle(self) -> dict:
        d = self.cleaned_data
        return {
            k: d.get(k) for k in ("vehicle_type", "chassis_no", "motor_no", "battery_count")
        } | {"maker": d.get("maker", "")}

    def drivers(self) -> list[dict]:
        d = self.cleaned_data
        return [
            {
                "nid": d.get(f"driver{i}_nid") or "",
                "driving_licence_no": d.get(f"driver{i}_driving_licence_no") or "",
                "name_bn": d.get(f"driver{i}_name_bn") or "",
                "mobile": d.get(f"driver{i}_mobile") or "",
                "photo": d.get(f"driver{i}_photo"),
            }
            for i in range(1, MAX_DRIVERS + 1)
        ]

    def documents(self) -> dict:
        return {
            DocumentKind.VEHICLE_PHOTO: self.cleaned_data.get("doc_vehicle_photo"),
            DocumentKind.OWNERSHIP: self.cleaned_data.get("doc_ownership"),
        }


class DecisionForm(core_forms.DecisionForm):
    """The e-bike officer's decision: approve (the licence fee is billed, or the
    application waits for a place under the cap) or reject; the reason the owner sees."""

    APPROVE, REJECT = "approve", "reject"
    field_order = ["decision", "reason", "confirm"]
    reason_help = _("The owner reads it in the SMS.")

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (APPROVE, _("Approve: documents and the e-bike checked")),
            (REJECT, _("Reject the application")),
        ],
        error_messages={"required": _("Choose whether to approve or reject.")},
    )


class QueueSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=40,
        required=False,
        help_text=_("Owner's name, NID or mobile, chassis number or application number."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Waiting for a decision")),
            ("waiting", _("Waiting for a place under the cap")),
            ("decided", _("Decided")),
        ],
    )


class EnforcementForm(forms.Form):
    """The e-bike officer's action on a licence: suspend, reinstate or seize, with the reason
    the owner reads."""

    SUSPEND, REINSTATE, SEIZE = "suspend", "reinstate", "seize"
    LABELS = {
        SUSPEND: _("Suspend the licence"),
        REINSTATE: _("Reinstate the licence"),
        SEIZE: _("Seize the e-bike (the fine is billed)"),
    }

    action = forms.ChoiceField(label=_("Action"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The owner reads it in the SMS."),
    )

    def __init__(self, *args, status: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        allowed = {
            "active": [self.SUSPEND, self.SEIZE],
            "suspended": [self.REINSTATE, self.SEIZE],
        }.get(status, [])
        field = cast(forms.ChoiceField, self.fields["action"])
        field.choices = [(a, self.LABELS[a]) for a in allowed]
