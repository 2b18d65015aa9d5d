"""The register import is bounded: an .xlsx zip bomb is refused before it is opened, long
cells are row errors whose values are cut when repeated, rows are capped, and the file is
parsed once at upload (the page, the report and the import use what was kept)."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest
import time_machine
from django.utils import translation

from core.roles import Role
from holdings import importer
from holdings.importer import jobs
from holdings.models import Holding, HoldingImport

from .test_import import confirm, csv_bytes, row, stored_files, upload

pytestmark = pytest.mark.django_db

URL = "/holdings/import/"
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel("2026-08-01 10:00 +06:00", tick=False), translation.override("en"):
        yield


@pytest.fixture
def officer(client, make_user):
    user = make_user(Role.ASSESSOR)
    client.force_login(user)
    client.cookies["kcc_language"] = "en"
    return user


def xlsx_bomb(cell_chars: int) -> bytes:
    """A real workbook whose first sheet is one inline-string cell of `cell_chars` letters,
    deflate-compressed (streamed, so the test itself stays small and quick)."""
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "placeholder"
    plain = io.BytesIO()
    workbook.save(plain)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for info in source.infolist():
            if info.filename != SHEET:
                bomb.writestr(info, source.read(info.filename))
        with bomb.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                b'2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
            )
            chunk = b"A" * (1024 * 1024)
            left = cell_chars
            while left > 0:
                sheet.write(chunk[:left])
                left -= len(chunk)
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    return out.getvalue()


def xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(list(importer.COLUMNS))
    for values in rows:
        workbook.active.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- zip bombs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell_chars", "why"),
    [
        (60 * 1024 * 1024, "unpacks past the 50 MB cap"),
        (8 * 1024 * 1024, "under the cap, but packed ~1000 to 1"),
    ],
)
def test_xlsx_bomb_is_refused_in_under_a_second_and_nothing_stored(
    client, officer, settings, cell_chars, why
):
    data = xlsx_bomb(cell_chars)
    assert len(data) < 300 * 1024, "a small upload"
    assert client.get(URL).status_code == 200  # the page's own first-request warm-up
    started = time.monotonic()
    response = upload(client, data, "register.xlsx")
    elapsed = time.monotonic() - started
    page = response.content.decode()
    assert response.status_code == 200
    assert "unpacks to far more data than a register holds" in page, why
    assert "AAAAAAAAAA" not in page
    assert elapsed < 1.0, f"{why}: took {elapsed:.2f} s"
    assert stored_files(settings) == []
    assert Holding.objects.count() == 0
    assert HoldingImport.objects.get().status == HoldingImport.Status.REFUSED


def test_bomb_refused_by_the_importer_itself_and_the_limits_are_settings(settings):
    parsed = importer.parse(io.BytesIO(xlsx_bomb(3 * 1024 * 1024)), "register.xlsx")
    assert not parsed.ok and "not opened" in " ".join(parsed.errors)
    with translation.override("bn"):
        bengali = importer.parse(io.BytesIO(xlsx_bomb(3 * 1024 * 1024)), "register.xlsx")
    assert "খোলা হয়নি" in " ".join(bengali.errors)
    # A larger ratio allowed: the same workbook is opened (and refused for its content).
    settings.HOLDINGS_IMPORT_MAX_RATIO = 100_000
    parsed = importer.parse(io.BytesIO(xlsx_bomb(3 * 1024 * 1024)), "register.xlsx")
    assert not parsed.ok and "not opened" not in " ".join(parsed.errors)
    # A lower size cap refuses an ordinary workbook.
    settings.HOLDINGS_IMPORT_MAX_UNCOMPRESSED_BYTES = 1000
    parsed = importer.parse(io.BytesIO(xlsx([[1, "1"] + [""] * 14])), "register.xlsx")
    assert not parsed.ok and "not opened" in " ".join(parsed.errors)


# --- long cells -------------------------------------------------------------------------------


def test_long_cell_is_a_row_error_with_the_echo_cut(client, officer, settings):
    long_name = "x" * 5000
    data = csv_bytes(
        row(number="1"),
        row(number="2", name_en=long_name),
        row(number="3", use="z" * 500),
        row(ward="9" * 300, number="4"),
    )
    page = upload(client, data, "register.csv").content.decode()
    assert response_has_no_long_run(page)
    parsed = importer.parse(io.BytesIO(data), "register.csv")
    results = {r.row: r for r in importer.validate(parsed)}
    # Row 1 is the header: the holdings 1–4 are rows 2–5.
    assert results[3].codes == ["cell_too_long"]
    assert "owner_name_en is longer than 1000 characters" in results[3].errors[0]
    assert "x" * 80 + "…" in results[3].errors[0]
    assert results[4].codes == ["invalid_use"] and "z" * 80 + "…" in results[4].errors[0]
    assert "9" * 81 not in " ".join(results[5].errors) and results[5].holding.endswith("…/4")
    assert results[3].raw["owner_name_en"] == "x" * 80 + "…"  # not kept whole either
    job = HoldingImport.objects.get()
    report = b"".join(client.get(f"/holdings/import/{job.pk}/report.csv").streaming_content).decode(
        "utf-8-sig"
    )
    assert "owner_name_en is longer than" in report
    assert response_has_no_long_run(report)
    # Nothing of that row can be imported.
    page = confirm(client, {"action": "only_valid", "confirm": "yes"}).content.decode()
    assert response_has_no_long_run(page)
    assert set(Holding.objects.values_list("number", flat=True)) == {"1"}


def response_has_no_long_run(text: str) -> bool:
    return not any(ch * 81 in text for ch in "xz9")


def test_long_xlsx_cell_is_a_row_error(settings):
    settings.HOLDINGS_IMPORT_MAX_CELL_CHARS = 50
    data = xlsx(
        [[1, "7", "r" * 51, "", "residential", "no", "", "", "Karim", "", "", "", "", "", "", ""]]
    )
    parsed = importer.parse(io.BytesIO(data), "register.xlsx")
    assert parsed.ok
    [result] = importer.validate(parsed)
    assert result.codes == ["cell_too_long"] and "road is longer than 50" in result.errors[0]


# --- row caps ---------------------------------------------------------------------------------


def test_csv_row_cap_is_a_setting(settings):
    settings.HOLDINGS_IMPORT_MAX_ROWS = 5
    five = [row(number=str(i)) for i in range(1, 6)]
    assert importer.parse(io.BytesIO(csv_bytes(*five)), "r.csv").ok
    parsed = importer.parse(io.BytesIO(csv_bytes(*five, row(number="6"))), "r.csv")
    assert not parsed.ok and parsed.rows == []
    assert "more than 5 rows" in " ".join(parsed.errors)


def test_xlsx_row_cap_and_blank_rows(settings):
    settings.HOLDINGS_IMPORT_MAX_ROWS = 3
    values = [
        [1, str(i), "", "", "residential", "no", "", "", "Karim", "", "", "", "", "", "", ""]
        for i in range(1, 5)
    ]
    parsed = importer.parse(io.BytesIO(xlsx(values)), "register.xlsx")
    assert not parsed.ok and "more than 3 rows" in " ".join(parsed.errors)
    # A sheet claiming a million rows, all blank, is refused without reading them all.
    workbook = openpyxl.Workbook()
    workbook.active.append(list(importer.COLUMNS))
    workbook.active["A1048576"] = "1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    started = time.monotonic()
    parsed = importer.parse(io.BytesIO(buffer.getvalue()), "register.xlsx")
    assert not parsed.ok and "blank rows" in " ".join(parsed.errors)
    assert time.monotonic() - started < 5


def test_text_cap(settings):
    settings.HOLDINGS_IMPORT_MAX_UNCOMPRESSED_BYTES = 200
    parsed = importer.parse(
        io.BytesIO(csv_bytes(*[row(number=str(i)) for i in range(20)])), "r.csv"
    )
    assert not parsed.ok and "more text" in " ".join(parsed.errors)


# --- parsed once --------------------------------------------------------------------------------


def test_the_file_is_read_once_across_check_page_report_and_import(
    client, officer, settings, monkeypatch
):
    reads = []
    real_stream = jobs.stream

    def counted(*args, **kwargs):
        reads.append(args[1])
        return real_stream(*args, **kwargs)

    monkeypatch.setattr(jobs, "stream", counted)
    monkeypatch.setattr(importer, "parse", lambda *a, **k: pytest.fail("parsed again"))
    data = csv_bytes(row(number="1"), row(number="2"), row(ward="99", number="3"))
    page = upload(client, data, "register.csv").content.decode()
    assert "There is no ward 99 in this city." in page
    assert stored_files(settings) == [], "the file is not kept once checked"
    job = HoldingImport.objects.get()
    assert not job.file
    assert client.get(f"/holdings/import/{job.pk}/?page=1").status_code == 200
    report = b"".join(client.get(f"/holdings/import/{job.pk}/report.csv").streaming_content)
    assert "no ward 99" in report.decode("utf-8-sig")
    page = confirm(client, {"action": "only_valid", "confirm": "yes"}).content.decode()
    assert "Holdings imported" in page
    assert set(Holding.objects.values_list("number", flat=True)) == {"1", "2"}
    assert reads == ["register.csv"], "read once, at the check"
