"""Every due in one place: the citizen's "What I owe" and "my bills", and the counter's
search by mobile number, list dues nobody has billed yet (core.portal.open_dues);
choosing one makes its bill through the declaring service."""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import quote, quote_plus

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import translation

from core.fiscal import previous_fiscal_year
from core.roles import Role
from holdings.demands import generate_demands
from holdings.services import assessment_record, holding_create, holding_link_by_nid, owner_add
from payments.dashboard_panels import owe
from payments.models import Bill

pytestmark = pytest.mark.django_db

DEMO_MOBILE = "01711000001"  # as the demo citizen's (accounts/demo.py)
NID = "1987654321"
MID_OCTOBER = datetime.datetime(2025, 10, 15, 10, tzinfo=datetime.UTC)  # Q1 overdue


def as_user(client, user, lang: str = "en"):
    client.force_login(user)
    client.cookies["kcc_language"] = lang
    return client


def body(response) -> str:
    return response.content.decode()


def linked_holding(user, number: str = "45/A", ward: int = 3):
    """A holding of FY 2025-26 (17,000 a year, 4,250 a quarter) linked to `user`."""
    holding = holding_create(ward=ward, number=number, road="Sir Iqbal Road")
    owner_add(holding=holding, name_en="Rahim Uddin", nid=NID, mobile="01819123456")
    assessment_record(
        holding=holding, effective_fy=previous_fiscal_year("2025-26"), annual_rent="120000"
    )
    generate_demands("2025-26")
    holding_link_by_nid(user=user, holding=holding, nid=NID)
    return holding


@pytest.fixture
def demo_citizen(make_user):
    return make_user(Role.CITIZEN, mobile=DEMO_MOBILE, name_en="Abdul Karim")


@pytest.fixture
def october():
    with time_machine.travel(MID_OCTOBER):
        yield


def test_dashboard_what_i_owe_shows_the_overdue_q1_with_no_bill_and_pay_bills_it_once(
    client, demo_citizen, october
):
    holding = linked_holding(demo_citizen)
    page = body(as_user(client, demo_citizen).get("/dashboard/"))
    assert not Bill.objects.exists()
    assert "Not billed yet" in page and "Holding tax — Holding 45/A, ward 3" in page
    assert "FY 2025-26, instalment 1" in page and "৳4,250.00" in page and "Overdue" in page
    action = f"/payments/dues/holdings/h{holding.pk}:overdue/"
    assert f'action="{action}"' in page
    response = client.post(action)
    bill = Bill.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/payments/bills/?new={bill.number}"
    assert bill.payer == demo_citizen and bill.total == Decimal("4250.00")
    assert client.post(action)["Location"] == f"/payments/bills/?new={bill.number}"
    assert Bill.objects.count() == 1  # pressed twice: the same bill
    page = body(client.get(f"/payments/bills/?new={bill.number}"))
    assert f'value="{bill.number}" id="bill-{bill.pk}" data-amount="{bill.total}" checked' in page
    assert f"Bill {bill.number} is ready to pay." in page
    # Q1 is billed now; Q2 (due 31 December) is still listed, not ticked, with its button.
    assert f'action="/payments/dues/holdings/h{holding.pk}:next/"' in page
    assert f'action="{action}"' not in page


def test_my_bills_lists_dues_not_billed_yet_in_bengali(client, demo_citizen, october):
    linked_holding(demo_citizen)
    page = body(as_user(client, demo_citizen, "bn").get("/payments/bills/"))
    assert "পৌরকর — হোল্ডিং" in page and "৳৪,২৫০.০০" in page and "বকেয়া" in page


def test_a_stranger_cannot_bill_someone_elses_holding(client, demo_citizen, make_user, october):
    holding = linked_holding(demo_citizen)
    stranger = make_user(Role.CITIZEN, name_en="Stranger")
    client = as_user(client, stranger)
    response = client.post(f"/payments/dues/holdings/h{holding.pk}:overdue/", follow=True)
    assert "The bill could not be made" in body(response)
    assert client.post("/payments/dues/nosuchservice/x/").status_code == 404
    assert not Bill.objects.exists()
    client.logout()
    response = client.post(f"/payments/dues/holdings/h{holding.pk}:overdue/")
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    assert client.get(f"/payments/dues/holdings/h{holding.pk}:overdue/").status_code in (302, 405)
    assert not Bill.objects.exists()


def test_clerk_finds_the_due_by_the_mobile_in_bengali_digits_and_bills_it_for_the_citizen(
    client, demo_citizen, make_user, october
):
    holding = linked_holding(demo_citizen)
    clerk = make_user(Role.COUNTER_CLERK, name_en="Rahim Clerk")
    client = as_user(client, clerk)
    query = "০১৭১১০০০০০১"
    page = body(client.get(f"/payments/counter/?q={quote(query)}"))
    assert "Not billed yet for Abdul Karim" in page and "FY 2025-26, instalment 1" in page
    action = f"/payments/counter/dues/holdings/h{holding.pk}:overdue/"
    assert f'action="{action}"' in page and 'name="mobile" value="01711000001"' in page
    response = client.post(action, {"mobile": "01711000001", "q": query})
    bill = Bill.objects.get()
    # Back to the same search: the new bill is listed (ticked) with the citizen's others.
    assert response["Location"] == f"/payments/counter/?q={quote_plus(query)}"
    assert bill.payer == demo_citizen
    page = body(client.get(response["Location"]))
    assert f'value="{bill.number}"' in page and "Tick it to take the cash." in page
    assert f'id="bill-{bill.pk}" data-amount="{bill.total}" checked' in page
    client.post(action, {"mobile": "01711000001", "q": query})
    assert Bill.objects.count() == 1
    # An unknown mobile number, or a citizen's page for someone without the counter role.
    assert client.post(action, {"mobile": "01999999999"}).status_code == 404
    assert as_user(client, demo_citizen).post(action, {"mobile": DEMO_MOBILE}).status_code == 403


def test_counter_search_for_a_citizen_owing_nothing_says_so(client, demo_citizen, make_user):
    client = as_user(client, make_user(Role.COUNTER_CLERK))
    page = body(client.get(f"/payments/counter/?q={DEMO_MOBILE}"))
    assert "Nothing else is due for this citizen." in page


@pytest.mark.parametrize("holdings", [1, 3])
def test_owe_panel_query_count_is_flat(
    demo_citizen, holdings, django_assert_max_num_queries, october
):
    for i in range(holdings):
        linked_holding(demo_citizen, number=f"{10 + i}")
    from core import portal

    # One query for each service that lists dues (its subjects of the user), whatever the
    # number of holdings, plus the panel's own.
    services = len([s for s in portal.specs() if s.open_dues is not None])
    with django_assert_max_num_queries(6 + services), translation.override("en"):
        section = owe(demo_citizen)
        html = render_to_string("payments/panels/owe.html", {"section": section})
    listed = min(5, 2 * holdings)  # the panel lists five; the count covers the rest
    assert len(section["dues"]) == listed and html.count("Holding tax — ") == listed
    assert section["dues_more"] == 2 * holdings - listed
