"""The revised Bangla Academy calendar (in force since 1426 BS / 2019) and Gregorian conversion."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from core.digits import is_bengali, to_bengali_digits

#: Gregorian year minus this = Bengali year, from 14 April (1 Boishakh) onwards.
YEAR_OFFSET = 593
NEW_YEAR_MONTH = 4
NEW_YEAR_DAY = 14
FALGUN = 11

MONTH_NAMES_EN = (
    "Boishakh",
    "Jyoishtho",
    "Asharh",
    "Shrabon",
    "Bhadro",
    "Ashwin",
    "Kartik",
    "Agrahayan",
    "Poush",
    "Magh",
    "Falgun",
    "Chaitra",
)
MONTH_NAMES_BN = (
    "বৈশাখ",
    "জ্যৈষ্ঠ",
    "আষাঢ়",
    "শ্রাবণ",
    "ভাদ্র",
    "আশ্বিন",
    "কার্তিক",
    "অগ্রহায়ণ",
    "পৌষ",
    "মাঘ",
    "ফাল্গুন",
    "চৈত্র",
)


def _new_year(bengali_year: int) -> datetime.date:
    """The Gregorian date of 1 Boishakh of `bengali_year`."""
    return datetime.date(bengali_year + YEAR_OFFSET, NEW_YEAR_MONTH, NEW_YEAR_DAY)


def month_length(year: int, month: int) -> int:
    """Days in Bengali `month` (1 = Boishakh … 12 = Chaitra) of Bengali `year`."""
    if not 1 <= month <= 12:
        raise ValueError(f"Bengali month must be 1..12, not {month}")
    if month <= 6:
        return 31
    if month == FALGUN:
        # Falgun lies in Feb–Mar of the Gregorian year after the one 1 Boishakh fell in.
        return 30 if calendar.isleap(year + YEAR_OFFSET + 1) else 29
    return 30


def year_length(year: int) -> int:
    """Days in Bengali `year` (365 or 366)."""
    return sum(month_length(year, m) for m in range(1, 13))


@dataclass(frozen=True, order=True)
class BengaliDate:
    """A day of the revised Bengali calendar; `month` 1 = Boishakh … 12 = Chaitra."""

    year: int
    month: int
    day: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"Bengali month must be 1..12, not {self.month}")
        last = month_length(self.year, self.month)
        if not 1 <= self.day <= last:
            raise ValueError(
                f"{MONTH_NAMES_EN[self.month - 1]} {self.year} has {last} days, not {self.day}"
            )

    @property
    def month_name_bn(self) -> str:
        return MONTH_NAMES_BN[self.month - 1]

    @property
    def month_name_en(self) -> str:
        return MONTH_NAMES_EN[self.month - 1]

    def format_bn(self) -> str:
        """E.g. "১৭ পৌষ ১৪৩২"."""
        return to_bengali_digits(f"{self.day} {self.month_name_bn} {self.year}")

    def format_en(self) -> str:
        """E.g. "17 Poush 1432"."""
        return f"{self.day} {self.month_name_en} {self.year}"

    def format(self, lang: str | None = None) -> str:
        """Bengali when `lang` (default: the active language) is Bengali, else English."""
        return self.format_bn() if is_bengali(lang) else self.format_en()

    def to_gregorian(self) -> datetime.date:
        return gregorian_date(self.year, self.month, self.day)

    def __str__(self) -> str:
        return self.format_en()


def bengali_date(d: datetime.date) -> BengaliDate:
    """The Bengali date of Gregorian date `d` (a datetime is taken as its date, as given).

    Dates before 1426 BS (14 April 2019) are computed with the revised rules as well.
    """
    if isinstance(d, datetime.datetime):
        d = d.date()
    year = d.year - YEAR_OFFSET
    if (d.month, d.day) < (NEW_YEAR_MONTH, NEW_YEAR_DAY):
        year -= 1
    offset = (d - _new_year(year)).days
    month = 1
    while offset >= (length := month_length(year, month)):
        offset -= length
        month += 1
    return BengaliDate(year, month, offset + 1)


def gregorian_date(year: int, month: int, day: int) -> datetime.date:
    """The Gregorian date of `day` `month` `year` BS; ValueError for a day that does not exist."""
    BengaliDate(year, month, day)  # validates
    offset = sum(month_length(year, m) for m in range(1, month)) + day - 1
    return _new_year(year) + datetime.timedelta(days=offset)
