"""A handheld's file of readings (/water/readings/import/): read by core.tabular, each row
through reading_submit, a row-by-row report; good rows are saved when others are bad; a
file that cannot be read as a whole saves nothing. Today is 10 December 2026."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from water_billing.models import Reading
from water_billing.readings_import import import_file

pytestmark = pytest.mark.django_db
URL = "/water/readings/import/"
HEADER = "consumer_no,reading,read_on,meter_serial,note\n"


def run(data: bytes | str, reader, name="readings.csv"):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return import_file(data, name, user=reader)


def test_good_rows_are_saved_and_each_bad_row_says_why(connection, reader):
    report = run(
        HEADER
        + "03-00001,1018,2026-11-05,M-1,\n"  # saved (November)
        + "03-00099,1020,2026-12-05,,\n"  # unknown consumer number
        + "03-00001,abc,2026-12-05,,\n"  # non-numeric
        + "03-00001,-4,2026-12-05,,\n"  # negative
        + "03-00001,1030,2026-12-25,,\n"  # future date
        + '০৩-০০০০১,"১,০৩০",২০২৬-১২-০৫,,gate locked\n',  # Bengali digits: saved (December)
        reader,
    )
    assert report.file_errors == []
    got = [(r.row, r.outcome) for r in report.results]
    assert got == [
        (2, "saved"),
        (3, "error"),
        (4, "error"),
        (5, "error"),
        (6, "error"),
        (7, "saved"),
    ]
    messages = [r.message for r in report.results]
    assert "No water connection has the consumer number 03-00099." in messages[1]
    assert "is not a meter reading" in messages[2]
    assert "cannot be negative" in messages[3]
    assert "is in the future" in messages[4]
    assert list(Reading.objects.order_by("period").values_list("value", "source", "note")) == [
        (1018, "handheld", ""),
        (1030, "handheld", "gate locked"),
    ]


def test_a_second_reading_for_the_month_and_the_same_file_again(connection, reader):
    data = HEADER + "03-00001,1018,2026-12-05,,\n"
    assert run(data, reader).results[0].outcome == "saved"
    again = run(data, reader).results[0]
    assert again.outcome == "repeated" and again.message.startswith("Already recorded")
    other = run(HEADER + "03-00001,1025,2026-12-06,,\n", reader).results[0]
    assert other.outcome == "error" and "already has a reading" in other.message
    assert Reading.objects.count() == 1


def test_held_and_flagged_rows(connection, reader):
    for m in range(6, 12):
        run(HEADER + f"03-00001,{1000 + 12 * (m - 5)},2026-{m:02d}-05,,\n", reader)
    held = run(HEADER + "03-00001,1000,2026-12-05,,\n", reader).results[0]
    assert held.outcome == "held" and "The water officer will review it." in held.message


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (
            "consumer,reading,date\n03-00001,1018,2026-12-05\n",
            "r.csv",
            "Missing columns: consumer_no, read_on.",
        ),
        (
            "consumer_no,reading,read_on,colour\n03-00001,1018,2026-12-05,red\n",
            "r.csv",
            "Unknown columns: colour.",
        ),
        ("consumer_no,reading,read_on\n", "r.csv", "The file has the columns but no rows."),
        ("", "r.csv", "The file is empty."),
        (
            "consumer_no,reading,read_on\n03-00001,1018,2026-12-05\n".encode("utf-16"),
            "r.csv",
            "not UTF-8",
        ),
        (b"\xd0\xcf\x11\xe0 not a workbook", "r.xlsx", "not a real .xlsx workbook"),
        (
            "consumer_no,reading,read_on\n03-00001,1018,2026-12-05\n",
            "r.pdf",
            "Upload a .csv or .xlsx file.",
        ),
    ],
)
def test_a_file_that_cannot_be_read_saves_nothing(connection, reader, data, name, says):
    report = run(data, reader, name)
    assert report.results == [] and any(says in e for e in report.file_errors), report.file_errors
    assert Reading.objects.count() == 0


def test_a_cell_too_long_is_an_error_of_its_row(connection, reader):
    report = run(HEADER + f"03-00001,1018,2026-12-05,,{'x' * 300}\n", reader)
    assert (
        report.results[0].outcome == "error" and "note is longer than" in report.results[0].message
    )
    assert Reading.objects.count() == 0


def test_an_xlsx_from_the_office(connection, reader):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["consumer_no", "reading", "read_on"])
    sheet.append(["03-00001", 1018, date(2026, 12, 5)])
    out = io.BytesIO()
    book.save(out)
    report = run(out.getvalue(), reader, "readings.xlsx")
    assert [r.outcome for r in report.results] == ["saved"], report.file_errors


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_page_shows_the_report_and_says_rows_are_taken_one_by_one(client, connection, reader):
    client.cookies["kcc_language"] = "en"
    client.force_login(reader)
    page = client.get(URL)
    assert "The file is taken row by row" in text(page)
    upload = SimpleUploadedFile(
        "day.csv", (HEADER + "03-00001,1018,2026-12-05,,\n03-00099,1,2026-12-05,,\n").encode()
    )
    response = client.post(URL, {"file": upload})
    body = text(response)
    assert "Saved: 03-00001 read 1,018" in body
    assert "No water connection has the consumer number 03-00099." in body
    assert response.content.decode().count('class="badge"') == 2


def test_the_page_says_a_malformed_file_saved_nothing(client, connection, reader):
    client.cookies["kcc_language"] = "en"
    client.force_login(reader)
    upload = SimpleUploadedFile("day.csv", b"what,ever\n1,2\n")
    body = text(client.post(URL, {"file": upload}))
    assert "cannot be read" in body and "Nothing was saved." in body


def test_the_sample_file_has_the_columns(client, reader):
    client.force_login(reader)
    response = client.get("/water/readings/import/sample.csv")
    assert response.content.decode("utf-8-sig").startswith(HEADER.strip())
