"""The reading pages read in Bengali, with a route that has readings, a saved, a held and a
flagged reading, a file with mistakes and the review page: no Latin digits and no English
sentence (the check of tests/core/test_bengali_pages.py). Today is 10 December 2026."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from water_billing.models import Connection, Reading
from water_billing.services import connection_register, connection_set_status, meter_install
from water_billing.services.readings import reading_record

pytestmark = pytest.mark.django_db

_spec = importlib.util.spec_from_file_location(
    "bengali_pages_check", Path(__file__).parent.parent / "core" / "test_bengali_pages.py"
)
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)


@pytest.fixture
def route(officer, holding):
    found = []
    for walk, serial in ((10, "M-A"), (20, "M-B"), (30, "M-C")):
        c = connection_register(ward=3, holding_number="45/a", actor=officer)
        meter_install(
            connection=c,
            serial=serial,
            installed_on=date(2026, 1, 1),
            initial_reading=1000,
            actor=officer,
        )
        connection_set_status(connection=c, to="active", actor=officer, on=date(2026, 1, 1))
        Connection.objects.filter(pk=c.pk).update(block="A", walk_order=walk)
        for m in range(6, 12):
            reading_record(
                connection=c,
                period=f"2026-{m:02d}",
                value=1000 + 12 * (m - 5),
                read_on=date(2026, m, 5),
                source="reader_phone",
            )
        found.append(c)
    return found


def post(c, value, read_on="2026-12-10"):
    return {"connection": c.pk, f"c{c.pk}-reading": value, f"c{c.pk}-read_on": read_on}


def test_the_reading_pages_are_bengali(client, reader, officer, route):
    client.cookies["kcc_language"] = "bn"
    client.force_login(reader)
    answers = {
        "the chooser": client.get("/water/readings/"),
        "the route": client.get("/water/readings/", {"ward": 3, "block": "A"}),
    }
    for name, c, value in (
        ("saved", route[0], "১০৮৪"),
        ("held", route[1], "900"),
        ("flagged", route[2], "1500"),
    ):
        answers[name] = client.get(client.post("/water/readings/", post(c, value))["Location"])
    answers["a mistake"] = client.post("/water/readings/", post(route[0], "abc", "2026-12-11"))
    answers["the import page"] = client.get("/water/readings/import/")
    rows = (
        "consumer_no,reading,read_on\n03-00001,১০৮৪,2026-12-05\n03-00099,1,2026-12-05\n"
        "03-00002,-1,2026-12-05\n03-00003,1100,2027-01-05\n"
    )
    answers["a file's report"] = client.post(
        "/water/readings/import/", {"file": SimpleUploadedFile("day.csv", rows.encode())}
    )
    answers["a file with wrong columns"] = client.post(
        "/water/readings/import/", {"file": SimpleUploadedFile("day.csv", b"a,b\n1,2\n")}
    )
    answers["the meter reader's dashboard"] = client.get("/staff/meter_reader/")
    client.force_login(officer)
    held = Reading.objects.get(status="held")
    answers["the review queue"] = client.get("/water/readings/review/")
    answers["a held reading"] = client.get(f"/water/readings/review/{held.pk}/")
    answers["a correction without a reason"] = client.post(
        f"/water/readings/review/{held.pk}/",
        {"action": "correct", "correct-value": "abc", "correct-reason": ""},
    )
    for what, response in answers.items():
        assert response.status_code == 200, what
    # What people typed or the file format names as it is: addresses, the file's name, the
    # column names of the format.
    typed = list(Connection.objects.values_list("address", flat=True))
    typed += [
        "day.csv",
        "consumer_no, reading, read_on, meter_serial, note",
        "consumer_no, reading, read_on",
    ]
    check.assert_bengali(answers, typed + check.typed_in_english())
