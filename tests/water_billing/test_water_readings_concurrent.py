"""Two saves of a reading for the same connection and month at the same moment record one
(PostgreSQL: threads, a barrier and two connections; the connection's row lock and the
unique constraint per connection and month)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as db
from django.test import Client

from water_billing.models import Reading
from water_billing.services.readings import reading_submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if db.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")


def run_together(*calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except ValidationError as error:
            return error
        finally:
            db.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def save(connection, value, reader):
    return lambda: reading_submit(
        connection=connection,
        value=value,
        read_on="2026-12-05",
        source="reader_phone",
        read_by=reader,
    )


@pytest.mark.parametrize("attempt", range(3))
def test_two_different_readings_at_once_record_one(connection, reader, attempt):
    results = run_together(save(connection, "1018", reader), save(connection, "1020", reader))
    saved = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(saved) == 1 and len(refused) == 1
    assert refused[0].code == "duplicate_reading"
    assert Reading.objects.filter(connection=connection, period=date(2026, 12, 1)).count() == 1


def test_the_same_reading_sent_twice_at_once_records_one(connection, reader):
    results = run_together(save(connection, "1018", reader), save(connection, "১০১৮", reader))
    assert sorted(created for _reading, created in results) == [False, True]
    assert len({reading.pk for reading, _created in results}) == 1
    assert Reading.objects.filter(connection=connection).count() == 1


def test_two_phones_posting_at_once_record_one(connection, reader, officer):
    def post(user, value):
        def call():
            client = Client()
            client.force_login(user)
            return client.post(
                "/water/readings/",
                {
                    "connection": connection.pk,
                    f"c{connection.pk}-reading": value,
                    f"c{connection.pk}-read_on": "2026-12-05",
                },
            ).status_code

        return call

    codes = run_together(post(reader, "1018"), post(officer, "1019"))
    assert sorted(codes) == [200, 302]  # one saved, one shown "already has a reading"
    assert Reading.objects.filter(connection=connection).count() == 1
