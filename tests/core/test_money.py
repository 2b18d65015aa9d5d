"""Tests for taka amounts: conversion, grouping, formatting and words."""

from decimal import Decimal

import pytest
from django.utils import translation

from core.money import (
    _WORDS_BN,
    amount_in_words,
    amount_in_words_bn,
    amount_in_words_en,
    format_amount,
    group_south_asian,
    to_money,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, Decimal("0.00")),
        (12, Decimal("12.00")),
        ("12.5", Decimal("12.50")),
        (Decimal("10.5"), Decimal("10.50")),
        ("১২,৫০,০০০", Decimal("1250000.00")),
        ("১২৩.৪৫", Decimal("123.45")),
        ("1,250,000.50", Decimal("1250000.50")),
        (" ৳ 1,000 ", Decimal("1000.00")),
        ("0.005", Decimal("0.01")),
        ("0.004", Decimal("0.00")),
        (Decimal("2.675"), Decimal("2.68")),
        (Decimal("2.665"), Decimal("2.67")),
        ("-2.675", Decimal("-2.68")),
        (-5, Decimal("-5.00")),
    ],
)
def test_to_money(value, expected):
    result = to_money(value)
    assert result == expected
    assert result.as_tuple().exponent == -2
    assert str(result) == str(expected)


@pytest.mark.parametrize("value", [1.5, 0.1, True, None, [1]])
def test_to_money_refuses_float_and_other_types(value):
    with pytest.raises(TypeError):
        to_money(value)


@pytest.mark.parametrize("value", ["", "abc", "12.3.4", "NaN", "Infinity", Decimal("NaN")])
def test_to_money_refuses_non_amounts(value):
    with pytest.raises(ValueError, match="Not an amount|Amount too large"):
        to_money(value)


@pytest.mark.parametrize(
    ("digits", "grouped"),
    [
        ("0", "0"),
        ("999", "999"),
        ("1000", "1,000"),
        ("12345", "12,345"),
        ("100000", "1,00,000"),
        ("1250000", "12,50,000"),
        ("10000000", "1,00,00,000"),
        ("1234567890", "1,23,45,67,890"),
        ("-1250000", "-12,50,000"),
    ],
)
def test_group_south_asian(digits, grouped):
    assert group_south_asian(digits) == grouped


@pytest.mark.parametrize(
    ("value", "en", "bn"),
    [
        (1250000, "৳12,50,000.00", "৳১২,৫০,০০০.০০"),
        (0, "৳0.00", "৳০.০০"),
        ("999.5", "৳999.50", "৳৯৯৯.৫০"),
        (1000, "৳1,000.00", "৳১,০০০.০০"),
        (Decimal("123456789.99"), "৳12,34,56,789.99", "৳১২,৩৪,৫৬,৭৮৯.৯৯"),
        (-1000, "-৳1,000.00", "-৳১,০০০.০০"),
        (Decimal("-0.001"), "৳0.00", "৳০.০০"),
        ("০.০০৫", "৳0.01", "৳০.০১"),
    ],
)
def test_format_amount(value, en, bn):
    assert format_amount(value, lang="en") == en
    assert format_amount(value, lang="bn") == bn
    with translation.override("en"):
        assert format_amount(value) == en
    with translation.override("bn"):
        assert format_amount(value) == bn


def test_format_amount_without_symbol():
    assert format_amount(1250000, lang="en", symbol=False) == "12,50,000.00"
    assert format_amount(-1250000, lang="bn", symbol=False) == "-১২,৫০,০০০.০০"


def test_format_amount_refuses_float():
    with pytest.raises(TypeError):
        format_amount(12.5)


WORDS = [
    (0, "Zero taka only", "শূন্য টাকা মাত্র"),
    (1, "One taka only", "এক টাকা মাত্র"),
    ("10.50", "Ten taka and fifty paisa only", "দশ টাকা পঞ্চাশ পয়সা মাত্র"),
    (21, "Twenty-one taka only", "একুশ টাকা মাত্র"),
    (100, "One hundred taka only", "এক শত টাকা মাত্র"),
    (101, "One hundred one taka only", "এক শত এক টাকা মাত্র"),
    (1000, "One thousand taka only", "এক হাজার টাকা মাত্র"),
    (
        99999,
        "Ninety-nine thousand nine hundred ninety-nine taka only",
        "নিরানব্বই হাজার নয় শত নিরানব্বই টাকা মাত্র",
    ),
    (100000, "One lakh taka only", "এক লক্ষ টাকা মাত্র"),
    (1250000, "Twelve lakh fifty thousand taka only", "বারো লক্ষ পঞ্চাশ হাজার টাকা মাত্র"),
    (10000000, "One crore taka only", "এক কোটি টাকা মাত্র"),
    (
        Decimal("123456789.99"),
        "Twelve crore thirty-four lakh fifty-six thousand seven hundred eighty-nine taka "
        "and ninety-nine paisa only",
        "বারো কোটি চৌত্রিশ লক্ষ ছাপ্পান্ন হাজার সাত শত উননব্বই টাকা নিরানব্বই পয়সা মাত্র",
    ),
    (1_000_000_000, "One hundred crore taka only", "এক শত কোটি টাকা মাত্র"),
    (
        1_000_000_000_000,
        "One lakh crore taka only",
        "এক লক্ষ কোটি টাকা মাত্র",
    ),
    ("0.50", "Fifty paisa only", "পঞ্চাশ পয়সা মাত্র"),
    ("0.005", "One paisa only", "এক পয়সা মাত্র"),
    ("1.005", "One taka and one paisa only", "এক টাকা এক পয়সা মাত্র"),
    ("1,00,001.10", "One lakh one taka and ten paisa only", "এক লক্ষ এক টাকা দশ পয়সা মাত্র"),
    ("৪৫", "Forty-five taka only", "পঁয়তাল্লিশ টাকা মাত্র"),
]


@pytest.mark.parametrize(("value", "en", "bn"), WORDS)
def test_amount_in_words(value, en, bn):
    assert amount_in_words_en(value) == en
    assert amount_in_words_bn(value) == bn
    assert amount_in_words(value, "en") == en
    assert amount_in_words(value, "bn") == bn
    with translation.override("bn"):
        assert amount_in_words(value) == bn
    with translation.override("en"):
        assert amount_in_words(value) == en


def test_amount_in_words_refuses_negative_and_float():
    with pytest.raises(ValueError, match="must not be negative"):
        amount_in_words_en(-1)
    with pytest.raises(ValueError, match="must not be negative"):
        amount_in_words_bn("-0.50")
    with pytest.raises(TypeError):
        amount_in_words(1.5, "en")


BENGALI_0_TO_99 = (
    "শূন্য এক দুই তিন চার পাঁচ ছয় সাত আট নয় দশ এগারো বারো তেরো চৌদ্দ পনেরো ষোল সতেরো আঠারো "
    "উনিশ বিশ একুশ বাইশ তেইশ চব্বিশ পঁচিশ ছাব্বিশ সাতাশ আঠাশ উনত্রিশ ত্রিশ একত্রিশ বত্রিশ "
    "তেত্রিশ চৌত্রিশ পঁয়ত্রিশ ছত্রিশ সাঁইত্রিশ আটত্রিশ উনচল্লিশ চল্লিশ একচল্লিশ বিয়াল্লিশ "
    "তেতাল্লিশ চুয়াল্লিশ পঁয়তাল্লিশ ছেচল্লিশ সাতচল্লিশ আটচল্লিশ উনপঞ্চাশ পঞ্চাশ একান্ন বাহান্ন "
    "তিপ্পান্ন চুয়ান্ন পঞ্চান্ন ছাপ্পান্ন সাতান্ন আটান্ন উনষাট ষাট একষট্টি বাষট্টি তেষট্টি "
    "চৌষট্টি পঁয়ষট্টি ছেষট্টি সাতষট্টি আটষট্টি উনসত্তর সত্তর একাত্তর বাহাত্তর তিয়াত্তর "
    "চুয়াত্তর পঁচাত্তর ছিয়াত্তর সাতাত্তর আটাত্তর উনআশি আশি একাশি বিরাশি তিরাশি চুরাশি "
    "পঁচাশি ছিয়াশি সাতাশি আটাশি উননব্বই নব্বই একানব্বই বিরানব্বই তিরানব্বই চুরানব্বই "
    "পঁচানব্বই ছিয়ানব্বই সাতানব্বই আটানব্বই নিরানব্বই"
).split()


def test_bengali_words_table_is_complete():
    assert len(_WORDS_BN) == 100
    assert list(_WORDS_BN) == BENGALI_0_TO_99
    assert len(set(_WORDS_BN)) == 100


@pytest.mark.parametrize("n", [0, 7, 19, 20, 33, 58, 77, 89, 99])
def test_every_bengali_number_below_100_is_one_word(n):
    assert amount_in_words_bn(n) == f"{BENGALI_0_TO_99[n]} টাকা মাত্র"
