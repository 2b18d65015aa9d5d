"""The e-bike register: the residency rule, chassis and motor numbers, drivers one vehicle at
a time, licences through the one transition function with their history, numbers in the
city's format, the fee schedule, the fleet cap and the waiting list."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.models import AuditLog
from ezbike.models import FeeSchedule, Licence, LicenceStatusChange, Vehicle, WardCap
from ezbike.numbers import normalize_plate, plate_bengali, plate_display
from ezbike.services import (
    driver_assign,
    driver_register,
    driver_release,
    licence_apply,
    licence_approve,
    licence_set_status,
    licences_expire_due,
    owner_register,
    vehicle_register,
    waiting_list_advance,
)

pytestmark = pytest.mark.django_db


def test_the_owner_must_live_in_one_of_the_citys_wards():
    with pytest.raises(ValidationError) as e:
        owner_register(nid="1990000001", name_en="Outsider", nid_ward=99)
    assert "permanent resident" in e.value.message_dict["nid_ward"][0]
    owner = owner_register(nid="১৯৯০০০০০০১", name_en="Resident", nid_ward="০৭")
    assert owner.nid == "1990000001" and owner.nid_ward.number == 7
    with pytest.raises(ValidationError, match="already registered"):
        owner_register(nid="1990000001", name_en="Again", nid_ward=7)


def test_chassis_and_motor_numbers_are_normalised_and_unique(make_vehicle):
    first = make_vehicle(1)
    owner = first.owner
    vehicle = vehicle_register(
        owner=owner, chassis_no=" ab ১২৩ ৪৫ ", motor_no="mt-৯৯ 1", battery_count="4"
    )
    assert (vehicle.chassis_no, vehicle.motor_no) == ("AB12345", "MT-991")
    assert vehicle.ward.number == 7  # the owner's ward unless told otherwise
    with pytest.raises(ValidationError) as e:
        vehicle_register(owner=owner, chassis_no="AB 12345", motor_no="mt-991", battery_count=4)
    assert set(e.value.message_dict) == {"chassis_no", "motor_no"}
    with pytest.raises(ValidationError) as e:
        vehicle_register(
            owner=owner, chassis_no="X", motor_no="", battery_count=0, vehicle_type="car"
        )
    assert set(e.value.message_dict) == {"chassis_no", "motor_no", "battery_count", "vehicle_type"}
    # The database refuses a twin even past the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        Vehicle.objects.create(
            owner=owner, ward=vehicle.ward, chassis_no="AB12345", motor_no="Z1", battery_count=4
        )


def test_a_driver_drives_one_vehicle_at_a_time(make_vehicle):
    a, b = make_vehicle(1), make_vehicle(2)
    driver = driver_register(nid="2990000001", driving_licence_no="kh 0012345", name_en="Driver")
    assert driver.driving_licence_no == "KH0012345"
    driver_assign(driver=driver, vehicle=a)
    with pytest.raises(ValidationError, match="already drives another"):
        driver_assign(driver=driver, vehicle=b)
    driver_release(driver=driver)
    assert driver_assign(driver=driver, vehicle=b).vehicle == b
    with pytest.raises(ValidationError) as e:
        driver_register(nid="2990000001", driving_licence_no="KH0012345", name_en="Again")
    assert set(e.value.message_dict) == {"nid", "driving_licence_no"}


def test_the_licence_moves_through_one_function_with_its_history(make_vehicle, officer):
    vehicle = make_vehicle()
    licence = licence_apply(vehicle=vehicle, actor=officer)
    assert (licence.fiscal_year, licence.kind, licence.status) == ("2026-27", "new", "applied")
    with pytest.raises(ValidationError, match="cannot go from “Applied for” to “Active”"):
        licence_set_status(licence=licence, to="active", actor=officer)
    licence_approve(licence=licence, actor=officer)
    vehicle.refresh_from_db()
    assert vehicle.licence_no == "KCC-EB-00001"
    assert vehicle.plate_no == "KCC-P-07-0001"
    licence_set_status(licence=licence, to="active", actor=officer)
    assert str(licence.valid_until) == "2027-09-30"  # next year's renewal deadline
    with pytest.raises(ValidationError, match="Say why"):
        licence_set_status(licence=licence, to="suspended", actor=officer)
    licence_set_status(licence=licence, to="suspended", reason="No fitness", actor=officer)
    licence_set_status(licence=licence, to="active", actor=officer)
    history = list(
        LicenceStatusChange.objects.filter(licence=licence).values_list(
            "from_status", "to_status", "reason", "changed_by"
        )
    )
    assert history == [
        ("", "applied", "", officer.pk),
        ("applied", "approved", "", officer.pk),
        ("approved", "active", "", officer.pk),
        ("active", "suspended", "No fitness", officer.pk),
        ("suspended", "active", "", officer.pk),
    ]
    assert AuditLog.objects.filter(action="ezbike.licence_suspended").count() == 1
    with pytest.raises(ValidationError, match="already has a licence"):
        licence_apply(vehicle=vehicle, fiscal_year="2026-27")
    renewal = licence_apply(vehicle=vehicle, fiscal_year="2027-28")
    assert renewal.kind == "renewal"
    licence_approve(licence=renewal, actor=officer)
    vehicle.refresh_from_db()
    assert vehicle.plate_no == "KCC-P-07-0001"  # given once


def test_every_status_and_move_is_mapped():
    statuses = set(Licence.Status.values)
    assert set(Licence.TRANSITIONS) == statuses
    assert all(targets <= statuses for targets in Licence.TRANSITIONS.values())
    assert {
        "applied",
        "waiting",
        "approved",
        "active",
        "expired",
        "suspended",
        "seized",
        "rejected",
    } == statuses


def test_plate_numbers_in_latin_and_bengali(make_vehicle, license_vehicle):
    goods = make_vehicle(5, ward=12, vehicle_type="goods")
    license_vehicle(goods)
    assert goods.plate_no == "KCC-G-12-0001"
    assert plate_bengali(goods.plate_no) == "খুসিক-মা-১২-০০০১"
    assert normalize_plate("খুসিক মা ১২ ০০০১") == "KCC-G-12-0001"
    assert normalize_plate("kcc/g/12/0001") == "KCC-G-12-0001"
    assert plate_display(goods.plate_no, "bn") == "খুসিক-মা-১২-০০০১"
    with pytest.raises(ValidationError, match="such as KCC-P-07-0123"):
        normalize_plate("DHK-1")


def test_a_year_without_a_schedule_copies_the_last_one(make_vehicle):
    from ezbike.defaults import ensure_schedule

    first = ensure_schedule("2026-27")
    assert (first.licence_fee, first.renewal_fee, str(first.renewal_deadline)) == (
        10000,
        2000,
        "2026-09-30",
    )
    first.renewal_fee = 2500
    first.city_cap = 9000
    first.save()
    WardCap.objects.create(schedule=first, ward_id=first_ward(), cap=300)
    later = ensure_schedule("2028-29")
    assert (later.renewal_fee, later.city_cap, str(later.renewal_deadline)) == (
        2500,
        9000,
        "2028-09-30",
    )
    assert later.ward_caps.get().cap == 300
    assert FeeSchedule.objects.count() == 2


def first_ward() -> int:
    from core.models import Ward

    return Ward.objects.get(number=7).pk


def test_beyond_the_cap_an_application_waits_and_the_queue_moves(
    make_vehicle, license_vehicle, officer
):
    from ezbike.defaults import ensure_schedule

    schedule = ensure_schedule("2026-27")
    schedule.city_cap = 3
    schedule.save()
    WardCap.objects.create(schedule=schedule, ward_id=first_ward(), cap=1)
    in_ward_7 = make_vehicle(1)
    license_vehicle(in_ward_7)
    second_in_7 = licence_apply(vehicle=make_vehicle(2), actor=officer)
    licence_approve(licence=second_in_7, actor=officer)
    assert second_in_7.status == "waiting"  # ward 7 is full
    elsewhere = licence_apply(vehicle=make_vehicle(3, ward=8), actor=officer)
    licence_approve(licence=elsewhere, actor=officer)
    assert elsewhere.status == "approved"
    third = licence_apply(vehicle=make_vehicle(4, ward=9), actor=officer)
    licence_approve(licence=third, actor=officer)
    assert third.status == "approved"  # the city's 3rd place
    fourth = licence_apply(vehicle=make_vehicle(5, ward=10), actor=officer)
    licence_approve(licence=fourth, actor=officer)
    assert fourth.status == "waiting"  # the city is full
    assert waiting_list_advance(fiscal_year="2026-27") == []
    # A licence lapses: ward 7 and the city have a place; the first in the queue gets it.
    licence_set_status(
        licence=in_ward_7.licences.get(), to="seized", reason="Unsafe", actor=officer
    )
    licence_set_status(licence=in_ward_7.licences.get(), to="expired", actor=officer)
    moved = waiting_list_advance(fiscal_year="2026-27")
    assert [m.pk for m in moved] == [second_in_7.pk]
    second_in_7.refresh_from_db()
    fourth.refresh_from_db()
    assert (second_in_7.status, fourth.status) == ("approved", "waiting")
    assert LicenceStatusChange.objects.filter(
        licence=second_in_7, to_status="approved", reason__contains="place"
    ).exists()


def test_licences_past_their_deadline_expire(licensed):
    import datetime

    assert licences_expire_due(today=datetime.date(2027, 9, 30)) == 0
    assert licences_expire_due(today=datetime.date(2027, 10, 1)) == 1
    assert licensed.licences.get().status == "expired"
