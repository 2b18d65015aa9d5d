"""The demo data agrees with itself: the sample import file imports on the demo database,
and the demo citizen's dashboard panels tell one story (what I owe, my holdings, my bills)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from accounts.demo import CITIZEN_MOBILE
from accounts.models import User
from holdings.dashboard_panels import holdings_with_dues
from holdings.demo import SAMPLE_FILE
from holdings.models import Holding
from payments.dashboard_panels import owe
from payments.models import Bill

pytestmark = pytest.mark.django_db

DHAKA = timezone(timedelta(hours=6))


def _seed() -> None:
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())


def test_the_sample_import_file_imports_on_the_demo_database():
    _seed()
    before = Holding.objects.count()
    out = StringIO()
    call_command("import_holdings", str(SAMPLE_FILE), "--language", "en", stdout=out)
    assert Holding.objects.count() == before + 6, out.getvalue()
    assert Holding.objects.filter(ward__number=4, number="55").get().owners.count() == 1


def test_the_demo_citizens_dashboard_panels_agree():
    # Mid-October: the year's first instalment (due 30 September) is overdue.
    with time_machine.travel(datetime(2026, 10, 15, 11, 0, tzinfo=DHAKA), tick=False):
        _seed()
        citizen = User.objects.get(mobile=CITIZEN_MOBILE)
        section = owe(citizen)
        rows = holdings_with_dues(citizen)
        overdue = sum((r["overdue"] for r in rows), Decimal("0"))
        # What I owe (billed) is exactly what My holdings calls overdue …
        assert section["count"] == 3 and section["total"] == overdue > 0
        # … and what is not billed yet is each holding's next instalment, as listed there.
        holding_dues = [d for d in section["dues"] if d.service == "holdings"]
        assert sorted(d.amount for d in holding_dues) == sorted(
            r["next_amount"] for r in rows if r["next_amount"]
        )
        # … and the demo water connection's unpaid months, as My water connections says.
        from water_billing.dashboard_panels import connections_with_dues

        water = [d.amount for d in section["dues"] if d.service == "water_billing"]
        assert water == [r["owed"] for r in connections_with_dues(citizen)] and water[0] > 0
        bills = Bill.objects.filter(payer=citizen, status="open")
        assert sum(b.total for b in bills) == section["total"]

        client = Client()
        client.force_login(citizen)
        client.cookies["kcc_language"] = "en"
        page = client.get("/dashboard/").content.decode()
        owe_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
        # Every bill says which period it is for; none calls an overdue instalment "due".
        for bill in bills:
            assert bill.period_label and bill.period_label in owe_text
        assert "pay by" in owe_text
        assert f"You have 3 open bills, ৳{overdue:,.2f} in all." in owe_text
        assert f"৳{overdue:,.2f} overdue" in owe_text
