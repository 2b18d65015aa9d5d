"""A relative abroad quick-pays a holding's first instalment without an account, through
the simulator; the receipt downloads, and the owner's statement then shows it paid."""

import io
import re

import pytest
from pypdf import PdfReader

from core.fiscal import current_fiscal_year, previous_fiscal_year
from holdings.demands import generate_demands
from holdings.models import Instalment
from holdings.services import assessment_record, holding_create, holding_link_by_nid, owner_add
from payments.models import Bill, Payment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NID = "1987654321"


def test_quick_pay_first_instalment_then_the_statement_shows_it_paid(signed_in, make_user):
    fy = current_fiscal_year()
    holding = holding_create(ward=3, number="45/A", road="Sir Iqbal Road")
    owner_add(
        holding=holding, name_bn="রহিম উদ্দিন", name_en="Rahim Uddin", nid=NID, mobile="01819123456"
    )
    assessment_record(holding=holding, effective_fy=previous_fiscal_year(fy), annual_rent="120000")
    generate_demands(fy)
    first = Instalment.objects.get(demand__holding=holding, demand__fiscal_year=fy, quarter=1)

    page = signed_in()
    page.goto("/holdings/quick-pay/")
    page.get_by_label("Ward number").fill("৩")  # Bengali digits are fine
    page.get_by_label("Holding number").fill("৪৫/a")
    page.get_by_role("button", name="Find the holding").click()
    assert page.locator("[data-owner]").inner_text() == "R**** U****"
    assert "Rahim" not in page.content() and "01819123456" not in page.content()
    page.get_by_label(re.compile(r"^The next instalment")).check()
    page.get_by_label("Your mobile number (optional)").fill("01712345678")
    page.get_by_role("button", name="Pay online now").click()

    # The gateway's checkout page (the simulator), then back to our status page.
    page.get_by_role("button", name="Pay with bKash").click()
    page.wait_for_url(re.compile(r"/payments/p/"))
    for _ in range(30):
        if page.locator("[data-status='succeeded']").count():
            break
        if page.get_by_role("button", name="Check again").count():
            page.get_by_role("button", name="Check again").click()
        else:
            page.reload()
        page.wait_for_timeout(300)
    assert page.locator("[data-status='succeeded']").count() == 1

    payment = Payment.objects.get(status="succeeded")
    assert payment.payer is None and payment.amount == first.amount
    assert payment.payer_name == "R**** U****"
    bill = Bill.objects.get(service="holdings")
    assert bill.status == "paid" and bill.payer is None
    link = page.get_by_role("link", name="Download receipt (PDF)")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert payment.receipt.number in text
    assert "Rahim" not in text

    first.refresh_from_db()
    assert first.status == "paid" and first.paid_bill_id == bill.pk

    # The owner signs in: the statement shows the first instalment paid, the rest due.
    owner = make_user(name_en="Rahim Uddin")
    holding_link_by_nid(user=owner, holding=holding, nid=NID)
    statement = signed_in(owner)
    statement.goto(f"/holdings/{holding.pk}/")
    year = statement.locator(f"section[data-fy='{fy}']")
    assert year.locator("tr[data-quarter='1']").get_attribute("data-status") == "paid"
    assert "Paid" in year.locator("tr[data-quarter='1']").inner_text()
    assert year.locator("tr[data-quarter='2']").get_attribute("data-status") == "due"
    assert statement.get_by_label(re.compile(r"^The next instalment")).count() == 1
