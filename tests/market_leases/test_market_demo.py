"""The demo markets (seed_demo's market part): two markets with a hundred shops, seventy
allotted, the month's rent made for each, eight allotments and the demo lessee's in
arrears; the demo lessee's shop in their dues; seeding twice makes nothing twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core import portal
from market_leases.demo import DEMO_LESSEE_MOBILE, seed
from market_leases.models import Allotment, Market, RentMonth, Shop
from market_leases.selectors import vacant_shops

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_two_markets_a_hundred_shops_and_some_in_arrears():
    from accounts.models import User

    rows = seed()
    assert rows == [("Citizen (market shop lessee)", DEMO_LESSEE_MOBILE, "one-time code by SMS")]
    assert Market.objects.count() == 2 and Shop.objects.count() == 100
    assert Allotment.objects.filter(status="active").count() == 70
    assert vacant_shops().count() == 30
    this_month = RentMonth.objects.order_by("-period").first().period
    assert RentMonth.objects.filter(period=this_month).count() == 70
    in_arrears = RentMonth.objects.exclude(period=this_month).values("allotment").distinct()
    assert in_arrears.count() == 9
    lessee = User.objects.get(mobile=DEMO_LESSEE_MOBILE)
    (due,) = portal.open_dues(lessee)
    assert due.service == "market_leases" and due.overdue and due.amount > Decimal("0")
    mine = Allotment.objects.get(lessee__mobile=DEMO_LESSEE_MOBILE)
    assert (mine.shop.market.name_en, mine.shop.number) == ("New Market", "12")
    assert mine.rent_months.count() == 4
    seed()
    assert Shop.objects.count() == 100 and RentMonth.objects.count() == 70 + 9 * 3
