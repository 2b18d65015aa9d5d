"""Water fixtures: a registered holding (through holdings' own services, as the tests of
another app may), an active metered connection on it with a 5-digit meter, and a fixed
today (10 December 2026) read in English."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

DHAKA = ZoneInfo("Asia/Dhaka")
TODAY = date(2026, 12, 10)
OWNER_MOBILE = "01819123456"


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 12, 10, 11, 0, tzinfo=DHAKA), tick=True):
        yield


@pytest.fixture
def holding(db):
    from holdings.services import holding_create, owner_add

    h = holding_create(ward=3, number="45/A", road="Sir Iqbal Road")
    owner_add(holding=h, name_bn="রহিম উদ্দিন", name_en="Rahim Uddin", mobile=OWNER_MOBILE)
    return h


@pytest.fixture
def officer(make_user):
    from core.roles import Role

    return make_user(Role.WATER_OFFICER)


@pytest.fixture
def reader(make_user):
    from core.roles import Role

    return make_user(Role.METER_READER)


@pytest.fixture
def connection(holding, officer):
    """An active metered residential connection, meter M-1 installed on 1 January 2026 at
    1,000 m³ (5 dials)."""
    from water_billing.services import connection_register, connection_set_status, meter_install

    c = connection_register(ward=3, holding_number="45/a", actor=officer)
    meter_install(
        connection=c,
        serial="m-1",
        installed_on=date(2026, 1, 1),
        initial_reading=1000,
        actor=officer,
    )
    connection_set_status(connection=c, to="active", actor=officer, on=date(2026, 1, 1))
    return c


# --- monthly billing (tests/water_billing/test_water_bills_*.py) -------------------------------


@pytest.fixture
def make_connection(holding, officer):
    """make_connection(category=…, pipe=…, metered=…, sewerage=…, mobile=…) -> an active
    connection on the holding (metered ones: a 5-dial meter at 1,000 m³ since 1 January 2026)."""
    from water_billing.services import connection_register, connection_set_status, meter_install

    def make(
        category="residential", pipe=12, metered=True, sewerage=False, mobile=OWNER_MOBILE, **kw
    ):
        c = connection_register(
            ward=3,
            holding_number="45/a",
            category=category,
            pipe_diameter_mm=pipe,
            metered=metered,
            sewerage=sewerage,
            billing_mobile=mobile,
            actor=officer,
            **kw,
        )
        if metered:
            meter_install(
                connection=c,
                serial=f"m-{c.pk}",
                installed_on=date(2026, 1, 1),
                initial_reading=1000,
                actor=officer,
            )
        connection_set_status(connection=c, to="active", actor=officer, on=date(2026, 1, 1))
        c.refresh_from_db()
        return c

    return make


def read(connection, period: str, value: int, day: int = 28):
    """Record a meter reading for `period` ("YYYY-MM") read on `day` of that month."""
    from water_billing.services import reading_record

    year, month = (int(x) for x in period.split("-"))
    return reading_record(
        connection=connection,
        period=period,
        value=value,
        read_on=date(year, month, day),
        source="office",
    )


@pytest.fixture
def tariff_change_16_november(db):
    """A new tariff from 16 November 2026 (add_tariff)."""
    return add_tariff(date(2026, 11, 16))


def add_tariff(effective_from: date):
    """A new tariff from `effective_from`: dearer water (commercial at an odd Tk 46.25, for
    half-paisa rounding), minimum Tk 150, sewerage 50%, VAT 5%, late fee 10% + Tk 5, due in
    20 days, flat charges up by Tk 33.33."""
    from decimal import Decimal

    from water_billing.defaults import ensure_default_tariff
    from water_billing.models import TariffPipe, TariffPrice, WaterTariff

    ensure_default_tariff()
    old = WaterTariff.objects.order_by("-effective_from").first()
    new = WaterTariff.objects.create(
        effective_from=effective_from,
        minimum_charge=Decimal("150.00"),
        sewerage_percent=Decimal("50.00"),
        late_fee_percent=Decimal("10.00"),
        late_fee_fixed=Decimal("5.00"),
        vat_percent=Decimal("5.00"),
        due_days=20,
    )
    prices = {
        "residential": "20.00",
        "commercial": "46.25",
        "industrial": "47.13",
        "institutional": "18.35",
        "exempt": "0",
    }
    TariffPrice.objects.bulk_create(
        [TariffPrice(tariff=new, category=c, price=Decimal(p)) for c, p in prices.items()]
    )
    TariffPipe.objects.bulk_create(
        [
            TariffPipe(
                tariff=new,
                diameter_mm=p.diameter_mm,
                flat_monthly=p.flat_monthly + Decimal("33.33"),
                connection_fee=p.connection_fee,
            )
            for p in old.pipes.all()
        ]
    )
    return new
