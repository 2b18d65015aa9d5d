"""The register: markets, shops (numbers normalised, unique within the market, floors within
the market's), rent schedules and lease rules (in force by date), lessees (one per NID), the
estate officer's admin (audited)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.models import AuditLog
from market_leases import selectors
from market_leases.models import LeaseRules, Market, RentSchedule, Shop
from market_leases.numbers import normalize_shop_number
from market_leases.services import lessee_register, shop_register

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("a 12", "A-12"),
        ("A12", "A-12"),
        ("a/12", "A-12"),
        ("G-05", "G-5"),
        ("007", "7"),
        ("১২/খ", "12-খ"),
        ("12b", "12-B"),
        (" 3.B ", "3-B"),
    ],
)
def test_shop_numbers_are_normalised(typed, number):
    assert normalize_shop_number(typed) == number


@pytest.mark.parametrize("typed", ["", "--", "12#", "A" * 21])
def test_a_shop_number_that_is_not_one_is_refused(typed):
    with pytest.raises(ValidationError) as e:
        normalize_shop_number(typed)
    assert e.value.code == "invalid_shop_number"


def test_a_shop_registered_as_a_12_is_a_12_and_a12_again_is_refused(market, officer):
    shop = shop_register(market=market, number="a 12", floor=0, area_sqft="120.50", actor=officer)
    assert (shop.number, shop.area_sqft) == ("A-12", Decimal("120.50"))
    with pytest.raises(ValidationError) as e:
        shop_register(market=market, number="A12", floor=1, area_sqft="80", actor=officer)
    assert e.value.message_dict["number"] == ["New Market already has a shop A-12."]
    assert AuditLog.objects.filter(action="markets.shop_register").count() == 1


def test_the_same_shop_number_in_another_market_is_allowed(market, officer):
    other = Market.objects.create(ward=market.ward, name_bn="বড় বাজার", name_en="Boro Bazar")
    shop_register(market=market, number="12", area_sqft="100", actor=officer)
    assert shop_register(market=other, number="12", area_sqft="100", actor=officer).number == "12"


def test_the_database_refuses_a_second_shop_with_the_same_number(market):
    Shop.objects.create(market=market, number="A-12", area_sqft=Decimal("10"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Shop.objects.create(market=market, number="A-12", area_sqft=Decimal("20"))


def test_a_shop_on_a_floor_the_market_lacks_or_without_area_is_refused(market, officer):
    with pytest.raises(ValidationError) as e:
        shop_register(market=market, number="9", floor=2, area_sqft="০", actor=officer)
    assert set(e.value.message_dict) == {"floor", "area_sqft"}
    assert e.value.message_dict["floor"] == ["New Market has 2 floor(s): 0 (ground) to 1."]


def test_area_in_bengali_digits_is_accepted(market, officer):
    shop = shop_register(market=market, number="৫", floor=1, area_sqft="৮০.২৫", actor=officer)
    assert (shop.number, shop.area_sqft) == ("5", Decimal("80.25"))


def test_only_the_estate_officer_registers_shops(market, make_user):
    with pytest.raises(PermissionDenied):
        shop_register(market=market, number="1", area_sqft="10", actor=make_user("water_officer"))


def test_the_schedule_in_force_on_a_months_first_day_makes_its_rent(shop):
    RentSchedule.objects.create(
        market=shop.market,
        floor=0,
        effective_from=date(2027, 3, 15),
        rent_per_sqft=Decimal("42.50"),
        salami_per_sqft=Decimal("1800"),
        deposit_months=6,
    )
    assert selectors.rent_for_month(shop, date(2027, 3, 1)).amount == Decimal("4217.50")
    assert selectors.rent_for_month(shop, date(2027, 4, 1)).amount == Decimal("5121.25")


def test_a_floor_without_a_schedule_says_so(market, officer):
    RentSchedule.objects.filter(market=market, floor=1).delete()
    shop = shop_register(market=market, number="B-1", floor=1, area_sqft="80", actor=officer)
    with pytest.raises(selectors.NotInForce) as e:
        selectors.rent_for_month(shop, date(2026, 12, 1))
    assert str(e.value) == ("New Market, Floor 1 has no rent schedule in force on 01/12/2026.")


def test_the_default_rules_are_in_force_with_due_day_7_and_transfer_14_months(rules):
    found = selectors.rules_in_force(date(2026, 12, 10))
    assert (found.due_day, found.transfer_fee_months, found.cancellation_arrears_months) == (
        7,
        14,
        3,
    )
    assert (found.vat_percent, found.income_tax_percent) == (Decimal("15"), Decimal("5"))


def test_newer_rules_take_over_from_their_date(rules):
    LeaseRules.objects.create(effective_from=date(2027, 1, 1), due_day=10)
    assert selectors.rules_in_force(date(2026, 12, 31)).due_day == 7
    assert selectors.rules_in_force(date(2027, 1, 1)).due_day == 10


def test_a_due_day_past_28_is_refused_by_the_database(rules):
    with pytest.raises(IntegrityError), transaction.atomic():
        LeaseRules.objects.create(effective_from=date(2027, 1, 1), due_day=31)


def test_a_lessee_is_one_per_nid_and_registering_again_updates_the_details(officer):
    first = lessee_register(
        nid="১৯৯০ ১২৩ ৪৫৬", mobile="+880 1711-223344", name_en="Karim", actor=officer
    )
    assert (first.nid, first.mobile) == ("1990123456", "01711223344")
    again = lessee_register(
        nid="1990123456", mobile="01811223344", name_en="Karim Uddin", actor=officer
    )
    assert again.pk == first.pk
    assert (again.mobile, again.name_en) == ("01811223344", "Karim Uddin")
    assert AuditLog.objects.filter(action="markets.lessee_update").count() == 1


def test_a_lessee_with_a_bad_nid_mobile_and_no_name_is_refused(officer):
    with pytest.raises(ValidationError) as e:
        lessee_register(nid="123", mobile="12345", actor=officer)
    assert set(e.value.message_dict) == {"nid", "mobile", "name_bn"}


def test_vacant_shops_leave_out_the_allotted(shop, market, officer, lessee, licence, allot):
    other = shop_register(market=market, number="A-13", area_sqft="100", actor=officer)
    assert list(selectors.vacant_shops(market)) == [shop, other]
    allot(shop, lessee, licence)
    assert list(selectors.vacant_shops(market)) == [other]


# --- the admin --------------------------------------------------------------------------------


def test_the_estate_officer_edits_a_rent_schedule_in_the_admin_audited(client, make_user, market):
    officer = make_user("estate_officer", is_staff=True)
    client.force_login(officer)
    schedule = RentSchedule.objects.get(market=market, floor=0)
    url = f"/admin/market_leases/rentschedule/{schedule.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "market": market.pk,
            "floor": 0,
            "effective_from": "2024-07-01",
            "rent_per_sqft": "36.00",
            "salami_per_sqft": "1500.00",
            "deposit_months": 6,
            "order_reference": "KCC/Estate/2024/7",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    schedule.refresh_from_db()
    assert schedule.rent_per_sqft == Decimal("36.00")
    entry = AuditLog.objects.get(action="admin.change", object_type="market_leases.rentschedule")
    assert entry.actor == officer
    assert (entry.before["rent_per_sqft"], entry.after["rent_per_sqft"]) == ("35.00", "36.00")
    assert entry.after["order_reference"] == "KCC/Estate/2024/7"


def test_a_new_schedule_in_the_admin_starts_from_the_floors_latest(client, make_user, market):
    client.force_login(make_user("estate_officer", is_staff=True))
    page = client.get(f"/admin/market_leases/rentschedule/add/?market={market.pk}&floor=1")
    assert page.status_code == 200
    assert 'name="rent_per_sqft" value="25.00"' in page.content.decode()


def test_the_admin_normalises_a_shop_number_and_refuses_a_floor_too_high(client, make_user, market):
    client.cookies["kcc_language"] = "en"
    client.force_login(make_user("estate_officer", is_staff=True))
    data = {"market": market.pk, "number": "c 7", "floor": 0, "area_sqft": "50", "kind": "shop"}
    assert client.post("/admin/market_leases/shop/add/", data).status_code == 302
    assert Shop.objects.get(market=market).number == "C-7"
    response = client.post("/admin/market_leases/shop/add/", {**data, "number": "C-8", "floor": 5})
    assert response.status_code == 200
    assert "New Market has 2 floor(s)" in response.content.decode()


def test_other_staff_with_admin_access_do_not_see_markets(client, make_user, market):
    client.force_login(make_user("water_officer", is_staff=True))
    assert client.get("/admin/market_leases/market/").status_code == 403


def test_a_markets_page_adds_shops_inline_with_their_numbers_normalised(client, make_user, market):
    client.force_login(make_user("estate_officer", is_staff=True))
    url = f"/admin/market_leases/market/{market.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "ward": market.ward_id,
            "name_bn": market.name_bn,
            "name_en": market.name_en,
            "address": market.address,
            "floors": 2,
            "shops-TOTAL_FORMS": 1,
            "shops-INITIAL_FORMS": 0,
            "shops-0-number": "d ০১",
            "shops-0-floor": 1,
            "shops-0-area_sqft": "64.50",
            "shops-0-kind": "stall",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(market.shops.values_list("number", "floor", "kind")) == [("D-1", 1, "stall")]
    assert AuditLog.objects.filter(action="admin.add", object_type="market_leases.shop").exists()


def test_the_admin_reads_in_bengali(client, make_user, market):
    client.force_login(make_user("estate_officer", is_staff=True))
    page = client.get("/admin/market_leases/rentschedule/").content.decode()
    assert "ভাড়ার তফসিল" in page and "মাসিক ভাড়া, প্রতি বর্গফুট" in page
