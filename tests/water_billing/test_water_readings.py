"""Recording meter readings (water_billing.services.reading_record): every check, each
refusal with a clear message and nothing stored; rollovers, replacements, held and flagged
readings; an estimated month trued up by the next actual reading. Today is 10 December
2026; the meter was installed on 1 January 2026 at 1,000 m³ (5 dials)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from water_billing.models import Reading
from water_billing.services import meter_replace, reading_estimate, reading_record

pytestmark = pytest.mark.django_db


def record(connection, period, value, read_on=None, **kw):
    year, month = (int(x) for x in period.split("-"))
    return reading_record(
        consumer_no=connection.consumer_no,
        period=period,
        value=value,
        read_on=read_on or date(year, month, 5),
        source="reader_phone",
        **kw,
    )


def refused(connection, period, value, read_on=None, **kw) -> ValidationError:
    before = Reading.objects.count()
    with pytest.raises(ValidationError) as caught:
        record(connection, period, value, read_on, **kw)
    assert Reading.objects.count() == before  # nothing stored
    return caught.value


def history(connection, months=6, start=1000, each=12):
    """Six ordinary months, February–July 2026, 12 m³ each."""
    value = start
    for m in range(2, 2 + months):
        value += each
        record(connection, f"2026-{m:02d}", value)
    return value


def test_a_reading_is_stored_with_its_consumption_and_billable_units(connection, reader):
    r = record(connection, "2026-02", "1018", read_by=reader)
    assert (r.value, r.consumption, r.billable, r.status, r.period) == (
        1018,
        18,
        18,
        "ok",
        date(2026, 2, 1),
    )
    assert r.read_by == reader and r.source == "reader_phone"
    assert r.explanation_text == "1018 less the previous reading 1000"


def test_bengali_digits_accepted_in_the_reading_and_the_consumer_number(connection):
    r = reading_record(
        consumer_no="০৩-০০০০১",
        period="২০২৬-০২",
        value="১,০১৮",
        read_on="২০২৬-০২-০৫",
        source="office",
    )
    assert (r.value, r.consumption) == (1018, 18)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("abc", "is not a meter reading: enter digits only"),
        ("-20", "A meter reading cannot be negative"),
        ("1020.5", "whole cubic metres"),
        ("123456", "The meter has 5 dials"),
    ],
)
def test_non_numeric_negative_and_impossible_readings_are_refused(connection, typed, says):
    error = refused(connection, "2026-02", typed)
    assert says in error.message_dict["value"][0]


def test_a_reading_dated_in_the_future_is_refused(connection):
    error = refused(connection, "2026-12", "1018", read_on=date(2026, 12, 11))
    assert "11/12/2026 is in the future" in error.message_dict["read_on"][0]


def test_a_month_not_begun_is_refused(connection):
    error = refused(connection, "2027-01", "1018", read_on=date(2026, 12, 10))
    assert "has not begun" in error.message_dict["period"][0]


def test_a_second_reading_for_the_same_month_is_refused(connection):
    record(connection, "2026-02", "1018")
    error = refused(connection, "2026-02", "1020", read_on=date(2026, 2, 20))
    assert error.code == "duplicate_reading"
    assert "already has a reading for February 2026" in error.messages[0]


def test_a_reading_for_a_month_before_one_already_read_is_refused(connection):
    record(connection, "2026-03", "1018")
    assert refused(connection, "2026-02", "1010").code == "reading_out_of_order"


def test_an_unknown_consumer_number_is_refused(connection):
    with pytest.raises(ValidationError) as caught:
        reading_record(
            consumer_no="03-09999",
            period="2026-02",
            value="1",
            read_on=date(2026, 2, 5),
        )
    assert caught.value.code == "unknown_consumer_no"
    assert "No water connection has the consumer number 03-09999" in caught.value.messages[0]
    assert not Reading.objects.exists()


def test_a_connection_not_active_takes_no_reading(connection, officer):
    from water_billing.services import connection_set_status

    connection_set_status(connection=connection, to="disconnected", reason="arrears", actor=officer)
    assert refused(connection, "2026-02", "1018").code == "connection_not_active"


def test_refusals_are_told_in_bengali(connection):
    with translation.override("bn"):
        error = refused(connection, "2026-02", "-20")
    assert "meter" not in error.message_dict["value"][0].lower()


def test_rollover_99990_to_12_on_a_5_digit_meter_bills_22(connection, officer):
    meter_replace(
        connection=connection,
        final_reading=1000,
        replaced_on="2026-01-31",
        serial="M-2",
        initial_reading=99_950,
        actor=officer,
    )
    record(connection, "2026-02", "99990")  # 1000 − 1000 on M-1 + 40 on M-2
    r = record(connection, "2026-03", "12")
    assert (r.consumption, r.billable, r.status) == (22, 22, "rollover")


def test_lower_reading_without_rollover_or_replacement_is_held_not_billed(connection):
    value = history(connection)  # 1072, average 12
    r = record(connection, "2026-08", "1050")
    assert (r.status, r.consumption, r.billable) == ("held", None, None)
    assert "Held for review" in r.explanation_text
    # the next reading is read from the last one that was not held
    nxt = record(connection, "2026-09", str(value + 24))
    assert (nxt.consumption, nxt.status) == (24, "ok")


def test_a_replaced_meter_counts_the_old_meters_last_units_and_the_new_ones(connection, officer):
    record(connection, "2026-02", "1012")
    meter_replace(
        connection=connection,
        final_reading=1020,
        replaced_on="2026-03-10",
        serial="M-2",
        initial_reading=0,
        actor=officer,
    )
    r = record(connection, "2026-03", "5", read_on=date(2026, 3, 28))
    assert (r.consumption, r.status) == (13, "replaced")  # 8 on the old + 5 on the new


def test_a_spike_above_3_times_the_6_month_average_is_flagged(connection):
    value = history(connection)
    r = record(connection, "2026-08", str(value + 37))
    assert (r.status, r.flag, r.consumption, r.billable) == ("flagged", "spike", 37, 37)


def test_zero_on_a_normally_consuming_connection_is_flagged(connection):
    value = history(connection)
    r = record(connection, "2026-08", str(value))
    assert (r.status, r.flag) == ("flagged", "zero")


def test_estimated_month_then_true_up_on_the_next_actual_reading(connection):
    value = history(connection)  # average 12
    estimated = reading_estimate(connection=connection, period="2026-08")
    assert (estimated.status, estimated.value, estimated.consumption, estimated.billable) == (
        "estimated",
        None,
        12,
        12,
    )
    # September: 30 m³ used since July's reading; August billed 12 of them already
    r = record(connection, "2026-09", str(value + 30))
    assert (r.consumption, r.billable, r.credit_after, r.status) == (30, 18, 0, "ok")


def test_over_estimated_month_carries_a_credit_never_a_negative_bill(connection):
    value = history(connection)
    reading_estimate(connection=connection, period="2026-08")  # 12 billed
    r = record(connection, "2026-09", str(value + 8))  # only 8 used in two months
    assert (r.consumption, r.billable, r.credit_after) == (8, 0, 4)
    nxt = record(connection, "2026-10", str(value + 8 + 15))
    assert (nxt.consumption, nxt.billable, nxt.credit_after) == (15, 11, 0)
