"""Citizen and trader pages on a phone (390×844) and on a desktop, in the browser: the
error summary of the empty licence form (focused, linked to each field, "Error: " before
the title), a document over the limit refused before upload, the running total of my
bills, quick pay's holding found at the top and its help when none is found, the holding
statement, and /verify/ taking a code typed from paper.

Screenshots go to $SCREENSHOT_DIR when it is set (to look at the pages)."""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.fiscal import current_fiscal_year, previous_fiscal_year
from core.roles import Role
from holdings.demands import generate_demands
from holdings.services import assessment_record, holding_create, holding_link_by_nid, owner_add
from payments.services import LineSpec, bill_issue
from trade_licenses.models import ApplicationDocument

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DHAKA = ZoneInfo("Asia/Dhaka")
DESKTOP = {"width": 1280, "height": 900}
SHOTS = os.environ.get("SCREENSHOT_DIR", "")
NID = "1987654321"


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def open_page(phone):
    """open_page(user=None, *, viewport=PHONE, lang="en") -> a page signed in as `user`
    (the e2e conftest's phone fixture)."""
    return phone


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return (
        box is not None
        and box["y"] >= -1  # sub-pixel scrolling
        and box["y"] + min(box["height"], 40) <= page.viewport_size["height"]
    )


def focused_attr(page, attribute: str):
    return page.evaluate(
        f"document.activeElement && document.activeElement.getAttribute('{attribute}')"
    )


# --- the trade licence form ---------------------------------------------------------------


@pytest.fixture
def in_fy_2025_26():
    with time_machine.travel(datetime(2025, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        yield


def test_the_empty_licence_form_shows_an_error_summary_on_a_phone(
    open_page, make_user, in_fy_2025_26
):
    trader = make_user(Role.CITIZEN)
    page = open_page(trader)
    page.goto("/licences/apply/")
    assert not page.title().startswith("Error")
    page.get_by_role("button", name="Save and continue to documents").click()
    page.wait_for_load_state()

    assert page.title().startswith("Error: Apply for a trade licence")
    summary = page.locator("[data-error-summary]")
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    # The focus is on the summary, which is at the top of the phone's screen.
    assert focused_attr(page, "class") == "error-summary"
    assert in_view(page, summary)
    links = summary.get_by_role("link")
    assert links.count() >= 8
    assert links.first.inner_text().startswith("Your name in Bengali") or links.first.inner_text()
    shot(page, "licence-form-errors-phone")

    # Each link takes the focus to its field, shown on screen with its label.
    link = summary.get_by_role("link", name=re.compile(r"^Kind of business"))
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_category_code"
    label = page.locator("label[for='id_category_code']")
    assert in_view(page, label), (label.bounding_box(), page.evaluate("window.scrollY"))
    link = summary.get_by_role("link", name=re.compile(r"^Your NID number"))
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_trader_nid"
    assert in_view(page, page.locator("#id_trader_nid"))

    # Filled in, the summary goes away.
    page.get_by_label("Your NID number").fill("1987654321")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue to documents").click()
    assert page.locator("[data-error-summary]").count() == 1
    assert not page.get_by_role("link", name=re.compile(r"^Your NID number")).count()


def test_the_error_summary_in_bengali_and_on_a_desktop(open_page, make_user, in_fy_2025_26):
    trader = make_user(Role.CITIZEN)
    page = open_page(trader, lang="bn")
    page.goto("/licences/apply/")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_load_state()
    assert page.title().startswith("ত্রুটি: ")
    assert page.locator("[data-error-summary] h2").inner_text() == "একটি সমস্যা আছে"
    shot(page, "licence-form-errors-phone-bn")
    desk = open_page(trader, viewport=DESKTOP)
    desk.goto("/licences/apply/")
    desk.get_by_role("button", name="Save and continue to documents").click()
    desk.wait_for_load_state()
    assert focused_attr(desk, "class") == "error-summary"
    shot(desk, "licence-form-errors-desktop")


def test_a_document_over_the_limit_is_refused_before_upload(open_page, make_user, in_fy_2025_26):
    from trade_licenses.services import application_create_draft, business_create

    trader = make_user(Role.CITIZEN, name_en="Karim Mia", name_bn="করিম মিয়া", nid=NID)
    business = business_create(
        actor=trader,
        trader=trader,
        category_code="grocery",
        name_bn="করিম স্টোর",
        name_en="Karim Store",
        premises_address="12 KDA Avenue",
        ward=5,
        signboard_sqft=Decimal("12"),
    )
    draft = application_create_draft(business=business, filed_by=trader, trader_tin="123456789012")
    page = open_page(trader)
    page.goto(f"/licences/applications/{draft.pk}/documents/")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    field = page.get_by_label("National ID card", exact=True)
    field.set_input_files(
        {
            "name": "nid.pdf",
            "mimeType": "application/pdf",
            "buffer": b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024),
        }
    )
    alert = page.locator("#file-nid-too-big")
    alert.wait_for()
    assert "larger than 5 MB, so it was not sent" in alert.inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    assert field.evaluate("input => input.files.length") == 0
    page.get_by_role("button", name="Upload National ID card").click()
    page.wait_for_timeout(300)
    assert not posts and not ApplicationDocument.objects.exists()
    shot(page, "documents-too-big-phone")


# --- my bills, quick pay, the statement, verify ---------------------------------------------


def bill_for(user, amount: str, subject: str):
    return bill_issue(
        service="test",
        subject_type="test",
        subject_id=subject,
        dues=[f"due-{subject}"],
        lines=[
            LineSpec(
                head="holding_tax",
                amount=Decimal(amount),
                description_en="Holding tax",
                description_bn="হোল্ডিং ট্যাক্স",
            )
        ],
        fiscal_year_label="2025-26",
        due_date=date(2026, 6, 30),
        payer=user,
        subject_label_en=f"Holding {subject}",
        subject_label_bn=f"হোল্ডিং {subject}",
    )


def test_my_bills_keeps_a_running_total(open_page, make_user):
    citizen = make_user(Role.CITIZEN)
    first = bill_for(citizen, "1200.50", "H-1")
    bill_for(citizen, "150000.00", "H-2")
    page = open_page(citizen)
    page.goto("/payments/bills/")
    total = page.locator("[data-running-total] [data-total]")
    assert total.inner_text() == "৳1,51,200.50"
    box = page.locator(f"#bill-{first.pk}").bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    page.get_by_label(first.number).uncheck()
    assert total.inner_text() == "৳1,50,000.00"
    page.locator(f"label[for='bill-{first.pk}']").click()  # the label ticks it too
    assert total.inner_text() == "৳1,51,200.50"
    shot(page, "my-bills-phone")
    bengali = open_page(citizen, lang="bn", viewport=DESKTOP)
    bengali.goto("/payments/bills/")
    bengali.get_by_label(first.number).uncheck()
    assert bengali.locator("[data-total]").inner_text() == "৳১,৫০,০০০.০০"
    shot(bengali, "my-bills-desktop-bn")


@pytest.fixture
def holding():
    fy = current_fiscal_year()
    holding = holding_create(ward=3, number="45/A", road="Sir Iqbal Road")
    owner_add(
        holding=holding, name_bn="রহিম উদ্দিন", name_en="Rahim Uddin", nid=NID, mobile="01819123456"
    )
    assessment_record(
        holding=holding,
        effective_fy=previous_fiscal_year(previous_fiscal_year(fy)),
        annual_rent="120000",
    )
    generate_demands(previous_fiscal_year(fy))
    generate_demands(fy)
    return holding


def test_quick_pay_on_a_phone(open_page, holding):
    page = open_page()
    page.goto("/holdings/quick-pay/")
    page.get_by_label("Ward number").fill("3")
    page.get_by_label("Holding number").fill("46")
    page.get_by_role("button", name="Find the holding").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert (
        "printed at the top of the holding-tax bill"
        in page.locator("[data-lookup-help]").inner_text()
    )
    shot(page, "quick-pay-not-found-phone")
    page.get_by_label("Holding number").fill("45/A")
    page.get_by_role("button", name="Find the holding").click()
    page.wait_for_load_state()
    # The holding found is at the top of the phone's screen.
    assert in_view(page, page.locator("#holding-h"))
    radio = page.locator("input[type=radio]").first
    box = radio.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    shot(page, "quick-pay-found-phone")
    desk = open_page(viewport=DESKTOP)
    desk.goto("/holdings/quick-pay/?ward=3&number=45/A")
    shot(desk, "quick-pay-found-desktop")


def test_the_statement_on_a_phone(open_page, make_user, holding):
    owner = make_user(Role.CITIZEN)
    holding_link_by_nid(user=owner, holding=holding, nid=NID)
    page = open_page(owner)
    page.goto(f"/holdings/{holding.pk}/")
    # No squeezed definition list: each term is above its value.
    dt = page.locator("dl.facts dt").first.bounding_box()
    dd = page.locator("dl.facts dd").first.bounding_box()
    assert dd["y"] >= dt["y"] + dt["height"] - 1 and dd["width"] > 300
    # Years fold: each has a summary that opens and closes it.
    year = page.locator(f"section[data-fy='{current_fiscal_year()}'] details.year")
    assert year.get_attribute("open") is not None
    year.locator("summary").click()
    assert year.get_attribute("open") is None
    year.locator("summary").click()
    shot(page, "statement-phone")
    desk = open_page(owner, viewport=DESKTOP)
    desk.goto(f"/holdings/{holding.pk}/")
    shot(desk, "statement-desktop")


def test_verify_takes_a_code_typed_from_paper(open_page):
    page = open_page()
    page.goto("/")
    page.locator("footer").get_by_role("link", name="Verify a document").click()
    page.wait_for_url(re.compile(r"/verify/$"))
    shot(page, "verify-form-phone")
    page.get_by_label("Verification code").fill("AB12 CD34")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(r"/verify/ab12cd34/$"))
    assert "No receipt or certificate has this code." in page.content()
    page.goto("/")
    shot(page, "home-phone")
    page.locator("main").get_by_role("link", name="Search a licence").click()
    page.wait_for_url(re.compile(r"/licences/search/$"))
