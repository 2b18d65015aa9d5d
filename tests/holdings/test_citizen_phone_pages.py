"""Citizen holding pages a person can act on from a phone: quick pay says where the holding
number is printed and whom to call when a holding is not found, and puts the holding found
first; the statement folds the years paid in full; an objection once filed shows its state
on the statement and cannot be filed twice; the register import says why a file is refused.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.fiscal import current_fiscal_year, previous_fiscal_year
from core.models import CityProfile
from core.roles import Role
from holdings import importer
from holdings.demands import generate_demands
from holdings.models import Instalment, Objection
from holdings.services import holding_link_by_nid

from .conftest import OWNER_NID

pytestmark = pytest.mark.django_db
QUICK = "/holdings/quick-pay/"


def english(client):
    client.cookies["kcc_language"] = "en"
    return client


def body(response) -> str:
    return response.content.decode()


# --- quick pay -------------------------------------------------------------------------------


def test_a_holding_not_found_says_where_the_number_is_printed_and_whom_to_call(
    client, make_holding
):
    make_holding()
    city = CityProfile.current()
    city.phone = "+880 41-720281"
    city.save()
    page = body(english(client).get(QUICK, {"ward": "3", "number": "46"}))
    assert "No holding 46 is registered in ward 3." in page
    assert "data-lookup-help" in page
    assert "printed at the top of the holding-tax bill" in page
    assert 'href="tel:%2B880%2041-720281"' in page and "+880 41-720281" in page
    assert "<title>Error: Quick pay: holding tax" in page
    client.cookies["kcc_language"] = "bn"
    page = body(client.get(QUICK, {"ward": "3", "number": "46"}))
    assert "হোল্ডিং নম্বর কোথায় পাবেন?" in page and "+৮৮০ ৪১-৭২০২৮১" in page
    assert "<title>ত্রুটি: " in page


def test_without_a_phone_on_record_it_says_to_ask_the_revenue_section(client, make_holding):
    make_holding()
    city = CityProfile.current()
    city.phone = ""
    city.save()
    page = body(english(client).get(QUICK, {"ward": "77", "number": "1"}))
    assert "Ask the revenue section at the city corporation office." in page
    assert "tel:" not in page


def test_the_holding_found_comes_first_and_no_help_is_shown(client, make_holding):
    make_holding()
    page = body(english(client).get(QUICK, {"ward": "3", "number": "45/A"}))
    assert page.index("data-holding=") < page.index('name="ward"')
    assert "Find another holding" in page and "data-lookup-help" not in page
    assert "<title>Quick pay" in page
    # Before a look-up, the form is all there is.
    page = body(client.get(QUICK))
    assert "data-holding=" not in page and "data-lookup-help" not in page


# --- the statement ---------------------------------------------------------------------------


def test_years_paid_in_full_are_folded_and_the_year_with_dues_is_open(
    client, citizen, make_holding
):
    fy = current_fiscal_year()
    last = previous_fiscal_year(fy)
    holding = make_holding(last)
    Instalment.objects.filter(demand__holding=holding).update(status=Instalment.Status.PAID)
    generate_demands(fy)
    holding_link_by_nid(user=citizen, holding=holding, nid=OWNER_NID)
    client.force_login(citizen)
    page = body(english(client).get(f"/holdings/{holding.pk}/"))
    this_year = page[page.index(f'data-fy="{fy}"') :]
    last_year = page[page.index(f'data-fy="{last}"') :]
    assert this_year.split("<summary>")[0].rstrip().endswith('<details class="year" open>')
    assert last_year.split("<summary>")[0].rstrip().endswith('<details class="year">')
    assert '<span class="badge">Paid</span></summary>' in last_year.split("</details>")[0]


def test_an_objection_once_filed_shows_its_state_and_cannot_be_filed_twice(
    client, citizen, make_holding
):
    holding = make_holding()
    holding_link_by_nid(user=citizen, holding=holding, nid=OWNER_NID)
    client.force_login(citizen)
    english(client)
    statement = f"/holdings/{holding.pk}/"
    url = f"/holdings/{holding.pk}/objection/"
    assert "data-objection=" not in body(client.get(statement))
    assert f'href="{url}">Object to the assessment' in body(client.get(statement))
    response = client.post(url, {"reason": "The ground floor is closed.", "claimed_rent": ""})
    assert response.status_code == 302

    page = body(client.get(statement))
    assert 'data-objection="open"' in page and "Waiting for a decision" in page
    assert "you can file another objection only after this one is decided" in page
    assert "Object to the assessment</a>" not in page
    form_page = body(client.get(url))
    assert "data-objection-open" in form_page and 'name="reason"' not in form_page
    # A second one sent all the same is refused by the service: still one.
    client.post(url, {"reason": "Again.", "claimed_rent": ""})
    assert Objection.objects.count() == 1

    objection = Objection.objects.get()
    objection.status = Objection.Status.REJECTED
    objection.decision_reason = "The rent roll shows the shop let."
    objection.save()
    page = body(client.get(statement))
    assert 'data-objection="rejected"' in page and "The rent roll shows the shop let." in page
    assert f'href="{url}">Object to the assessment' in page


# --- the register import -----------------------------------------------------------------------


@pytest.fixture
def assessor(client, make_user):
    client.force_login(make_user(Role.ASSESSOR))
    return english(client)


def test_a_file_of_another_type_is_refused_naming_its_type(assessor):
    response = assessor.post(
        "/holdings/import/", {"file": SimpleUploadedFile("register.pdf", b"%PDF-1.4")}
    )
    page = body(response)
    assert "A .pdf file is not a register this page reads." in page
    assert "Upload a .csv or .xlsx file" in page
    assert "<title>Error: " in page
    parsed = importer.parse(io.BytesIO(b"x"), "register")
    assert parsed.errors == [importer.wrong_type_message("register")]
    assert "no type (.csv or .xlsx) at the end of its name" in parsed.errors[0]


def test_wrong_headers_say_which_column_was_meant_or_that_the_header_row_is_missing():
    header = ",".join(importer.COLUMNS).replace("holding_number", "holding_no")
    parsed = importer.parse(io.BytesIO(f"{header}\n1,10\n".encode()), "register.csv")
    assert "Column “holding_no” is not known: did you mean “holding_number”?" in parsed.errors
    parsed = importer.parse(io.BytesIO(b"3,45/A,Road\n4,46,Road\n"), "register.csv")
    assert any("it names only 1 of the 16 columns" in e for e in parsed.errors)
