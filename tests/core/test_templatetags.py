"""Tests for the `bn` template filters."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.template import Context, Engine
from django.utils import timezone, translation

ENGINE = Engine(libraries={"bn": "core.templatetags.bn"})


def render(source: str, lang: str, **context) -> str:
    template = ENGINE.from_string("{% load bn %}" + source)
    with translation.override(lang):
        return template.render(Context(context))


@pytest.mark.parametrize(
    ("source", "context", "en", "bn"),
    [
        ("{{ n|digits }}", {"n": 2025}, "2025", "২০২৫"),
        ("{{ n|digits }}", {"n": "Ward 12"}, "Ward 12", "Ward ১২"),
        ("{{ n|digits }}", {"n": None}, "", ""),
        ("{{ a|taka }}", {"a": Decimal("1250000")}, "৳12,50,000.00", "৳১২,৫০,০০০.০০"),
        ("{{ a|taka }}", {"a": -1000}, "-৳1,000.00", "-৳১,০০০.০০"),
        ("{{ a|taka }}", {"a": None}, "", ""),
        ("{{ a|taka }}", {"a": "n/a"}, "n/a", "n/a"),
        (
            "{{ a|amount_words }}",
            {"a": Decimal("1250000")},
            "Twelve lakh fifty thousand taka only",
            "বারো লক্ষ পঞ্চাশ হাজার টাকা মাত্র",
        ),
        (
            "{{ a|amount_words }}",
            {"a": "10.50"},
            "Ten taka and fifty paisa only",
            "দশ টাকা পঞ্চাশ পয়সা মাত্র",
        ),
        ("{{ d|bdate }}", {"d": datetime.date(2026, 1, 1)}, "17 Poush 1432", "১৭ পৌষ ১৪৩২"),
        ("{{ d|bdate }}", {"d": datetime.date(2025, 4, 14)}, "1 Boishakh 1432", "১ বৈশাখ ১৪৩২"),
        ("{{ d|bdate }}", {"d": None}, "", ""),
        ("{{ d|fy }}", {"d": datetime.date(2025, 7, 1)}, "2025-26", "২০২৫-২৬"),
        ("{{ d|fy }}", {"d": datetime.date(2025, 6, 30)}, "2024-25", "২০২৪-২৫"),
        ("{{ d|fy }}", {"d": "2025-26"}, "2025-26", "২০২৫-২৬"),
        ("{{ d|fy }}", {"d": "২০৯৯-২১০০"}, "2099-00", "২০৯৯-০০"),
        ("{{ d|fy }}", {"d": "next year"}, "next year", "next year"),
        ("{{ m|mobile_display }}", {"m": "01712345678"}, "01712-345678", "০১৭১২-৩৪৫৬৭৮"),
        ("{{ m|mobile_display }}", {"m": "+8801712345678"}, "01712-345678", "০১৭১২-৩৪৫৬৭৮"),
        ("{{ m|mobile_display }}", {"m": "12345"}, "12345", "12345"),
        ("{{ m|mobile_display }}", {"m": None}, "", ""),
    ],
)
def test_filters(source, context, en, bn):
    assert render(source, "en", **context) == en
    assert render(source, "bn", **context) == bn


def test_aware_datetime_uses_local_date():
    dhaka = zoneinfo.ZoneInfo("Asia/Dhaka")
    # 31 December 2025 19:00 UTC is 1 January 2026 01:00 in Dhaka.
    moment = datetime.datetime(2025, 12, 31, 19, 0, tzinfo=datetime.UTC)
    with timezone.override(dhaka):
        assert render("{{ d|bdate }}", "en", d=moment) == "17 Poush 1432"
        assert render("{{ d|bdate }}", "bn", d=moment) == "১৭ পৌষ ১৪৩২"
    # 30 June 2025 18:30 UTC is already 1 July in Dhaka.
    fy_moment = datetime.datetime(2025, 6, 30, 18, 30, tzinfo=datetime.UTC)
    with timezone.override(dhaka):
        assert render("{{ d|fy }}", "en", d=fy_moment) == "2025-26"


def test_naive_datetime_uses_its_date():
    naive = datetime.datetime(2026, 1, 1, 23, 0)  # noqa: DTZ001 - naive on purpose
    assert render("{{ d|bdate }}", "en", d=naive) == "17 Poush 1432"


def test_digits_escapes_unsafe_input():
    assert render("{{ s|digits }}", "bn", s="<b>12</b>") == "&lt;b&gt;১২&lt;/b&gt;"


@pytest.mark.parametrize("lang", ["en", "bn"])
def test_longdate_writes_what_date_j_f_y_with_digits_writes(lang):
    day = datetime.date(2025, 1, 5)
    for offset in range(0, 400, 17):  # every month, both years
        d = day + datetime.timedelta(days=offset)
        assert render("{{ d|longdate }}", lang, d=d) == render(
            '{{ d|date:"j F Y"|digits }}', lang, d=d
        )
    bn = render("{{ d|longdate }}", "bn", d=datetime.date(2026, 1, 5))
    assert bn.startswith("৫ জানু") and bn.endswith(" ২০২৬")
    assert render("{{ d|longdate }}", lang, d=None) == ""
    assert render("{{ d|longdate }}", lang, d="soon") == "soon"


def test_longdate_of_an_aware_datetime_is_its_local_date():
    moment = datetime.datetime(2025, 12, 31, 19, 0, tzinfo=datetime.UTC)
    with timezone.override(zoneinfo.ZoneInfo("Asia/Dhaka")):
        assert render("{{ d|longdate }}", "en", d=moment) == "1 January 2026"
