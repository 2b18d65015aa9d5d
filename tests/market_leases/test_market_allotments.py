"""Allotting a vacant shop (the licence checked through trade licences' read function, the
salami and deposit from the schedule, an occupied shop refused) and the allotment's status
moves with their history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from core.models import AuditLog
from market_leases.models import Allotment, AllotmentStatusChange
from market_leases.services import allotment_set_status, lessee_register, shop_allot
from trade_licenses.public import licence_summary

from .conftest import LESSEE_NID, OTHER_NID, codes, issue_licence

pytestmark = pytest.mark.django_db


def test_allotting_a_vacant_shop_fixes_salami_180750_and_deposit_25305_pending_payment(
    shop, lessee, licence, allot, officer
):
    allotment = allot(shop, lessee, licence)
    assert allotment.status == "pending_payment"
    assert (allotment.salami, allotment.security_deposit) == (
        Decimal("180750.00"),  # 120.50 sq ft × 1,500
        Decimal("25305.00"),  # 6 × 120.50 × 35.00
    )
    assert (allotment.starts_on, allotment.ends_on) == (date(2027, 1, 1), date(2031, 12, 31))
    assert (allotment.trade_licence_number, allotment.trade_licence_valid_until) == (
        licence,
        date(2027, 6, 30),
    )
    history = AllotmentStatusChange.objects.get(allotment=allotment)
    assert (history.from_status, history.to_status, history.changed_by) == (
        "",
        "pending_payment",
        officer,
    )
    assert AuditLog.objects.filter(action="markets.shop_allot", actor=officer).count() == 1


def test_a_tender_sets_its_own_salami(shop, lessee, licence, allot):
    allotment = allot(shop, lessee, licence, basis="tender", salami="২,৫০,০০০")
    assert (allotment.basis, allotment.salami) == ("tender", Decimal("250000.00"))


def test_allotting_an_occupied_shop_is_refused_naming_who_holds_it(
    shop, lessee, licence, allot, officer
):
    allot(shop, lessee, licence)
    other = lessee_register(nid=OTHER_NID, mobile="01911000000", name_en="Rahim", actor=officer)
    with pytest.raises(ValidationError) as e:
        allot(shop, other, issue_licence(OTHER_NID))
    assert codes(e.value) == {"shop_occupied"}
    assert e.value.messages == [
        "Shop A-12 in New Market is not vacant: it is allotted to Karim (Waiting for salami "
        "and deposit). Cancel or end that allotment first."
    ]
    assert Allotment.objects.count() == 1


def test_the_refusal_reads_in_bengali_with_bengali_digits(shop, lessee, licence, allot):
    allot(shop, lessee, licence)
    with translation.override("bn"), pytest.raises(ValidationError) as e:
        allot(shop, lessee, licence)
    assert "A-১২" in e.value.messages[0]
    assert "not vacant" not in e.value.messages[0]


def test_once_cancelled_the_shop_can_be_allotted_again(shop, lessee, licence, allot, officer):
    first = allot(shop, lessee, licence)
    allotment_set_status(allotment=first, to="cancelled", reason="Not paid", actor=officer)
    assert allot(shop, lessee, licence).status == "pending_payment"


def test_the_database_holds_one_live_allotment_per_shop(shop, lessee, licence, allot):
    first = allot(shop, lessee, licence)
    values = {
        f.attname: getattr(first, f.attname)
        for f in Allotment._meta.concrete_fields
        if f.name != "id"
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Allotment.objects.create(**{**values, "status": "active"})


def test_a_lessee_without_a_current_licence_is_refused(shop, lessee, allot):
    last_year = issue_licence(LESSEE_NID, fiscal_year="2025-26")  # ran out on 30 June 2026
    with pytest.raises(ValidationError) as e:
        allot(shop, lessee, last_year)
    assert codes(e.value) == {"licence_not_current"}
    assert e.value.message_dict["trade_licence_number"] == [
        f"Trade licence {last_year} is not current on 10/12/2026 (valid until 30/06/2026, or "
        "replaced): the lessee must renew it first."
    ]
    assert not Allotment.objects.exists()


def test_a_licence_replaced_by_a_transfer_is_not_current(shop, lessee, allot):
    replaced = issue_licence(LESSEE_NID, current=False)
    with pytest.raises(ValidationError) as e:
        allot(shop, lessee, replaced)
    assert codes(e.value) == {"licence_not_current"}


def test_someone_elses_licence_is_refused(shop, lessee, allot):
    with pytest.raises(ValidationError) as e:
        allot(shop, lessee, issue_licence(OTHER_NID))
    assert codes(e.value) == {"licence_not_lessees"}


def test_an_unknown_licence_number_is_refused(shop, lessee, allot):
    with pytest.raises(ValidationError) as e:
        allot(shop, lessee, "KCC/TL/2026-27/999999")
    assert codes(e.value) == {"unknown_licence"}


def test_the_licence_number_may_be_typed_in_small_letters_and_bengali_digits(
    shop, lessee, licence, allot
):
    typed = "kcc/tl/২০২৬-২৭/০০০০০১"
    assert licence == "KCC/TL/2026-27/000001"
    assert allot(shop, lessee, typed).trade_licence_number == licence


def test_trade_licences_read_function_says_whose_licence_and_whether_valid(licence):
    found = licence_summary(number=licence)
    assert found is not None
    assert (found.holder_nid, found.valid, found.ward) == (LESSEE_NID, True, 5)
    assert licence_summary(number=licence, on=date(2027, 7, 1)).valid is False
    assert licence_summary(number="nothing") is None


def test_bad_input_is_refused_field_by_field(shop, lessee, licence, allot):
    with pytest.raises(ValidationError) as e:
        allot(
            shop,
            lessee,
            licence,
            basis="lottery",
            decision_reference=" ",
            decision_date=date(2027, 1, 1),
            ends_on=date(2026, 12, 31),
        )
    assert set(e.value.message_dict) == {"basis", "decision_reference", "decision_date", "ends_on"}


def test_no_schedule_on_the_start_day_is_refused(shop, lessee, licence, allot):
    with pytest.raises(ValidationError) as e:
        allot(shop, lessee, licence, starts_on=date(2024, 1, 1))
    assert codes(e.value) == {"no_schedule"}


def test_only_the_estate_officer_allots(shop, lessee, licence, make_user):
    with pytest.raises(PermissionDenied):
        shop_allot(
            shop=shop,
            lessee=lessee,
            basis="committee",
            decision_reference="X",
            decision_date=date(2026, 12, 1),
            starts_on=date(2027, 1, 1),
            trade_licence_number=licence,
            actor=make_user("counter_clerk"),
        )


# --- status moves -------------------------------------------------------------------------------


def test_paid_then_expired_then_renewed_each_move_with_its_history_row(
    shop, lessee, licence, allot, officer
):
    allotment = allot(shop, lessee, licence)
    for to in ("active", "expired", "active"):
        allotment_set_status(allotment=allotment, to=to, actor=officer)
    moves = list(
        AllotmentStatusChange.objects.filter(allotment=allotment).values_list(
            "from_status", "to_status"
        )
    )
    assert moves == [
        ("", "pending_payment"),
        ("pending_payment", "active"),
        ("active", "expired"),
        ("expired", "active"),
    ]
    assert AuditLog.objects.filter(action="markets.allotment_active").count() == 2


@pytest.mark.parametrize(
    ("path", "to"),
    [
        ((), "expired"),
        ((), "transferred"),
        (("active", "transferred"), "active"),
        (("cancelled",), "active"),
        (("active", "expired"), "cancelled"),
    ],
)
def test_moves_the_map_does_not_allow_are_refused(shop, lessee, licence, allot, officer, path, to):
    allotment = allot(shop, lessee, licence)
    for step in path:
        allotment_set_status(allotment=allotment, to=step, reason="r", actor=officer)
    before = allotment.status
    with pytest.raises(ValidationError) as e:
        allotment_set_status(allotment=allotment, to=to, reason="r", actor=officer)
    assert codes(e.value) == {"bad_transition"}
    assert Allotment.objects.get(pk=allotment.pk).status == before


def test_cancelling_needs_a_reason(shop, lessee, licence, allot, officer):
    allotment = allot(shop, lessee, licence)
    with pytest.raises(ValidationError) as e:
        allotment_set_status(allotment=allotment, to="cancelled", actor=officer)
    assert codes(e.value) == {"reason_required"}


def test_renewing_after_expiry_is_refused_when_the_shop_was_allotted_meanwhile(
    shop, lessee, licence, allot, officer
):
    first = allot(shop, lessee, licence)
    allotment_set_status(allotment=first, to="active", actor=officer)
    allotment_set_status(allotment=first, to="expired", actor=officer)
    other = lessee_register(nid=OTHER_NID, mobile="01911000000", name_en="Rahim", actor=officer)
    allot(shop, other, issue_licence(OTHER_NID))
    with pytest.raises(ValidationError) as e:
        allotment_set_status(allotment=first, to="active", actor=officer)
    assert codes(e.value) == {"shop_occupied"}
    assert Allotment.objects.get(pk=first.pk).status == "expired"


def test_the_estate_officer_sees_an_allotment_and_its_history_read_only_in_the_admin(
    client, make_user, shop, lessee, licence, allot
):
    allotment = allot(shop, lessee, licence)
    client.cookies["kcc_language"] = "en"
    client.force_login(make_user("estate_officer", is_staff=True))
    page = client.get(f"/admin/market_leases/allotment/{allotment.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Waiting for salami and deposit" in text and "KCC/Estate/2026/118" in text
    assert 'name="decision_reference"' not in text  # read-only
    assert client.get("/admin/market_leases/allotment/add/").status_code == 403
