"""Every due in one place, in the browser: the demo citizen's dashboard "What I owe" shows
the holding's overdue first instalment before any bill exists and "Pay" bills it; the
clerk finds the next instalment by the citizen's mobile number typed in Bengali digits and
bills it for the citizen."""

import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from core.roles import Role
from holdings.demands import generate_demands
from holdings.services import assessment_record, holding_create, holding_link_by_nid, owner_add
from payments.models import Bill

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DHAKA = timezone(timedelta(hours=6))
NID = "1987654321"


def test_dashboard_shows_the_overdue_instalment_and_the_clerk_finds_dues_by_bengali_mobile(
    signed_in, make_user
):
    # 15 October 2025: FY 2025-26's first instalment (due 30 September) is overdue.
    with time_machine.travel(datetime(2025, 10, 15, 11, 0, tzinfo=DHAKA), tick=True):
        citizen = make_user(Role.CITIZEN, mobile="01711000001", name_en="Abdul Karim")
        holding = holding_create(ward=3, number="45/A", road="Sir Iqbal Road")
        owner_add(holding=holding, name_en="Abdul Karim", nid=NID, mobile="01711000001")
        assessment_record(holding=holding, effective_fy="2024-25", annual_rent="120000")
        generate_demands("2025-26")
        holding_link_by_nid(user=citizen, holding=holding, nid=NID)

        page = signed_in(citizen)
        page.goto("/dashboard/")
        owe = page.locator("li", has_text="FY 2025-26, instalment 1")
        assert "Holding tax — Holding 45/A, ward 3" in owe.inner_text()
        assert "৳4,250.00" in owe.inner_text() and "Overdue" in owe.inner_text()
        assert not Bill.objects.exists()
        owe.get_by_role("button", name="Pay").click()
        page.wait_for_url(re.compile(r"/payments/bills/\?new="))
        bill = Bill.objects.get()
        assert bill.payer == citizen and bill.period_label == "FY 2025-26 Q1"
        assert page.locator(f"#bill-{bill.pk}").is_checked()

        clerk = signed_in(make_user(Role.COUNTER_CLERK, name_en="Rahim Clerk"))
        clerk.goto("/payments/counter/")
        clerk.get_by_label(re.compile("payer's mobile number")).fill("০১৭১১০০০০০১")
        clerk.get_by_role("button", name="Search").click()
        clerk.wait_for_url(re.compile(r"/payments/counter/\?q=%E0%A7%A6"))
        assert clerk.locator(f"#bill-{bill.pk}").count() == 1  # the bill made online
        due = clerk.locator("li", has_text="FY 2025-26, instalment 2")
        due.get_by_role("button", name="Bill it").click()
        clerk.wait_for_url(re.compile(r"/payments/counter/\?q=%E0%A7%A6"))
        second = Bill.objects.exclude(pk=bill.pk).get()
        assert second.payer == citizen and second.period_label == "FY 2025-26 Q2"
        assert clerk.locator(f"#bill-{second.pk}").count() == 1
