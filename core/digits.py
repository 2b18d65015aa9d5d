"""Conversion between ASCII and Bengali digits, and digits for the active language."""

from __future__ import annotations

import datetime

from django.utils.translation import get_language

ASCII_DIGITS = "0123456789"
BENGALI_DIGITS = "০১২৩৪৫৬৭৮৯"

_TO_BENGALI = str.maketrans(ASCII_DIGITS, BENGALI_DIGITS)
_TO_ASCII = str.maketrans(BENGALI_DIGITS, ASCII_DIGITS)


def to_bengali_digits(s: str | int) -> str:
    """Replace ASCII digits 0-9 with Bengali digits ০-৯; other characters are kept."""
    return str(s).translate(_TO_BENGALI)


def to_ascii_digits(s: str | int) -> str:
    """Replace Bengali digits ০-৯ with ASCII digits 0-9; other characters are kept."""
    return str(s).translate(_TO_ASCII)


def is_bengali(lang: str | None = None) -> bool:
    """True when `lang` (default: the active Django language) is Bengali ("bn", "bn-bd", ...)."""
    if lang is None:
        lang = get_language()
    return bool(lang) and lang.lower().startswith("bn")


def localize_digits(s: str | int, lang: str | None = None) -> str:
    """Bengali digits when `lang` (default: the active language) is Bengali, else unchanged."""
    return to_bengali_digits(s) if is_bengali(lang) else str(s)


def file_size(size: int, lang: str | None = None) -> str:
    """A file's size as Django writes it ("12.0 MB", "১২.০ মেগাবাইট" in Bengali)."""
    from django.template.defaultfilters import filesizeformat
    from django.utils import translation

    if lang is None:
        return localize_digits(filesizeformat(size))
    with translation.override(lang):
        return localize_digits(filesizeformat(size), lang)


def localize_date(d: datetime.date, lang: str | None = None) -> str:
    """A date as offices write it in SMS and messages, 31/12/2026 (৩১/১২/২০২৬ in Bengali)."""
    return localize_digits(d.strftime("%d/%m/%Y"), lang)
