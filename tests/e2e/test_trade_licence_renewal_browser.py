"""The demo trader, as seed_demo makes him (last fiscal year's licence, filed without an
e-TIN), renews in one step in the browser: the renewal page shows the fee with its late
surcharge before anything is filed, asks for the e-TIN the old record lacks (Bengali
digits), and the bill the licence officer then issues has the total the page showed."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from trade_licenses import demo
from trade_licenses.models import Application, Business
from trade_licenses.services import application_issue_bill, application_transition

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DHAKA = ZoneInfo("Asia/Dhaka")


def test_demo_trader_without_e_tin_renews_in_one_step_seeing_the_late_fee_first(
    signed_in, make_user
):
    """15 Nov 2025 (FY 2025-26), the demo shop's licence is 2024-25: grocery 500 + signboard
    12 × 100 = 1,200 + VAT 15% × 1,700 = 255 + income tax 2,000 + surcharge 10% × 500 × 2
    months = 100 → ৳4,055.00."""
    from core.roles import Role

    officer = make_user(Role.LICENCE_OFFICER, name_en="Licence officer")
    with time_machine.travel(datetime(2025, 11, 15, 11, 0, tzinfo=DHAKA), tick=True):
        demo.seed()
        shop = Business.objects.get(name_en=demo.DEMO_BUSINESS[1])
        page = signed_in(shop.trader)
        page.goto("/licences/")
        page.locator("[data-licence-state='expired']").first.wait_for()
        page.get_by_role("link", name=f"Renew {shop.name_en}").click()

        preview = page.locator("[data-renewal-preview]")
        preview.get_by_role("cell", name="Late surcharge", exact=True).wait_for()
        total = preview.locator("[data-total]")
        assert total.get_attribute("data-total") == "4055.00"
        assert "4,055.00" in total.inner_text()

        page.get_by_label("Your e-TIN").fill("১২৩৪৫৬৭৮৯০১২")
        page.get_by_label("I confirm that these details are correct.").check()
        page.get_by_role("button", name="Renew now").click()
        page.get_by_text("goes straight to the licence officer").wait_for()

        renewal = Application.objects.get(business=shop, kind="renewal")
        assert (renewal.status, renewal.trader_tin) == ("submitted", "123456789012")
        application_transition(application=renewal, to="approval", actor=officer)
        application_issue_bill(application=renewal, actor=officer)
        renewal.refresh_from_db()
        assert renewal.bill.total == Decimal("4055.00")
