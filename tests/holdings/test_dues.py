"""Every due in one place, holding tax's part (holdings/dues.py): what a linked owner owes
with no bill yet, the bill for one choice, and the city's own word for holding tax."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from core import portal
from core.models import CityProfile
from holdings.dues import bill_due, open_dues
from holdings.services import holding_link_by_nid
from payments.models import Bill

from .conftest import OWNER_NID

pytestmark = pytest.mark.django_db

# FY 2025-26: Q1 falls due on 30 September, Q2 on 31 December; 4,250 taka each.
MID_OCTOBER = datetime.datetime(2025, 10, 15, 10, tzinfo=datetime.UTC)


def linked(holding, user):
    holding_link_by_nid(user=user, holding=holding, nid=OWNER_NID)
    return holding


def test_q1_overdue_on_15_october_and_q2_next_are_listed_with_no_bill_yet(citizen, make_holding):
    with time_machine.travel(MID_OCTOBER):
        holding = linked(make_holding("2025-26"), citizen)
        with translation.override("en"):
            dues = open_dues(citizen)
            assert [(d.token, d.overdue, d.amount) for d in dues] == [
                (f"h{holding.pk}:overdue", True, Decimal("4250.00")),
                (f"h{holding.pk}:next", False, Decimal("4250.00")),
            ]
            assert dues[0].due_date == datetime.date(2025, 9, 30)
            assert dues[1].due_date == datetime.date(2025, 12, 31)
            assert str(dues[0].label) == "Holding tax — Holding 45/A, ward 3, Sir Iqbal Road"
            assert str(dues[0].period) == "FY 2025-26, instalment 1"
            assert dues[0].url == f"/holdings/{holding.pk}/"
        with translation.override("bn"):  # KCC's own word, পৌরকর, from the city profile
            assert str(dues[0].label).startswith("পৌরকর — হোল্ডিং ৪৫/A, ওয়ার্ড ৩")
        assert not Bill.objects.exists()
        with translation.override("en"):  # collected through the declaration
            assert [d.token for d in portal.open_dues(citizen)] == [d.token for d in dues]


def test_billing_the_overdue_instalment_twice_gives_the_same_bill_and_the_due_is_then_billed(
    citizen, make_holding
):
    with time_machine.travel(MID_OCTOBER):
        holding = linked(make_holding("2025-26"), citizen)
        token = f"h{holding.pk}:overdue"
        bill = bill_due(citizen, token, citizen)
        assert bill_due(citizen, token, citizen) == bill
        assert Bill.objects.count() == 1
        assert bill.payer == citizen and bill.total == Decimal("4250.00")
        assert bill.status == Bill.Status.OPEN
        # The overdue instalment is now covered by the open bill (listed among the bills).
        assert [d.token for d in open_dues(citizen)] == [f"h{holding.pk}:next"]


def test_next_instalment_is_billed_with_its_rebate_when_paid_early(citizen, make_holding):
    with time_machine.travel(datetime.datetime(2025, 8, 1, 10, tzinfo=datetime.UTC)):
        holding = linked(make_holding("2025-26"), citizen)
        assert [d.token for d in open_dues(citizen)] == [f"h{holding.pk}:next"]
        bill = bill_due(citizen, f"h{holding.pk}:next", citizen)
        assert bill.total <= Decimal("4250.00") and bill.period_label == "FY 2025-26 Q1"


def test_a_due_of_someone_elses_holding_is_refused_and_nothing_is_billed(
    citizen, make_user, make_holding
):
    with time_machine.travel(MID_OCTOBER):
        holding = linked(make_holding("2025-26"), citizen)
        stranger = make_user(name_en="Stranger")
        assert open_dues(stranger) == []
        for token in (f"h{holding.pk}:overdue", "h0:overdue", "x", f"h{holding.pk}:all"):
            with pytest.raises(ValidationError):
                bill_due(stranger, token, stranger)
        with pytest.raises(ValidationError):  # the owner, an unknown choice
            bill_due(citizen, f"h{holding.pk}:everything", citizen)
        assert not Bill.objects.exists()


def test_nothing_left_to_bill_is_refused(citizen, make_holding):
    with time_machine.travel(datetime.datetime(2025, 8, 1, 10, tzinfo=datetime.UTC)):
        holding = linked(make_holding("2025-26"), citizen)
        with pytest.raises(ValidationError):  # nothing is overdue on 1 August
            bill_due(citizen, f"h{holding.pk}:overdue", citizen)
        assert not Bill.objects.exists()


def test_the_city_profile_gives_the_word_for_holding_tax(citizen, make_holding, client):
    city = CityProfile.current()
    assert (city.holding_tax_name_bn, city.holding_tax_name_en) == ("পৌরকর", "Holding tax")
    client.cookies["kcc_language"] = "bn"
    assert "পৌরকর" in client.get("/").content.decode()
    city.holding_tax_name_bn = "হোল্ডিং ট্যাক্স"  # Gazipur's word
    city.save()
    page = client.get("/").content.decode()
    assert "হোল্ডিং ট্যাক্স" in page and "পৌরকর" not in page
    with time_machine.travel(MID_OCTOBER):
        linked(make_holding("2025-26"), citizen)
        with translation.override("bn"):
            assert str(open_dues(citizen)[0].label).startswith("হোল্ডিং ট্যাক্স — ")


def test_load_city_reads_the_word_for_holding_tax():
    from core.cities import HERE, read_city

    assert read_city(HERE / "gazipur.json")["holding_tax_name_bn"] == "হোল্ডিং ট্যাক্স"
    assert read_city(HERE / "kcc.json")["holding_tax_name_bn"] == "পৌরকর"


def test_a_due_partly_on_an_open_bill_is_listed_and_billed_without_that_part(citizen, make_holding):
    """Q1 on an open bill already; by 15 January Q2 is overdue too. The list shows Q2 alone
    (4,250), and billing "overdue" bills Q2 alone: the Q1 bill is not replaced."""
    from holdings.models import Instalment
    from holdings.services import holding_bill

    with time_machine.travel(MID_OCTOBER):
        holding = linked(make_holding("2025-26"), citizen)
        q1 = Instalment.objects.get(demand__holding=holding, quarter=1)
        first = holding_bill(holding=holding, instalments=[q1], payer=citizen)
    with time_machine.travel(datetime.datetime(2026, 1, 15, 10, tzinfo=datetime.UTC)):
        overdue = [d for d in open_dues(citizen) if d.token.endswith(":overdue")]
        assert [d.amount for d in overdue] == [Decimal("4250.00")]
        second = bill_due(citizen, f"h{holding.pk}:overdue", citizen)
        first.refresh_from_db()
        assert first.status == Bill.Status.OPEN and second != first
        assert second.total == overdue[0].amount
        assert list(second.holding_items.values_list("instalment__quarter", flat=True)) == [2]


def test_a_bills_period_reads_in_the_readers_language(citizen, make_holding, client):
    with time_machine.travel(MID_OCTOBER):
        holding = linked(make_holding("2025-26"), citizen)
        bill = bill_due(citizen, f"h{holding.pk}:overdue", citizen)
        assert bill.period_label == "FY 2025-26 Q1"
        assert bill.period_label_bn == "অর্থবছর ২০২৫-২৬ কিস্তি ১"
        client.force_login(citizen)
        client.cookies["kcc_language"] = "bn"
        page = client.get("/payments/bills/").content.decode()
        assert "অর্থবছর ২০২৫-২৬ কিস্তি ১" in page and "FY 2025-26 Q1" not in page


def test_the_dashboard_lists_five_dues_first_overdue_and_totals_the_rest(
    client, citizen, make_holding
):
    with time_machine.travel(MID_OCTOBER):
        for n in range(3):  # three holdings: each an overdue Q1 and a next Q2, 4,250 taka
            linked(make_holding("2025-26", number=f"45/{n}"), citizen)
        client.force_login(citizen)
        client.cookies["kcc_language"] = "en"
        page = client.get("/dashboard/").content.decode()
    dues = page[page.index("Not billed yet") :]
    dues = dues[: dues.index("See them all")]
    assert dues.count("<li>") == 5
    assert dues.count("Overdue") == 3  # all three overdue dues come first
    assert "…and 1 more, ৳25,500.00 not billed in all." in dues
