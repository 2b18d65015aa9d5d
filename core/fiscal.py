"""Fiscal years of Bangladesh (1 July – 30 June), labelled like "2025-26"."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext

from core.digits import localize_digits, to_ascii_digits, to_bengali_digits

FY_START_MONTH = 7

_LABEL_RE = re.compile(r"(\d{4})\s*[-–/]\s*(\d{2}|\d{4})")


def _label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def fiscal_year_start(label: str) -> int:
    """The calendar year in which fiscal year `label` begins (2025 for "2025-26")."""
    text = to_ascii_digits(str(label)).strip()
    match = _LABEL_RE.fullmatch(text)
    if match:
        start = int(match.group(1))
        end = match.group(2)
        expected = str(start + 1) if len(end) == 4 else f"{(start + 1) % 100:02d}"
        if end == expected and start >= 1:
            return start
    raise ValueError(
        gettext("“%(value)s” is not a fiscal year. Write it like 2025-26.") % {"value": label}
    )


def parse_fiscal_year(label: str) -> str:
    """Canonical label for "2025-26", "২০২৫-২৬" or "2025-2026"; ValueError otherwise."""
    return _label(fiscal_year_start(label))


def fiscal_year(d: datetime.date) -> str:
    """The fiscal-year label of date `d`, e.g. "2025-26" for 1 July 2025 … 30 June 2026."""
    return _label(d.year if d.month >= FY_START_MONTH else d.year - 1)


def fiscal_year_bounds(label: str) -> tuple[datetime.date, datetime.date]:
    """First and last day (inclusive) of fiscal year `label`."""
    start = fiscal_year_start(label)
    return datetime.date(start, 7, 1), datetime.date(start + 1, 6, 30)


def fiscal_year_label_bn(label: str) -> str:
    """The label in Bengali digits, e.g. "২০২৫-২৬"."""
    return to_bengali_digits(parse_fiscal_year(label))


def fiscal_year_label(label: str, lang: str | None = None) -> str:
    """The label with digits of `lang` (default: the active language)."""
    return localize_digits(parse_fiscal_year(label), lang)


def next_fiscal_year(label: str) -> str:
    return _label(fiscal_year_start(label) + 1)


def previous_fiscal_year(label: str) -> str:
    return _label(fiscal_year_start(label) - 1)


def current_fiscal_year() -> str:
    """The fiscal year of today's date in the current time zone."""
    return fiscal_year(timezone.localdate())
