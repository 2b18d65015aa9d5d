"""Explanations as data: how an amount was made, kept as a message and its values and read
in the reader's language.

A service explains a bill line (or a fee line) with `because()`: an English format string
marked for translation with `gettext_noop` and its values, each typed so it can be written
in either language — `taka()`, `fy()`, `number()`, `day()`, `words()` (a name in both
languages), a nested `because()`, or `joined()` parts:

    because(
        gettext_noop("FY %(fy)s schedule: signboard tax %(rate)s per sq ft × %(size)s sq ft"),
        fy=fy("2025-26"), rate=taka("100.00"), size=number("12"),
    )

The result is plain JSON (stored on payments.BillLine.explanation_data). `explain(data, lang)`
writes it in `lang` (default: the active language): the message through the catalogue, the
values with that language's digits — in English exactly as the services always wrote their
rules ("500.00", "2025-09-30"), in Bengali as a reader expects ("৳৫০০.০০", "৩০ সেপ্টেম্বর
২০২৫"). A list of explanations is written one after another, separated by "; ".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils import dateformat, translation
from django.utils.translation import gettext

from .digits import is_bengali, localize_digits
from .fiscal import fiscal_year_label
from .money import format_amount, to_money

Data = dict[str, Any]
SEPARATOR = "; "


def because(message: str, /, **values: Data | str) -> Data:
    """An explanation: `message` (an English python-format string, marked with
    gettext_noop so the catalogue has it) and its typed values."""
    return {"msg": message, "args": values}


def taka(amount: Decimal | int | str) -> Data:
    """An amount: "500.00" in English, "৳৫০০.০০" in Bengali."""
    return {"taka": str(to_money(amount))}


def fy(label: str) -> Data:
    """A fiscal year: "2025-26" / "২০২৫-২৬"."""
    return {"fy": str(label)}


def number(value: Decimal | int | str) -> Data:
    """A count, a percentage or a size: as given in English ("15.00"), without trailing
    zeros in Bengali ("১৫")."""
    return {"n": str(value)}


def day(d: datetime.date) -> Data:
    """A date: "2025-09-30" in English (as the rules always wrote it), "৩০ সেপ্টেম্বর ২০২৫"
    in Bengali."""
    return {"date": d.isoformat()}


def words(*, bn: str, en: str) -> Data:
    """A name that is data, in both languages (a business category, a revenue head)."""
    return {"bn": bn, "en": en}


def joined(parts: Iterable[Data], separator: str = " + ") -> Data:
    """Explanations or values written one after another with `separator`."""
    return {"join": list(parts), "sep": separator}


def _value(value: Data | str, lang: str) -> str:
    if isinstance(value, str):
        return value
    if "msg" in value:
        return _one(value, lang)
    if "join" in value:
        return str(value.get("sep", SEPARATOR)).join(_value(v, lang) for v in value["join"])
    if "taka" in value:
        return format_amount(value["taka"], lang="bn") if is_bengali(lang) else value["taka"]
    if "fy" in value:
        return fiscal_year_label(value["fy"], lang)
    if "n" in value:
        text = value["n"]
        if is_bengali(lang) and "." in text:
            text = text.rstrip("0").rstrip(".")  # "15.00" → "১৫", "7.50" → "৭.৫"
        return localize_digits(text, lang)
    if "date" in value:
        d = datetime.date.fromisoformat(value["date"])
        if not is_bengali(lang):
            return d.isoformat()
        with translation.override(lang):
            return localize_digits(dateformat.format(d, "j F Y"), lang)
    if "bn" in value or "en" in value:
        first, second = ("bn", "en") if is_bengali(lang) else ("en", "bn")
        return str(value.get(first) or value.get(second))
    raise ValueError(f"Not an explanation value: {value!r}")


def _one(data: Data, lang: str) -> str:
    with translation.override(lang):
        message = gettext(data["msg"])
    args = {name: _value(value, lang) for name, value in (data.get("args") or {}).items()}
    return message % args


def explain(data: Data | Sequence[Data] | None, lang: str | None = None) -> str:
    """The explanation in `lang` (default: the active language); "" for none."""
    if not data:
        return ""
    lang = lang or translation.get_language() or "bn"
    if isinstance(data, dict):
        return _one(data, lang)
    return SEPARATOR.join(_one(part, lang) for part in data)
