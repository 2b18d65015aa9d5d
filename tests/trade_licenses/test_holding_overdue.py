"""Overdue (বকেয়া) means past its due date: the worked example of issue 13, end to end.

An owner pays Q1 and Q2 of 2026-27 on time (due 30 September and 31 December). On
2 December nothing is overdue — Q3 and Q4 are not yet due — so has_dues is False, the
statement says "paid up to Q2" with Q3 next (due 31 March), the no-dues certificate is
issued and a trade licence for premises in the holding can be approved. Q3 becomes
overdue the day after its due date (1 April): then everything refuses, with the amount.

Here rather than in tests/holdings because the licence half needs the trade-licence
fixtures (the holdings half goes through holdings' own services and pages).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from core.roles import Role
from holdings.demands import generate_demands
from holdings.documents import issue_no_dues_certificate
from holdings.models import Instalment, NoDuesCertificate
from holdings.public import holding_check
from holdings.selectors import has_dues, statement
from holdings.services import assessment_record, holding_bill, holding_create, owner_add
from payments.models import CounterSession
from payments.services import counter_session_open, counter_take_cash
from trade_licenses.models import Application
from trade_licenses.services import (
    application_issue_bill,
    application_submit,
    application_transition,
    document_add,
    inspection_record,
)

from .conftest import DHAKA, image_bytes

S = Application.Status
pytestmark = pytest.mark.django_db

FY = "2026-27"


def at(year: int, month: int, day: int):
    return time_machine.travel(datetime(year, month, day, 11, 0, tzinfo=DHAKA), tick=False)


def pay_at_counter(clerk, holding, instalments):
    bill = holding_bill(holding=holding, instalments=instalments)
    session = CounterSession.objects.filter(
        clerk=clerk, status=CounterSession.Status.OPEN
    ).first() or counter_session_open(clerk=clerk)
    counter_take_cash(session=session, bills=[bill], clerk=clerk)


@pytest.fixture
def owner_user(make_user):
    return make_user(Role.CITIZEN, mobile="01819123456", name_en="Rahim Uddin")


@pytest.fixture
def holding(owner_user):
    """Holding 77 of ward 5, yearly rent 1,20,000 → valuation 1,00,000 → 17,000 a year,
    four instalments of 4,250 due 30 Sep 2026, 31 Dec 2026, 31 Mar 2027, 30 Jun 2027."""
    with at(2026, 7, 5):
        h = holding_create(ward=5, number="77", road="KDA Avenue", mahalla="Sonadanga")
        owner = owner_add(
            holding=h, name_bn="রহিম উদ্দিন", name_en="Rahim Uddin", mobile="01819123456"
        )
        owner.user = owner_user
        owner.save()
        assessment_record(holding=h, effective_fy="2025-26", annual_rent="120000")
        generate_demands(FY)
    return h


@pytest.fixture
def apply_for_licence(
    make_business,
    make_draft,
    add_documents,
    trader,
    inspector,
    pdf_file,
    django_capture_on_commit_callbacks,
):
    """A new licence application for premises owned in holding 5/77, up to approval."""

    def make(name_en: str) -> Application:
        business = make_business(
            name_en=name_en, premises_owned=True, holding_ward="5", holding_number="77"
        )
        application = make_draft(business)
        document_add(
            application=application, kind="holding_tax_receipt", file=pdf_file(), actor=trader
        )
        add_documents(application, trader)
        with django_capture_on_commit_callbacks(execute=True):
            application_submit(application=application, actor=trader)
            application_transition(application=application, to=S.INSPECTION, actor=inspector)
            inspection_record(
                application=application,
                inspector=inspector,
                findings="Shop open, signboard as declared.",
                photos=[_photo()],
            )
            return application_transition(application=application, to=S.APPROVAL, actor=inspector)

    return make


def _photo():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("front.png", image_bytes("PNG"), content_type="image/png")


def test_q1_q2_paid_on_time_on_2_december_means_no_dues_and_a_no_dues_certificate(
    client, holding, owner_user, clerk, officer, apply_for_licence, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    q1, q2, q3, q4 = Instalment.objects.filter(demand__holding=holding).order_by("quarter")
    assert [i.due_date for i in (q1, q2, q3, q4)] == [
        date(2026, 9, 30),
        date(2026, 12, 31),
        date(2027, 3, 31),
        date(2027, 6, 30),
    ]
    assert {i.amount for i in (q1, q2, q3, q4)} == {Decimal("4250.00")}
    with at(2026, 9, 20):
        pay_at_counter(clerk, holding, [q1])

    with at(2026, 12, 2):
        pay_at_counter(clerk, holding, [q2])
        # Q3 and Q4 are unpaid but not yet due: nothing is overdue.
        assert has_dues(holding.pk) is False
        st = statement(holding)
        assert (st.paid_up_to, st.next_due) == (q2, q3)
        assert st.total_overdue == Decimal("0.00") and not st.overdue_instalments
        # What the owner may still pay early is offered as before.
        assert st.total_due == Decimal("8500.00")
        assert [i.quarter for i in st.due_instalments] == [3, 4]

        client.force_login(owner_user)
        client.cookies["kcc_language"] = "en"
        page = client.get(f"/holdings/{holding.pk}/").content.decode()
        assert 'data-overdue="0.00"' in page and "up to date" in page
        assert re.search(r"Paid up to</dt><dd data-paid-up-to>Q2 of 2026-27</dd>", page)
        assert "Q3 of 2026-27: ৳4,250.00 by 31 March 2027" in page
        assert "Overdue</strong>" not in page
        assert "The next instalment" in page and 'data-due="8500.00"' in page
        client.cookies["kcc_language"] = "bn"
        page = client.get(f"/holdings/{holding.pk}/").content.decode()
        q3_row = re.search(r'<tr data-quarter="3".*?</tr>', page, re.S).group(0)
        assert "পরিশোধযোগ্য" in q3_row and "বকেয়া" not in q3_row
        assert "হালনাগাদ" in page
        assert "২০২৬-২৭ অর্থবছরের ২ নং কিস্তি পর্যন্ত" in page
        dashboard = client.get("/dashboard/").content.decode()
        assert "কোনো বকেয়া নেই" in dashboard

        certificate = issue_no_dues_certificate(holding, actor=owner_user)
        assert certificate.paid_up_to == date(2026, 12, 31)  # Q2's due date
        assert certificate.valid_until == date(2027, 3, 31)  # until Q3 falls due

        assert holding_check(ward="5", number="77").has_dues is False
        application = apply_for_licence("Karim Store")
        assert application_issue_bill(application=application, actor=officer).status == S.BILLED

    with at(2027, 3, 31):  # Q3's due date itself: paid today is on time
        assert has_dues(holding.pk) is False

    with at(2027, 4, 1):  # the day after: Q3 is overdue (বকেয়া)
        assert has_dues(holding.pk) is True
        st = statement(holding)
        assert st.overdue_instalments == [q3] and st.total_overdue == Decimal("4250.00")
        assert st.next_due == q4
        with (
            translation.override("en"),
            pytest.raises(
                ValidationError,
                match=r"Holding 77, ward 5, KDA Avenue has ৳4,250\.00 of "
                r"holding tax overdue",
            ) as exc,
        ):
            issue_no_dues_certificate(holding)
        assert exc.value.code == "has_dues"
        with (
            translation.override("bn"),
            pytest.raises(
                ValidationError,
                match="হোল্ডিং ৭৭, ওয়ার্ড ৫, KDA Avenue-এর ৳৪,২৫০.০০ হোল্ডিং ট্যাক্স বকেয়া আছে",
            ),
        ):
            issue_no_dues_certificate(holding)
        assert NoDuesCertificate.objects.count() == 1

        assert holding_check(ward="5", number="77").has_dues is True
        application = apply_for_licence("Karim Pharmacy")
        with (
            translation.override("en"),
            pytest.raises(ValidationError, match="owes holding tax") as exc,
        ):
            application_issue_bill(application=application, actor=officer)
        assert exc.value.code == "holding_dues"


def test_an_instalment_not_yet_due_never_counts_and_arrears_always_do(holding):
    """The boundary: overdue from the day after the due date; arrears are overdue by
    definition, whatever the date."""
    with at(2026, 9, 30):
        assert has_dues(holding.pk) is False  # Q1 due today, unpaid: not yet overdue
        assert statement(holding).next_due.quarter == 1
    with at(2026, 10, 1):
        assert has_dues(holding.pk) is True
        st = statement(holding)
        assert [i.quarter for i in st.overdue_instalments] == [1]
        assert st.paid_up_to is None and st.next_due.quarter == 2
    with at(2027, 7, 10):  # next year's demand carries 2026-27 into arrears
        generate_demands("2027-28")
        st = statement(holding)
        assert st.due_arrears and not st.overdue_instalments  # 2027-28 Q1 not yet due
        assert st.total_overdue == st.due_arrears[0].principal + st.due_arrears[0].surcharge
        assert has_dues(holding.pk) is True
