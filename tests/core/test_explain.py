"""core.explain: an explanation kept as data is written in either language — in English
exactly as the services always wrote their rules, in Bengali with Bengali words and digits."""

import datetime
from decimal import Decimal

from django.utils import translation

from core import explain as why
from payments.models import BillLine


def signboard():
    return why.because(
        "FY %(fy)s schedule: %(rule)s",
        fy=why.fy("2025-26"),
        rule=why.because(
            "signboard tax %(rate)s per sq ft × %(size)s sq ft",
            rate=why.taka("100"),
            size=why.number("12"),
        ),
    )


def test_english_is_written_as_the_rules_always_were():
    assert why.explain(signboard(), "en") == (
        "FY 2025-26 schedule: signboard tax 100.00 per sq ft × 12 sq ft"
    )


def test_bengali_words_and_digits():
    text = why.explain(signboard(), "bn")
    assert text == "অর্থবছর ২০২৫-২৬-এর তফসিল: সাইনবোর্ড কর প্রতি বর্গফুট ৳১০০.০০ × ১২ বর্গফুট"


def test_values_of_every_kind():
    data = why.because(
        "%(rule)s = %(amount)s, capped at %(percent)s%% of the fee",
        rule=why.because(
            "Arrears FY %(fy)s (no licence that year): %(rule)s",
            fy=why.fy("2024-25"),
            rule=why.because("application fee for a new licence"),
        ),
        amount=why.taka(Decimal("1250000")),
        percent=why.number(Decimal("15.00")),
    )
    assert why.explain(data, "en") == (
        "Arrears FY 2024-25 (no licence that year): application fee for a new licence = "
        "1250000.00, capped at 15.00% of the fee"
    )
    bn = why.explain(data, "bn")
    assert "৳১২,৫০,০০০.০০" in bn and "১৫%" in bn and "২০২৪-২৫" in bn
    assert not any(c.isascii() and c.isalpha() for c in bn), bn
    date = why.because("paid %(date)s", date=why.day(datetime.date(2025, 9, 30)))
    assert why.explain(date, "en") == "paid 2025-09-30"
    assert "৩০ সেপ্টেম্বর ২০২৫" in why.explain(date, "bn")
    head = why.words(bn="সাইনবোর্ড কর", en="signboard tax")
    parts = why.joined([why.because("%(head)s %(amount)s", head=head, amount=why.taka(5))])
    assert why.explain(why.because("VAT of %(what)s", what=parts), "en") == (
        "VAT of signboard tax 5.00"
    )


def test_several_explanations_are_joined_and_none_is_empty():
    parts = [
        why.because("arrears of FY %(fy)s", fy=why.fy("2024-25")),
        why.because("arrears of FY %(fy)s", fy=why.fy("2023-24")),
    ]
    assert why.explain(parts, "en") == "arrears of FY 2024-25; arrears of FY 2023-24"
    assert why.explain(parts, "bn") == "অর্থবছর ২০২৪-২৫-এর বকেয়া; অর্থবছর ২০২৩-২৪-এর বকেয়া"
    assert why.explain([], "bn") == "" and why.explain(None) == ""


def test_a_bill_line_reads_its_explanation_in_the_active_language():
    line = BillLine(
        explanation="arrears of FY 2024-25",
        explanation_data=[why.because("arrears of FY %(fy)s", fy=why.fy("2024-25"))],
    )
    with translation.override("bn"):
        assert line.explanation_text == "অর্থবছর ২০২৪-২৫-এর বকেয়া"
    with translation.override("en"):
        assert line.explanation_text == "arrears of FY 2024-25"
    older = BillLine(explanation="arrears of FY 2024-25")  # made before the data was kept
    with translation.override("bn"):
        assert older.explanation_text == "arrears of FY 2024-25"
