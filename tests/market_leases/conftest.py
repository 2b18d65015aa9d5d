"""Market fixtures: an estate officer, a market of two floors with a rent schedule per floor,
a lessee with a current trade licence (issued in trade licences' own tables, as a licence
officer's work would leave it), the default lease rules, and a fixed today (10 December
2026) read in English."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

DHAKA = ZoneInfo("Asia/Dhaka")
TODAY = date(2026, 12, 10)
LESSEE_NID = "1990123456"
OTHER_NID = "1990654321"


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 12, 10, 11, 0, tzinfo=DHAKA), tick=True):
        yield


@pytest.fixture
def rules(db):
    from market_leases.defaults import ensure_default_rules
    from market_leases.models import LeaseRules

    ensure_default_rules()
    return LeaseRules.objects.get()


@pytest.fixture
def officer(make_user):
    from core.roles import Role

    return make_user(Role.ESTATE_OFFICER)


@pytest.fixture
def market(db, rules):
    """New Market, ward 5, two floors: ground Tk 35.00 a sq ft a month, salami Tk 1,500 a
    sq ft, 6 months' deposit (from 1 July 2024); first floor Tk 25.00, salami Tk 1,000,
    6 months."""
    from core.models import Ward
    from market_leases.models import Market, RentSchedule

    m = Market.objects.create(
        ward=Ward.objects.get(number=5),
        name_bn="নিউ মার্কেট",
        name_en="New Market",
        address="KDA Avenue",
        floors=2,
    )
    RentSchedule.objects.create(
        market=m,
        floor=0,
        effective_from=date(2024, 7, 1),
        rent_per_sqft=Decimal("35.00"),
        salami_per_sqft=Decimal("1500.00"),
        deposit_months=6,
    )
    RentSchedule.objects.create(
        market=m,
        floor=1,
        effective_from=date(2024, 7, 1),
        rent_per_sqft=Decimal("25.00"),
        salami_per_sqft=Decimal("1000.00"),
        deposit_months=6,
    )
    return m


@pytest.fixture
def shop(market, officer):
    """Shop A-12, ground floor, 120.50 sq ft."""
    from market_leases.services import shop_register

    return shop_register(market=market, number="a 12", floor=0, area_sqft="120.50", actor=officer)


def issue_licence(nid: str, *, fiscal_year: str = "2026-27", current: bool = True) -> str:
    """A trade licence for the holder of `nid`, as trade licences store an issued one;
    returns its number."""
    from accounts.models import User
    from core.fiscal import fiscal_year_bounds
    from core.models import Ward
    from trade_licenses.models import Application, Business, Licence

    filer = User.objects.create_user(mobile=f"017{secrets.randbelow(10**8):08d}")
    business = Business.objects.create(
        name_bn="করিম স্টোর",
        name_en="Karim Store",
        category_code="grocery",
        premises_address="Shop A-12, New Market",
        ward=Ward.objects.get(number=5),
    )
    application = Application.objects.create(
        business=business,
        fiscal_year=fiscal_year,
        status=Application.Status.ISSUED,
        filed_by=filer,
        trader_name_en="Karim",
        trader_nid=nid,
    )
    sequence = Licence.objects.filter(fiscal_year=fiscal_year).count() + 1
    licence = Licence.objects.create(
        business=business,
        application=application,
        fiscal_year=fiscal_year,
        sequence=sequence,
        number=f"KCC/TL/{fiscal_year}/{sequence:06d}",
        verify_code=secrets.token_hex(8),
        valid_until=fiscal_year_bounds(fiscal_year)[1],
        is_current=current,
    )
    return licence.number


@pytest.fixture
def lessee(db, officer):
    from market_leases.services import lessee_register

    return lessee_register(
        nid=LESSEE_NID, mobile="01711223344", name_bn="করিম", name_en="Karim", actor=officer
    )


@pytest.fixture
def licence(lessee) -> str:
    return issue_licence(LESSEE_NID)


@pytest.fixture
def allot(officer):
    """allot(shop, lessee, licence, **overrides) -> a pending allotment by committee."""
    from market_leases.services import shop_allot

    def make(shop, lessee, licence, **kwargs):
        values = {
            "basis": "committee",
            "decision_reference": "KCC/Estate/2026/118",
            "decision_date": date(2026, 12, 1),
            "starts_on": date(2027, 1, 1),
            "trade_licence_number": licence,
            "actor": officer,
        }
        values.update(kwargs)
        return shop_allot(shop=shop, lessee=lessee, **values)

    return make


def codes(error) -> set[str]:
    """The codes of a ValidationError, whether it is one message or messages by field."""
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


@pytest.fixture
def active_allotment(shop, lessee, licence, allot, officer, citizen):
    """Shop A-12 allotted to Karim from 1 October 2026, active (the salami and deposit
    paid), the lessee linked to the `citizen` account."""
    from market_leases.services import allotment_set_status

    lessee.user = citizen
    lessee.save(update_fields=["user"])
    allotment = allot(shop, lessee, licence, starts_on=date(2026, 10, 1))
    return allotment_set_status(allotment=allotment, to="active", actor=officer)


def pay_at_counter(make_user, bill):
    from payments.services import counter_session_open, counter_take_cash

    clerk = make_user("counter_clerk")
    return counter_take_cash(session=counter_session_open(clerk=clerk), bills=[bill], clerk=clerk)
