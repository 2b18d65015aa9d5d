"""Arrears kept apart from the current year, as in a demand–collection–balance register.

Worked example, by hand. A let holding at a yearly rent of 1,20,000: valuation 1,00,000,
yearly tax 17,000.00 (holding tax 7,000.00, conservancy 7,000.00, lighting 3,000.00).
FY 2025-26 was never paid, so it is carried into 2026-27 as arrears of 17,000.00 with the
15% surcharge, 2,550.00. On 15 August 2026 the owner pays the arrears and the whole of
2026-27 at once, before the first instalment's due date (30 September): 10% off the
current year, 1,700.00, spread over the heads it reduces (700.00 + 700.00 + 300.00).

    Holding tax FY 2026-27                    7,000.00
    Conservancy FY 2026-27                    7,000.00
    Lighting FY 2026-27                       3,000.00
    Holding tax — arrears FY 2025-26          7,000.00
    Conservancy — arrears FY 2025-26          7,000.00
    Lighting — arrears FY 2025-26             3,000.00
    Rebate — Holding tax FY 2026-27            −700.00
    Rebate — Conservancy FY 2026-27            −700.00
    Rebate — Lighting FY 2026-27               −300.00
    Surcharge — arrears FY 2025-26            2,550.00
    total                                    34,850.00

Arrears collected 19,550.00 (17,000.00 + 2,550.00); current collected 15,300.00.
"""

from __future__ import annotations

import datetime
import importlib
import io
from decimal import Decimal

import pytest
import time_machine
from pypdf import PdfReader

from holdings.demands import generate_demands
from holdings.models import Arrear, Instalment
from holdings.reports import collection
from holdings.services import assessment_record, holding_bill, holding_create
from payments.models import Allocation
from payments.receipts import render_receipt_pdf
from payments.services import counter_session_open, counter_take_cash

TODAY = datetime.date(2026, 8, 15)

EXPECTED_LINES = [
    ("Holding tax FY 2026-27", "holding_tax", "7000.00", "2026-27", False),
    ("Conservancy FY 2026-27", "conservancy", "7000.00", "2026-27", False),
    ("Lighting FY 2026-27", "lighting", "3000.00", "2026-27", False),
    ("Holding tax — arrears FY 2025-26", "holding_tax", "7000.00", "2025-26", True),
    ("Conservancy — arrears FY 2025-26", "conservancy", "7000.00", "2025-26", True),
    ("Lighting — arrears FY 2025-26", "lighting", "3000.00", "2025-26", True),
    ("Rebate — Holding tax FY 2026-27", "rebate", "-700.00", "2026-27", False),
    ("Rebate — Conservancy FY 2026-27", "rebate", "-700.00", "2026-27", False),
    ("Rebate — Lighting FY 2026-27", "rebate", "-300.00", "2026-27", False),
    ("Surcharge — arrears FY 2025-26", "surcharge", "2550.00", "2025-26", True),
]


@pytest.fixture
def paid_bill(db, make_user):
    with time_machine.travel(datetime.datetime(2026, 8, 15, 10, tzinfo=datetime.UTC), tick=False):
        holding = holding_create(ward=3, number="77", use="residential")
        assessment_record(holding=holding, effective_fy="2025-26", annual_rent="120000")
        generate_demands("2025-26")
        generate_demands("2026-27")
        arrear = Arrear.objects.get(holding=holding)
        current = list(
            Instalment.objects.filter(demand__holding=holding, demand__fiscal_year="2026-27")
        )
        bill = holding_bill(holding=holding, instalments=current, arrears=[arrear], today=TODAY)
        clerk = make_user("counter_clerk")
        payment = counter_take_cash(
            session=counter_session_open(clerk=clerk), bills=[bill], clerk=clerk
        )
    bill.refresh_from_db()
    return bill, payment


def test_arrears_and_current_year_bill_keeps_each_year_on_its_own_lines(paid_bill):
    bill, _payment = paid_bill
    got = [
        (line.description_en, line.head, f"{line.amount:.2f}", line.period, line.arrears)
        for line in bill.lines.all()
    ]
    assert got == EXPECTED_LINES
    assert bill.total == Decimal("34850.00")
    bengali = [line.description_bn for line in bill.lines.all()]
    assert bengali[0] == "হোল্ডিং ট্যাক্স ২০২৬-২৭"
    assert bengali[3] == "হোল্ডিং ট্যাক্স — বকেয়া ২০২৫-২৬"
    assert bengali[-1] == "সারচার্জ — বকেয়া ২০২৫-২৬"


def test_the_ledger_and_the_register_split_arrears_from_current(paid_bill):
    bill, payment = paid_bill
    ledger = Allocation.objects.filter(payment=payment)
    arrears = sum(a.amount for a in ledger if a.bill_line.arrears)
    current = sum(a.amount for a in ledger if not a.bill_line.arrears)
    assert (arrears, current) == (Decimal("19550.00"), Decimal("15300.00"))
    row = next(r for r in collection("2026-27").rows if r.ward_number == 3)
    assert row.arrears == Decimal("19550.00")  # arrears demand, surcharge included
    assert row.demand == Decimal("17000.00")  # current demand
    assert row.arrears_collected == Decimal("19550.00")
    assert row.current_collected == Decimal("15300.00")
    assert row.outstanding == Decimal("0.00")


def test_the_receipt_lists_arrears_and_current_lines_apart(paid_bill):
    _bill, payment = paid_bill
    pages = [
        " ".join((page.extract_text() or "").split())
        for page in PdfReader(io.BytesIO(render_receipt_pdf(payment.receipt))).pages
    ]
    text = " ".join(pages)
    # ten lines: the QR's verification code still prints on page 1
    assert payment.receipt.verify_code in pages[0]
    for label in [
        "Holding tax FY 2026-27",
        "Holding tax — arrears FY 2025-26",
        "Rebate — Lighting FY 2026-27",
        "Surcharge — arrears FY 2025-26",
    ]:
        assert label in text, label
    assert "34,850.00" in text


@pytest.mark.parametrize(
    ("explanation", "bill_year", "expected"),
    [
        ("FY 2025-26 instalments 1, 2", "2025-26", ("2025-26", False)),
        ("FY 2024-25 instalments 3, 4", "2025-26", ("2024-25", True)),
        ("arrears of FY 2024-25", "2025-26", ("2024-25", True)),
        (
            "15.00% on the unpaid 17000.00 of FY 2024-25 (that year's schedule)",
            "2025-26",
            ("2024-25", True),
        ),
        ("Arrears FY 2024-25 (no licence that year): fee", "2026-27", ("2024-25", True)),
        ("FY 2026-27 schedule: grocery fee", "2026-27", ("2026-27", False)),
        # a line that summed two years before the split cannot be told apart afterwards
        ("FY 2025-26 instalments 1; arrears of FY 2024-25", "2025-26", ("", False)),
    ],
)
def test_existing_lines_get_their_period_from_their_explanation(explanation, bill_year, expected):
    migration = importlib.import_module("payments.migrations.0006_bill_line_period_arrears")
    assert migration.line_period(explanation, bill_year) == expected
