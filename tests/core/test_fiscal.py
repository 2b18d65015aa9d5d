"""Tests for fiscal-year labels and bounds."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone, translation

from core.fiscal import (
    current_fiscal_year,
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_label,
    fiscal_year_label_bn,
    fiscal_year_start,
    next_fiscal_year,
    parse_fiscal_year,
    previous_fiscal_year,
)

D = datetime.date
DHAKA = zoneinfo.ZoneInfo("Asia/Dhaka")


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (D(2025, 6, 30), "2024-25"),
        (D(2025, 7, 1), "2025-26"),
        (D(2025, 12, 31), "2025-26"),
        (D(2026, 1, 1), "2025-26"),
        (D(2026, 6, 30), "2025-26"),
        (D(2026, 7, 1), "2026-27"),
        (D(2099, 7, 1), "2099-00"),
        (D(2100, 6, 30), "2099-00"),
        (D(2100, 7, 1), "2100-01"),
        (D(2008, 7, 1), "2008-09"),
        (D(2009, 7, 1), "2009-10"),
    ],
)
def test_fiscal_year(day, label):
    assert fiscal_year(day) == label


def test_datetime_uses_its_date():
    assert fiscal_year(datetime.datetime(2025, 7, 1, 0, 0)) == "2025-26"  # noqa: DTZ001


@pytest.mark.parametrize(
    ("label", "bounds"),
    [
        ("2025-26", (D(2025, 7, 1), D(2026, 6, 30))),
        ("2099-00", (D(2099, 7, 1), D(2100, 6, 30))),
        ("২০২৩-২৪", (D(2023, 7, 1), D(2024, 6, 30))),
    ],
)
def test_bounds(label, bounds):
    assert fiscal_year_bounds(label) == bounds
    start, end = bounds
    assert fiscal_year(start) == fiscal_year(end) == parse_fiscal_year(label)
    assert fiscal_year(start - datetime.timedelta(days=1)) == previous_fiscal_year(label)
    assert fiscal_year(end + datetime.timedelta(days=1)) == next_fiscal_year(label)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("2025-26", "2025-26"),
        ("২০২৫-২৬", "2025-26"),
        ("2025-2026", "2025-26"),
        ("২০২৫-২০২৬", "2025-26"),
        (" 2025-26 ", "2025-26"),
        ("2025–26", "2025-26"),  # en dash
        ("2099-00", "2099-00"),
        ("2099-2100", "2099-00"),
        ("1999-00", "1999-00"),
    ],
)
def test_parse_accepts(text, canonical):
    assert parse_fiscal_year(text) == canonical


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2025",
        "2025-27",
        "2025-25",
        "2025-2027",
        "25-26",
        "2025-6",
        "2025-026",
        "ab-cd",
        "20 25",
    ],
)
def test_parse_refuses(text):
    with pytest.raises(ValueError, match="is not a fiscal year. Write it like 2025-26."):
        parse_fiscal_year(text)


def test_parse_refuses_in_bengali_too():
    with translation.override("bn"), pytest.raises(ValueError, match="কোনো অর্থবছর নয়"):
        parse_fiscal_year("2025-27")


def test_start_next_previous():
    assert fiscal_year_start("2025-26") == 2025
    assert next_fiscal_year("2025-26") == "2026-27"
    assert previous_fiscal_year("2025-26") == "2024-25"
    assert next_fiscal_year("2098-99") == "2099-00"
    assert next_fiscal_year("2099-00") == "2100-01"
    assert previous_fiscal_year("2100-01") == "2099-00"
    assert previous_fiscal_year("2000-01") == "1999-00"
    assert next_fiscal_year("২০২৫-২৬") == "2026-27"


def test_bengali_labels():
    assert fiscal_year_label_bn("2025-26") == "২০২৫-২৬"
    assert fiscal_year_label_bn("2025-2026") == "২০২৫-২৬"
    assert fiscal_year_label_bn("2099-00") == "২০৯৯-০০"
    assert fiscal_year_label("2025-26", "bn") == "২০২৫-২৬"
    assert fiscal_year_label("২০২৫-২৬", "en") == "2025-26"
    with translation.override("bn"):
        assert fiscal_year_label("2025-26") == "২০২৫-২৬"
    with translation.override("en"):
        assert fiscal_year_label("2025-26") == "2025-26"


def test_current_fiscal_year_uses_local_date():
    with timezone.override(DHAKA):
        # 30 June 18:30 UTC is already 1 July 00:30 in Dhaka.
        with time_machine.travel(datetime.datetime(2025, 6, 30, 18, 30, tzinfo=datetime.UTC)):
            assert current_fiscal_year() == "2025-26"
        with time_machine.travel(datetime.datetime(2025, 6, 30, 17, 59, tzinfo=datetime.UTC)):
            assert current_fiscal_year() == "2024-25"
