"""The water officer's decisions on held and flagged readings (water_billing.services.readings:
reading_accept, reading_correct, reading_meter_replaced, reading_leave_for_estimate), and a
reading sent again from the field (reading_submit). Today is 10 December 2026; the meter was
installed on 1 January 2026 at 1,000 m³ (5 dials)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditLog
from water_billing.models import Meter, Reading
from water_billing.services.readings import (
    reading_accept,
    reading_correct,
    reading_leave_for_estimate,
    reading_meter_replaced,
    reading_record,
    reading_submit,
)

pytestmark = pytest.mark.django_db


def record(connection, period, value, day=5):
    year, month = (int(x) for x in period.split("-"))
    return reading_record(
        connection=connection,
        period=period,
        value=value,
        read_on=date(year, month, day),
        source="reader_phone",
    )


@pytest.fixture
def six_months(connection):
    """February–July 2026, 12 m³ a month: 1,072 in July."""
    value = 1000
    for m in range(2, 8):
        value += 12
        record(connection, f"2026-{m:02d}", value)
    return value


@pytest.fixture
def held(connection, six_months):
    r = record(connection, "2026-08", 1050)
    assert r.status == "held"
    return r


@pytest.fixture
def spike(connection, six_months):
    r = record(connection, "2026-08", 1172)
    assert (r.status, r.flag) == ("flagged", "spike")
    return r


def audit_actions(obj):
    return list(AuditLog.objects.filter(object_id=str(obj.pk)).values_list("action", flat=True))


def test_accepting_a_spike_bills_it_as_measured_with_the_reason_audited(spike, officer):
    done = reading_accept(
        reading=spike, reason="Tenant filled a tank; checked on site", actor=officer
    )
    assert (done.status, done.flag, done.consumption, done.billable) == ("ok", "spike", 100, 100)
    log = AuditLog.objects.filter(action="water.reading_accept").get()
    assert log.reason == "Tenant filled a tank; checked on site" and log.actor == officer
    assert log.before["status"] == "flagged" and log.after["status"] == "ok"


def test_accepting_a_held_reading_measures_nothing_and_credits_what_was_over_counted(
    connection, held, officer
):
    done = reading_accept(reading=held, reason="July was misread", actor=officer)
    assert (done.status, done.consumption, done.billable, done.credit_after) == ("ok", 0, 0, 22)
    # The next month is read from the accepted value and the credit comes off it.
    nxt = record(connection, "2026-09", 1080)
    assert (nxt.consumption, nxt.billable, nxt.credit_after) == (30, 8, 0)


def test_a_held_reading_is_accepted_only_while_it_is_the_latest(connection, held, officer):
    record(connection, "2026-09", 1090)
    with pytest.raises(ValidationError) as caught:
        reading_accept(reading=held, reason="x", actor=officer)
    assert "later month" in str(caught.value)
    held.refresh_from_db()
    assert held.status == "held"


def test_accepting_needs_a_reason_and_a_reading_under_review(spike, officer, connection):
    with pytest.raises(ValidationError) as caught:
        reading_accept(reading=spike, reason="  ", actor=officer)
    assert "Say why" in str(caught.value)
    ok = Reading.objects.filter(connection=connection, status="ok").first()
    with pytest.raises(ValidationError) as caught:
        reading_accept(reading=ok, reason="x", actor=officer)
    assert "no longer waiting for review" in str(caught.value)


def test_correcting_a_held_reading_checks_the_month_again(held, officer):
    done = reading_correct(
        reading=held, value="১,০৮৪", reason="Reader swapped two digits", actor=officer
    )
    assert (done.status, done.value, done.consumption, done.period) == (
        "ok",
        1084,
        12,
        date(2026, 8, 1),
    )
    assert not Reading.objects.filter(pk=held.pk).exists()
    log = AuditLog.objects.get(action="water.reading_correct")
    assert log.before["value"] == 1050 and log.after["value"] == 1084
    assert log.reason == "Reader swapped two digits"


def test_a_correction_that_is_still_wrong_changes_nothing(held, officer):
    with pytest.raises(ValidationError):
        reading_correct(reading=held, value="abc", reason="x", actor=officer)
    held.refresh_from_db()
    assert (held.status, held.value) == ("held", 1050)


def test_a_held_reading_is_not_corrected_once_a_later_month_is_read(connection, held, officer):
    record(connection, "2026-09", 1090)
    with pytest.raises(ValidationError) as caught:
        reading_correct(reading=held, value="1084", reason="x", actor=officer)
    assert "later month" in str(caught.value)


def test_a_meter_replaced_turns_the_held_reading_into_a_replaced_one(connection, held, officer):
    # The old meter was taken out on 1 August at 1,080; the new one (a reconditioned meter
    # installed at 1,040) shows 1,050 on the 5th.
    done = reading_meter_replaced(
        reading=held,
        final_reading="1080",
        replaced_on=date(2026, 8, 1),
        serial="m-2",
        initial_reading="1040",
        reason="Old meter broken; replaced by the plumber",
        actor=officer,
    )
    assert done.status == "replaced"
    assert done.consumption == (1080 - 1072) + (1050 - 1040)
    assert Meter.objects.get(connection=connection, removed_on__isnull=True).serial == "M-2"
    assert AuditLog.objects.filter(action="water.reading_meter_replaced").exists()
    assert AuditLog.objects.filter(action="water.meter_replace").exists()


def test_a_replacement_after_the_reading_is_refused_and_nothing_changes(connection, held, officer):
    with pytest.raises(ValidationError) as caught:
        reading_meter_replaced(
            reading=held,
            final_reading="1080",
            replaced_on=date(2026, 8, 20),
            serial="m-2",
            reason="x",
            actor=officer,
        )
    assert "replaced after the reading" in str(caught.value)
    assert Reading.objects.filter(pk=held.pk, status="held").exists()
    assert connection.meters.count() == 1


def test_leaving_the_month_for_the_estimate(connection, spike, officer):
    done = reading_leave_for_estimate(reading=spike, reason="Meter photo unreadable", actor=officer)
    assert (done.status, done.consumption, done.value) == ("estimated", 12, None)
    assert "1172" in done.note or "১১৭২" in done.note
    log = AuditLog.objects.get(action="water.reading_leave_for_estimate")
    assert log.before["value"] == 1172 and log.reason == "Meter photo unreadable"


def test_a_reading_sent_again_is_not_recorded_twice(connection, reader):
    first, created = reading_submit(
        consumer_no=connection.consumer_no,
        value="1018",
        read_on="2026-12-05",
        source="handheld",
        read_by=reader,
    )
    again, created_again = reading_submit(
        consumer_no=connection.consumer_no,
        value="১০১৮",
        read_on="২০২৬-১২-০৫",
        source="handheld",
        read_by=reader,
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and Reading.objects.count() == 1
    with pytest.raises(ValidationError) as caught:
        reading_submit(
            consumer_no=connection.consumer_no,
            value="1020",
            read_on="2026-12-05",
            source="handheld",
        )
    assert "already has a reading" in str(caught.value)


def test_the_month_is_the_read_dates_and_a_wrong_meter_is_refused(connection):
    r, _created = reading_submit(
        consumer_no=connection.consumer_no,
        value="1018",
        read_on="2026-11-28",
        source="handheld",
        meter_serial="m-1",
    )
    assert r.period == date(2026, 11, 1)
    with pytest.raises(ValidationError) as caught:
        reading_submit(
            consumer_no=connection.consumer_no,
            value="1030",
            read_on="2026-12-05",
            source="handheld",
            meter_serial="M-9",
        )
    assert "is M-1, not M-9" in str(caught.value)


# --- the pages --------------------------------------------------------------------------------


@pytest.fixture
def english(client):
    client.cookies["kcc_language"] = "en"
    return client


def test_the_queue_lists_held_and_flagged_and_finds_by_consumer_number(
    english, officer, held, connection
):
    english.force_login(officer)
    page = english.get("/water/readings/review/").content.decode()
    assert f"/water/readings/review/{held.pk}/" in page
    found = english.get("/water/readings/review/", {"q": "০৩-০০০০১"}).content.decode()
    assert f"/water/readings/review/{held.pk}/" in found
    none = english.get("/water/readings/review/", {"q": "99-99999"}).content.decode()
    assert "No held or flagged reading has this consumer number." in none


def test_the_officer_accepts_a_reading_on_its_page(english, officer, spike):
    english.force_login(officer)
    page = english.get(f"/water/readings/review/{spike.pk}/")
    assert page.status_code == 200 and "Accept as read" in page.content.decode()
    refused = english.post(
        f"/water/readings/review/{spike.pk}/", {"action": "accept", "accept-reason": ""}
    )
    assert refused.status_code == 200 and "There is a problem" in refused.content.decode()
    done = english.post(
        f"/water/readings/review/{spike.pk}/",
        {"action": "accept", "accept-reason": "Checked on site"},
    )
    assert done.status_code == 302 and done["Location"] == "/water/readings/review/"
    spike.refresh_from_db()
    assert spike.status == "ok"


def test_the_officer_corrects_a_reading_on_its_page(english, officer, held):
    english.force_login(officer)
    done = english.post(
        f"/water/readings/review/{held.pk}/",
        {"action": "correct", "correct-value": "1084", "correct-reason": "Misread"},
    )
    assert done.status_code == 302
    assert Reading.objects.get(period=date(2026, 8, 1)).status == "ok"


def test_readers_and_citizens_may_not_review(client, reader, citizen, held):
    for user in (reader, citizen):
        client.force_login(user)
        assert client.get("/water/readings/review/").status_code == 403
        assert client.get(f"/water/readings/review/{held.pk}/").status_code == 403
        response = client.post(
            f"/water/readings/review/{held.pk}/", {"action": "accept", "accept-reason": "x"}
        )
        assert response.status_code == 403
    held.refresh_from_db()
    assert held.status == "held"


def test_the_queue_takes_a_fixed_number_of_queries(english, officer, held, holding):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from water_billing.services import connection_register, connection_set_status, meter_install

    english.force_login(officer)
    with CaptureQueriesContext(db) as one:
        english.get("/water/readings/review/")
    for n in range(3):
        c = connection_register(ward=3, holding_number="45/a", actor=officer)
        meter_install(connection=c, serial=f"q-{n}", installed_on=date(2026, 1, 1), actor=officer)
        connection_set_status(connection=c, to="active", actor=officer, on=date(2026, 1, 1))
        reading_record(
            connection=c, period="2026-02", value=10, read_on=date(2026, 2, 5), source="office"
        )
        record(c, "2026-03", 5)  # held
    with CaptureQueriesContext(db) as four:
        page = english.get("/water/readings/review/")
    assert page.content.decode().count("/water/readings/review/") >= 4
    assert len(four) == len(one)
