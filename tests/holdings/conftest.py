"""Holdings fixtures: the gateway simulator on the live server (as in tests/payments), and
a registered holding with an owner, an assessment and a generated demand."""

from __future__ import annotations

import pytest

from core.fiscal import current_fiscal_year, previous_fiscal_year
from holdings.demands import generate_demands
from holdings.services import assessment_record, holding_create, owner_add

OWNER_NID = "1987654321"
OWNER_MOBILE = "01819123456"


@pytest.fixture
def gateway(live_server, settings):
    """Point the real client at the simulator on the live server (and callbacks at it)."""
    settings.SITE_URL = live_server.url
    settings.SSLCOMMERZ_BASE_URL = live_server.url + settings.SSLCOMMERZ_SIMULATOR_PATH
    return live_server


@pytest.fixture
def make_holding(db):
    """make_holding(fy=None, ward=3, number="45/A", rent="120000") -> Holding with one owner
    (Rahim Uddin, NID 1987654321, mobile 01819123456) and the year's demand generated."""

    def make(
        fy: str | None = None,
        *,
        ward=3,
        number: str = "45/A",
        rent: str = "120000",
        use: str = "residential",
        **owner,
    ):
        fy = fy or current_fiscal_year()
        holding = holding_create(
            ward=ward, number=number, use=use, road="Sir Iqbal Road", mahalla="Sonadanga"
        )
        owner_add(
            holding=holding,
            name_bn=owner.get("name_bn", "রহিম উদ্দিন"),
            name_en=owner.get("name_en", "Rahim Uddin"),
            nid=owner.get("nid", OWNER_NID),
            mobile=owner.get("mobile", OWNER_MOBILE),
        )
        assessment_record(holding=holding, effective_fy=previous_fiscal_year(fy), annual_rent=rent)
        generate_demands(fy)
        return holding

    return make


def schedule_form_data(schedule) -> dict:
    """A rate schedule's own fields as its admin form posts them (dates in ISO format),
    taken from the model so a new setting needs no change here."""
    data = {}
    for field in type(schedule)._meta.fields:
        if field.editable and not field.primary_key:
            value = getattr(schedule, field.name)
            data[field.name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return data


@pytest.fixture
def unbilled_holding(db):
    """A holding assessed for last year whose demand for this year has not been generated."""
    fy = current_fiscal_year()
    holding = holding_create(
        ward=3, number="45/A", use="residential", road="Sir Iqbal Road", mahalla="Sonadanga"
    )
    owner_add(
        holding=holding,
        name_bn="রহিম উদ্দিন",
        name_en="Rahim Uddin",
        nid=OWNER_NID,
        mobile="01819123456",
    )
    assessment_record(holding=holding, effective_fy=previous_fiscal_year(fy), annual_rent="120000")
    return holding
