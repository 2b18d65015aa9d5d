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
