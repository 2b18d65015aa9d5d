"""The public "verify a document" form at /verify/ (a code typed from paper, with spaces,
capitals or Bengali digits, leads to /verify/<code>/), the links to it from the home page
and the footer, and the running total on "my bills"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.digits import to_bengali_digits
from core.roles import Role

from .test_receipts import _media, clerk, payer, receipt  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["kcc_language"] = "en"
    return client


def test_the_form_page_asks_for_the_code(client):
    page = english(client).get("/verify/").content.decode()
    assert 'name="code"' in page and "Verification code" in page
    assert "<title>Verify a receipt or certificate" in page


@pytest.mark.parametrize(
    "typed",
    [
        lambda c: c,
        lambda c: c.upper(),
        lambda c: " ".join(c[i : i + 4] for i in range(0, len(c), 4)),
        lambda c: "-".join(c[i : i + 4] for i in range(0, len(c), 4)).upper() + " ",
        to_bengali_digits,
    ],
)
def test_a_code_typed_from_paper_leads_to_its_page(client, receipt, typed):  # noqa: F811
    response = english(client).get("/verify/", {"code": typed(receipt.verify_code)})
    assert response.status_code == 302
    assert response["Location"] == reverse("verify", args=[receipt.verify_code])
    page = client.get(response["Location"]).content.decode()
    assert "Valid receipt" in page and receipt.number in page


def test_the_code_page_itself_accepts_capitals_and_spaces(client, receipt):  # noqa: F811
    code = receipt.verify_code.upper()
    page = english(client).get(f"/verify/{code[:4]} {code[4:]}/").content.decode()
    assert "Valid receipt" in page


@pytest.mark.parametrize("typed", ["", "   ", "abc/def", "x" * 200])
def test_a_code_that_cannot_be_one_is_refused_with_a_message(client, typed):
    response = english(client).get("/verify/", {"code": typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Type the verification code printed on the paper" in page
    assert "<title>Error: Verify a receipt or certificate" in page
    assert 'aria-invalid="true"' in page


def test_an_unknown_code_offers_the_form_again(client):
    response = english(client).get("/verify/0000aaaa/")
    assert response.status_code == 404
    assert 'href="/verify/"' in response.content.decode()


def test_the_bengali_page_and_its_title_prefix(client):
    client.cookies["kcc_language"] = "bn"
    page = client.get("/verify/", {"code": "?"}).content.decode()
    assert "<title>ত্রুটি: " in page
    assert "কাগজে QR কোডের নিচে ছাপা যাচাই কোডটি লিখুন" in page


def test_home_page_and_footer_link_to_verify_and_licence_search(client):
    page = english(client).get("/").content.decode()
    assert page.count('href="/verify/"') == 2  # the home page's card and the footer
    assert page.count('href="/licences/search/"') >= 2
    assert "Verify a document" in page and "Search a licence" in page
    other = client.get("/holdings/quick-pay/").content.decode()
    assert 'href="/verify/"' in other and 'href="/licences/search/"' in other


def test_my_bills_shows_the_total_of_the_ticked_bills(client, make_user, make_bill):
    citizen = make_user(Role.CITIZEN)
    first = make_bill(citizen, "1200.50", subject_id="H-1")
    second = make_bill(citizen, "150000.00", subject_id="H-2")
    english(client).force_login(citizen)
    page = client.get("/payments/bills/").content.decode()
    assert "data-running-total" in page
    assert "<strong data-total>৳1,51,200.50</strong>" in page
    assert f'data-amount="{first.total}"' in page and f'data-amount="{second.total}"' in page
    # Only the bill just made is ticked: the total is its own.
    page = client.get("/payments/bills/", {"new": second.number}).content.decode()
    assert "<strong data-total>৳1,50,000.00</strong>" in page
    client.cookies["kcc_language"] = "bn"
    page = client.get("/payments/bills/").content.decode()
    assert "<strong data-total>৳১,৫১,২০০.৫০</strong>" in page
