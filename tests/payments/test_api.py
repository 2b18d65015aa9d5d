"""REST: GET /api/bills/, POST /api/payments/, GET /api/payments/<tran_id>/."""

from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from payments.models import Payment
from payments.services import counter_session_open, counter_take_cash

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(citizen):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=citizen).key}")
    return client


def test_bills_lists_only_the_callers_bills(api, citizen, make_bill, make_user):
    mine = make_bill(citizen, "1500.00")
    make_bill(make_user(), "900.00")
    body = api.get("/api/bills/").json()
    assert [b["number"] for b in body["results"]] == [mine.number]
    bill = body["results"][0]
    assert bill["total"] == "1500.00" and bill["status"] == "open"
    assert {line["head"] for line in bill["lines"]} == {"holding_tax", "conservancy"}


def test_officers_see_and_filter_all_bills(make_bill, make_user, citizen):
    make_bill(citizen, "1500.00")
    other = make_bill(make_user(mobile="01812345678"), "900.00")
    officer = APIClient()
    officer.force_authenticate(make_user("revenue_officer"))
    assert officer.get("/api/bills/").json()["count"] == 2
    body = officer.get("/api/bills/", {"payer_mobile": "01812345678"}).json()
    assert [b["number"] for b in body["results"]] == [other.number]


def test_start_a_payment_and_read_its_status(gateway, api, citizen, make_bill):
    bills = [make_bill(citizen, "1500.00"), make_bill(citizen, "700.25", subject_id="H-2")]
    response = api.post("/api/payments/", {"bills": [b.number for b in bills]}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"tran_id", "amount", "gateway_url"}
    assert body["amount"] == "2200.25"
    assert body["gateway_url"].startswith(gateway.url + "/gateway-simulator/checkout/")
    status = api.get(f"/api/payments/{body['tran_id']}/").json()
    assert set(status) == {"tran_id", "status", "amount", "bills", "receipt"}
    assert {k: v for k, v in status.items() if k != "bills"} == {
        "tran_id": body["tran_id"],
        "status": "pending",
        "amount": "2200.25",
        "receipt": None,
    }
    assert sorted(status["bills"]) == sorted(b.number for b in bills)


@pytest.mark.parametrize("payload", [{}, {"bills": []}, {"bills": ["NOPE"]}, {"bills": "x"}])
def test_bad_payment_requests_are_refused_and_change_nothing(api, payload):
    response = api.post("/api/payments/", payload, format="json")
    assert response.status_code == 400
    assert Payment.objects.count() == 0


def test_someone_elses_bill_cannot_be_paid(api, make_bill, make_user):
    other = make_bill(make_user(), "900.00")
    assert api.post("/api/payments/", {"bills": [other.number]}, format="json").status_code == 400
    assert Payment.objects.count() == 0


def test_refusal_names_each_bill_that_is_not_an_open_bill_of_yours(
    api, citizen, make_bill, make_user
):
    mine = make_bill(citizen, "900.00")
    other = make_bill(make_user(), "900.00")
    api.cookies["kcc_language"] = "en"
    response = api.post(
        "/api/payments/", {"bills": [mine.number, other.number, "NOPE"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "bills": sorted(
            [f"Not an open bill of yours: {other.number}", "Not an open bill of yours: NOPE"]
        )
    }
    assert Payment.objects.count() == 0


def test_paid_payment_shows_receipt_and_statuses_are_lower_case(api, citizen, make_bill, make_user):
    clerk = make_user("counter_clerk")
    payment = counter_take_cash(
        session=counter_session_open(clerk=clerk),
        bills=[make_bill(citizen, "1500.00")],
        clerk=clerk,
        tendered=Decimal("1500"),
    )
    body = api.get(f"/api/payments/{payment.tran_id}/").json()
    assert body["status"] == "succeeded"
    assert body["receipt"] == payment.receipt.number


def test_other_peoples_payments_are_not_found(api, make_bill, make_user):
    clerk, other = make_user("counter_clerk"), make_user()
    payment = counter_take_cash(
        session=counter_session_open(clerk=clerk), bills=[make_bill(other, "1500.00")], clerk=clerk
    )
    assert api.get(f"/api/payments/{payment.tran_id}/").status_code == 404
    assert APIClient().get(f"/api/payments/{payment.tran_id}/").status_code == 401


def test_schema_documents_the_payment_endpoints(client, make_user):
    client.force_login(make_user("revenue_officer"))  # API docs are for staff
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/bills/", "/api/payments/", "/api/payments/{tran_id}/"):
        assert path in schema
    for status in ("on_hold", "flagged", "succeeded"):
        assert status in schema
