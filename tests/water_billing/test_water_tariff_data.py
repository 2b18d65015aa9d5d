"""Tariffs as data: a new tariff from the 16th charges November pro rata through the
selector; the admin refuses a tariff missing a category's price; holdings' read function."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.roles import Role
from water_billing import selectors
from water_billing import tariff as t
from water_billing.models import TariffPipe, TariffPrice, WaterTariff

pytestmark = pytest.mark.django_db


def new_tariff_from_the_16th() -> WaterTariff:
    tariff = WaterTariff.objects.create(
        effective_from=date(2026, 11, 16), minimum_charge=Decimal("120")
    )
    old = WaterTariff.objects.get(effective_from=date(2024, 7, 1))
    for p in old.prices.all():
        price = Decimal("20.00") if p.category == "residential" else p.price
        TariffPrice.objects.create(tariff=tariff, category=p.category, price=price)
    for p in old.pipes.all():
        TariffPipe.objects.create(
            tariff=tariff,
            diameter_mm=p.diameter_mm,
            flat_monthly=p.flat_monthly,
            connection_fee=p.connection_fee,
        )
    return tariff


def test_pro_rata_across_a_tariff_change_on_the_16th_from_the_database_150_30_plus_180_00():
    new_tariff_from_the_16th()
    tariffs = selectors.tariffs_for_month(date(2026, 11, 1))
    assert [x.effective_from for x in tariffs] == [date(2024, 7, 1), date(2026, 11, 16)]
    lines = t.water_charges(
        month=date(2026, 11, 1),
        tariffs=tariffs,
        category="residential",
        metered=True,
        consumption=18,
    )
    assert [str(line.amount) for line in lines] == ["150.30", "180.00"]
    assert selectors.tariffs_for_month(date(2026, 12, 1))[0].effective_from == date(2026, 11, 16)


def test_the_tariff_admin_refuses_a_tariff_without_a_price_for_every_category(client, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR))
    client.cookies["kcc_language"] = "en"
    assert client.get("/admin/water_billing/watertariff/add/").status_code == 200
    data = {
        "effective_from": "2027-01-01",
        "minimum_charge": "100",
        "sewerage_percent": "100",
        "late_fee_percent": "10",
        "late_fee_fixed": "0",
        "vat_percent": "0",
        "due_days": "15",
        "spike_multiple": "3",
        "average_months": "6",
        "disconnection_arrears_months": "3",
        "road_cutting_fee": "0",
        "reconnection_fee": "0",
        "prices-TOTAL_FORMS": "1",
        "prices-INITIAL_FORMS": "0",
        "prices-0-category": "residential",
        "prices-0-price": "18",
        "pipes-TOTAL_FORMS": "0",
        "pipes-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/water_billing/watertariff/add/", data)
    assert response.status_code == 200
    assert "Give a price for every category; missing: commercial" in response.content.decode()
    assert not WaterTariff.objects.filter(effective_from=date(2027, 1, 1)).exists()


def test_holdings_public_summary_names_the_holding_and_its_owners(holding):
    from holdings.public import holding_summary

    summary = holding_summary(ward="৩", number="45/a")
    assert (summary.ward, summary.number, summary.owner_name_en) == (3, "45/A", "Rahim Uddin")
    assert summary.owner_mobiles == ("01819123456",)
