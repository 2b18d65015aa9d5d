"""GET /api/water/connections/ (the signed-in citizen's) and
GET /api/water/connections/<consumer_no>/bills/ (the account holder's and staff's; any other
connection is 404), in the OpenAPI schema."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token

from core.roles import Role
from water_billing.billing import generate_water_bills
from water_billing.models import WaterBill

from .conftest import read

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(citizen, make_connection):
    """The citizen's connection read 18 m³ in October and November 2026, both billed; a
    second, unmetered, never billed."""
    from water_billing.defaults import ensure_default_tariff

    ensure_default_tariff()
    c = make_connection(user=citizen, sewerage=True)
    read(c, "2026-10", 1018)
    read(c, "2026-11", 1036)
    generate_water_bills("2026-10", bill_date=date(2026, 11, 2))
    generate_water_bills("2026-11", bill_date=date(2026, 12, 2))
    make_connection(user=citizen, metered=False, pipe=20)
    return c


def test_the_citizen_lists_their_connections_with_what_is_unpaid(client, citizen, mine):
    others = mine.__class__.objects.exclude(user=citizen).count()
    assert others == 0
    client.force_login(citizen)
    body = client.get("/api/water/connections/").json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first["consumer_no"] == mine.consumer_no
    assert first["ward"] == 3 and first["holding_number"] == "45/A"
    assert first["unpaid_months"] == 2
    # Two months of 300.60 + sewerage 300.60, and October's late fee (10%) on November's.
    assert Decimal(first["owed"]) == Decimal("1262.52")
    assert first["next_due_date"] == "2026-11-17"
    assert first["last_billed_month"] == "2026-11-01"
    second = body["results"][1]
    assert second["metered"] is False and second["unpaid_months"] == 0
    assert Decimal(second["owed"]) == 0 and second["last_billed_month"] is None


def test_another_citizen_sees_none_of_them(client, make_user, mine):
    client.force_login(make_user())
    assert client.get("/api/water/connections/").json()["count"] == 0
    assert client.get(f"/api/water/connections/{mine.consumer_no}/bills/").status_code == 404


def test_a_connections_bills_newest_first_with_lines_in_the_callers_language(client, citizen, mine):
    token = Token.objects.create(user=citizen)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    client.cookies["kcc_language"] = "en"
    body = client.get(f"/api/water/connections/{mine.consumer_no}/bills/", **auth).json()
    assert [b["month"] for b in body["results"]] == ["2026-11-01", "2026-10-01"]
    november = body["results"][0]
    bill = WaterBill.objects.get(connection=mine, period="2026-11-01")
    assert november["total"] == "661.32" and november["arrears"] == "601.20"
    assert november["late_fee"] == "60.12"
    assert november["units"] == 18 and november["estimated"] is False
    assert november["status"] == "due" and november["pdf"] == f"/water/bills/{bill.pk}/pdf/"
    assert [line["kind"] for line in november["lines"]] == ["water", "sewerage", "late_fee"]
    assert "16.70" in november["lines"][0]["explanation"]
    client.cookies["kcc_language"] = "bn"
    bengali = client.get(f"/api/water/connections/{mine.consumer_no}/bills/", **auth).json()
    assert "১৬.৭০" in bengali["results"][0]["lines"][0]["explanation"]


def test_the_consumer_number_may_be_typed_with_bengali_digits(client, citizen, mine):
    client.force_login(citizen)
    typed = mine.consumer_no.translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))
    assert client.get(f"/api/water/connections/{typed}/bills/").json()["count"] == 2
    assert client.get("/api/water/connections/nonsense/bills/").status_code == 404
    assert client.get("/api/water/connections/07-99999/bills/").status_code == 404


@pytest.mark.parametrize("role", [Role.WATER_OFFICER, Role.COUNTER_CLERK, Role.REVENUE_OFFICER])
def test_staff_read_any_connections_bills(client, make_user, mine, role):
    client.force_login(make_user(role))
    assert client.get(f"/api/water/connections/{mine.consumer_no}/bills/").json()["count"] == 2
    # Their own list is their own connections: none.
    assert client.get("/api/water/connections/").json()["count"] == 0


def test_anonymous_callers_are_refused(client, mine):
    assert client.get("/api/water/connections/").status_code in (401, 403)
    assert client.get(f"/api/water/connections/{mine.consumer_no}/bills/").status_code in (401, 403)


def test_the_endpoints_are_in_the_openapi_schema(client, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/water/connections/" in schema
    assert "/api/water/connections/{consumer_no}/bills/" in schema
    assert "unpaid_months" in schema and "last_billed_month" in schema
