"""Collection rollups (payments/rollups.py): every figure equals the ledger, at any moment,
whatever mix of settlements, voids and refreshes came before; each allocation is counted
once even when refreshes and settlements run at the same moment."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import hypothesis
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.models import Q, Sum
from hypothesis import strategies as st

from core.models import Ward
from payments import rollups
from payments.models import Allocation, CollectionRollup, Payment
from payments.services import (
    counter_session_open,
    counter_take_cash,
    payment_settle,
    payment_void,
)
from payments.services.online import create_payment

DHAKA = ZoneInfo("Asia/Dhaka")


def ledger_total(**filters) -> Decimal:
    return Allocation.objects.filter(**filters).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")


def pay_online(bill, card_type: str) -> Payment:
    with transaction.atomic():
        payment = create_payment(bills=[bill], channel=Payment.Channel.ONLINE, payer=bill.payer)
    return payment_settle(payment_id=payment.pk, facts={"card_type": card_type})


@pytest.mark.django_db
def test_each_gateway_method_is_told_from_its_card_type_and_the_counter_has_none(
    make_user, make_bill
):
    citizen, clerk = make_user(), make_user("counter_clerk")
    cards = {
        "BKASH-BKash": "bkash",
        "NAGAD-Nagad": "nagad",
        "DBBLMOBILEB-Dbbl Mobile Banking": "rocket",
        "VISA-Dutch Bangla": "card",
        "MASTER-City Bank": "card",
        "CITYTOUCHIB-City Bank": "internet_banking",
        "SOMETHINGNEW-Bank": "other",
    }
    for i, card_type in enumerate(cards):
        pay_online(make_bill(citizen, f"{1000 + i}.00"), card_type)
        assert rollups.method_of("online", card_type) == cards[card_type]  # Python's twin
    assert rollups.method_of("counter", "") == ""
    session = counter_session_open(clerk=clerk)
    counter_take_cash(session=session, bills=[make_bill(citizen, "700.00")], clerk=clerk)

    before = {row.key: row.amount for row in rollups.collected(["method"])}
    assert rollups.rollups_refresh() == 16  # two lines a bill, eight bills
    after = {row.key: row.amount for row in rollups.collected(["method"])}
    assert (
        before
        == after
        == {
            ("bkash",): Decimal("1000.00"),
            ("nagad",): Decimal("1001.00"),
            ("rocket",): Decimal("1002.00"),
            ("card",): Decimal("2007.00"),  # VISA 1003 + MASTER 1004
            ("internet_banking",): Decimal("1005.00"),
            ("other",): Decimal("1006.00"),
            ("",): Decimal("700.00"),
        }
    )
    counter = CollectionRollup.objects.get(channel="counter", head="conservancy", grain="month")
    assert counter.clerk_key == clerk.pk and counter.amount == Decimal("500.00")
    assert counter.office_key == (session.ward_id or 0)


@pytest.mark.django_db
def test_a_figure_is_exact_before_and_after_a_refresh_and_a_void_counts_on_its_own_day(
    make_user, make_bill
):
    citizen, clerk, officer = make_user(), make_user("counter_clerk"), make_user("revenue_officer")
    ward = Ward.objects.order_by("number").first()
    with time_machine.travel(datetime(2026, 11, 30, 23, 30, tzinfo=DHAKA), tick=False):
        session = counter_session_open(clerk=clerk)
        paid = counter_take_cash(
            session=session, bills=[make_bill(citizen, "1500.00", ward=ward)], clerk=clerk
        )
        rollups.rollups_refresh()
    with time_machine.travel(datetime(2026, 12, 1, 0, 30, tzinfo=DHAKA), tick=False):
        pay_online(make_bill(citizen, "900.00", ward=ward), "BKASH-BKash")  # not refreshed yet
        payment_void(payment=paid, reason="wrong holding", officer=officer)

    november = (date(2026, 11, 1), date(2026, 11, 30))
    december = (date(2026, 12, 1), date(2026, 12, 31))
    for _ in range(2):  # before the refresh, and after it
        assert rollups.total(None, *november) == Decimal("1500.00")  # the day in Dhaka
        assert rollups.total(None, *december) == Decimal("900.00") - Decimal("1500.00")
        assert rollups.total(Q(ward_key=ward.pk)) == Decimal("900.00") == ledger_total()
        assert rollups.total(None, date(2026, 11, 30), date(2026, 12, 1)) == Decimal("900.00")
        by_head = {r.key: r.amount for r in rollups.collected(["head"], None, *december)}
        assert by_head == {
            ("holding_tax",): Decimal("400.00") - Decimal("1000.00"),
            ("conservancy",): Decimal("0.00"),
        }
        assert rollups.rollups_differences() == []
        rollups.rollups_refresh()
    assert not Allocation.objects.filter(rolled_up=False).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_rollups_equal_a_recomputation_after_any_mix_of_settlements_voids_and_refreshes(
    make_user, make_bill, seed
):
    """Property: after every step of a random mix, rollups + the rows not rolled up equal a
    GROUP BY over the ledger, per key and in total."""
    rng = random.Random(seed)
    citizen, officer = make_user(), make_user("revenue_officer")
    clerks = [make_user("counter_clerk") for _ in range(2)]
    sessions = [counter_session_open(clerk=c) for c in clerks]
    wards = list(Ward.objects.order_by("number")[:3]) + [None]
    cash: list[Payment] = []
    start = datetime(2026, 6, 28, 9, 0, tzinfo=DHAKA)
    for step in range(40):
        moment = start.timestamp() + step * rng.choice([600, 3600, 20 * 3600])
        with time_machine.travel(moment, tick=False):
            action = rng.choice(["cash", "cash", "online", "void", "refresh"])
            bill = make_bill(
                citizen,
                f"{rng.randint(501, 9000)}.{rng.randint(0, 99):02d}",
                ward=rng.choice(wards),
            )
            if action == "cash":
                i = rng.randrange(2)
                cash.append(counter_take_cash(session=sessions[i], bills=[bill], clerk=clerks[i]))
            elif action == "online":
                pay_online(bill, rng.choice(["BKASH-BKash", "NAGAD-Nagad", "VISA-Brac Bank"]))
            elif action == "void" and cash:
                payment_void(
                    payment=cash.pop(rng.randrange(len(cash))), reason="x", officer=officer
                )
            else:
                rollups.rollups_refresh(batch=rng.choice([1, 3, 1000]))
        assert rollups.rollups_differences() == [], f"step {step}: {action}"
        assert rollups.total() == ledger_total()
    rollups.rollups_rebuild(batch=7)
    assert rollups.rollups_differences() == []
    for grain in ("day", "month"):
        rows = CollectionRollup.objects.filter(grain=grain)
        assert rows.aggregate(s=Sum("amount"))["s"] == ledger_total()


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["cash", "online", "void", "refresh"]),
        st.decimals(min_value=Decimal("500.01"), max_value=Decimal("99999.99"), places=2),
        st.sampled_from([60, 3600, 20 * 3600, 40 * 24 * 3600]),  # the next step: later that
        st.integers(min_value=0, max_value=7),  # hour, day, next day or a month on; a choice
    ),
    min_size=1,
    max_size=14,
)


@pytest.mark.django_db
@hypothesis.settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
@hypothesis.given(steps=STEPS)
def test_property_rollups_equal_a_recomputation_whatever_the_mix(make_user, make_bill, steps):
    """Hypothesis draws the mix (and shrinks a failing one to its shortest): settlements at
    the counter and online, voids and refreshes with any batch size, across days, months and
    the fiscal year's end; after each step the rollups equal a GROUP BY over the ledger.
    (A refund writes no ledger rows — the bill stays paid, the Refund row records the money
    sent back — so it cannot move a rollup.)"""
    with transaction.atomic():
        citizen, officer, clerk = (
            make_user(),
            make_user("revenue_officer"),
            make_user("counter_clerk"),
        )
        session = counter_session_open(clerk=clerk)
        wards = list(Ward.objects.order_by("number")[:3]) + [None]
        cash: list[Payment] = []
        moment = datetime(2026, 6, 29, 9, 0, tzinfo=DHAKA).timestamp()
        for action, amount, gap, choice in steps:
            moment += gap
            with time_machine.travel(moment, tick=False):
                bill = make_bill(citizen, f"{amount}", ward=wards[choice % len(wards)])
                if action == "cash":
                    cash.append(counter_take_cash(session=session, bills=[bill], clerk=clerk))
                elif action == "online":
                    cards = ["BKASH-BKash", "NAGAD-Nagad", "VISA-Brac Bank", "CITYTOUCHIB-City"]
                    pay_online(bill, cards[choice % len(cards)])
                elif action == "void" and cash:
                    payment = cash.pop(choice % len(cash))
                    payment_void(payment=payment, reason="property", officer=officer)
                else:
                    rollups.rollups_refresh(batch=[1, 2, 5, 1000][choice % 4])
            assert rollups.rollups_differences() == [], action
            assert rollups.total() == ledger_total()
        transaction.set_rollback(True)  # the next example starts from an empty ledger


def test_a_period_reads_its_whole_months_from_month_rows_and_the_other_days_from_day_rows():
    d = date
    # A fiscal year to 15 June: eleven months, then fifteen days.
    assert rollups.plan(d(2025, 7, 1), d(2026, 6, 15)) == [
        ("month", d(2025, 7, 1), d(2026, 5, 1)),
        ("day", d(2026, 6, 1), d(2026, 6, 15)),
    ]
    # Half of January, then two whole months.
    assert rollups.plan(d(2026, 1, 15), d(2026, 3, 31)) == [
        ("day", d(2026, 1, 15), d(2026, 1, 31)),
        ("month", d(2026, 2, 1), d(2026, 3, 1)),
    ]
    assert rollups.plan(d(2026, 2, 2), d(2026, 2, 27)) == [("day", d(2026, 2, 2), d(2026, 2, 27))]
    assert rollups.plan(d(2024, 2, 1), d(2024, 2, 29)) == [("month", d(2024, 2, 1), d(2024, 2, 1))]
    assert rollups.plan(d(2024, 2, 1), d(2024, 2, 29), by_day=True) == [
        ("day", d(2024, 2, 1), d(2024, 2, 29))
    ]


@pytest.mark.django_db
def test_a_month_and_the_days_around_it_are_counted_once(make_user, make_bill):
    """Days at both ends of whole months, rolled up or not: each payment once."""
    citizen = make_user()
    amounts = {}
    for day, amount in (
        (date(2026, 9, 30), "600.00"),
        (date(2026, 10, 1), "700.00"),
        (date(2026, 10, 31), "800.00"),
        (date(2026, 11, 1), "900.00"),
    ):
        with time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=DHAKA)):
            pay_online(make_bill(citizen, amount), "NAGAD-Nagad")
        amounts[day] = Decimal(amount)
    rollups.rollups_refresh()
    assert CollectionRollup.objects.filter(grain="month").count() == 3 * 2  # two heads
    cases = [
        ((date(2026, 9, 30), date(2026, 11, 1)), sum(amounts.values())),
        ((date(2026, 10, 1), date(2026, 10, 31)), Decimal("1500.00")),
        ((date(2026, 10, 2), date(2026, 10, 31)), Decimal("800.00")),
        ((date(2026, 9, 1), date(2026, 10, 30)), Decimal("1300.00")),
    ]
    for (start, end), expected in cases:
        assert rollups.total(None, start, end) == expected, (start, end)
    by_month = {
        r.key: r.amount
        for r in rollups.collected(["month"], None, date(2026, 9, 30), date(2026, 11, 1))
    }
    assert by_month == {
        (date(2026, 9, 1),): Decimal("600.00"),
        (date(2026, 10, 1),): Decimal("1500.00"),
        (date(2026, 11, 1),): Decimal("900.00"),
    }


@pytest.mark.django_db
def test_rebuild_rollups_check_names_a_difference_and_rebuild_mends_it(make_user, make_bill):
    pay_online(make_bill(make_user(), "1500.00"), "BKASH-BKash")
    call_command("rebuild_rollups", "--check")  # nothing rolled up yet: still equal
    rollups.rollups_refresh()
    call_command("rebuild_rollups", "--check")
    CollectionRollup.objects.filter(head="conservancy", grain="day").update(
        amount=Decimal("499.99")
    )
    with pytest.raises(CommandError, match="1 difference"):
        call_command("rebuild_rollups", "--check")
    call_command("rebuild_rollups")
    call_command("rebuild_rollups", "--check")
    assert CollectionRollup.objects.get(head="conservancy", grain="day").amount == Decimal("500.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_refreshes_and_settlements_at_the_same_moment_count_every_row_once(make_user, make_bill):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    citizen = make_user()
    clerks = [make_user("counter_clerk") for _ in range(6)]
    sessions = [counter_session_open(clerk=c) for c in clerks]
    bills = [make_bill(citizen, f"{1000 + i}.00", subject_id=f"H-{i}") for i in range(6)]
    barrier = threading.Barrier(10)

    def work(i):
        try:
            barrier.wait()
            if i < 6:
                counter_take_cash(session=sessions[i], bills=[bills[i]], clerk=clerks[i])
            else:
                rollups.rollups_refresh(batch=2)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(work, range(10)))
    assert rollups.rollups_differences() == []
    rollups.rollups_refresh()
    assert (
        CollectionRollup.objects.filter(grain="day").aggregate(s=Sum("amount"))["s"]
        == ledger_total()
    )
    assert ledger_total() == sum(Decimal(f"{1000 + i}.00") for i in range(6))
    assert not Allocation.objects.filter(rolled_up=False).exists()


def test_an_unknown_dimension_is_refused():
    with pytest.raises(ValueError, match="not a rollup dimension"):
        rollups.collected(["payer"])


@pytest.mark.django_db
def test_refresh_rollups_task_counts_the_new_rows(make_user, make_bill):
    from payments.tasks import refresh_rollups

    pay_online(make_bill(make_user(), "1500.00"), "NAGAD-Nagad")
    assert refresh_rollups() == 2
    assert refresh_rollups() == 0
