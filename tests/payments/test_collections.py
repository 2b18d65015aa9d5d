"""The revenue officer's collections dashboard (payments.collections, views/collections.py):
figures against the year before, every filter in the URL, each figure's payments behind
it, downloads, and who may see it."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from core.models import Ward
from payments import rollups
from payments.collections import Period, overview, period_for
from payments.models import Payment
from payments.services import counter_session_open, counter_take_cash, payment_settle
from payments.services.online import create_payment

pytestmark = pytest.mark.django_db
DHAKA = ZoneInfo("Asia/Dhaka")
URL = "/payments/revenue/collections/"


def at(y, m, d, h=11):
    return time_machine.travel(datetime(y, m, d, h, tzinfo=DHAKA), tick=False)


@pytest.fixture
def city(make_user, make_bill):
    """Cash and bKash in November 2025 and November 2026, in two wards, one rolled up."""
    w1, w2 = Ward.objects.order_by("number")[:2]
    citizen = make_user()
    clerk = make_user("counter_clerk", name_en="Salma Clerk", ward=w2)  # her office: ward 2
    session = counter_session_open(clerk=clerk)

    def cash(amount, ward):
        counter_take_cash(
            session=session, bills=[make_bill(citizen, amount, ward=ward)], clerk=clerk
        )

    def bkash(amount, ward):
        bill = make_bill(citizen, amount, ward=ward)
        with transaction.atomic():
            payment = create_payment(bills=[bill], channel=Payment.Channel.ONLINE, payer=citizen)
        payment_settle(payment_id=payment.pk, facts={"card_type": "BKASH-BKash"})

    with at(2025, 11, 3):
        cash("1000.00", w1)
    with at(2025, 11, 20):
        bkash("2000.00", w2)
    rollups.rollups_refresh()
    with at(2026, 11, 3):
        cash("1500.00", w1)
    with at(2026, 11, 4):
        bkash("3000.00", w1)
    with at(2026, 11, 25):
        cash("800.00", w2)
    return {"clerk": clerk, "wards": (w1, w2)}


def test_november_against_the_november_before_by_every_table(city):
    november = Period(date(2026, 11, 1), date(2026, 11, 30))
    result = overview(november, {})
    assert (result.total.amount, result.total.before) == (Decimal("5300.00"), Decimal("3000.00"))
    assert result.total.change == Decimal("76.7")
    w1, w2 = city["wards"]
    wards = {f.key: (f.amount, f.before) for f in result.tables["ward"]}
    assert wards == {
        (w1.pk,): (Decimal("4500.00"), Decimal("1000.00")),
        (w2.pk,): (Decimal("800.00"), Decimal("2000.00")),
    }
    methods = {f.key: (f.amount, f.before) for f in result.tables["method"]}
    assert methods == {
        ("online", "bkash"): (Decimal("3000.00"), Decimal("2000.00")),
        ("counter", ""): (Decimal("2300.00"), Decimal("1000.00")),
    }
    counters = {f.key: f.amount for f in result.tables["counter"]}
    assert counters == {(w2.pk, city["clerk"].pk): Decimal("2300.00")}  # her office
    heads = {f.key: f.amount for f in result.tables["service"]}
    assert heads == {
        ("test", "holding_tax"): Decimal("3800.00"),
        ("test", "conservancy"): Decimal("1500.00"),
    }
    assert result.trend_by == "day" and len(result.trend) == 30
    assert result.trend[2].amount == Decimal("1500.00") and result.trend[2].before == Decimal(
        "1000.00"
    )
    assert result.trend[19].before == Decimal("2000.00")
    # A fiscal year's figures go by month.
    fy = overview(period_for("fy", date(2026, 11, 30)), {"ward_key": w1.pk})
    assert fy.trend_by == "month" and [f.key[0].month for f in fy.trend] == [7, 8, 9, 10, 11]
    assert fy.total.amount == Decimal("4500.00") and fy.total.before == Decimal("1000.00")


@pytest.fixture
def officer_client(client, make_user):
    client.force_login(make_user("revenue_officer"))
    client.cookies["kcc_language"] = "en"
    return client


def test_the_page_shows_the_figures_and_each_links_to_its_payments(city, officer_client):
    w1, w2 = city["wards"]
    page = officer_client.get(
        URL, {"period": "custom", "start": "২০২৬-১১-০১", "end": "2026-11-30", "method": "bkash"}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "3,000.00" in text and "2,000.00" in text  # bKash now and a year before
    total = page.context["result"].total
    assert (total.amount, total.before) == (Decimal("3000.00"), Decimal("2000.00"))  # no cash
    by_ward = page.context["tables"][3]["rows"]  # ward 1 now, ward 2 a year before
    assert [(r["labels"], r["figure"].amount) for r in by_ward] == [
        ([w1.label], Decimal("3000.00")),
        ([w2.label], Decimal("0.00")),
    ]
    row = by_ward[0]
    rows = officer_client.get(row["url"])
    assert rows.status_code == 200
    lines = list(rows.context["rows"])
    assert {a.payment.card_type for a in lines} == {"BKASH-BKash"}
    assert sum(a.amount for a in lines) == Decimal("3000.00") == rows.context["page_total"]
    assert f"ward={w1.number}" in row["url"] and "method=bkash" in row["url"]


def test_cash_at_the_counter_is_a_method_of_its_own_in_the_url(city, officer_client):
    page = officer_client.get(URL, {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"})
    method = next(t for t in page.context["tables"] if t["name"] == "method")
    cash = next(r for r in method["rows"] if r["figure"].key == ("counter", ""))
    assert "method=cash" in cash["url"]
    rows = officer_client.get(cash["url"])
    assert sum(a.amount for a in rows.context["rows"]) == Decimal("2300.00")


def test_each_table_and_the_payments_download_as_csv_and_xlsx(city, officer_client):
    query = {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"}
    answer = officer_client.get(URL, {**query, "table": "ward", "format": "csv"})
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == ["Ward", "Collected", "Same days a year before", "Change (%)"]
    assert {(r[1], r[2]) for r in rows[1:]} == {("4500.00", "1000.00"), ("800.00", "2000.00")}
    xlsx = officer_client.get(URL, {**query, "table": "trend", "format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    lines = officer_client.get(
        reverse("payments:revenue_collection_rows"), {**query, "format": "csv"}
    )
    body = list(csv.reader(io.StringIO(lines.content.decode("utf-8-sig"))))
    assert len(body) == 1 + 6  # three payments of two lines
    assert sum(Decimal(r[-1]) for r in body[1:]) == Decimal("5300.00")


def test_a_wrong_day_is_said_and_the_month_shown_instead(city, officer_client):
    with at(2026, 11, 30):
        page = officer_client.get(URL, {"period": "custom", "start": "2026-13-01", "end": "x"})
    assert page.status_code == 200
    assert page.context["form"].errors["start"]
    assert page.context["period"] == Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.mark.parametrize("role", [None, "citizen", "counter_clerk"])
def test_only_revenue_officers_see_collections(client, make_user, role):
    if role:
        client.force_login(make_user(role))
    for url in (URL, reverse("payments:revenue_collection_rows")):
        answer = client.get(url)
        assert answer.status_code in (302, 403)


def test_the_demo_city_has_a_days_collections_once(client, make_user):
    from django.core.management import call_command

    from payments.models import Allocation, CounterSession
    from payments.rollups import rollups_differences

    call_command("seed_demo", stdout=io.StringIO())
    taken = Allocation.objects.filter(service="holdings")
    payments = Payment.objects.filter(allocations__in=taken).distinct()
    assert payments.filter(channel="counter").count() == 12
    assert payments.filter(channel="online").count() == 12
    assert CounterSession.objects.filter(payments__in=payments).distinct().get().status == "closed"
    rows = taken.count()
    call_command("seed_demo", stdout=io.StringIO())  # again: nothing more collected
    assert Allocation.objects.filter(service="holdings").count() == rows
    # The demo clerk holds a paper receipt book; another waits to be issued (once).
    from payments.models import ReceiptBook

    books = {b.number: (b.status, b.clerk and b.clerk.mobile) for b in ReceiptBook.objects.all()}
    assert books == {
        "KCC-2026-001": ("issued", "01711000002"),
        "KCC-2026-002": ("registered", None),
    }
    assert rollups_differences() == []
    client.force_login(make_user("revenue_officer"))
    page = client.get(URL, {"period": "today"})
    holdings = sum(a.amount for a in Allocation.objects.filter(service="holdings"))
    from django.utils import timezone

    today = Allocation.objects.filter(created_at__date=timezone.localdate())
    assert page.context["result"].total.amount == sum(a.amount for a in today) >= holdings > 0


def test_every_payment_method_has_its_words():
    from payments.collections import METHOD_LABELS
    from payments.rollups import METHODS

    assert set(METHOD_LABELS) == {*METHODS, ""}


def test_against_demand_sets_what_fell_due_beside_what_was_collected(client, make_user):
    """Holding 45/A's FY 2025-26 instalment 1 (4,250.00) fell due on 30 September 2025 and
    was paid at the counter on the 20th: 100 % in September; nothing fell due in October."""
    from holdings.demands import generate_demands
    from holdings.models import Instalment
    from holdings.services import assessment_record, holding_bill, holding_create, owner_add

    ward = Ward.objects.get(number=3)
    with at(2025, 8, 1):
        holding = holding_create(ward=3, number="45/A", road="Sir Iqbal Road")
        owner_add(holding=holding, name_en="Abdul Karim", nid="1987654321", mobile="01711000001")
        assessment_record(holding=holding, effective_fy="2024-25", annual_rent="120000")
        generate_demands("2025-26")
    first = Instalment.objects.get(quarter=1)
    assert (first.due_date, first.amount) == (date(2025, 9, 30), Decimal("4250.00"))
    clerk = make_user("counter_clerk")
    with at(2025, 9, 20):
        session = counter_session_open(clerk=clerk)
        bill = holding_bill(holding=holding, instalments=[first])
        counter_take_cash(session=session, bills=[bill], clerk=clerk)

    september = overview(Period(date(2025, 9, 1), date(2025, 9, 30)), {})
    rows = {r.service: r for r in september.demand}
    assert {"holdings", "water_billing", "market_leases"} <= set(rows)
    holdings = rows["holdings"]
    assert (holdings.demand, holdings.collected, holdings.percent) == (
        Decimal("4250.00"), Decimal("4250.00"), Decimal("100.0"),
    )  # fmt: skip
    assert rows["water_billing"].demand == 0 and rows["water_billing"].percent is None
    in_ward = overview(Period(date(2025, 9, 1), date(2025, 9, 30)), {"ward_key": ward.pk})
    assert {r.service: r.demand for r in in_ward.demand}["holdings"] == Decimal("4250.00")
    other = Ward.objects.get(number=4)
    elsewhere = overview(Period(date(2025, 9, 1), date(2025, 9, 30)), {"ward_key": other.pk})
    assert {r.service: r.demand for r in elsewhere.demand}["holdings"] == 0
    october = overview(Period(date(2025, 10, 1), date(2025, 10, 31)), {})
    assert {r.service: r.demand for r in october.demand}["holdings"] == 0
    # A channel has no demand: the section goes.
    assert (
        overview(Period(date(2025, 9, 1), date(2025, 9, 30)), {"channel": "counter"}).demand == []
    )

    client.force_login(make_user("revenue_officer"))
    client.cookies["kcc_language"] = "en"
    query = {"period": "custom", "start": "2025-09-01", "end": "2025-09-30"}
    page = client.get(URL, query)
    assert 'id="demand-holdings"' in page.text and "100.0%" in page.text
    export = client.get(URL, {**query, "table": "demand", "format": "csv"})
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert lines[0] == ["Service", "Fell due", "Collected", "Collected against demand (%)"]
    assert ["Holding tax", "4250.00", "4250.00", "100.0"] in lines
