"""In a browser: the revenue officer finds what stops last month from closing (a counter
session not verified), follows the link and verifies it, closes the month with the
confirmation and reads its register; a void of one of its payments lands in this month."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone, translation

from payments import rollups
from payments.models import Allocation
from payments.services import (
    counter_session_close,
    counter_session_open,
    counter_take_cash,
    payment_void,
)
from payments.services.closing import first_day, is_closed, month_label

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
DHAKA = ZoneInfo("Asia/Dhaka")


def test_the_officer_verifies_what_blocks_and_closes_last_month(signed_in, make_user, make_bill):
    today = timezone.localdate()
    last_month = first_day(first_day(today) - timedelta(days=1))
    clerk = make_user("counter_clerk", name_en="Salma Clerk")
    officer = make_user("revenue_officer", name_en="Rahim Officer")
    with time_machine.travel(
        datetime(last_month.year, last_month.month, 3, 11, tzinfo=DHAKA), tick=False
    ):
        session = counter_session_open(clerk=clerk)
        payment = counter_take_cash(
            session=session, bills=[make_bill(make_user(), "1500.00")], clerk=clerk
        )
        counter_session_close(session=session, clerk=clerk, counted_cash=Decimal("1500.00"))
    rollups.rollups_refresh()
    with translation.override("en"):
        label = month_label(last_month)

    page = signed_in(officer)
    page.goto("/payments/revenue/months/")
    page.get_by_role("link", name=label).click()
    blocker = page.get_by_role("link", name=re.compile("closed but not verified yet"))
    assert blocker.is_visible()
    assert page.get_by_role("button", name="Close the month").is_disabled()
    blocker.click()
    row = page.locator(f"#session-{session.pk}")
    row.get_by_label("I have checked the counted cash against the receipts.").check()
    row.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(r"/payments/revenue/sessions/"))

    page.goto(f"/payments/revenue/months/{last_month.year}/{last_month.month}/")
    assert "Nothing: every counter session of the month is verified, no payment" in page.content()
    page.get_by_role("button", name="Close the month").click()  # not confirmed yet
    assert not is_closed(last_month)
    page.get_by_label(re.compile("I have reconciled this month")).check()
    page.get_by_role("button", name="Close the month").click()
    assert page.get_by_text(f"{label} is closed.").is_visible()
    assert is_closed(last_month)
    assert "The ledger holds the same for this month today." in page.content()

    page.get_by_role("link", name="Daily collection register").click()
    page.wait_for_url(re.compile(r"/register/"))
    assert "1,500.00" in page.content()

    payment_void(payment=payment, reason="wrong holding", officer=officer)
    reversal = Allocation.objects.filter(payment=payment, kind="reversal").first()
    assert reversal is not None
    assert timezone.localtime(reversal.created_at).date() == timezone.localdate()
    page.goto(f"/payments/revenue/months/{last_month.year}/{last_month.month}/")
    assert "The ledger holds the same for this month today." in page.content()
