"""Applications for an e-bike licence: filed from home or at the counter (owner, vehicle,
drivers, papers checked by content), the application fee billed through payments; bad input
refused with the reason on its field and nothing kept; the e-bike officer's decision
(approved and the licence fee billed, waiting under the cap, rejected); the fee paid, the
licence active; SMS at each step."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import SmsMessage
from ezbike.models import Application, ApplicationDocument, Driver, Licence, Owner, Vehicle
from ezbike.services.applications import application_decide, application_submit
from payments.models import Bill

from .conftest import FY, application_input, pdf, png

pytestmark = pytest.mark.django_db


def counts():
    return [
        m.objects.count()
        for m in (Owner, Vehicle, Driver, Licence, Application, ApplicationDocument, Bill)
    ]


def sms(text: str) -> list[str]:
    return [m.text for m in SmsMessage.objects.filter(kind="ezbike") if text in m.text]


def test_filed_from_home_registers_owner_vehicle_drivers_and_bills_the_application_fee(
    submit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit()
    licence = application.licence
    assert licence.status == "applied" and licence.kind == "new" and licence.fiscal_year == FY
    vehicle = licence.vehicle
    assert vehicle.chassis_no == "CHA00000" and vehicle.owner.nid == "1980000000"
    assert vehicle.owner.user == application.applicant and vehicle.owner.photo
    assert [a.driver.driving_licence_no for a in vehicle.assignments.all()] == ["DK0000000"]
    assert sorted(d.kind for d in application.documents.all()) == ["ownership", "vehicle_photo"]
    bill = application.fee_bill
    assert bill.service == "ezbike" and bill.total == Decimal("500.00")
    assert [ln.head for ln in bill.lines.all()] == ["application_fee"]
    assert application.fee_paid_at is None and application.channel == "online"
    assert len(sms("EB-")) == 1 and bill.number in sms("EB-")[0]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"owner": {"nid": "12345"}}, "owner_nid"),
        ({"owner": {"mobile": "0123"}}, "owner_mobile"),
        ({"owner": {"ward": 99}}, "owner_nid_ward"),
        ({"owner": {"photo": pdf("me.pdf")}}, "owner_photo"),
        ({"vehicle": {"battery_count": 0}}, "battery_count"),
        (
            {"documents": {"vehicle_photo": png(), "ownership": pdf("x.pdf", b"not a pdf")}},
            "doc_ownership",
        ),
        ({"documents": {"vehicle_photo": None, "ownership": pdf()}}, "doc_vehicle_photo"),
        ({"drivers": []}, "driver1_nid"),
        (
            {"drivers": [{"nid": "1970000000", "driving_licence_no": "?", "name_bn": "ক"}]},
            "driver1_driving_licence_no",
        ),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_kept(make_user, change, field):
    applicant = make_user("citizen")
    data = application_input(0)
    for key, value in change.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) else value
    before = counts()
    with pytest.raises(ValidationError) as e:
        application_submit(**data, applicant=applicant, actor=applicant)
    assert field in e.value.message_dict, e.value.message_dict
    assert counts() == before


def test_the_residency_rule_says_why(make_user):
    applicant = make_user("citizen")
    data = application_input(0)
    data["owner"]["ward"] = 99
    with pytest.raises(ValidationError) as e:
        application_submit(**data, applicant=applicant, actor=applicant)
    assert "permanent resident" in e.value.message_dict["owner_nid_ward"][0]


def test_a_chassis_number_already_registered_is_refused_and_nothing_kept(submit, make_user):
    submit(0)
    before = counts()
    data = application_input(1)
    data["vehicle"]["chassis_no"] = " cha ০০০০০ "  # the first one's, typed otherwise
    applicant = make_user("citizen")
    with pytest.raises(ValidationError) as e:
        application_submit(**data, applicant=applicant, actor=applicant)
    assert "chassis" in e.value.message_dict["chassis_no"][0]
    assert counts() == before


def test_a_driver_drives_one_vehicle_at_a_time(submit, make_user):
    submit(0)
    data = application_input(1)
    data["drivers"] = application_input(0)["drivers"]  # the first e-bike's driver
    applicant = make_user("citizen")
    before = counts()
    with pytest.raises(ValidationError) as e:
        application_submit(**data, applicant=applicant, actor=applicant)
    assert "another e-bike" in e.value.message_dict["driver1_nid"][0]
    assert counts() == before


def test_bengali_digits_are_read(make_user):
    applicant = make_user("citizen")
    data = application_input(0)
    data["owner"].update(nid="১৯৮০০০০০০০", mobile="০১৮১০০০০০০০", ward="৭")
    data["vehicle"]["battery_count"] = "৪"
    application = application_submit(**data, applicant=applicant, actor=applicant)
    owner = application.licence.vehicle.owner
    assert (owner.nid, owner.mobile, owner.nid_ward.number) == ("1980000000", "01810000000", 7)


def test_a_second_vehicle_of_the_same_owner_reuses_the_owner(submit, make_user):
    first = submit(0)
    data = application_input(1)
    data["owner"] = {**application_input(0)["owner"], "photo": None}
    user = first.applicant
    second = application_submit(**data, applicant=user, actor=user)
    assert second.licence.vehicle.owner == first.licence.vehicle.owner
    assert Owner.objects.count() == 1


# --- the decision -------------------------------------------------------------------------------


def test_approval_waits_for_the_application_fee(submit, officer):
    application = submit()
    with pytest.raises(ValidationError, match="application fee is not paid"):
        application_decide(application=application, actor=officer, approve=True, reason="ok")
    application.licence.refresh_from_db()
    assert application.licence.status == "applied"


def test_approved_bills_the_licence_fee_and_paying_it_activates_the_licence(
    submit, officer, pay, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit()
        pay(application.fee_bill)
        application.refresh_from_db()
        assert application.fee_paid_at is not None
        application_decide(
            application=application, actor=officer, approve=True, reason="papers checked"
        )
    licence = Licence.objects.get(pk=application.licence_id)
    assert licence.status == "approved" and licence.vehicle.plate_no.startswith("KCC-P-07-")
    bill = Bill.objects.get(subject_type="licence", subject_id=str(licence.pk))
    assert bill.total == Decimal("10000.00") and bill.status == "open"
    assert len(sms("is approved")) == 1 and bill.number in sms("is approved")[0]
    with django_capture_on_commit_callbacks(execute=True):
        pay(bill)
    licence.refresh_from_db()
    assert licence.status == "active" and licence.valid_until.isoformat() == "2027-09-30"
    assert len(sms("is valid until")) == 1
    assert licence.vehicle.verify_code and len(licence.vehicle.verify_code) == 16


def test_the_paid_hook_run_twice_activates_once(submit, officer, pay):
    from ezbike.registry_hooks import on_paid

    application = submit()
    pay(application.fee_bill)
    application_decide(application=application, actor=officer, approve=True, reason="ok")
    bill = Bill.objects.get(subject_type="licence")
    pay(bill)
    bill.refresh_from_db()
    on_paid(bill)
    licence = application.licence
    assert list(licence.status_changes.values_list("to_status", flat=True)) == [
        "applied",
        "approved",
        "active",
    ]


def test_rejected_with_a_reason_the_owner_reads(
    submit, officer, django_capture_on_commit_callbacks
):
    application = submit()
    with pytest.raises(ValidationError):
        application_decide(application=application, actor=officer, approve=False, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        application_decide(
            application=application, actor=officer, approve=False, reason="Papers unreadable"
        )
    application.licence.refresh_from_db()
    assert application.licence.status == "rejected"
    assert sms("rejected: Papers unreadable")
    with pytest.raises(ValidationError, match="decided already"):
        application_decide(application=application, actor=officer, approve=False, reason="again")


def test_beyond_the_cap_it_waits(submit, officer, pay, django_capture_on_commit_callbacks):
    from ezbike.defaults import ensure_schedule

    schedule = ensure_schedule(FY)
    schedule.city_cap = 0
    schedule.save()
    application = submit()
    pay(application.fee_bill)
    with django_capture_on_commit_callbacks(execute=True):
        application_decide(application=application, actor=officer, approve=True, reason="ok")
    application.licence.refresh_from_db()
    assert application.licence.status == "waiting"
    assert not Bill.objects.filter(subject_type="licence").exists()
    assert sms("fleet cap is full")


def test_only_an_ebike_officer_decides(submit, make_user):
    application = submit()
    with pytest.raises(ValidationError):
        application_decide(
            application=application, actor=make_user("counter_clerk"), approve=False, reason="x"
        )


def test_a_voided_licence_fee_suspends_the_licence_and_paying_again_resumes_it(
    submit, officer, pay, make_user
):
    from ezbike.registry_hooks import on_paid, on_reopened

    application = submit()
    pay(application.fee_bill)
    application_decide(application=application, actor=officer, approve=True, reason="ok")
    bill = Bill.objects.get(subject_type="licence")
    pay(bill)
    on_reopened(bill)
    licence = Licence.objects.get(pk=application.licence_id)
    assert licence.status == "suspended"
    on_paid(bill)
    licence.refresh_from_db()
    assert licence.status == "active"


def test_a_waiting_application_that_takes_a_place_is_billed_and_told(
    submit, officer, pay, django_capture_on_commit_callbacks
):
    from ezbike.defaults import ensure_schedule
    from ezbike.services import waiting_list_advance

    schedule = ensure_schedule(FY)
    schedule.city_cap = 0
    schedule.save()
    application = submit()
    pay(application.fee_bill)
    application_decide(application=application, actor=officer, approve=True, reason="ok")
    schedule.city_cap = 10
    schedule.save()
    with django_capture_on_commit_callbacks(execute=True):
        [moved] = waiting_list_advance(fiscal_year=FY, actor=officer)
    assert moved.status == "approved"
    bill = Bill.objects.get(subject_type="licence", subject_id=str(moved.pk))
    assert bill.total == Decimal("10000.00") and sms("is approved")


@pytest.mark.django_db(transaction=True)
def test_paying_a_fee_drops_only_the_owners_cached_figures(submit, pay, make_user, figures_dropped):
    """E-bikes declare whom a bill concerns (ezbike.registry_hooks.subject_users): the fee
    paid drops the applicant's cached figures and keeps a stranger's."""
    from ezbike.registry_hooks import subject_users
    from payments.models import Bill

    applicant = make_user("citizen", mobile="01810000007")
    stranger = make_user("citizen", mobile="01810000008")
    application = submit(7, applicant=applicant)
    bill = application.fee_bill
    assert figures_dropped([applicant, stranger], lambda: pay(bill)) == {applicant.pk}
    application.refresh_from_db()
    assert application.fee_paid_at is not None
    assert subject_users([Bill(subject_type="licence", subject_id="999999")]) == set()
    assert subject_users([Bill(subject_type="plate", subject_id="1")]) is None
