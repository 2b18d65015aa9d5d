# ruff: noqa: F811  (the ijara fixtures are imported by name)
"""Sealed means sealed: before the opening no page, API answer, admin page, export (the
revenue officer's CSV and XLSX), audit row, log line or database row holds a bid's amount
in any spelling; after the opening the officer sees the ranking. The REST API in the
OpenAPI schema; the bid API's refusals."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from market_leases.ijara_models import Bid
from market_leases.services import ijara

from .ijara_fixtures import AMOUNT, at_opening, settle, site, tender  # noqa: F401

pytestmark = pytest.mark.django_db

SPELLINGS = [
    "1334567",
    "1,334,567",
    "13,34,567",
    "১৩,৩৪,৫৬৭",
    "১৩৩৪৫৬৭",
    "1334567.00",
]


def revealed(text: str) -> list[str]:
    return [s for s in SPELLINGS if s in text]


def every_row_of_the_database() -> str:
    """Every text of every row of every table (what anyone reading the database sees)."""
    chunks = []
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - the database's own names
            for row in cur.fetchall():
                chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


@pytest.fixture
def sealed_bid(tender, citizen, caplog):
    caplog.set_level(logging.DEBUG)
    done = ijara.bid_submit(tender=tender, bidder=citizen, amount="১৩,৩৪,৫৬৭.০০")
    settle(done.bills)
    return Bid.objects.get(pk=done.bid.pk)


def test_nothing_in_the_database_or_the_logs_holds_the_amount(sealed_bid, caplog):
    assert sealed_bid.status == "valid" and sealed_bid.amount is None
    assert revealed(every_row_of_the_database()) == []
    assert revealed(caplog.text) == []
    assert sealed_bid.security == Decimal("350000.00")  # 25% of 1,334,567 banded up


def test_no_officer_page_admin_page_or_api_answer_tells_the_amount(
    sealed_bid, tender, client, make_user, citizen
):
    officer = make_user("estate_officer", is_staff=True)
    admin = make_user("administrator")
    revenue = make_user("revenue_officer")
    pages = [
        (revenue, "/payments/revenue/collections/"),
        (revenue, "/payments/revenue/collections/?format=csv&table=service"),
        (revenue, "/payments/revenue/collections/payments/?format=csv"),
        (revenue, "/payments/revenue/collections/payments/?format=xlsx"),
        (revenue, "/payments/revenue/payments/"),
        (revenue, "/payments/revenue/months/2026/12/register/?format=csv"),
        (officer, reverse("market_leases:ijara_officer")),
        (officer, reverse("market_leases:ijara_officer_tender", args=[tender.pk])),
        (officer, f"/admin/market_leases/bid/{sealed_bid.pk}/change/"),
        (officer, "/admin/market_leases/bid/"),
        (admin, f"/admin/market_leases/bid/{sealed_bid.pk}/change/"),
        (admin, f"/admin/market_leases/tender/{tender.pk}/change/"),
        (admin, "/admin/core/auditlog/"),
        (citizen, reverse("market_leases:ijara_bids")),
        (citizen, reverse("market_leases:ijara_tender", args=[tender.pk])),
        (citizen, "/api/ijara/bids/"),
        (citizen, "/api/ijara/tenders/"),
        (citizen, "/api/bills/"),
    ]
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        content = response.content
        if response["Content-Type"].startswith("application/vnd.openxmlformats"):
            import io

            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
            text = " ".join(
                str(cell)
                for sheet in book
                for row in sheet.iter_rows(values_only=True)
                for cell in row
            )
        else:
            text = content.decode()
        assert revealed(text) == [], url
    client.force_login(citizen)
    assert client.get("/api/ijara/bids/").json()[0]["amount"] is None


def test_after_the_opening_the_officer_sees_the_ranking(
    sealed_bid, tender, client, officer, at_opening
):
    with at_opening():
        ijara.tender_open(tender=tender, actor=officer)
        client.force_login(officer)
        page = client.get(reverse("market_leases:ijara_officer_tender", args=[tender.pk]))
    assert "১৩,৩৪,৫৬৭" in page.content.decode()  # the same check finds it once opened


def test_the_bid_api_refuses_below_the_reserve_in_bengali(tender, citizen, client):
    client.force_login(citizen)
    response = client.post(
        f"/api/ijara/tenders/{tender.pk}/bids/",
        {"amount": "1000"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "সংরক্ষিত মূল্য" in response.json()["amount"][0]  # in the user's language
    assert not Bid.objects.exists()


def test_the_ijara_endpoints_are_in_the_openapi_schema(client, make_user):
    client.force_login(make_user("administrator"))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/ijara/tenders/", "/api/ijara/tenders/{id}/bids/", "/api/ijara/bids/"):
        assert path in schema, path
