"""Form fields that accept Bengali digits and Bangladeshi identity numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from core.digits import localize_digits, to_ascii_digits
from core.validators import (
    MOBILE_MESSAGE,
    NID_MESSAGE,
    normalize_mobile,
    normalize_nid,
    validate_mobile,
    validate_nid,
)


class _DefaultAttrsTextInput(forms.TextInput):
    """A text input with default HTML attributes that the caller's `attrs` may override."""

    default_attrs: dict[str, str] = {}

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({**self.default_attrs, **(attrs or {})})


class TelInput(_DefaultAttrsTextInput):
    input_type = "tel"
    default_attrs = {"inputmode": "tel", "autocomplete": "tel"}


class DigitsInput(_DefaultAttrsTextInput):
    """Plain text (so Bengali digits and commas are allowed) with a numeric keypad on phones."""

    default_attrs = {"inputmode": "numeric", "autocomplete": "off"}


class DecimalInput(_DefaultAttrsTextInput):
    default_attrs = {"inputmode": "decimal", "autocomplete": "off"}


def _ascii_number(value: Any) -> Any:
    """Bengali digits to ASCII and thousands commas removed; non-strings pass through."""
    if isinstance(value, str):
        return to_ascii_digits(value).replace(",", "").strip()
    return value


def _localized(value: Any) -> Any:
    """A number shown with the digits of the active language (for redisplay in the input)."""
    if isinstance(value, int | Decimal | str) and not isinstance(value, bool):
        return localize_digits(str(value))
    return value


class BDMobileField(forms.CharField):
    """A Bangladeshi mobile number; cleans to the canonical "01XXXXXXXXX"."""

    widget = TelInput
    default_error_messages = {"invalid_mobile": MOBILE_MESSAGE}
    default_validators = [validate_mobile]

    def to_python(self, value: Any) -> str | None:
        value = super().to_python(value)
        if value in self.empty_values:
            return self.empty_value
        try:
            return normalize_mobile(value)
        except ValidationError:
            raise ValidationError(
                self.error_messages["invalid_mobile"], code="invalid_mobile"
            ) from None


class NIDField(forms.CharField):
    """A National ID number (10, 13 or 17 digits); cleans to digits only, "" when left empty."""

    widget = DigitsInput
    default_error_messages = {"invalid_nid": NID_MESSAGE}
    default_validators = [validate_nid]

    def to_python(self, value: Any) -> str | None:
        value = super().to_python(value)
        if value in self.empty_values:
            return self.empty_value
        try:
            return normalize_nid(value)
        except ValidationError:
            raise ValidationError(self.error_messages["invalid_nid"], code="invalid_nid") from None


class LocalizedIntegerField(forms.IntegerField):
    """An integer typed with ASCII or Bengali digits, commas allowed ("১,২৫০" -> 1250)."""

    widget = DigitsInput

    def to_python(self, value: Any) -> int | None:
        return super().to_python(_ascii_number(value))

    def prepare_value(self, value: Any) -> Any:
        value = super().prepare_value(value)
        return _localized(value)


class LocalizedDecimalField(forms.DecimalField):
    """A decimal typed with ASCII or Bengali digits, commas allowed ("১২,৫০০.৫০")."""

    widget = DecimalInput

    def to_python(self, value: Any) -> Any:
        return super().to_python(_ascii_number(value))

    def prepare_value(self, value: Any) -> Any:
        value = super().prepare_value(value)
        return _localized(value)


#: The example in a fiscal-year box, in the digits of the page's language when it is shown.
EXAMPLE_FISCAL_YEAR = lazy(localize_digits, str)("2025-26")


class FiscalYearField(forms.CharField):
    """A fiscal-year label such as 2025-26 (Bengali digits and 2025-2026 accepted)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("help_text", _("Write it like 2025-26."))
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off", "placeholder": EXAMPLE_FISCAL_YEAR}
        )

    def to_python(self, value: Any) -> str | None:
        from core.fiscal import parse_fiscal_year

        text: str | None = super().to_python(value)
        if text is None or text in self.empty_values:
            return text
        try:
            return parse_fiscal_year(text)
        except ValueError:
            raise forms.ValidationError(
                _("“%(value)s” is not a fiscal year. Write it like 2025-26."),
                code="invalid_fiscal_year",
                params={"value": text},
            ) from None


if TYPE_CHECKING:
    from core.models import Ward

    _WardChoiceBase = forms.ModelChoiceField[Ward]
else:
    _WardChoiceBase = forms.ModelChoiceField


class WardChoiceField(_WardChoiceBase):
    """A ward filter for officers' lists ("All wards" when empty)."""

    def __init__(self, **kwargs: Any) -> None:
        from core.models import Ward

        super().__init__(
            queryset=Ward.objects.order_by("number"),
            to_field_name="number",
            required=False,
            label=_("Ward"),
            empty_label=_("All wards"),
            **kwargs,
        )

    def label_from_instance(self, ward: Ward) -> str:
        return ward.label
