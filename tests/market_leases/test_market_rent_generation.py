"""A month's shop rent (market_leases.billing.generate_shop_rent, set-based): one month per
active allotment and month whatever the number of runs, the schedule in force on the
month's first day, due on the rules' due day, arrears carried; the SMS; the command; the
bill for the unpaid months with their surcharges, paid at the counter, in "every due in
one place"."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum

from accounts.models import SmsMessage
from core import portal
from market_leases import registry_hooks
from market_leases.billing import BillingError, generate_shop_rent
from market_leases.models import RentMonth, RentSchedule
from market_leases.notify import send_rent_sms
from market_leases.services import allotment_set_status, shop_register
from market_leases.services.billing import rent_bill_issue
from payments.models import Bill

from .conftest import DHAKA, pay_at_counter

pytestmark = pytest.mark.django_db


def test_november_rent_of_120_50_sq_ft_at_35_is_4217_50_due_7_november(active_allotment):
    result = generate_shop_rent("2026-11")
    assert (result.months, result.total, result.due_date) == (
        1,
        Decimal("4217.50"),
        date(2026, 11, 7),
    )
    month = RentMonth.objects.get()
    assert (month.allotment_id, month.period, month.rent) == (
        active_allotment.pk,
        date(2026, 11, 1),
        Decimal("4217.50"),
    )
    assert month.schedule_from == date(2024, 7, 1) and month.status == "due"


def test_a_second_run_of_the_month_adds_nothing(active_allotment):
    generate_shop_rent("2026-11")
    assert generate_shop_rent("2026-11").months == 0
    assert RentMonth.objects.count() == 1


def test_only_active_allotments_whose_agreement_has_begun_are_billed(
    active_allotment, market, officer, lessee, licence, allot
):
    pending_shop = shop_register(
        market=market, number="B-1", floor=0, area_sqft="100", actor=officer
    )
    allot(pending_shop, lessee, licence, starts_on=date(2026, 10, 1))  # salami not paid
    later_shop = shop_register(market=market, number="B-2", floor=0, area_sqft="100", actor=officer)
    later = allot(later_shop, lessee, licence, starts_on=date(2026, 11, 15))
    allotment_set_status(allotment=later, to="active", actor=officer)
    assert generate_shop_rent("2026-11").months == 1  # only A-12; B-2 from December
    assert generate_shop_rent("2026-12").months == 2


def test_a_revision_from_15_december_applies_from_january_4217_50_then_5121_25(
    active_allotment, market
):
    RentSchedule.objects.create(
        market=market,
        floor=0,
        effective_from=date(2026, 12, 15),
        rent_per_sqft=Decimal("42.50"),
        salami_per_sqft=Decimal("1500.00"),
        deposit_months=6,
    )
    generate_shop_rent("2026-12")
    with time_machine.travel(datetime(2027, 1, 2, 10, 0, tzinfo=DHAKA), tick=False):
        generate_shop_rent("2027-01")
    rents = dict(RentMonth.objects.values_list("period", "rent"))
    assert rents == {date(2026, 12, 1): Decimal("4217.50"), date(2027, 1, 1): Decimal("5121.25")}


def test_a_floor_without_a_schedule_is_skipped_and_counted(active_allotment, market):
    RentSchedule.objects.filter(market=market, floor=0).update(effective_from=date(2027, 6, 1))
    result = generate_shop_rent("2026-11")
    assert (result.months, result.no_schedule) == (0, 1)


def test_a_month_to_come_is_refused(active_allotment):
    with pytest.raises(BillingError, match="has not begun"):
        generate_shop_rent("2027-01")
    with pytest.raises(BillingError, match="Not a month"):
        generate_shop_rent("2026-13")


def test_arrears_are_carried_and_the_sms_says_so_once(
    active_allotment, django_capture_on_commit_callbacks
):
    generate_shop_rent("2026-10")
    generate_shop_rent("2026-11")
    november = RentMonth.objects.get(period=date(2026, 11, 1))
    assert november.arrears == Decimal("4217.50")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_rent_sms(date(2026, 11, 1)) == 1
        assert send_rent_sms(date(2026, 11, 1)) == 0
    sms = SmsMessage.objects.get(kind="shop_rent")
    assert sms.to == "01711223344"
    assert "৮,৪৩৫.০০" in sms.text and "/markets/" in sms.text  # with October's


def test_the_command_makes_the_month_and_says_what(active_allotment, capsys):
    call_command("generate_shop_rent", "2026-11", "--no-sms")
    out = capsys.readouterr().out
    assert "2026-11: 1 months of rent, total 4217.50, due 2026-11-07" in out
    assert RentMonth.objects.count() == 1


def test_the_bill_of_october_and_november_on_10_december_with_surcharges_9489_38(
    active_allotment,
):
    generate_shop_rent("2026-10")
    generate_shop_rent("2026-11")
    bill = rent_bill_issue(allotment=active_allotment)
    lines = [(line.head, line.period, line.amount, line.arrears) for line in bill.lines.all()]
    assert lines == [
        ("rent", "2026-10", Decimal("4217.50"), True),
        # due 7 October, 3 months or part overdue on 10 December: 5% × 3 of 4,217.50
        ("surcharge", "2026-10", Decimal("632.63"), True),
        ("rent", "2026-11", Decimal("4217.50"), False),
        ("surcharge", "2026-11", Decimal("421.75"), False),
    ]
    assert bill.total == Decimal("9489.38")
    assert rent_bill_issue(allotment=active_allotment).pk == bill.pk  # chosen twice: the same


def test_paying_the_rent_bill_marks_its_months_paid_once(active_allotment, make_user):
    generate_shop_rent("2026-10")
    generate_shop_rent("2026-11")
    bill = rent_bill_issue(allotment=active_allotment)
    pay_at_counter(make_user, bill)
    assert set(RentMonth.objects.values_list("status", "paid_bill")) == {("paid", bill.pk)}
    registry_hooks.on_paid(Bill.objects.get(pk=bill.pk))  # a second call changes nothing
    assert RentMonth.objects.filter(status="paid").count() == 2
    assert bill.lines.aggregate(s=Sum("amount"))["s"] == bill.total


def test_rent_is_in_every_due_in_one_place_and_billed_from_there(active_allotment, citizen):
    generate_shop_rent("2026-11")
    (due,) = [d for d in portal.open_dues(citizen) if d.service == "market_leases"]
    assert due.token == f"a{active_allotment.pk}"
    assert due.amount == Decimal("4639.25") and due.overdue  # 4,217.50 + 2 months' 5%
    assert due.url == f"/markets/shops/{active_allotment.pk}/"
    bill = portal.bill_due(user=citizen, service="market_leases", token=due.token)
    assert bill.total == Decimal("4639.25") and bill.payer_id == citizen.pk
    # Billed: no longer an open due (the bill is listed in my bills instead).
    assert not [d for d in portal.open_dues(citizen) if d.service == "market_leases"]


def test_someone_elses_shop_is_not_billed_for_me(active_allotment, make_user):
    from django.core.exceptions import ValidationError

    generate_shop_rent("2026-11")
    with pytest.raises(ValidationError, match="not a due of a shop"):
        portal.bill_due(user=make_user(), service="market_leases", token=f"a{active_allotment.pk}")


@pytest.mark.django_db(transaction=True)
def test_paying_rent_drops_only_the_lessees_cached_figures(
    active_allotment, citizen, make_user, pay_cash, figures_dropped
):
    """Markets declare whom a bill concerns (market_leases.registry_hooks.subject_users):
    rent paid drops the lessee's account's cached figures and keeps a stranger's; an ijara
    bill names nobody (a tender's outcome touches every bidder)."""
    generate_shop_rent("2026-11")
    stranger = make_user(mobile="01711999999")
    bill = rent_bill_issue(allotment=active_allotment)
    assert figures_dropped([citizen, stranger], lambda: pay_cash([bill])) == {citizen.pk}
    assert RentMonth.objects.get().status == RentMonth.Status.PAID
    ijara = Bill(subject_type="ijara_balance", subject_id="1")
    assert registry_hooks.subject_users([ijara]) is None


@pytest.mark.django_db(transaction=True)
def test_rent_paid_for_a_lessee_of_no_account_drops_the_figures_of_the_account_of_its_mobile(
    active_allotment, make_user, pay_cash, figures_dropped
):
    """A lessee linked to no account shows on the account whose verified mobile is the
    lessee's (dues.allotments_of): that account's figures are the ones dropped."""
    lessee = active_allotment.lessee
    lessee.user = None
    lessee.save(update_fields=["user"])
    by_mobile = make_user(mobile=lessee.mobile)
    stranger = make_user(mobile="01711999999")
    generate_shop_rent("2026-11")
    bill = rent_bill_issue(allotment=active_allotment)
    assert figures_dropped([by_mobile, stranger], lambda: pay_cash([bill])) == {by_mobile.pk}
