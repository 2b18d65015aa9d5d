"""Tests for the revised Bengali calendar."""

import datetime

import pytest
from django.utils import translation

from core.bengali import (
    BengaliDate,
    bengali_date,
    gregorian_date,
    month_length,
    year_length,
)

D = datetime.date


@pytest.mark.parametrize(
    ("gregorian", "expected"),
    [
        (D(2026, 1, 1), (1432, 9, 17)),
        (D(2025, 4, 14), (1432, 1, 1)),
        (D(2025, 4, 13), (1431, 12, 30)),
        (D(2019, 4, 14), (1426, 1, 1)),
        (D(2025, 12, 16), (1432, 9, 1)),  # Victory Day = 1 Poush
        (D(2024, 12, 16), (1431, 9, 1)),
        (D(2026, 2, 21), (1432, 11, 8)),  # Language Martyrs' Day = 8 Falgun
        (D(2024, 2, 21), (1430, 11, 8)),  # ... also in a leap year
        (D(2025, 3, 26), (1431, 12, 12)),  # Independence Day = 12 Chaitra
        (D(2024, 3, 26), (1430, 12, 12)),
        (D(2025, 10, 16), (1432, 6, 31)),  # last day of Ashwin
        (D(2025, 10, 17), (1432, 7, 1)),  # 1 Kartik
        (D(2026, 2, 14), (1432, 11, 1)),  # 1 Falgun
        (D(2026, 3, 14), (1432, 11, 29)),  # last of Falgun (2026 not leap)
        (D(2026, 3, 15), (1432, 12, 1)),
        (D(2024, 3, 14), (1430, 11, 30)),  # 30 Falgun 1430 (2024 leap)
        (D(2024, 3, 15), (1430, 12, 1)),
    ],
)
def test_known_dates(gregorian, expected):
    b = bengali_date(gregorian)
    assert (b.year, b.month, b.day) == expected
    assert gregorian_date(*expected) == gregorian


def test_victory_day_and_language_day_every_year():
    for year in range(2020, 2041):
        assert (bengali_date(D(year, 12, 16)).month, bengali_date(D(year, 12, 16)).day) == (9, 1)
        assert (bengali_date(D(year, 2, 21)).month, bengali_date(D(year, 2, 21)).day) == (11, 8)
        assert bengali_date(D(year, 4, 14)) == BengaliDate(year - 593, 1, 1)
        assert bengali_date(D(year, 4, 13)) == BengaliDate(year - 594, 12, 30)


def test_datetime_is_taken_as_its_date():
    naive = datetime.datetime(2026, 1, 1, 23, 59)  # noqa: DTZ001 - naive on purpose
    assert bengali_date(naive) == BengaliDate(1432, 9, 17)


def test_names_and_formatting():
    b = bengali_date(D(2026, 1, 1))
    assert b.month_name_en == "Poush"
    assert b.month_name_bn == "পৌষ"
    assert b.format_bn() == "১৭ পৌষ ১৪৩২"
    assert b.format_en() == "17 Poush 1432"
    assert str(b) == "17 Poush 1432"
    assert b.format("bn") == "১৭ পৌষ ১৪৩২"
    assert b.format("en") == "17 Poush 1432"
    with translation.override("bn"):
        assert b.format() == "১৭ পৌষ ১৪৩২"
    with translation.override("en"):
        assert b.format() == "17 Poush 1432"


def test_all_month_names():
    names_en = [BengaliDate(1432, m, 1).month_name_en for m in range(1, 13)]
    names_bn = [BengaliDate(1432, m, 1).month_name_bn for m in range(1, 13)]
    assert names_en == [
        "Boishakh", "Jyoishtho", "Asharh", "Shrabon", "Bhadro", "Ashwin",
        "Kartik", "Agrahayan", "Poush", "Magh", "Falgun", "Chaitra",
    ]  # fmt: skip
    expected_bn = "বৈশাখ জ্যৈষ্ঠ আষাঢ় শ্রাবণ ভাদ্র আশ্বিন কার্তিক অগ্রহায়ণ পৌষ মাঘ ফাল্গুন চৈত্র"
    assert " ".join(names_bn) == expected_bn
    assert BengaliDate(1432, 1, 1).format_bn() == "১ বৈশাখ ১৪৩২"


@pytest.mark.parametrize(
    ("year", "falgun"),
    [
        (1426, 30),  # Falgun 1426 = Feb–Mar 2020 (leap)
        (1427, 29),
        (1428, 29),
        (1429, 29),
        (1430, 30),  # 2024
        (1431, 29),
        (1432, 29),
        (1434, 30),  # 2028
        (1506, 29),  # 2100 is not a leap year
        (1406, 30),  # 2000 is
    ],
)
def test_month_lengths(year, falgun):
    expected = [31, 31, 31, 31, 31, 31, 30, 30, 30, 30, falgun, 30]
    assert [month_length(year, m) for m in range(1, 13)] == expected
    assert year_length(year) == 336 + falgun
    next_new_year = D(year + 594, 4, 14)
    assert (next_new_year - gregorian_date(year, 1, 1)).days == year_length(year)


def test_month_ends():
    assert gregorian_date(1432, 1, 31) == D(2025, 5, 14)
    assert gregorian_date(1432, 2, 1) == D(2025, 5, 15)
    assert gregorian_date(1432, 6, 31) == D(2025, 10, 16)
    assert gregorian_date(1432, 7, 30) == D(2025, 11, 15)
    assert gregorian_date(1432, 8, 30) == D(2025, 12, 15)
    assert gregorian_date(1432, 9, 30) == D(2026, 1, 14)
    assert gregorian_date(1432, 10, 30) == D(2026, 2, 13)
    assert gregorian_date(1432, 11, 29) == D(2026, 3, 14)
    assert gregorian_date(1432, 12, 30) == D(2026, 4, 13)
    assert gregorian_date(1433, 1, 1) == D(2026, 4, 14)
    assert gregorian_date(1430, 11, 30) == D(2024, 3, 14)


@pytest.mark.parametrize(
    ("year", "month", "day"),
    [
        (1432, 11, 30),  # Falgun 1432 has 29 days
        (1430, 11, 31),
        (1432, 7, 31),  # Kartik has 30
        (1432, 12, 31),
        (1432, 1, 32),
        (1432, 1, 0),
        (1432, 0, 1),
        (1432, 13, 1),
    ],
)
def test_impossible_days_are_refused(year, month, day):
    with pytest.raises(ValueError, match="has .* days, not|month must be 1..12"):
        gregorian_date(year, month, day)
    with pytest.raises(ValueError, match="has .* days, not|month must be 1..12"):
        BengaliDate(year, month, day)


def test_round_trip_every_day_2019_to_2040():
    day = D(2019, 4, 14)
    end = D(2040, 12, 31)
    previous = bengali_date(day - datetime.timedelta(days=1))
    assert previous == BengaliDate(1425, 12, 30)
    count = 0
    while day <= end:
        b = bengali_date(day)
        assert gregorian_date(b.year, b.month, b.day) == day
        assert b.to_gregorian() == day
        # consecutive days advance by exactly one Bengali day
        if b.day == 1:
            if b.month == 1:
                assert (previous.year, previous.month) == (b.year - 1, 12)
            else:
                assert (previous.year, previous.month) == (b.year, b.month - 1)
            assert previous.day == month_length(previous.year, previous.month)
        else:
            assert (previous.year, previous.month, previous.day + 1) == (b.year, b.month, b.day)
        assert previous < b
        previous = b
        day += datetime.timedelta(days=1)
        count += 1
    assert count == (end - D(2019, 4, 14)).days + 1


def test_bengali_date_is_frozen():
    b = BengaliDate(1432, 1, 1)
    with pytest.raises(AttributeError):
        b.day = 2  # type: ignore[misc]
