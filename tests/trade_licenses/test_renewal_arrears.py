"""Skipped licence years billed as arrears, and the one-step renewal that never dead-ends.

The demo trader as seed_demo makes him (trade_licenses/demo.py: last year's licence, filed
without an e-TIN) renews through the pages: the renewal page shows the fee with its late
surcharge (and the arrears of a skipped year) first, asks for the e-TIN the old record
lacks, and the bill the licence officer issues has the total the page showed. Amounts by
hand in each test's docstring (grocery Tk 500, signboard 12 sq ft × Tk 100, VAT 15%,
income tax at source Tk 2,000, surcharge 10% a month capped at 100% of the fee)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import get_messages

from core.models import AuditLog
from payments.models import Bill, BillClaim, CounterSession
from payments.services import counter_session_open, counter_take_cash
from trade_licenses import demo
from trade_licenses.models import Application, Business, Licence
from trade_licenses.services import (
    application_issue_bill,
    application_transition,
    renewal_preview,
    skipped_years,
)

from .conftest import DHAKA

pytestmark = pytest.mark.django_db
S = Application.Status


@pytest.fixture(autouse=True)
def _pages_in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def seed_demo_trader():
    """seed_demo's trade licences (as of the travelled-to date): the demo trader's shop
    with last fiscal year's licence, filed without an e-TIN."""
    demo.seed()
    shop = Business.objects.get(name_en=demo.DEMO_BUSINESS[1])
    return shop.trader, shop


def approve(renewal, officer):
    application_transition(application=renewal, to=S.APPROVAL, actor=officer)
    application_issue_bill(application=renewal, actor=officer)
    renewal.refresh_from_db()
    return renewal.bill


def test_demo_trader_without_e_tin_sees_the_late_fee_gives_the_e_tin_and_gets_that_bill(
    client, officer
):
    """15 Nov 2025, FY 2025-26; the demo shop's licence is 2024-25 (expired 30 Jun 2025).
    Fee 500 + signboard 1,200 + VAT 15% × 1,700 = 255 + income tax 2,000 + surcharge
    10% × 500 × 2 months (Oct, Nov) = 100 → 4,055.00, shown first and billed the same."""
    with time_machine.travel(datetime(2025, 11, 15, 11, 0, tzinfo=DHAKA), tick=True):
        trader, shop = seed_demo_trader()
        assert not shop.licences.get().application.trader_tin  # seeded without an e-TIN
        client.force_login(trader)
        listing = client.get("/licences/").content.decode()
        assert "expired on" in listing and 'data-licence-state="expired"' in listing
        url = f"/licences/renew/{shop.pk}/"
        page = client.get(url).content.decode()
        assert 'data-total="4055.00"' in page
        assert "Late surcharge" in page and "× 2 months" in page
        assert 'name="trader_tin"' in page and "Expired" in page
        assert 'name="trader_nid"' not in page  # the old record has the NID

        # Without the e-TIN: the same page again, with the field and its error.
        response = client.post(url, {"confirm": "on"})
        assert response.status_code == 200 and 'name="trader_tin"' in response.content.decode()
        assert not Application.objects.filter(kind="renewal", business=shop).exists()

        response = client.post(url, {"confirm": "on", "trader_tin": "১২৩৪ ৫৬৭৮ ৯০১২"})
        renewal = Application.objects.get(kind="renewal", business=shop)
        assert response["Location"] == f"/licences/applications/{renewal.pk}/"
        assert (renewal.status, renewal.trader_tin) == (S.SUBMITTED, "123456789012")
        assert not renewal.needs_inspection

        bill = approve(renewal, officer)
        assert bill.total == Decimal("4055.00")
        preview = renewal_preview(shop, "2025-26", paid_on=date(2025, 11, 15))
        assert bill.total == sum(line.amount for line in preview)


def test_renewal_for_2026_27_after_2024_25_bills_2025_26_as_arrears_and_settles_it(
    client, officer, clerk
):
    """Seeded in FY 2025-26 (the shop's licence: 2024-25); renewing on 15 Nov 2026 for
    2026-27, so 2025-26 was skipped.
    Arrears 2025-26: 500 + 1,200 + 255 + surcharge 10% × 500 × 14 months = 700, capped at
      100% of the fee = 500 → 2,455.00.
    2026-27: 500 + 1,200 + 255 + 2,000 + surcharge 10% × 500 × 2 months = 100 → 4,055.00.
    Total 6,510.00 on the page and on the bill; the bill claims both years; once paid,
    a licence is issued for 2026-27 only and 2025-26 is never billed again."""
    with time_machine.travel(datetime(2025, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        trader, shop = seed_demo_trader()
    with time_machine.travel(datetime(2026, 11, 15, 11, 0, tzinfo=DHAKA), tick=True):
        assert skipped_years(shop, "2026-27") == ["2025-26"]
        client.force_login(trader)
        url = f"/licences/renew/{shop.pk}/"
        page = client.get(url).content.decode()
        assert 'data-total="6510.00"' in page
        assert page.count('data-arrears-year="2025-26"') == 4
        assert "Arrears 2025-26: Trade licence fee" in page
        assert "No licence was taken for FY 2025-26" in page
        client.post(url, {"confirm": "on", "trader_tin": "123456789012"})
        renewal = Application.objects.get(kind="renewal", business=shop)
        assert renewal.status == S.SUBMITTED, [str(m) for m in get_messages(client)]

        bill = approve(renewal, officer)
        assert bill.total == Decimal("6510.00")
        lines = list(bill.lines.order_by("position"))
        assert [(line.description_en, str(line.amount)) for line in lines[:4]] == [
            ("Arrears 2025-26: Trade licence fee", "500.00"),
            ("Arrears 2025-26: Signboard tax", "1200.00"),
            ("Arrears 2025-26: VAT", "255.00"),
            ("Arrears 2025-26: Late surcharge", "500.00"),
        ]
        assert lines[0].description_bn == "বকেয়া ২০২৫-২৬: ট্রেড লাইসেন্স ফি"
        assert set(bill.claims.filter(live=True).values_list("due", flat=True)) == {
            f"trade_licenses:licence-year:{shop.pk}:2025-26",
            f"trade_licenses:licence-year:{shop.pk}:2026-27",
        }

        session = counter_session_open(clerk=clerk)
        counter_take_cash(session=session, bills=[bill], clerk=clerk)
        assert Bill.objects.get(pk=bill.pk).status == Bill.Status.PAID
        assert list(
            Licence.objects.filter(business=shop)
            .order_by("fiscal_year")
            .values_list("fiscal_year", flat=True)
        ) == ["2024-25", "2026-27"]
        assert skipped_years(shop, "2026-27") == []  # settled by the paid claim
        assert AuditLog.objects.filter(action="trade_licence.arrears_settled").exists()
        assert CounterSession.objects.filter(clerk=clerk).exists()
        assert (
            BillClaim.objects.filter(
                due=f"trade_licenses:licence-year:{shop.pk}:2025-26", live=True
            ).count()
            == 1
        )


def test_a_renewal_with_nothing_skipped_claims_only_its_own_year(officer):
    """Renewing in the year after the last licence bills no arrears and claims one year."""
    with time_machine.travel(datetime(2025, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        _, shop = seed_demo_trader()
        assert skipped_years(shop, "2025-26") == []
        lines = renewal_preview(shop, "2025-26", paid_on=date(2025, 8, 10))
        assert not any(line.arrears_year for line in lines)
