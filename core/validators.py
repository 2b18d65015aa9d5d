"""Validators and normalizers for Bangladeshi mobile numbers, NID, birth registration, e-TIN."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.digits import localize_digits, to_ascii_digits

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MOBILE_RE = re.compile(r"01[3-9][0-9]{8}")
NID_LENGTHS = (10, 13, 17)
BIRTH_REGISTRATION_LENGTH = 17
TIN_LENGTH = 12

MOBILE_MESSAGE = _("Enter an 11-digit Bangladeshi mobile number such as 01712345678.")
NID_MESSAGE = _("Enter your National ID (NID) number: 10, 13 or 17 digits.")
BIRTH_REGISTRATION_MESSAGE = _("Enter the 17-digit birth registration number.")
TIN_MESSAGE = _("Enter the 12-digit e-TIN (taxpayer identification number).")

_SEPARATORS_RE = re.compile(r"[\s\-‐‑–—.()]")
_ASCII_DIGITS_RE = re.compile(r"[0-9]+")
_COUNTRY_PREFIXES = ("+880", "00880", "880")


def _compact(value: object) -> str:
    """ASCII digits, with spaces, dashes, dots and brackets removed."""
    if value is None:
        return ""
    return _SEPARATORS_RE.sub("", to_ascii_digits(str(value)))


def normalize_mobile(value: object) -> str:
    """Canonical "01XXXXXXXXX" from e.g. "+880 1712-345678" or "০১৭১২৩৪৫৬৭৮"."""
    number = _compact(value)
    for prefix in _COUNTRY_PREFIXES:
        if number.startswith(prefix):
            number = number[len(prefix) :]
            if len(number) == 10:  # "+880 1712345678": the trunk 0 is dropped
                number = "0" + number
            break
    if not MOBILE_RE.fullmatch(number):
        raise ValidationError(MOBILE_MESSAGE, code="invalid_mobile")
    return number


def mobile_to_e164(canonical: str) -> str:
    """E.164 form, e.g. "+8801712345678" (the number is normalized first)."""
    return "+88" + normalize_mobile(canonical)


def format_mobile(value: object, lang: str | None = None) -> str:
    """For display: "01712-345678", with digits of `lang` (default: the active language)."""
    number = normalize_mobile(value)
    return localize_digits(f"{number[:5]}-{number[5:]}", lang)


def _normalize_digits(
    value: object, lengths: tuple[int, ...], message: StrOrPromise, code: str
) -> str:
    digits = _compact(value)
    if not _ASCII_DIGITS_RE.fullmatch(digits) or len(digits) not in lengths:
        raise ValidationError(message, code=code)
    return digits


def normalize_nid(value: object) -> str:
    """National ID as digits only: 10 (smart card), 13 or 17 digits."""
    return _normalize_digits(value, NID_LENGTHS, NID_MESSAGE, "invalid_nid")


def normalize_birth_registration(value: object) -> str:
    """Birth registration number as 17 digits."""
    code = "invalid_birth_registration"
    return _normalize_digits(value, (BIRTH_REGISTRATION_LENGTH,), BIRTH_REGISTRATION_MESSAGE, code)


def normalize_tin(value: object) -> str:
    """e-TIN as 12 digits."""
    return _normalize_digits(value, (TIN_LENGTH,), TIN_MESSAGE, "invalid_tin")


def validate_mobile(value: str) -> None:
    """Model-field validator: `value` must already be a canonical mobile number."""
    if not isinstance(value, str) or not MOBILE_RE.fullmatch(value):
        raise ValidationError(MOBILE_MESSAGE, code="invalid_mobile")


def _is_digits(value: object, lengths: tuple[int, ...]) -> bool:
    return (
        isinstance(value, str) and bool(_ASCII_DIGITS_RE.fullmatch(value)) and len(value) in lengths
    )


def validate_nid(value: str) -> None:
    """Model-field validator: `value` must already be a canonical NID (10, 13 or 17 digits)."""
    if not _is_digits(value, NID_LENGTHS):
        raise ValidationError(NID_MESSAGE, code="invalid_nid")


def validate_birth_registration(value: str) -> None:
    """Model-field validator: 17 ASCII digits."""
    if not _is_digits(value, (BIRTH_REGISTRATION_LENGTH,)):
        raise ValidationError(BIRTH_REGISTRATION_MESSAGE, code="invalid_birth_registration")


def validate_tin(value: str) -> None:
    """Model-field validator: 12 ASCII digits."""
    if not _is_digits(value, (TIN_LENGTH,)):
        raise ValidationError(TIN_MESSAGE, code="invalid_tin")
