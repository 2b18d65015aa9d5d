"""The register: connections on registered holdings (asked through holdings.public), their
status moves with history, meters installed and replaced, and the default tariff."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.models import AuditLog
from water_billing.models import Connection, Meter, StatusChange, WaterTariff
from water_billing.numbers import consumer_no, normalize_consumer_no
from water_billing.services import (
    connection_register,
    connection_set_status,
    meter_install,
    meter_replace,
)

pytestmark = pytest.mark.django_db


def test_the_default_tariff_is_seeded_with_a_price_per_category_and_charges_per_pipe():
    tariff = WaterTariff.objects.get()
    assert tariff.effective_from == date(2024, 7, 1)
    prices = {p.category: str(p.price) for p in tariff.prices.all()}
    assert prices["residential"] == "16.70" and prices["commercial"] == "46.20"
    assert len(prices) == 5
    assert tariff.pipes.count() == 7
    assert tariff.as_tariff().flat_monthly[20] == 500


def test_consumer_numbers_take_the_city_format_and_accept_bengali_digits():
    assert consumer_no(ward=7, serial=123) == "07-00123"
    assert normalize_consumer_no("০৭ ০০১২৩") == "07-00123"
    assert normalize_consumer_no("07/00123") == "07-00123"
    with pytest.raises(ValidationError) as caught:
        normalize_consumer_no("7-123")
    assert caught.value.code == "invalid_consumer_no"
    assert "07-00123" in caught.value.messages[0]


def test_register_on_a_holding_takes_the_wards_next_number_and_the_owners_mobile(holding):
    first = connection_register(ward="৩", holding_number="45/a", category="commercial")
    second = connection_register(ward=3, holding_number="45/A", pipe_diameter_mm=20)
    assert (first.consumer_no, second.consumer_no) == ("03-00001", "03-00002")
    assert first.holding_number == "45/A" and first.ward.number == 3
    assert first.billing_mobile == "01819123456" and first.name_en == "Rahim Uddin"
    assert first.status == "applied"
    assert list(first.status_changes.values_list("from_status", "to_status")) == [("", "applied")]


def test_register_on_an_unknown_holding_is_refused_and_nothing_is_stored(db):
    with pytest.raises(ValidationError) as caught:
        connection_register(ward=3, holding_number="999")
    assert "No holding 999 is registered in ward 3" in str(caught.value)
    assert not Connection.objects.exists()


def test_register_refuses_a_bad_mobile_category_and_pipe(holding):
    with pytest.raises(ValidationError) as caught:
        connection_register(
            ward=3,
            holding_number="45/A",
            billing_mobile="12345",
            category="palace",
            pipe_diameter_mm=33,
        )
    assert set(caught.value.message_dict) == {"billing_mobile", "category", "pipe_diameter_mm"}
    assert not Connection.objects.exists()


def test_status_moves_are_checked_and_each_writes_history_and_audit(holding, officer):
    c = connection_register(ward=3, holding_number="45/A")
    connection_set_status(connection=c, to="active", actor=officer)
    with pytest.raises(ValidationError) as caught:
        connection_set_status(connection=c, to="applied", actor=officer)
    assert caught.value.code == "bad_transition"
    assert "cannot go from “Active” to “Applied for”" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        connection_set_status(connection=c, to="disconnected", actor=officer)  # no reason
    connection_set_status(connection=c, to="disconnected", reason="3 months unpaid", actor=officer)
    connection_set_status(connection=c, to="active", reason="paid", actor=officer)
    c.refresh_from_db()
    assert c.status == "active" and c.connected_on == date(2026, 12, 10)
    history = list(
        StatusChange.objects.filter(connection=c).values_list(
            "from_status", "to_status", "reason", "changed_by"
        )
    )
    assert history == [
        ("", "applied", "", None),
        ("applied", "active", "", officer.pk),
        ("active", "disconnected", "3 months unpaid", officer.pk),
        ("disconnected", "active", "paid", officer.pk),
    ]
    assert AuditLog.objects.filter(action="water.connection_disconnected").count() == 1


def test_meter_replacement_closes_the_old_with_its_final_reading_and_installs_the_new(
    connection, officer
):
    new = meter_replace(
        connection=connection,
        final_reading="১,২৫০",
        replaced_on="2026-06-15",
        serial="M-2",
        initial_reading=0,
        actor=officer,
    )
    old = Meter.objects.get(serial="M-1")
    assert (old.removed_on, old.final_reading) == (date(2026, 6, 15), 1250)
    assert (new.serial, new.installed_on, new.initial_reading, new.dial_digits) == (
        "M-2",
        date(2026, 6, 15),
        0,
        5,
    )
    assert list(connection.meters.filter(removed_on__isnull=True)) == [new]


def test_a_replacement_with_a_bad_final_reading_changes_nothing(connection, officer):
    with pytest.raises(ValidationError):
        meter_replace(
            connection=connection,
            final_reading="abc",
            replaced_on="2026-06-15",
            serial="M-2",
        )
    assert connection.meters.get().removed_on is None


def test_a_second_meter_in_place_is_refused_by_the_service_and_the_database(connection):
    with pytest.raises(ValidationError) as caught:
        meter_install(connection=connection, serial="M-9", installed_on=date(2026, 2, 1))
    assert caught.value.code == "meter_in_place"
    with pytest.raises(IntegrityError), transaction.atomic():
        Meter.objects.create(connection=connection, serial="M-9", installed_on=date(2026, 2, 1))
