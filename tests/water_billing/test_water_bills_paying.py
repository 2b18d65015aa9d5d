"""A water month becomes money owed and is paid through payments: arrears carried (earlier
months stay their own dues; the bill takes them as arrears lines), the late fee once per
overdue month by the tariff rule, every due in one place (open_dues / bill_due), on_paid and
on_reopened, the SMS once per bill, the command, the /verify/ lookup and the PDF."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import SmsMessage
from core import portal
from payments.ledger_checks import find_discrepancies
from payments.models import Allocation, Bill
from payments.services import counter_session_open, counter_take_cash, payment_void
from water_billing import tariff as arithmetic
from water_billing.billing import generate_water_bills
from water_billing.models import WaterBill
from water_billing.notify import send_bill_sms

from .conftest import OWNER_MOBILE, read

pytestmark = pytest.mark.django_db


@pytest.fixture
def tariff(db):
    """The default tariff with a late fee of 10% + Tk 5 and sewerage at 100%."""
    from water_billing.defaults import ensure_default_tariff
    from water_billing.models import WaterTariff

    ensure_default_tariff()
    WaterTariff.objects.update(late_fee_percent=Decimal("10.00"), late_fee_fixed=Decimal("5.00"))
    return WaterTariff.objects.get()


@pytest.fixture
def owner(citizen, make_connection, tariff):
    """A residential metered connection with sewerage, linked to the citizen's account,
    read 18 m³ in September, October and November 2026."""
    c = make_connection(sewerage=True, user=citizen)
    read(c, "2026-09", 1018)
    read(c, "2026-10", 1036)
    read(c, "2026-11", 1054)
    return c


def test_unpaid_months_are_arrears_and_each_overdue_month_is_charged_its_late_fee_once(owner):
    sep = generate_water_bills("2026-09", bill_date=date(2026, 10, 20))
    assert sep.bills == 1
    september = WaterBill.objects.get(period="2026-09-01")
    assert september.total == Decimal("601.20") and september.due_date == date(2026, 11, 4)
    # October billed before September's due date: no late fee yet, September is arrears.
    generate_water_bills("2026-10", bill_date=date(2026, 11, 1))
    october = WaterBill.objects.get(period="2026-10-01")
    assert october.late_fee == 0 and october.arrears == Decimal("601.20")
    assert october.total == Decimal("601.20")
    # November billed after both fell due: one late fee line for each, 10% + 5.
    generate_water_bills("2026-11", bill_date=date(2026, 12, 2))
    november = WaterBill.objects.get(period="2026-11-01")
    fees = list(november.lines.filter(kind="late_fee").order_by("for_period"))
    expected = arithmetic.late_fee(Decimal("601.20"), owner_tariff())
    assert [(f.for_period, f.amount) for f in fees] == [
        (date(2026, 9, 1), Decimal("65.12")),
        (date(2026, 10, 1), Decimal("65.12")),
    ]
    assert fees[0].explanation_data == [expected.explanation]
    assert november.late_fee == Decimal("130.24")
    assert november.total == Decimal("601.20") + Decimal("130.24")
    assert november.arrears == Decimal("1202.40")
    # Once: each records the month that charged it, and a later run charges it no more.
    september.refresh_from_db()
    assert september.late_fee_period == date(2026, 11, 1)
    assert generate_water_bills("2026-11", bill_date=date(2026, 12, 2)).late_fees == 0


def owner_tariff():
    from water_billing import selectors

    return selectors.tariff_on(date(2026, 12, 2)).as_tariff()


def test_a_water_due_is_overdue_from_the_day_after_its_due_date_as_every_due_is(owner, citizen):
    generate_water_bills("2026-09", bill_date=date(2026, 10, 20))  # due 4 November

    def water_due():
        (due,) = [d for d in portal.open_dues(citizen) if d.service == "water_billing"]
        return due

    with time_machine.travel(date(2026, 11, 4), tick=False):
        due = water_due()
        assert due.due_date == date(2026, 11, 4) and not due.overdue  # paid on the day: on time
    with time_machine.travel(date(2026, 11, 5), tick=False):
        assert water_due().overdue
    # Two unpaid months, neither yet past its due date: due, not overdue.
    generate_water_bills("2026-10", bill_date=date(2026, 11, 1))
    with time_machine.travel(date(2026, 11, 2), tick=False):
        due = water_due()
        assert due.amount == Decimal("1202.40") and due.due_date == date(2026, 11, 4)
        assert not due.overdue


def test_the_citizen_sees_one_due_and_pays_every_unpaid_month_with_arrears_lines(
    owner, citizen, make_user
):
    generate_water_bills("2026-09", bill_date=date(2026, 10, 1))
    generate_water_bills("2026-10", bill_date=date(2026, 11, 1))
    dues = [d for d in portal.open_dues(citizen) if d.service == "water_billing"]
    # September (601.20) and October (601.20 + its late fee for September, 65.12).
    assert len(dues) == 1 and dues[0].amount == Decimal("1267.52") and dues[0].overdue
    bill = portal.bill_due(user=citizen, service="water_billing", token=dues[0].token)
    again = portal.bill_due(user=citizen, service="water_billing", token=dues[0].token)
    assert again.pk == bill.pk and bill.total == Decimal("1267.52")
    lines = list(bill.lines.order_by("position", "pk"))
    assert [(line.period, line.arrears, line.head) for line in lines] == [
        ("2026-09", True, "water"),
        ("2026-09", True, "sewerage"),
        ("2026-10", False, "water"),
        ("2026-10", False, "sewerage"),
        ("2026-10", False, "late_fee"),
    ]
    assert "16.70" in lines[0].explanation
    # The open bill covers them: nothing else to list.
    assert [d for d in portal.open_dues(citizen) if d.service == "water_billing"] == []
    clerk = make_user("counter_clerk")
    session = counter_session_open(clerk=clerk)
    payment = counter_take_cash(session=session, bills=[bill], clerk=clerk)
    assert set(WaterBill.objects.values_list("status", flat=True)) == {"paid"}
    assert set(WaterBill.objects.values_list("paid_bill", flat=True)) == {bill.pk}
    assert find_discrepancies() == []
    # A voided payment puts the months back to due.
    revenue = make_user("revenue_officer")
    payment_void(payment=payment, reason="counted twice", officer=revenue)
    assert set(WaterBill.objects.values_list("status", flat=True)) == {"due"}


def test_someone_elses_connection_is_not_billed(owner, make_user):
    from django.core.exceptions import ValidationError

    generate_water_bills("2026-09", bill_date=date(2026, 10, 1))
    stranger = make_user("citizen")
    assert [d for d in portal.open_dues(stranger) if d.service == "water_billing"] == []
    with pytest.raises(ValidationError):
        portal.bill_due(user=stranger, service="water_billing", token=f"c{owner.pk}")


def test_each_bill_is_sent_by_sms_once_with_amount_due_date_and_pay_link(
    owner, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://kcc.example"
    generate_water_bills("2026-09", bill_date=date(2026, 10, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_bill_sms(date(2026, 9, 1)) == 1
        assert send_bill_sms(date(2026, 9, 1)) == 0  # once
    sms = SmsMessage.objects.get(kind="water_bill")
    bill = WaterBill.objects.get()
    assert sms.to == OWNER_MOBILE
    assert "৬০১.২০" in sms.text and "১৬/১০/২০২৬" in sms.text
    assert f"https://kcc.example/water/pay/{bill.verify_code}/" in sms.text


def test_the_command_makes_the_month_and_a_second_run_nothing(owner, capsys):
    """(The SMS goes out after the commit: see the test above.)"""
    call_command("generate_water_bills", "2026-11", "--bill-date", "2026-12-02")
    out = capsys.readouterr().out
    assert "1 bills" in out and "1 SMS" in out
    call_command("generate_water_bills", "2026-11", "--bill-date", "2026-12-02")
    assert "0 bills" in capsys.readouterr().out
    assert WaterBill.objects.count() == 1


def test_verify_lookup_finds_the_bill_by_its_qr_code(owner, client):
    generate_water_bills("2026-11", bill_date=date(2026, 12, 2))
    bill = WaterBill.objects.get()
    response = client.get(f"/verify/{bill.verify_code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert b'data-verify="water_bill"' in response.content
    assert client.get("/verify/0123456789abcdef/").status_code == 404


def test_the_pay_link_shows_the_unpaid_months_to_anyone_with_the_code(owner, client):
    generate_water_bills("2026-09", bill_date=date(2026, 10, 1))
    generate_water_bills("2026-10", bill_date=date(2026, 11, 1))
    bill = WaterBill.objects.get(period="2026-10-01")
    response = client.get(f"/water/pay/{bill.verify_code}/")
    assert response.status_code == 200
    assert response.context["owed"] == Decimal("1267.52")
    assert client.get("/water/pay/nope/").status_code == 404


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_bill_pdf_is_bilingual_with_lines_arrears_chart_and_qr(
    owner, citizen, client, tmp_path
):
    generate_water_bills("2026-09", bill_date=date(2026, 10, 1))
    generate_water_bills("2026-10", bill_date=date(2026, 11, 1))
    generate_water_bills("2026-11", bill_date=date(2026, 12, 2))
    bill = WaterBill.objects.get(period="2026-11-01")
    client.force_login(citizen)
    response = client.get(f"/water/bills/{bill.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "bill.pdf"
    path.write_bytes(response.content)
    if os.environ.get("WATER_BILL_PDF"):  # keep a copy to look at
        shutil.copy(path, os.environ["WATER_BILL_PDF"])
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(text.split())
    # (pdftotext splits Bengali conjuncts; the Bengali is checked by its digits and a word
    # without conjuncts, the rest by the English printed under it.)
    for expected in (
        "WATER BILL — NOVEMBER 2026",  # the title band is upper-cased
        owner.consumer_no,
        "18 m³ (18,000 litres)",
        "Tariff from 2024-07-01, 2026-11-01 to 2026-11-30 (30 of 30 days): 18.000 of 18 cubic "
        "metres × 16.70 per 1,000 litres, residential",
        "Late fee — October 2026",  # September's was charged on October's bill
        "late fee 10.00% of the overdue 601.20 plus 5.00",
        "Arrears — September 2026 ৳601.20",
        "Arrears — October 2026 ৳666.32",
        "Total payable with arrears ৳1,933.84",
        "৳১,৯৩৩.৮৪",
        "খুলনা",
        f"/verify/{bill.verify_code}/",
        "Use over the last 12 months",
    ):
        assert expected in text, expected
    stranger = client.__class__()
    assert stranger.get(f"/water/bills/{bill.pk}/pdf/").status_code == 302


def test_money_allocated_to_water_heads(owner, make_user):
    generate_water_bills("2026-09", bill_date=date(2026, 10, 1))
    from water_billing.services.billing import water_bill_issue

    bill = water_bill_issue(connection=owner)
    clerk = make_user("counter_clerk")
    counter_take_cash(session=counter_session_open(clerk=clerk), bills=[bill], clerk=clerk)
    heads = dict(Allocation.objects.filter(bill=bill).values_list("bill_line__head", "amount"))
    assert Bill.objects.get(pk=bill.pk).status == "paid"
    assert heads == {"water": Decimal("300.60"), "sewerage": Decimal("300.60")}


@pytest.mark.django_db(transaction=True)
def test_paying_a_connections_months_drops_only_its_peoples_cached_figures(
    owner, citizen, make_user, pay_cash, figures_dropped
):
    """Water declares whom a bill concerns (water_billing.registry_hooks.subject_users): a
    payment at the counter drops the connection's account's cached figures and keeps a
    stranger's."""
    from water_billing.services.billing import water_bill_issue

    generate_water_bills("2026-09", bill_date=date(2026, 10, 1))
    stranger = make_user(mobile="01711999999")
    bill = water_bill_issue(connection=owner)
    assert figures_dropped([citizen, stranger], lambda: pay_cash([bill])) == {citizen.pk}
    assert Bill.objects.get(pk=bill.pk).status == "paid"
    assert WaterBill.objects.get(period="2026-09-01").status == "paid"
