"""The water officer's reports: billed against collected, arrears ageing, meters not read,
flagged readings — figures, filters, CSV/XLSX and a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest

from payments.services import counter_session_open, counter_take_cash
from water_billing import reports
from water_billing.billing import generate_water_bills
from water_billing.models import WaterBill
from water_billing.services.billing import water_bill_issue

from .conftest import read

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed(make_connection, make_user):
    from water_billing.defaults import ensure_default_tariff

    ensure_default_tariff()
    a, b = make_connection(), make_connection(category="commercial")
    for c in (a, b):
        read(c, "2026-10", 1018)
    generate_water_bills("2026-10", bill_date=date(2026, 11, 1))
    clerk = make_user("counter_clerk")
    counter_take_cash(
        session=counter_session_open(clerk=clerk),
        bills=[water_bill_issue(connection=a)],
        clerk=clerk,
    )
    return a, b


def test_billed_against_collected_by_month_ward_and_category(billed, django_assert_num_queries):
    a, b = billed
    with django_assert_num_queries(2):
        report = reports.billed_collected()
    by_cat = {r.category: r for r in report.rows}
    wa, wb = WaterBill.objects.get(connection=a), WaterBill.objects.get(connection=b)
    assert by_cat["residential"].billed == wa.total == by_cat["residential"].collected
    assert by_cat["commercial"].billed == wb.total and by_cat["commercial"].collected == 0
    assert report.total.outstanding == wb.total
    assert reports.billed_collected(category="commercial").total.billed == wb.total


def test_ageing_and_unread_and_flagged(billed, django_assert_num_queries):
    a, b = billed
    with django_assert_num_queries(1):
        rows, total = reports.ageing(today=date(2026, 12, 10))
    assert total.months == 1 and total.amounts["d30"] == WaterBill.objects.get(connection=b).total
    assert set(reports.unread(period=date(2026, 11, 1))) == {a, b}
    assert list(reports.flagged()) == []


@pytest.mark.parametrize("url", ["collection", "ageing", "unread", "flagged"])
def test_pages_and_exports(client, officer, billed, url, django_assert_max_num_queries):
    client.force_login(officer)
    base = f"/water/officer/reports/{url}/"
    client.get(base)
    with django_assert_max_num_queries(12):
        assert client.get(base).status_code == 200
    csv = client.get(base + "?format=csv")
    body = b"".join(csv.streaming_content) if csv.streaming else csv.content
    assert csv.status_code == 200 and body.startswith("\ufeff".encode())
    xlsx = client.get(base + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(base + "?start=2026-10&end=২০২৬-১১&ward=3").status_code == 200
