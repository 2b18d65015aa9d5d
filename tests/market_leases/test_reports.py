"""The estate officer's reports: rent demand against collection per market and month,
arrears per allotment, vacant shops — worked figures, filters in the URL, Bengali, the CSV
and XLSX read back, who may open them, and what an empty report says.

The city on 10 December 2026 (conftest's today): New Market's A-12 (ground floor, 120.50 sq
ft × Tk 35.00 = 4,217.50 a month) held by Karim and B-7 (first floor, 80 sq ft × Tk 25.00 =
2,000.00) by Rahim; Boro Bazar's C-1 (100 sq ft × Tk 30.00 = 3,000.00) by Karim; all from
1 October 2026. November's rent is made, A-12 pays it; December's is made, C-1 pays its two
months. So:

| month | market | demand | collected | outstanding |
|---|---|---|---|---|
| December | Boro Bazar | 3,000.00 | 3,000.00 | 0.00 |
| December | New Market | 6,217.50 | 0.00 | 6,217.50 |
| November | Boro Bazar | 3,000.00 | 3,000.00 | 0.00 |
| November | New Market | 6,217.50 | 4,217.50 | 2,000.00 |
| total | | 18,435.00 | 10,217.50 | 8,217.50 |

Arrears (December due on the 7th): B-7 two months 4,000.00 from November, A-12 one month
4,217.50 from December. Vacant: A-13 (New Market, a stall never allotted) and D-2 (Boro
Bazar, allotted and withdrawn today).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from core.roles import Role
from market_leases.billing import generate_shop_rent
from market_leases.models import Market, RentSchedule
from market_leases.services import allotment_set_status, lessee_register, shop_register
from market_leases.services.billing import rent_bill_issue

from .conftest import OTHER_NID, issue_licence, pay_at_counter

pytestmark = pytest.mark.django_db

COLLECTION = "/markets/officer/reports/rent/"
ARREARS = "/markets/officer/reports/arrears/"
VACANT = "/markets/officer/reports/vacant/"


def english(client, user):
    client.force_login(user)
    client.cookies["kcc_language"] = "en"
    return client


def bengali(client, user):
    client.force_login(user)
    client.cookies["kcc_language"] = "bn"
    return client


@pytest.fixture
def city(market, shop, lessee, licence, allot, officer, make_user):
    from core.models import Ward

    boro = Market.objects.create(
        ward=Ward.objects.get(number=3), name_bn="বড় বাজার", name_en="Boro Bazar"
    )
    RentSchedule.objects.create(
        market=boro,
        floor=0,
        effective_from=date(2024, 7, 1),
        rent_per_sqft=Decimal("30.00"),
        salami_per_sqft=Decimal("500.00"),
        deposit_months=3,
    )
    b7 = shop_register(market=market, number="B-7", floor=1, area_sqft="80", actor=officer)
    c1 = shop_register(market=boro, number="C-1", floor=0, area_sqft="100", actor=officer)
    a13 = shop_register(
        market=market, number="A-13", floor=0, area_sqft="60.25", kind="stall", actor=officer
    )
    d2 = shop_register(market=boro, number="D-2", floor=0, area_sqft="90", actor=officer)
    rahim = lessee_register(nid=OTHER_NID, mobile="01911000000", name_en="Rahim", actor=officer)
    rahim_licence = issue_licence(OTHER_NID)

    def active(s, who, lic):
        a = allot(s, who, lic, starts_on=date(2026, 10, 1))
        return allotment_set_status(allotment=a, to="active", actor=officer)

    a12_allotment = active(shop, lessee, licence)
    b7_allotment = active(b7, rahim, rahim_licence)
    c1_allotment = active(c1, lessee, licence)
    withdrawn = allot(d2, lessee, licence)
    allotment_set_status(allotment=withdrawn, to="cancelled", reason="not paid", actor=officer)

    generate_shop_rent("2026-11")
    pay_at_counter(make_user, rent_bill_issue(allotment=a12_allotment))
    generate_shop_rent("2026-12")
    pay_at_counter(make_user, rent_bill_issue(allotment=c1_allotment))
    return {
        "boro": boro,
        "new": market,
        "a12": a12_allotment,
        "b7": b7_allotment,
        "c1": c1_allotment,
        "a13": a13,
        "d2": d2,
    }


def figures(rows):
    return [
        (f"{r['period']:%Y-%m}", r["market_en"], r["months"], r["demand"], r["collected"],
         r["outstanding"])
        for r in rows
    ]  # fmt: skip


def D(text: str) -> Decimal:
    return Decimal(text)


# --- demand and collection -----------------------------------------------------------------------


def test_demand_collected_and_outstanding_per_market_and_month(client, officer, city):
    page = english(client, officer).get(COLLECTION)
    assert page.status_code == 200
    assert figures(page.context["rows"]) == [
        ("2026-12", "Boro Bazar", 1, D("3000.00"), D("3000.00"), D("0.00")),
        ("2026-12", "New Market", 2, D("6217.50"), D("0.00"), D("6217.50")),
        ("2026-11", "Boro Bazar", 1, D("3000.00"), D("3000.00"), D("0.00")),
        ("2026-11", "New Market", 2, D("6217.50"), D("4217.50"), D("2000.00")),
    ]
    total = page.context["total"]
    assert (total.months, total.demand, total.collected, total.outstanding) == (
        6,
        D("18435.00"),
        D("10217.50"),
        D("8217.50"),
    )
    body = page.content.decode()
    assert "৳18,435.00" in body and "৳8,217.50" in body


def test_collection_filters_by_market_and_months_typed_in_bengali_digits(client, officer, city):
    c = english(client, officer)
    new = c.get(COLLECTION, {"market": city["new"].pk})
    assert [r["market_en"] for r in new.context["rows"]] == ["New Market", "New Market"]
    assert new.context["total"].demand == D("12435.00")
    assert new.context["total"].outstanding == D("8217.50")
    december = c.get(COLLECTION, {"start": "২০২৬-১২", "end": "২০২৬-১২"})
    assert {f"{r['period']:%Y-%m}" for r in december.context["rows"]} == {"2026-12"}
    assert december.context["total"].demand == D("9217.50")


def test_a_wrong_month_is_said_plainly_and_nothing_is_shown(client, officer, city):
    c = english(client, officer)
    page = c.get(COLLECTION, {"start": "2026-13"})
    body = page.content.decode()
    assert page.status_code == 200 and "rows" not in page.context
    assert "Write the month as year and month, such as 2026-11." in body
    backwards = c.get(COLLECTION, {"start": "2026-12", "end": "2026-11"})
    assert "The last month is before the first month." in backwards.content.decode()


def test_the_collection_in_bengali_has_bengali_digits(client, officer, city):
    body = bengali(client, officer).get(COLLECTION).content.decode()
    assert "৳১৮,৪৩৫.০০" in body and "৳৮,২১৭.৫০" in body
    assert "বড় বাজার" in body and "ডিসেম্বর ২০২৬" in body


def test_the_collection_as_csv_and_xlsx(client, officer, city):
    c = english(client, officer)
    response = c.get(COLLECTION, {"format": "csv", "market": city["new"].pk})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["Month", "Market", "Rents billed", "Demand", "Collected", "Outstanding"],
        ["2026-12", "New Market", "2", "6217.50", "0.00", "6217.50"],
        ["2026-11", "New Market", "2", "6217.50", "4217.50", "2000.00"],
        ["Total", "", "4", "12435.00", "4217.50", "8217.50"],
    ]
    response = c.get(COLLECTION, {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["Month", "Market", "Rents billed", "Demand", "Collected", "Outstanding"]
    assert values[1][:3] == ["2026-12", "Boro Bazar", 1]
    assert [Decimal(str(v)) for v in values[-1][3:]] == [D("18435"), D("10217.5"), D("8217.5")]
    assert values[-1][0] == "Total" and len(values) == 6


def test_the_collection_is_a_few_queries(client, officer, city, django_assert_max_num_queries):
    c = english(client, officer)
    c.get(COLLECTION)  # session and user read once
    with django_assert_max_num_queries(10):
        c.get(COLLECTION)


def test_no_rent_made_yet_says_where_it_is_made(client, officer, market):
    body = english(client, officer).get(COLLECTION).content.decode()
    assert "No rent has been made for these filters." in body
    assert "/markets/officer/rent/" in body


# --- arrears -------------------------------------------------------------------------------------


def test_arrears_months_amount_and_oldest_month_per_allotment(client, officer, city):
    c = english(client, officer)
    page = c.get(ARREARS)
    rows = [(a.shop.number, a.months, a.owed, a.oldest) for a in page.context["page"]]
    assert rows == [
        ("B-7", 2, D("4000.00"), date(2026, 11, 1)),
        ("A-12", 1, D("4217.50"), date(2026, 12, 1)),
    ]
    assert page.context["total"] == {"allotments": 2, "months": 3, "owed": D("8217.50")}
    by_amount = c.get(ARREARS, {"order": "amount"})
    assert [a.shop.number for a in by_amount.context["page"]] == ["A-12", "B-7"]
    by_oldest = c.get(ARREARS, {"order": "oldest"})
    assert [a.shop.number for a in by_oldest.context["page"]] == ["B-7", "A-12"]


def test_arrears_are_searched_and_filtered_by_market(client, officer, city):
    c = english(client, officer)
    found = c.get(ARREARS, {"q": "b7"})
    assert [a.shop.number for a in found.context["page"]] == ["B-7"]
    by_name = c.get(ARREARS, {"q": "rahim"})
    assert [a.lessee.name for a in by_name.context["page"]] == ["Rahim"]
    by_mobile = c.get(ARREARS, {"q": "০১৯১১০০০০০০"})
    assert [a.shop.number for a in by_mobile.context["page"]] == ["B-7"]
    boro = c.get(ARREARS, {"market": city["boro"].pk})
    body = boro.content.decode()
    assert not boro.context["page"].object_list
    assert "No allotment has rent unpaid after its due date for these filters." in body


def test_arrears_as_csv_and_xlsx(client, officer, city):
    c = english(client, officer)
    response = c.get(ARREARS, {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "Market", "Shop number", "Floor", "Lessee", "Mobile", "Allotment status",
        "Months unpaid", "Rent unpaid", "Oldest unpaid month",
    ]  # fmt: skip
    assert rows[1:] == [
        ["New Market", "B-7", "Floor 1", "Rahim", "01911000000", "Active", "2", "4000.00",
         "2026-11"],
        ["New Market", "A-12", "Ground floor", "Karim", "01711223344", "Active", "1", "4217.50",
         "2026-12"],
    ]  # fmt: skip
    response = c.get(ARREARS, {"format": "xlsx", "order": "amount"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert [(v[1], v[6], Decimal(str(v[7]))) for v in values[1:]] == [
        ("A-12", 1, D("4217.5")),
        ("B-7", 2, D("4000")),
    ]


def test_arrears_in_bengali(client, officer, city):
    body = bengali(client, officer).get(ARREARS).content.decode()
    assert "৳৪,০০০.০০" in body and "নভেম্বর ২০২৬" in body and "৳৮,২১৭.৫০" in body


def test_arrears_are_a_few_queries(client, officer, city, django_assert_max_num_queries):
    c = english(client, officer)
    c.get(ARREARS)
    with django_assert_max_num_queries(10):
        c.get(ARREARS)


# --- vacant shops --------------------------------------------------------------------------------


def test_vacant_shops_per_market_with_since_when(client, officer, city):
    c = english(client, officer)
    page = c.get(VACANT)
    rows = [(s.market.name_en, s.number, s.vacant_since) for s in page.context["page"]]
    assert [r[:2] for r in rows] == [("Boro Bazar", "D-2"), ("New Market", "A-13")]
    # D-2's allotment was withdrawn today; A-13 never allotted in the portal
    assert rows[0][2] is not None and rows[0][2].date() == date(2026, 12, 10)
    assert rows[1][2] is None
    summary = [(m["market_en"], m["shops"], m["area"]) for m in page.context["summary"]]
    assert summary == [("Boro Bazar", 1, D("90.00")), ("New Market", 1, D("60.25"))]
    assert page.context["total_area"] == D("150.25")
    body = page.content.decode()
    assert "10 December 2026" in body and f"/markets/officer/shops/{city['a13'].pk}/allot/" in body


def test_vacant_shops_filtered_by_kind_floor_market_and_number(client, officer, city):
    c = english(client, officer)
    stalls = c.get(VACANT, {"kind": "stall"})
    assert [s.number for s in stalls.context["page"]] == ["A-13"]
    upstairs = c.get(VACANT, {"floor": "১"})  # Bengali digit
    assert list(upstairs.context["page"]) == []
    assert "No shop is vacant for these filters" in upstairs.content.decode()
    boro = c.get(VACANT, {"market": city["boro"].pk})
    assert [s.number for s in boro.context["page"]] == ["D-2"]
    by_number = c.get(VACANT, {"q": "a13"})
    assert [s.number for s in by_number.context["page"]] == ["A-13"]
    longest = c.get(VACANT, {"order": "since"})  # never allotted first
    assert [s.number for s in longest.context["page"]] == ["A-13", "D-2"]
    wrong = c.get(VACANT, {"floor": "first"})
    assert "page" not in wrong.context and "Enter a whole number." in wrong.content.decode()


def test_vacant_shops_as_csv_and_xlsx(client, officer, city):
    c = english(client, officer)
    response = c.get(VACANT, {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["Market", "Ward", "Shop number", "Floor", "Area (sq ft)", "Kind", "Vacant since"],
        ["Boro Bazar", "3", "D-2", "Ground floor", "90.00", "Shop", "2026-12-10"],
        ["New Market", "5", "A-13", "Ground floor", "60.25", "Stall", ""],
    ]
    response = c.get(VACANT, {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[1][:3] == ["Boro Bazar", 3, "D-2"] and values[1][6].date() == date(2026, 12, 10)
    assert values[2][2] == "A-13" and values[2][6] is None


def test_vacant_shops_in_bengali(client, officer, city):
    body = bengali(client, officer).get(VACANT).content.decode()
    assert "১০ ডিসেম্বর ২০২৬" in body and "৬০.২৫" in body


def test_vacant_shops_and_agreements_ending_are_a_few_queries(
    client, officer, city, django_assert_max_num_queries
):
    c = english(client, officer)
    for url in (VACANT, "/markets/officer/renewals/?within=3000"):
        c.get(url)
        with django_assert_max_num_queries(10):
            c.get(url)


def test_no_vacant_shop_is_said_plainly(client, officer, active_allotment):
    body = english(client, officer).get(VACANT).content.decode()
    assert "No shop is vacant for these filters" in body


# --- who may open them ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [COLLECTION, ARREARS, VACANT])
def test_only_the_estate_officer_opens_the_reports(client, citizen, make_user, market, url):
    assert client.get(url).status_code == 302  # signed out → sign in
    assert client.get(url + "?format=csv").status_code == 302
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    assert client.get(url + "?format=xlsx").status_code == 403
    client.force_login(make_user(Role.COUNTER_CLERK))
    assert client.get(url).status_code == 403
    client.force_login(make_user(Role.ADMINISTRATOR))  # sees the market pages too
    assert client.get(url).status_code == 200


def test_the_landing_page_links_the_reports(client, officer, market):
    body = english(client, officer).get("/markets/officer/").content.decode()
    for url in (COLLECTION, ARREARS, VACANT, "/markets/officer/renewals/"):
        assert url in body


@pytest.mark.parametrize(
    ("url", "title", "first"),
    [
        (COLLECTION, "ভাড়ার দাবি ও আদায়", "মাস"),
        (ARREARS, "দোকান ভাড়ার বকেয়া", "মার্কেট"),
        (VACANT, "খালি দোকান", "মার্কেট"),
    ],
)
def test_the_spreadsheets_of_a_bengali_reader_are_headed_in_bengali(
    client, officer, city, url, title, first
):
    response = bengali(client, officer).get(url, {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.title == title
    assert next(sheet.iter_rows(max_row=1, values_only=True))[0] == first
