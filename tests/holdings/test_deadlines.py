"""Deadlines extended by office order: one read (holdings.selectors.deadline) that the bill's
rebate, the overdue rule, the statement and the demand notice all follow."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from core.fiscal import current_fiscal_year, fiscal_year_bounds
from core.models import AuditLog
from holdings import tax
from holdings.defaults import ensure_schedule
from holdings.documents import demand_notice_context
from holdings.models import Deadline, DeadlineExtension, RateSchedule
from holdings.selectors import deadline, effective_due_date, has_dues, statement
from holdings.services import bill_lines_for, holding_bill

from .conftest import schedule_form_data

pytestmark = pytest.mark.django_db

FY = current_fiscal_year()
START = fiscal_year_bounds(FY)[0].year
NOVEMBER = datetime.date(START, 11, 15)  # after the schedule's 30 September, before 31 Dec
DECEMBER_31 = datetime.date(START, 12, 31)


def extend(which: str, to: datetime.date, ref: str = "KCC/Rev/2026/112") -> DeadlineExtension:
    return DeadlineExtension.objects.create(
        schedule=RateSchedule.objects.get(fiscal_year=FY),
        deadline=which,
        new_date=to,
        order_reference=ref,
        order_date=datetime.date(START, 9, 25),
    )


def test_rebate_deadline_extended_to_31_december_the_bill_gives_the_rebate_the_notice_promised(
    make_holding,
):
    holding = make_holding()
    demand = holding.demands.get(fiscal_year=FY)
    schedule = demand.schedule
    full_year = max(schedule.rebates.all(), key=lambda g: g.quarters)
    promised = tax.percent_of(demand.total, full_year.percent)
    assert promised > 0
    with time_machine.travel(datetime.datetime(START, 11, 15, 10, tzinfo=datetime.UTC)):
        # Past the schedule's own rebate deadline: no rebate yet.
        assert deadline(schedule, Deadline.REBATE) == datetime.date(START, 9, 30)
        insts = list(demand.instalments.select_related("demand__schedule"))
        lines = bill_lines_for(instalments=insts, arrears=[], today=NOVEMBER)
        assert not [line for line in lines if line.head == "rebate"]

        extend(Deadline.REBATE, DECEMBER_31)
        assert deadline(FY, Deadline.REBATE) == DECEMBER_31

        with translation.override("en"):
            ctx = demand_notice_context(demand, today=NOVEMBER)
        row = ctx["rebates"][0]
        assert row["open"]
        assert "whole year is paid by 31 December" in row["text"]["en"]
        assert tax.percent_of(demand.total, full_year.percent) == promised

        insts = list(demand.instalments.select_related("demand__schedule"))
        bill = holding_bill(holding=holding, instalments=insts, today=NOVEMBER)
        rebate = [line for line in bill.lines.all() if line.head == "rebate"]
        assert [line.description_en.split(" FY")[0] for line in rebate] == [
            "Rebate — Holding tax",
            "Rebate — Conservancy",
            "Rebate — Lighting",
        ]  # spread over the heads it reduces
        assert sum(line.amount for line in rebate) == -promised
        assert bill.total == demand.total - promised

    after = DECEMBER_31 + datetime.timedelta(days=1)
    insts = list(demand.instalments.select_related("demand__schedule"))
    lines = bill_lines_for(instalments=insts, arrears=[], today=after)
    assert not [line for line in lines if line.head == "rebate"]
    ctx = demand_notice_context(demand, today=after)
    assert not ctx["rebates"][0]["open"]


def test_the_latest_office_order_wins(make_holding):
    make_holding()
    schedule = RateSchedule.objects.get(fiscal_year=FY)
    extend(Deadline.REBATE, datetime.date(START, 10, 31), ref="KCC/Rev/1")
    later = extend(Deadline.REBATE, datetime.date(START, 11, 30), ref="KCC/Rev/2")
    later.order_date = datetime.date(START, 10, 28)
    later.save()
    assert deadline(schedule, Deadline.REBATE) == datetime.date(START, 11, 30)
    assert deadline(schedule, Deadline.Q2) == schedule.q2_due


def test_an_instalment_whose_due_date_is_extended_is_not_overdue_until_the_new_date(
    make_holding,
):
    holding = make_holding()
    q1 = holding.demands.get(fiscal_year=FY).instalments.get(quarter=1)
    new_date = datetime.date(START, 10, 31)
    extend(Deadline.Q1, new_date)
    q1.refresh_from_db()
    assert q1.due_date == datetime.date(START, 9, 30)  # the copied column is history only
    assert effective_due_date(q1) == new_date

    on_new_date = statement(holding, today=new_date)
    assert on_new_date.overdue_instalments == []
    assert on_new_date.next_due is not None and on_new_date.next_due.quarter == 1
    assert effective_due_date(on_new_date.next_due) == new_date
    assert not has_dues(holding.pk, today=new_date)

    day_after = new_date + datetime.timedelta(days=1)
    late = statement(holding, today=day_after)
    assert [i.quarter for i in late.overdue_instalments] == [1]
    assert late.total_overdue == q1.amount
    assert has_dues(holding.pk, today=day_after)


def test_the_rebate_follows_an_extended_first_instalment(make_holding):
    holding = make_holding()
    demand = holding.demands.get(fiscal_year=FY)
    extend(Deadline.Q1, datetime.date(START, 10, 31))
    insts = list(demand.instalments.select_related("demand__schedule"))
    lines = bill_lines_for(instalments=insts, arrears=[], today=datetime.date(START, 10, 20))
    assert [line.amount < Decimal("0") for line in lines if line.head == "rebate"] == [True] * 3


def test_extensions_are_recorded_inline_on_the_schedule_and_audited(client, make_user):
    schedule = ensure_schedule(FY)
    admin_user = make_user("administrator")
    client.force_login(admin_user)
    url = f"/admin/holdings/rateschedule/{schedule.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"extensions-TOTAL_FORMS" in page.content
    data: dict[str, object] = schedule_form_data(schedule)
    for prefix, rows in (("heads", schedule.heads.order_by("pk")), ("rebates", [])):
        rows = list(rows) if prefix == "heads" else list(schedule.rebates.order_by("pk"))
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = len(rows)
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            data[f"{prefix}-{i}-schedule"] = schedule.pk
            data[f"{prefix}-{i}-percent"] = str(row.percent)
            if prefix == "heads":
                data[f"{prefix}-{i}-head"] = row.head
                data[f"{prefix}-{i}-use"] = row.use
            else:
                data[f"{prefix}-{i}-quarters"] = row.quarters
    data.update(
        {
            "extensions-TOTAL_FORMS": 1,
            "extensions-INITIAL_FORMS": 0,
            "extensions-0-schedule": schedule.pk,
            "extensions-0-deadline": "rebate",
            "extensions-0-new_date": DECEMBER_31.isoformat(),
            "extensions-0-order_reference": "KCC/Rev/2026/112",
            "extensions-0-order_date": datetime.date(START, 9, 25).isoformat(),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    ext = DeadlineExtension.objects.get(schedule=schedule)
    assert ext.recorded_by == admin_user
    assert ext.order_reference == "KCC/Rev/2026/112"
    assert deadline(schedule, Deadline.REBATE) == DECEMBER_31
    entry = AuditLog.objects.get(
        action="admin.add", object_type="holdings.deadlineextension", object_id=str(ext.pk)
    )
    assert entry.after["order_reference"] == "KCC/Rev/2026/112"
