"""RFID cards: bound once to a licensed e-bike's plate, replaced with the old UID
blacklisted, never moved to another vehicle; the lookup readers are answered from follows
every change (the status answer for every state)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from ezbike.models import CardLookup, RfidCard
from ezbike.numbers import normalize_uid
from ezbike.services import (
    card_bind,
    card_blacklist,
    card_replace,
    licence_apply,
    licence_approve,
    licence_set_status,
    plate_status,
)
from ezbike.services.scans import answer, lookup

pytestmark = pytest.mark.django_db

UID = "04A21B3C"


def told(uid: str, day=datetime.date(2026, 12, 10)) -> str:
    return answer(uid, lookup([uid]).get(uid), day)["status"]


@pytest.mark.parametrize(
    ("typed", "uid"),
    [
        ("04a21b3c", "04A21B3C"),
        ("04:A2:1B:3C", "04A21B3C"),
        ("0x04a21b3c5d6e7f", "04A21B3C5D6E7F"),
        ("০৪A২১B৩C", "04A21B3C"),
        ("04-a2-1b-3c-5d", "04A21B3C5D"),
    ],
)
def test_uids_are_read_as_hex_and_normalised(typed, uid):
    assert normalize_uid(typed) == uid


@pytest.mark.parametrize("typed", ["", "04A21B3", "04A21B3G", "12", "04A21B3C" * 3, None])
def test_bad_uids_are_refused(typed):
    with pytest.raises(ValidationError, match="8 to 20 hexadecimal digits"):
        normalize_uid(typed)


def test_bind_then_every_state_is_told_to_readers(licensed, officer):
    card = card_bind(vehicle=licensed, uid="04:a2:1b:3c", actor=officer)
    assert card.uid == UID
    row = CardLookup.objects.get(uid=UID)
    assert (row.status, row.plate, row.vehicle_type, row.ward) == (
        "valid",
        "KCC-P-07-0001",
        "passenger",
        7,
    )
    assert told(UID) == "valid"
    assert told(UID, datetime.date(2027, 9, 30)) == "valid"  # until the renewal deadline
    assert told(UID, datetime.date(2027, 10, 1)) == "expired"  # not renewed by then
    licence = licensed.licences.get()
    licence_set_status(licence=licence, to="suspended", reason="Fitness", actor=officer)
    assert told(UID) == "suspended"
    licence_set_status(licence=licence, to="seized", reason="Seized at Dakbangla", actor=officer)
    assert told(UID) == "suspended"
    licence_set_status(licence=licence, to="active", reason="Fine paid", actor=officer)
    assert told(UID) == "valid"
    licence_set_status(licence=licence, to="expired", actor=officer)
    assert told(UID) == "expired"
    assert told("DEADBEEF") == "unknown"
    assert plate_status("KCC-P-07-0001")["status"] == "expired"
    assert plate_status("KCC-P-07-0999") is None


def test_a_renewal_makes_the_card_valid_for_the_next_year(licensed, officer):
    card_bind(vehicle=licensed, uid=UID, actor=officer)
    renewal = licence_apply(vehicle=licensed, fiscal_year="2027-28")
    licence_approve(licence=renewal, actor=officer)
    assert told(UID, datetime.date(2027, 10, 1)) == "expired"  # approved is not yet paid
    licence_set_status(licence=renewal, to="active", actor=officer)
    assert told(UID, datetime.date(2027, 10, 1)) == "valid"
    assert told(UID, datetime.date(2028, 10, 1)) == "expired"


def test_only_a_licensed_ebike_gets_a_card_and_only_one_at_a_time(make_vehicle, licensed, officer):
    unlicensed = make_vehicle(9)
    with pytest.raises(ValidationError, match="active licence"):
        card_bind(vehicle=unlicensed, uid=UID, actor=officer)
    card_bind(vehicle=licensed, uid=UID, actor=officer)
    with pytest.raises(ValidationError, match="replace it instead"):
        card_bind(vehicle=licensed, uid="04A21B3D", actor=officer)


def test_a_card_never_moves_to_another_vehicle(make_vehicle, license_vehicle, licensed, officer):
    other = make_vehicle(2)
    license_vehicle(other)
    card_bind(vehicle=licensed, uid=UID, actor=officer)
    with pytest.raises(ValidationError, match="never moves to another"):
        card_bind(vehicle=other, uid="04a21b3c", actor=officer)
    assert RfidCard.objects.get(uid=UID).vehicle == licensed


def test_replace_blacklists_the_old_uid_and_binds_the_new_one(licensed, officer):
    old = card_bind(vehicle=licensed, uid=UID, actor=officer)
    with pytest.raises(ValidationError, match="Say why"):
        card_replace(card=old, new_uid="04A21B3D", reason="", actor=officer)
    # A refused new UID (its own old one) changes nothing.
    with pytest.raises(ValidationError, match="already in the register"):
        card_replace(card=old, new_uid=UID, reason="Lost", actor=officer)
    old.refresh_from_db()
    assert old.status == "in_use" and told(UID) == "valid"
    new = card_replace(card=old, new_uid="04a21b3d", reason="Lost", actor=officer)
    old.refresh_from_db()
    assert (old.status, old.replaced_by, old.blacklist_reason) == ("blacklisted", new, "Lost")
    assert (told(UID), told("04A21B3D")) == ("blacklisted", "valid")
    assert CardLookup.objects.get(uid=UID).plate == "KCC-P-07-0001"
    with pytest.raises(ValidationError, match="blacklisted already"):
        card_replace(card=old, new_uid="04A21B3E", reason="Again", actor=officer)
    # The blacklisted UID is never bound again, to any vehicle.
    with pytest.raises(ValidationError, match="already in the register"):
        card_replace(card=new, new_uid=UID, reason="Found it", actor=officer)
    assert plate_status("KCC-P-07-0001")["uid"] == "04A21B3D"


def test_a_replacement_bills_the_card_fee_to_the_owner(licensed, officer, make_user, pay):
    from decimal import Decimal

    from ezbike.registry_hooks import on_paid, subject_url
    from payments.models import Bill

    owner = make_user("citizen")
    licensed.owner.user = owner
    licensed.owner.save()
    old = card_bind(vehicle=licensed, uid=UID, actor=officer)
    assert not Bill.objects.exists()  # binding the first card costs nothing
    new = card_replace(card=old, new_uid="04A21B3D", reason="Lost", actor=officer)
    bill = Bill.objects.get(subject_type="card", subject_id=str(new.pk))
    assert bill.total == Decimal("500.00") and bill.payer == owner
    assert [line.head for line in bill.lines.all()] == ["plate_fee"]
    assert subject_url(bill) == f"/ezbike/vehicles/{licensed.pk}/"
    pay(bill)
    bill.refresh_from_db()
    on_paid(bill)  # nothing moves: the new card works already
    assert told("04A21B3D") == "valid"


def test_a_lost_card_is_blacklisted_then_a_new_one_bound(licensed, officer):
    lost = card_bind(vehicle=licensed, uid=UID, actor=officer)
    card_blacklist(card=lost, reason="Stolen", actor=officer)
    assert told(UID) == "blacklisted"
    card_bind(vehicle=licensed, uid="04A21B3D", actor=officer)
    assert told("04A21B3D") == "valid"
    licence_set_status(licence=licensed.licences.get(), to="suspended", reason="x", actor=officer)
    assert (told(UID), told("04A21B3D")) == ("blacklisted", "suspended")


def test_an_extended_deadline_moves_the_day_licences_run_until(
    licensed, officer, client, make_user
):
    from core.roles import Role
    from ezbike.defaults import ensure_schedule

    card_bind(vehicle=licensed, uid=UID, actor=officer)
    assert told(UID, datetime.date(2027, 10, 15)) == "expired"
    next_year = ensure_schedule("2027-28")
    admin_user = make_user(Role.ADMINISTRATOR)
    client.force_login(admin_user)
    url = f"/admin/ezbike/feeschedule/{next_year.pk}/change/"
    form = {
        "fiscal_year": "2027-28",
        "application_fee": "500.00",
        "licence_fee": "10000.00",
        "renewal_fee": "2000.00",
        "card_replacement_fee": "500.00",
        "late_fee_per_month": "200.00",
        "late_fee_cap": "2000.00",
        "seizure_fine": "1000.00",
        "renewal_deadline": "2027-10-31",
        "city_cap": "8000",
        "note": "Extended by office order",
        "ward_caps-TOTAL_FORMS": "0",
        "ward_caps-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    licensed.licences.get().refresh_from_db()
    assert str(licensed.licences.get().valid_until) == "2027-10-31"
    assert told(UID, datetime.date(2027, 10, 15)) == "valid"
    assert told(UID, datetime.date(2027, 11, 1)) == "expired"
