"""The dashboard summarises long lists: the first five holdings and bills, the figures over
all of them, and how many more are on the full pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from holdings.services import holding_create, owner_add
from payments.services import LineSpec, bill_issue


@pytest.fixture
def busy_citizen(citizen):
    for n in range(7):
        holding = holding_create(ward=1 + n, number=f"7{n}", use="residential")
        owner = owner_add(holding=holding, name_en=f"Owner {n}", mobile=citizen.mobile)
        owner.user = citizen
        owner.save(update_fields=["user"])
        bill_issue(
            service="test",
            subject_type="x",
            subject_id=n,
            dues=[f"summary:{n}"],
            lines=[LineSpec(head="holding_tax", amount=Decimal("100.00"))],
            fiscal_year_label="2026-27",
            due_date=date(2027, 6, 30),
            payer=citizen,
            subject_label_en=f"Bill subject {n}",
        )
    return citizen


@pytest.mark.django_db
def test_the_dashboard_lists_five_and_counts_the_rest(client, busy_citizen):
    client.force_login(busy_citizen)
    client.cookies["kcc_language"] = "en"
    page = client.get("/dashboard/").content.decode()
    assert "You have 7 open bills, ৳700.00 in all." in page
    assert "…and 2 more bills." in page and "See them all" in page
    assert sum(f"Bill subject {n}" in page for n in range(7)) == 5
    assert "7 holdings linked" in page and "…and 2 more holdings." in page
    assert sum(f"Holding 7{n}, ward {1 + n}" in page for n in range(7)) == 5


@pytest.mark.django_db
def test_bengali_counts(client, busy_citizen):
    client.force_login(busy_citizen)
    client.cookies["kcc_language"] = "bn"
    page = client.get("/dashboard/").content.decode()
    assert "…এবং আরও ২টি বিল।" in page and "…এবং আরও ২টি হোল্ডিং।" in page
