"""The small helpers every service shares: masking, rate limits, exports, pagination."""

import io

import pytest
from django.test import RequestFactory
from openpyxl import load_workbook

from core.exports import to_csv, to_xlsx
from core.privacy import mask_mobile, mask_name
from core.ratelimit import over_limit
from core.views import paginate


def test_mask_name_keeps_bengali_vowel_signs_with_their_letter():
    assert mask_name("Rahim Uddin") == "R**** U****"
    assert mask_name("রহিম উদ্দিন") == "র** উ***"
    assert mask_name("কিবরিয়া") == "কি***"


def test_mask_mobile_shows_three_digits_each_end():
    assert mask_mobile("01712345678") == "017•••••678"


def test_over_limit_counts_per_key():
    results = [over_limit("test:a", 3, 60) for _ in range(5)]
    assert results == [False, False, False, True, True]
    assert over_limit("test:b", 3, 60) is False


def test_exports_never_turn_text_into_formulas():
    csv_text = to_csv(["name"], [['=HYPERLINK("http://x")'], ["-5"], [-5]]).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'-5" in csv_text and "\r\n-5\r\n" in csv_text
    book = load_workbook(io.BytesIO(to_xlsx(["name"], [["=1+1"]], title="t")))
    cell = book.active["A2"]
    assert cell.value == "=1+1" and cell.data_type == "s"


@pytest.mark.parametrize("param", ["page", "vpage"])
def test_paginate_keeps_the_other_filters_and_names_its_parameter(param):
    request = RequestFactory().get("/x/", {"ward": "5", param: "2"})
    page = paginate(request, list(range(60)), param=param)
    assert page.number == 2 and len(page.object_list) == 25
    assert page.previous_query.urlencode() == f"ward=5&{param}=1"
    assert page.next_query.urlencode() == f"ward=5&{param}=3"
