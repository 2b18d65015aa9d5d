"""An allotment's casework: a name change for 14 months' rent (the new lessee's licence
checked, billed through payments; paid, the shop passes to the new lessee with the deposit
carried over), and a cancellation for arrears (the notice by SMS with the hearing date, the
decision after it, the deposit set against what is owed)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import SmsMessage
from market_leases.billing import generate_shop_rent
from market_leases.models import Allotment, ArrearsCase, Transfer
from market_leases.selectors import live_allotment
from market_leases.services import (
    arrears_decide,
    arrears_notice,
    lessee_register,
    transfer_request,
)
from payments.models import Bill

from .conftest import DHAKA, OTHER_NID, codes, issue_licence, pay_at_counter

pytestmark = pytest.mark.django_db


@pytest.fixture
def rahim(officer):
    return lessee_register(nid=OTHER_NID, mobile="01911000000", name_en="Rahim", actor=officer)


def request(allotment, new, licence, officer):
    return transfer_request(
        allotment=allotment,
        new_lessee=new,
        trade_licence_number=licence,
        decision_reference="KCC/Estate/2026/140",
        decision_date=date(2026, 12, 5),
        actor=officer,
    )


def test_a_transfer_costs_14_months_rent_59045_and_passes_the_shop_when_paid(
    active_allotment, rahim, officer, make_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        transfer = request(active_allotment, rahim, issue_licence(OTHER_NID), officer)
    assert transfer.fee == Decimal("59045.00")  # 14 × 4,217.50
    bill = Bill.objects.get(subject_type="transfer", subject_id=str(transfer.pk))
    assert (bill.total, bill.payer_mobile) == (Decimal("59045.00"), "01911000000")
    assert [line.head for line in bill.lines.all()] == ["transfer_fee"]
    assert SmsMessage.objects.filter(to="01911000000", kind="shop_allotment").exists()
    with django_capture_on_commit_callbacks(execute=True):
        pay_at_counter(make_user, bill)
    old = Allotment.objects.get(pk=active_allotment.pk)
    assert old.status == "transferred"
    new = live_allotment(active_allotment.shop)
    assert (new.lessee, new.status, new.transferred_from_id) == (rahim, "active", old.pk)
    assert (new.salami, new.security_deposit) == (Decimal("0.00"), Decimal("25305.00"))
    assert new.ends_on == old.ends_on
    transfer.refresh_from_db()
    assert (transfer.status, transfer.new_allotment_id) == ("done", new.pk)
    # Whose cached figures a write for the fee drops: the present and the new lessee's.
    from market_leases.registry_hooks import subject_users

    rahim.user = make_user(mobile="01911000000")
    rahim.save(update_fields=["user"])
    assert subject_users([bill]) == {active_allotment.lessee.user_id, rahim.user.pk}


def test_a_transfer_is_refused_while_rent_is_unpaid_or_to_someone_without_a_licence(
    active_allotment, rahim, officer, licence
):
    with pytest.raises(ValidationError) as e:
        request(active_allotment, rahim, licence, officer)  # Karim's licence, not Rahim's
    assert codes(e.value) == {"licence_not_lessees"}
    generate_shop_rent("2026-11")
    with pytest.raises(ValidationError) as e:
        request(active_allotment, rahim, issue_licence(OTHER_NID), officer)
    assert codes(e.value) == {"rent_unpaid"}
    assert not Transfer.objects.exists()


def test_a_second_transfer_waiting_for_its_fee_is_refused(active_allotment, rahim, officer):
    licence = issue_licence(OTHER_NID)
    request(active_allotment, rahim, licence, officer)
    with pytest.raises(ValidationError) as e:
        request(active_allotment, rahim, licence, officer)
    assert codes(e.value) == {"transfer_pending"}


def three_months_overdue():
    for month in ("2026-10", "2026-11", "2026-12"):
        generate_shop_rent(month)


def test_two_months_overdue_are_not_enough_for_a_notice(active_allotment, officer):
    generate_shop_rent("2026-10")
    generate_shop_rent("2026-11")
    with pytest.raises(ValidationError) as e:
        arrears_notice(allotment=active_allotment, hearing_on=date(2026, 12, 20), actor=officer)
    assert codes(e.value) == {"not_enough_arrears"}


def test_three_months_overdue_a_notice_with_the_hearing_date_13917_76(
    active_allotment, officer, django_capture_on_commit_callbacks
):
    three_months_overdue()
    with django_capture_on_commit_callbacks(execute=True):
        case = arrears_notice(
            allotment=active_allotment, hearing_on=date(2026, 12, 20), actor=officer
        )
    # 3 × 4,217.50 + surcharges 632.63 (Oct) + 421.75 (Nov) + 210.88 (Dec)
    assert (case.months_unpaid, case.owed) == (3, Decimal("13917.76"))
    sms = SmsMessage.objects.get(kind="shop_allotment")
    assert "২০/১২/২০২৬" in sms.text and "১৩,৯১৭.৭৬" in sms.text
    with pytest.raises(ValidationError) as e:
        arrears_notice(allotment=active_allotment, hearing_on=date(2026, 12, 21), actor=officer)
    assert codes(e.value) == {"notice_open"}


def test_after_the_hearing_cancelled_the_deposit_25305_covers_13917_76_refund_11387_24(
    active_allotment, officer
):
    three_months_overdue()
    case = arrears_notice(allotment=active_allotment, hearing_on=date(2026, 12, 20), actor=officer)
    with pytest.raises(ValidationError) as e:
        arrears_decide(case=case, cancel=True, reason="three months unpaid", actor=officer)
    assert codes(e.value) == {"before_hearing"}
    with time_machine.travel(datetime(2026, 12, 21, 11, 0, tzinfo=DHAKA), tick=False):
        case = arrears_decide(case=case, cancel=True, reason="did not pay", actor=officer)
    assert case.status == ArrearsCase.Status.CANCELLED
    assert case.set_off["owed"] == "13917.76" and case.set_off["refund"] == "11387.24"
    assert case.set_off["still_owed"] == "0.00"
    assert case.set_off["applied"][:2] == [
        ["rent:2026-10", "4217.50"],
        ["surcharge:2026-10", "632.63"],
    ]
    assert Allotment.objects.get(pk=active_allotment.pk).status == "cancelled"
    assert live_allotment(active_allotment.shop) is None  # vacant again


def test_a_notice_may_be_withdrawn_with_a_reason(active_allotment, officer):
    three_months_overdue()
    case = arrears_notice(allotment=active_allotment, hearing_on=date(2026, 12, 20), actor=officer)
    case = arrears_decide(case=case, cancel=False, reason="paid at the hearing", actor=officer)
    assert case.status == "withdrawn"
    assert Allotment.objects.get(pk=active_allotment.pk).status == "active"


def test_an_agreement_expires_after_its_end_and_is_renewed_to_a_new_end(
    shop, lessee, licence, allot, officer
):
    from market_leases.services import agreements_expire, allotment_renew, allotment_set_status

    allotment = allot(
        shop, lessee, licence, starts_on=date(2024, 12, 1), ends_on=date(2026, 11, 30)
    )
    allotment_set_status(allotment=allotment, to="active", actor=officer)
    assert agreements_expire() == 1 and agreements_expire() == 0
    allotment.refresh_from_db()
    assert allotment.status == "expired"
    assert allotment.status_changes.last().reason == "the agreement ended on 2026-11-30"
    assert generate_shop_rent("2026-12").months == 0  # no rent after the agreement
    with pytest.raises(ValidationError) as e:
        allotment_renew(
            allotment=allotment, ends_on=date(2026, 12, 5), decision_reference="M-1", actor=officer
        )
    assert codes(e.value) == {"ends_too_soon"}
    allotment_renew(
        allotment=allotment,
        ends_on=date(2031, 11, 30),
        decision_reference="KCC/Estate/2026/150",
        actor=officer,
    )
    allotment.refresh_from_db()
    assert (allotment.status, allotment.ends_on) == ("active", date(2031, 11, 30))
    assert generate_shop_rent("2026-12").months == 1
