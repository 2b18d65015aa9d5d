"""The e-bike officer's forms (scan devices, RFID cards); services check what matters."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class DeviceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("Such as “Gate 1”."))
    place = forms.CharField(
        label=_("Place"), max_length=200, help_text=_("Where it reads cards: a crossing or a road.")
    )


class PlateForm(forms.Form):
    plate = forms.CharField(label=_("Number plate"), max_length=40)


class BindForm(forms.Form):
    uid = forms.CharField(
        label=_("Card UID"),
        max_length=40,
        help_text=_("As the card reader shows it: 8 to 20 hexadecimal digits."),
    )


class ReplaceForm(forms.Form):
    uid = forms.CharField(label=_("New card's UID"), max_length=40)
    reason = forms.CharField(
        label=_("Why"), max_length=300, help_text=_("Lost, stolen or damaged.")
    )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal onto the form: its fields' messages on the fields of the same
    name, the rest on the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = name if name in form.fields else None
            for e in errors:
                for message in e.messages:
                    form.add_error(field, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
