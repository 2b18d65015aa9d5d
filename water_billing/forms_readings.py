"""Forms of the reading pages: the route chooser, one reading (with an optional photo of
the meter), a handheld's file, and the water officer's review actions. Numbers and dates
are taken as typed (Bengali digits accepted); the services check them."""

from __future__ import annotations

import io
import uuid
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.digits import file_size, localize_digits
from core.formfields import DigitsInput

#: A photo of the meter from a phone's camera.
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTO_PIXELS = 10_000
PHOTO_FORMATS = {"JPEG": ".jpg", "PNG": ".png"}


def checked_photo(upload: Any) -> ContentFile | None:
    """The uploaded photo as a file under a random name once Pillow reads it as a whole
    JPEG or PNG (never trusted by its name), or a ValidationError."""
    if not upload:
        return None
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is %(size)s; the largest accepted is %(max)s.")
            % {"size": file_size(upload.size), "max": file_size(MAX_PHOTO_BYTES)},
            code="photo_too_large",
        )
    from PIL import Image

    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt, (width, height) = image.format, image.size
            image.verify()
    except Exception:  # noqa: BLE001 - any decoding failure: not a usable photo
        fmt, width, height = None, 0, 0
    if fmt not in PHOTO_FORMATS:
        raise ValidationError(_("A photo must be a JPEG or PNG image."), code="photo_not_image")
    if max(width, height) > MAX_PHOTO_PIXELS:
        raise ValidationError(
            _("The photo is too large; take it again at a lower resolution."),
            code="photo_too_large",
        )
    return ContentFile(data, name=f"{uuid.uuid4().hex}{PHOTO_FORMATS[fmt]}")


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        return value.isoformat() if hasattr(value, "isoformat") else value


class RouteForm(forms.Form):
    """Which ward and block to walk."""

    ward = forms.TypedChoiceField(label=gettext_lazy("Ward"), coerce=int)
    block = forms.ChoiceField(label=gettext_lazy("Block"), required=False)

    def __init__(self, *args: Any, wards=(), blocks=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ward_field = cast(forms.ChoiceField, self.fields["ward"])
        ward_field.choices = [("", _("Choose the ward"))] + [(w.number, w.label) for w in wards]
        block_field = cast(forms.ChoiceField, self.fields["block"])
        block_field.choices = [(b, b or _("No block")) for b in blocks]


class ReadingForm(forms.Form):
    """One meter reading."""

    reading = forms.CharField(
        label=gettext_lazy("Reading (cubic metres)"),
        max_length=20,
        widget=DigitsInput(attrs={"autocomplete": "off", "enterkeyhint": "done"}),
        help_text=gettext_lazy("The black digits of the meter; Bengali digits are fine."),
    )
    read_on = forms.CharField(label=gettext_lazy("Read on"), max_length=12, widget=DateInput())
    photo = forms.FileField(
        label=gettext_lazy("Photo of the meter (optional)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png", "capture": "environment"}
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("read_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean_photo(self) -> ContentFile | None:
        return checked_photo(self.cleaned_data.get("photo"))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The handheld's file (.csv or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class CorrectForm(ReasonForm):
    value = forms.CharField(
        label=gettext_lazy("Correct reading (cubic metres)"), max_length=20, widget=DigitsInput()
    )
    field_order = ["value", "reason"]


class ReplacedForm(ReasonForm):
    final_reading = forms.CharField(
        label=gettext_lazy("Old meter's final reading"), max_length=20, widget=DigitsInput()
    )
    replaced_on = forms.CharField(
        label=gettext_lazy("Replaced on"), max_length=12, widget=DateInput()
    )
    serial = forms.CharField(label=gettext_lazy("New meter's serial number"), max_length=40)
    initial_reading = forms.CharField(
        label=gettext_lazy("New meter's initial reading"),
        max_length=20,
        initial="0",
        widget=DigitsInput(),
    )
    field_order = ["final_reading", "replaced_on", "serial", "initial_reading", "reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["initial_reading"].initial = localize_digits("0")


def add_service_errors(form: forms.Form, error: ValidationError, names: dict[str, str]) -> None:
    """A service's refusal onto the form: its fields' messages on the fields (`names`: the
    service's field name → the form's), the rest on the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = names.get(name, name)
            field = target if target in form.fields else None
            for e in errors:
                for message in e.messages:
                    form.add_error(field, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
