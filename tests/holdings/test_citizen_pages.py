"""Citizen holding pages: linking (NID, SMS code), the statement, paying (gateway, cart),
quick pay without an account, the counter desk, the dashboard panel and seed_demo."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.models import SmsMessage
from core.fiscal import current_fiscal_year, previous_fiscal_year
from core.roles import Role
from holdings.demands import generate_demands
from holdings.models import Arrear, Assessment, Demand, Holding, Instalment, Owner
from holdings.services import holding_link_by_nid
from payments.models import Bill, Payment

from .conftest import OWNER_MOBILE, OWNER_NID

LINK = "/holdings/link/"
MINE = "/holdings/"
QUICK = "/holdings/quick-pay/"
COUNTER = "/holdings/counter/"


def as_user(client, user, lang: str = "en"):
    client.force_login(user)
    client.cookies["kcc_language"] = lang
    return client


def english(client):
    client.cookies["kcc_language"] = "en"
    return client


def body(response) -> str:
    return response.content.decode()


def owner_of(holding) -> Owner:
    return holding.owners.get()


def linked(holding, user):
    holding_link_by_nid(user=user, holding=holding, nid=OWNER_NID)
    return holding


# --- linking ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_link_by_nid_accepts_bengali_digits_in_nid_ward_and_holding_number(
    client, citizen, make_holding
):
    holding = make_holding()
    response = as_user(client, citizen).post(
        LINK, {"ward": "৩", "number": "৪৫/a", "method": "nid", "nid": "১৯৮৭৬৫৪৩২১"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/holdings/{holding.pk}/"
    assert owner_of(holding).user == citizen
    page = body(client.get(response["Location"]))
    assert "is now linked to your account" in page


@pytest.mark.django_db
def test_wrong_nid_is_refused_with_a_message_and_nothing_is_linked(client, citizen, make_holding):
    holding = make_holding()
    response = as_user(client, citizen).post(
        LINK, {"ward": "3", "number": "45/A", "method": "nid", "nid": "1111111111"}
    )
    assert response.status_code == 200
    assert "This NID is not recorded for any owner of the holding." in body(response)
    assert owner_of(holding).user is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ward", "number", "message"),
    [
        ("99", "45/A", "There is no ward 99 in this city."),
        ("3", "999", "No holding 999 is registered in ward 3."),
        ("3", "??", "Enter a holding number such as 123, 12/A or"),
    ],
)
def test_unknown_ward_or_holding_gets_a_clear_message(
    client, citizen, make_holding, ward, number, message
):
    make_holding()
    response = as_user(client, citizen).post(
        LINK, {"ward": ward, "number": number, "method": "nid", "nid": OWNER_NID}
    )
    assert response.status_code == 200
    assert message in body(response)
    assert not Owner.objects.filter(user=citizen).exists()


def _sent_code() -> str:
    sms = SmsMessage.objects.filter(kind="code", to=OWNER_MOBILE).first()
    assert sms is not None
    return re.search(r"\b(\d{6})\b", sms.text).group(1)


@pytest.mark.django_db
def test_link_by_code_to_the_owners_mobile(client, citizen, make_holding):
    holding = make_holding()
    response = as_user(client, citizen).post(
        LINK, {"ward": "3", "number": "45/A", "method": "code"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/holdings/link/{holding.pk}/code/"
    page = body(client.get(response["Location"]))
    assert "018•••••456" in page and OWNER_MOBILE not in page
    code = _sent_code()

    wrong = "000000" if code != "000000" else "111111"
    response = client.post(f"/holdings/link/{holding.pk}/code/", {"code": wrong})
    assert response.status_code == 200
    assert "Wrong code. Check the SMS and try again." in body(response)
    assert owner_of(holding).user is None

    bengali = code.translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))
    response = client.post(f"/holdings/link/{holding.pk}/code/", {"code": bengali})
    assert response.status_code == 302 and response["Location"] == f"/holdings/{holding.pk}/"
    assert owner_of(holding).user == citizen


@pytest.mark.django_db
def test_expired_code_is_refused_and_a_new_one_can_be_sent(client, citizen, make_holding):
    holding = make_holding()
    as_user(client, citizen).post(LINK, {"ward": "3", "number": "45/A", "method": "code"})
    code = _sent_code()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        response = client.post(f"/holdings/link/{holding.pk}/code/", {"code": code})
        assert response.status_code == 200
        assert "The code has expired. Ask for a new one." in body(response)
        assert owner_of(holding).user is None
        response = client.post(f"/holdings/link/{holding.pk}/code/", {"resend": "1"})
        assert response.status_code == 302
        assert SmsMessage.objects.filter(kind="code").count() == 2


@pytest.mark.django_db
def test_code_page_without_asking_for_a_code_sends_back_to_the_link_form(
    client, citizen, make_holding
):
    holding = make_holding()
    response = as_user(client, citizen).get(f"/holdings/link/{holding.pk}/code/")
    assert response.status_code == 302 and response["Location"].startswith(LINK)


# --- my holdings, statement and permissions --------------------------------------------------


@pytest.mark.django_db
def test_my_holdings_empty_state_then_the_linked_holding_with_its_dues(
    client, citizen, make_holding
):
    page = body(as_user(client, citizen).get(MINE))
    assert "No holding is linked to your account yet." in page and 'href="/holdings/link/"' in page
    # 7% + 7% + 3% of the valuation 1,00,000 = 17,000 a year, 4,250 a quarter. Only what
    # is past its due date is overdue: nothing before 30 September, Q1 from 1 October.
    with time_machine.travel(datetime.datetime(2025, 8, 15, 10, tzinfo=datetime.UTC)):
        holding = linked(make_holding("2025-26"), citizen)
        page = body(client.get(MINE))
        assert f'href="/holdings/{holding.pk}/"' in page
        assert 'data-overdue="0.00" data-due="17000.00"' in page and "up to date" in page
        assert "৳4,250.00 by 30 September 2025" in page
    with time_machine.travel(datetime.datetime(2025, 10, 1, 10, tzinfo=datetime.UTC)):
        page = body(client.get(MINE))
        assert 'data-overdue="4250.00" data-due="17000.00"' in page
        assert "<strong>৳4,250.00</strong>" in page and "৳4,250.00 by 31 December 2025" in page


@pytest.mark.django_db
def test_statement_shows_each_line_with_its_rule_and_the_instalments(client, citizen, make_holding):
    holding = linked(make_holding(), citizen)
    demand = Demand.objects.get(holding=holding)
    page = body(as_user(client, citizen).get(f"/holdings/{holding.pk}/"))
    for line in demand.lines.all():
        assert line.rule in page
    assert f"FY {demand.fiscal_year} schedule: residential rate on the annual valuation" in page
    assert "7% of the residential annual valuation ৳1,00,000.00" in page
    assert "3% of the residential annual valuation" in page
    assert "yearly rent ৳1,20,000.00 less one sixth (two months&#x27; rent) for maintenance" in page
    assert page.count('data-quarter="') == 4
    for inst in demand.instalments.all():
        assert inst.due_date.strftime("%-d %B %Y") in page
    assert "৳4,250.00" in page
    assert "The next instalment" in page and "The whole year" in page


@pytest.mark.django_db
def test_statement_in_bengali_uses_bengali_digits(client, citizen, make_holding):
    holding = linked(make_holding(), citizen)
    page = body(as_user(client, citizen, "bn").get(f"/holdings/{holding.pk}/"))
    assert "৳১৭,০০০.০০" in page


@pytest.mark.django_db
def test_someone_elses_statement_is_404_and_staff_may_read_it(
    client, citizen, make_user, make_holding
):
    holding = linked(make_holding(), citizen)
    url = f"/holdings/{holding.pk}/"
    assert as_user(client, make_user()).get(url).status_code == 404
    assert as_user(client, make_user()).post(url, {"what": "next"}).status_code == 404
    assert not Bill.objects.exists()
    for role in (Role.COUNTER_CLERK, Role.ASSESSOR, Role.REVENUE_OFFICER):
        response = as_user(client, make_user(role)).get(url)
        assert response.status_code == 200, role
        assert 'name="what"' not in body(response)  # staff read; the owner pays
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/holdings/999999/").status_code == 302


@pytest.mark.django_db
def test_dashboard_panel_lists_my_holdings_with_what_is_due(client, citizen, make_holding):
    page = body(as_user(client, citizen).get("/dashboard/"))
    assert 'data-section="holdings"' in page and "Link a holding" in page
    with time_machine.travel(datetime.datetime(2025, 9, 30, 10, tzinfo=datetime.UTC)):
        holding = linked(make_holding("2025-26"), citizen)
        page = body(client.get("/dashboard/"))  # Q1 due today: not yet overdue
        assert f'href="/holdings/{holding.pk}/"' in page
        assert "1 holding linked; nothing overdue." in page
    with time_machine.travel(datetime.datetime(2025, 10, 1, 10, tzinfo=datetime.UTC)):
        page = body(client.get("/dashboard/"))
        assert "1 holding linked; ৳4,250.00 overdue." in page
        page = body(as_user(client, citizen, "bn").get("/dashboard/"))
        assert "১টি হোল্ডিং লিংক করা আছে; বকেয়া ৳৪,২৫০.০০।" in page


@pytest.mark.django_db
def test_my_holdings_list_takes_the_same_queries_for_one_or_many_holdings(
    client, citizen, make_holding, django_assert_num_queries
):
    from holdings.dashboard_panels import holdings_with_dues

    linked(make_holding(), citizen)
    with django_assert_num_queries(3):
        assert len(holdings_with_dues(citizen)) == 1
    for number in ("46", "47", "48"):
        linked(make_holding(number=number), citizen)
    with django_assert_num_queries(3):
        rows = holdings_with_dues(citizen)
    assert [r["due"] for r in rows] == [Decimal("17000.00")] * 4


# --- paying ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_whole_year_before_the_first_due_date_gets_the_rebate_and_goes_to_the_gateway(
    client, citizen, make_holding, gateway
):
    with time_machine.travel(datetime.datetime(2025, 8, 15, 10, tzinfo=datetime.UTC)):
        holding = linked(make_holding("2025-26"), citizen)
        url = f"/holdings/{holding.pk}/"
        page = body(as_user(client, citizen).get(url))
        assert "less a rebate of ৳1,700.00 for paying early: ৳15,300.00" in page
        response = client.post(url, {"what": "year", "to": "gateway"})
    assert response.status_code == 302
    assert response["Location"].startswith(gateway.url)
    bill = Bill.objects.get(service="holdings")
    assert bill.payer == citizen and bill.status == "open"
    assert sum(line.amount for line in bill.lines.filter(head="rebate")) == Decimal("-1700.00")
    assert bill.total == Decimal("15300.00")
    rebate = bill.lines.filter(head="rebate").first()
    assert "10" in rebate.explanation and "4 instalments" in rebate.explanation
    payment = Payment.objects.get()
    assert payment.status == "pending" and payment.gateway_url == response["Location"]
    assert payment.amount == bill.total


@pytest.mark.django_db
def test_pay_together_with_other_bills_puts_the_bill_in_the_cart(client, citizen, make_holding):
    holding = linked(make_holding(), citizen)
    response = as_user(client, citizen).post(
        f"/holdings/{holding.pk}/", {"what": "next", "to": "cart"}
    )
    assert response.status_code == 302 and response["Location"] == "/payments/bills/"
    bill = Bill.objects.get(service="holdings", payer=citizen)
    assert bill.total == Decimal("4250.00") and bill.status == "open"
    assert not Payment.objects.exists()
    page = body(client.get("/payments/bills/"))
    assert bill.number in page and "Pay it together with your other bills" in page


@pytest.mark.django_db
def test_gateway_down_shows_a_message_and_leaves_everything_due(
    client, citizen, make_holding, settings
):
    settings.SSLCOMMERZ_BASE_URL = "http://127.0.0.1:9/gateway"  # nothing listens there
    holding = linked(make_holding(), citizen)
    response = as_user(client, citizen).post(
        f"/holdings/{holding.pk}/", {"what": "next"}, follow=True
    )
    assert "The payment could not start" in body(response)
    assert not Instalment.objects.filter(status="paid").exists()
    # The bill stays open (its payment failed, nothing is under way): trying again uses it.
    bill = Bill.objects.get(status="open")
    assert not bill.payments.filter(status__in=["initiated", "pending"]).exists()
    client.post(f"/holdings/{holding.pk}/", {"what": "next"})
    assert Bill.objects.get(status="open") == bill and bill.payments.count() == 2


@pytest.mark.django_db
def test_arrears_are_offered_with_their_surcharge(client, citizen, make_holding):
    from core.fiscal import current_fiscal_year, previous_fiscal_year

    current = current_fiscal_year()
    holding = make_holding(previous_fiscal_year(current))
    generate_demands(current)
    linked(holding, citizen)
    arrear = Arrear.objects.get(holding=holding)
    page = body(as_user(client, citizen).get(f"/holdings/{holding.pk}/"))
    assert "All arrears of earlier years" in page and "15% surcharge" in page
    response = client.post(f"/holdings/{holding.pk}/", {"what": "arrears", "to": "cart"})
    assert response.status_code == 302
    bill = Bill.objects.get(service="holdings")
    assert bill.total == arrear.principal + arrear.surcharge


# --- quick pay -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_quick_pay_shows_only_the_masked_owner_name(client, make_holding):
    make_holding()
    page = body(english(client).get(QUICK, {"ward": "৩", "number": "45/A"}))
    assert "R**** U****" in page
    assert "Rahim" not in page and "Uddin" not in page and "রহিম" not in page
    assert OWNER_NID not in page and OWNER_MOBILE not in page and "01819" not in page
    assert "Sir Iqbal Road" in page and "৳17,000.00" in page
    assert "The next instalment" in page


@pytest.mark.django_db
def test_quick_pay_unknown_ward_or_holding(client, make_holding):
    make_holding()
    page = body(english(client).get(QUICK, {"ward": "3", "number": "46"}))
    assert "No holding 46 is registered in ward 3." in page
    page = body(client.get(QUICK, {"ward": "77", "number": "1"}))
    assert "There is no ward 77 in this city." in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ward", "number", "field", "code"),
    [
        ("৩", "৪৫/A", None, None),
        ("3", "45/a", None, None),
        ("77", "45/A", "ward", "unknown_ward"),
        ("x", "45/A", "ward", "unknown_ward"),
        ("77", "??", "ward", "unknown_ward"),
        ("3", "46", "number", "unknown_holding"),
    ],
)
def test_lookup_finds_the_holding_with_its_ward_in_one_query(
    make_holding, django_assert_num_queries, ward, number, field, code
):
    from holdings.citizen_forms import HoldingLookupForm

    holding = make_holding()
    form = HoldingLookupForm({"ward": ward, "number": number})
    if field is None:
        with django_assert_num_queries(1):
            assert form.is_valid(), form.errors
            assert form.holding == holding and form.cleaned_data["ward"] == holding.ward
            assert form.holding.ward.number == 3  # read with it
        return
    assert not form.is_valid()
    assert code in [e.code for e in form.errors.as_data()[field]]
    assert form.holding is None


@pytest.mark.django_db
def test_quick_pay_lookups_are_rate_limited_per_ip(client, make_holding):
    make_holding()
    english(client)
    for _ in range(30):
        assert client.get(QUICK, {"ward": "3", "number": "45/A"}).status_code == 200
    response = client.get(QUICK, {"ward": "3", "number": "45/A"})
    assert response.status_code == 429
    assert "Too many look-ups from your connection" in body(response)
    assert "R**** U****" not in body(response)
    other = client.get(QUICK, {"ward": "3", "number": "45/A"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_quick_pay_bills_nobody_and_keeps_the_owners_contact_private(client, make_holding, gateway):
    make_holding()
    response = english(client).post(
        QUICK, {"ward": "3", "number": "45/A", "what": "next", "mobile": "০১৭১২৩৪৫৬৭৮"}
    )
    assert response.status_code == 302 and response["Location"].startswith(gateway.url)
    bill = Bill.objects.get(service="holdings")
    assert bill.payer is None and bill.payer_name == "R**** U****"
    assert bill.payer_mobile == "01712345678"
    payment = Payment.objects.get()
    assert payment.payer is None and payment.payer_mobile == "01712345678"
    assert payment.payer_name == "R**** U****"

    # Two instalments, one of them in a payment under way: refused, saying when to retry;
    # the bill being paid is untouched.
    response = client.post(QUICK, {"ward": "3", "number": "45/A", "what": "next_2"})
    assert response.status_code == 200
    assert "A payment for this is in progress. Try again in 15 minutes." in body(response)
    assert Bill.objects.filter(service="holdings", status="open").get() == bill
    # The same instalment again: the second payer gets the same bill, with a payment of
    # their own.
    response = client.post(
        QUICK, {"ward": "3", "number": "45/A", "what": "next", "mobile": "01812345678"}
    )
    assert response.status_code == 302
    assert Bill.objects.filter(service="holdings", status="open").get() == bill
    second = Payment.objects.exclude(pk=payment.pk).get(items__bill=bill)
    assert second.payer_mobile == "01812345678" and second.payer_name == "R**** U****"


@pytest.mark.django_db
def test_quick_pay_bad_mobile_is_refused(client, make_holding):
    make_holding()
    response = english(client).post(
        QUICK, {"ward": "3", "number": "45/A", "what": "next", "mobile": "12345"}
    )
    assert response.status_code == 200
    assert "Enter an 11-digit Bangladeshi mobile number" in body(response)
    assert not Bill.objects.exists()


# --- counter ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_permission_matrix_of_the_pages_without_ids(client, make_user, role):
    as_user(client, make_user(role))
    counter = 200 if role in (Role.COUNTER_CLERK, Role.ADMINISTRATOR) else 403
    assert {url: client.get(url).status_code for url in (MINE, LINK, QUICK, COUNTER)} == {
        MINE: 200,
        LINK: 200,
        QUICK: 200,
        COUNTER: counter,
    }


@pytest.mark.django_db
def test_anonymous_gets_quick_pay_and_is_sent_to_sign_in_elsewhere(client):
    assert client.get(QUICK).status_code == 200
    for url in (MINE, LINK, COUNTER):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_counter_is_for_clerks_only(client, citizen, make_user):
    assert as_user(client, citizen).get(COUNTER).status_code == 403
    assert as_user(client, make_user(Role.ASSESSOR)).get(COUNTER).status_code == 403
    client.logout()
    response = client.get(COUNTER)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert as_user(client, make_user(Role.COUNTER_CLERK)).get(COUNTER).status_code == 200


@pytest.mark.django_db
def test_counter_bills_chosen_instalments_and_sends_the_clerk_to_take_cash(
    client, make_user, make_holding
):
    holding = make_holding()
    clerk = as_user(client, make_user(Role.COUNTER_CLERK))
    page = body(clerk.get(COUNTER, {"ward": "3", "number": "৪৫/A"}))
    assert "Rahim Uddin" in page and "The next instalment" in page
    assert f"FY {Demand.objects.get().fiscal_year} schedule" in page
    response = clerk.post(
        COUNTER, {"ward": "3", "number": "45/A", "action": "bill", "what": "next_2"}
    )
    bill = Bill.objects.get(service="holdings")
    assert response.status_code == 302
    assert response["Location"] == f"/payments/counter/?q={bill.number}"
    assert bill.total == Decimal("8500.00") and bill.subject_id == f"3/{holding.number}"
    assert "Rahim Uddin" in bill.payer_name


@pytest.mark.django_db
def test_counter_links_a_holding_to_a_citizens_account_by_mobile(
    client, citizen, make_user, make_holding
):
    holding = make_holding()
    owner = owner_of(holding)
    clerk = as_user(client, make_user(Role.COUNTER_CLERK))
    response = clerk.post(
        COUNTER,
        {
            "ward": "3",
            "number": "45/A",
            "action": "link",
            "owner": owner.pk,
            "mobile": "01799999999",
        },
    )
    assert "No portal account uses this mobile number" in body(response)
    assert owner_of(holding).user is None
    response = clerk.post(
        COUNTER,
        {
            "ward": "3",
            "number": "45/A",
            "action": "link",
            "owner": owner.pk,
            "mobile": citizen.mobile,
        },
    )
    assert response.status_code == 302
    assert owner_of(holding).user == citizen


# --- seed_demo -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_twice_creates_nothing_twice():
    from accounts.demo import CITIZEN_MOBILE
    from accounts.models import User

    def counts():
        return [
            m.objects.count()
            for m in (Holding, Owner, Assessment, Demand, Instalment, Arrear, Bill)
        ]

    call_command("seed_demo", stdout=None)
    first = counts()
    assert first[0] >= 300 and first[5] > 0
    assert Holding.objects.values("ward").distinct().count() >= 31
    call_command("seed_demo", stdout=None)
    assert counts() == first
    citizen = User.objects.get(mobile=CITIZEN_MOBILE)
    mine = Holding.objects.filter(owners__user=citizen, ward__number=1)
    assert sorted(mine.values_list("number", flat=True)) == ["12", "12/A"]
    assert Owner.objects.filter(user=citizen, nid="1234567890").count() == 2
    assert Arrear.objects.filter(holding__number="12/A", holding__ward__number=1).exists()
    # The demo citizen's open bills are real holding-tax bills: the next instalment of each
    # holding and 12/A's arrears, made once.
    bills = Bill.objects.filter(payer=citizen, status="open")
    assert sorted(bills.values_list("service", "subject_label_en", "period_label")) == [
        ("holdings", "Holding 12, ward 1, KDA Avenue", f"FY {current_fiscal_year()} Q1"),
        ("holdings", "Holding 12/A, ward 1, KDA Avenue", f"FY {current_fiscal_year()} Q1"),
        (
            "holdings",
            "Holding 12/A, ward 1, KDA Avenue",
            f"arrears FY {previous_fiscal_year(current_fiscal_year())}",
        ),
    ]
    assert not Bill.objects.filter(service="demo").exists()


def test_owner_files_an_objection_and_it_is_audited(client, make_user):
    from core.models import AuditLog
    from holdings.models import Objection
    from holdings.services import assessment_record, holding_create

    owner = make_user()
    holding = holding_create(ward=3, number="77")
    holding.owners.create(name_en="Owner", user=owner)
    assessment_record(holding=holding, effective_fy="2025-26", annual_rent="120000")
    client.force_login(owner)
    url = f"/holdings/{holding.pk}/objection/"
    response = client.post(url, {"reason": "", "claimed_rent": "৯০০০০"})
    assert response.status_code == 200 and not Objection.objects.exists()
    response = client.post(
        url, {"reason": "The ground floor is a shop that is closed.", "claimed_rent": "৯০০০০"}
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.claimed_rent == 90000 and objection.filed_by == owner
    assert AuditLog.objects.filter(action="holding.objection_filed").exists()
    other = make_user()
    client.force_login(other)
    assert client.get(url).status_code == 404
