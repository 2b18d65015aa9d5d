"""In a browser, the revenue officer's month end: import the gateway's settlement report of
last month (one payment it has that is missing here, one whose amount differs), resolve
both cases with a note; record the counter cash's bank deposit in the cash book; close the
month; collections at a glance show what the ledger holds for it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation

from core.money import format_amount
from payments import rollups
from payments.models import Allocation, BankDeposit, Payment, ReconciliationCase
from payments.services import (
    counter_session_close,
    counter_session_open,
    counter_session_verify,
    counter_take_cash,
    payment_settle,
)
from payments.services.closing import first_day, is_closed, last_day, month_label
from payments.services.online import create_payment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
DHAKA = ZoneInfo("Asia/Dhaka")
HEADER = (
    "tran_id,val_id,amount,store_amount,card_type,bank_tran_id,tran_date,settlement_date,status"
)


def pay_online(bill, card_type: str) -> Payment:
    with transaction.atomic():
        payment = create_payment(bills=[bill], channel=Payment.Channel.ONLINE, payer=bill.payer)
    return payment_settle(payment_id=payment.pk, facts={"card_type": card_type})


def test_the_officer_reconciles_banks_the_cash_and_closes_last_month(
    signed_in, make_user, make_bill, tmp_path
):
    today = timezone.localdate()
    month = first_day(first_day(today) - timedelta(days=1))
    citizen = make_user()
    clerk = make_user("counter_clerk", name_en="Salma Clerk")
    officer = make_user("revenue_officer", name_en="Rahim Officer")
    day3 = datetime(month.year, month.month, 3, 11, tzinfo=DHAKA)
    with time_machine.travel(day3, tick=False):
        agreeing = pay_online(make_bill(citizen, "1500.00"), "BKASH-BKash")
        differing = pay_online(make_bill(citizen, "800.00"), "NAGAD-Nagad")
        session = counter_session_open(clerk=clerk)
        for amount in ("1200.00", "600.00"):
            counter_take_cash(session=session, bills=[make_bill(citizen, amount)], clerk=clerk)
        counter_session_close(session=session, clerk=clerk, counted_cash=Decimal("1800.00"))
        counter_session_verify(session=session, officer=officer)
    rollups.rollups_refresh()
    stamp = f"{month:%Y-%m}-03 11:00:00"
    report = tmp_path / "settlement.csv"
    report.write_text(
        "\n".join(
            [
                HEADER,
                f"{agreeing.tran_id},V1,1500.00,1462.50,BKASH-BKash,B1,{stamp},,VALID",
                f"{differing.tran_id},V2,850.00,828.75,NAGAD-Nagad,B2,{stamp},,VALID",
                f"PGONE0001,V3,640.00,624.00,BKASH-BKash,B3,{stamp},,VALID",
            ]
        )
        + "\n"
    )
    with translation.override("en"):
        label = month_label(month)

    page = signed_in(officer)
    # 1. The gateway's report: imported, compared, two cases.
    page.goto("/payments/revenue/reconciliation/")
    page.get_by_label("The gateway's settlement report (CSV or XLSX)").set_input_files(report)
    page.get_by_role("button", name="Import and compare").click()
    page.wait_for_url(re.compile(r"/reconciliation/reports/\d+/$"))
    assert "The report is imported: 3 transactions compared." in page.content()
    agreeing.refresh_from_db()
    assert agreeing.gateway_fee == Decimal("37.50")
    assert ReconciliationCase.objects.filter(status="open").count() == 2

    # 2. Month closing is refused while they are open; each is resolved with a note.
    page.goto(f"/payments/revenue/months/{month.year}/{month.month}/")
    assert page.get_by_role("link", name=re.compile("PGONE0001")).is_visible()
    for tran_id, note in [
        ("PGONE0001", "The payer's bKash payment reached no bill: refunded at the panel."),
        (differing.tran_id, "The gateway's report was corrected: 800.00."),
    ]:
        page.goto("/payments/revenue/reconciliation/cases/")
        page.get_by_role("link", name=tran_id).click()
        page.get_by_label("What was found and done").fill(note)
        page.get_by_role("button", name="Resolve the case").click()
        assert page.get_by_text("The case is resolved.").is_visible()
    assert not ReconciliationCase.objects.filter(status="open").exists()

    # 3. The counter cash to the bank, from the head office's cash book.
    page.goto(f"/payments/revenue/cash-book/?office=0&month={month:%Y-%m}")
    assert page.locator(f"#day-{month:%Y-%m}-03").inner_text().count("1,800.00") == 2
    page.get_by_label(re.compile("Salma Clerk")).check()
    page.get_by_label("Bank and branch").fill("Sonali Bank, KDA Avenue")
    page.get_by_label("Bank slip number").fill("SB-77")
    page.get_by_label("Deposited on").fill(f"{month:%Y-%m}-04")
    page.get_by_label("Amount on the slip (taka)").fill("১৮০০")
    page.get_by_role("button", name="Record the deposit").click()
    page.wait_for_url(re.compile(r"/payments/revenue/deposits/\d+/$"))
    assert "None: the slip matches the sessions' cash." in page.content()
    assert BankDeposit.objects.get().variance == 0

    # 4. Nothing stops the month now: closed after the confirmation.
    page.goto(f"/payments/revenue/months/{month.year}/{month.month}/")
    page.get_by_label(re.compile("I have reconciled this month")).check()
    page.get_by_role("button", name="Close the month").click()
    assert page.get_by_text(f"{label} is closed.").is_visible()
    assert is_closed(month)

    # 5. Collections at a glance show what the ledger holds for the month.
    ledger = Allocation.objects.filter(
        created_at__date__gte=month, created_at__date__lte=last_day(month)
    ).aggregate(s=Sum("amount"))["s"]
    assert ledger == Decimal("4100.00")  # 1,500 + 800 online, 1,200 + 600 cash
    page.goto(
        "/payments/revenue/collections/?period=custom"
        f"&start={month.isoformat()}&end={last_day(month).isoformat()}"
    )
    with translation.override("en"):
        assert page.locator(".figure-big").inner_text() == format_amount(ledger)
