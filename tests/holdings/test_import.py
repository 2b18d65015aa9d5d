"""Import of the legacy holding register: parse, validate row by row, import all or
nothing (or only the valid holdings when the officer says so)."""

from __future__ import annotations

import csv
import io
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from core.models import AuditLog
from core.roles import Role
from holdings import importer, tax
from holdings.demands import generate_demands
from holdings.models import (
    Arrear,
    Assessment,
    Demand,
    Holding,
    HoldingImport,
    Instalment,
    Owner,
)
from holdings.services import holding_create
from holdings.tasks import check_holding_import, run_holding_import

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "holdings" / "samples" / "holdings_register.csv"
HEADER = ",".join(importer.COLUMNS)


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel("2026-08-01 10:00 +06:00", tick=False), translation.override("en"):
        yield


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = "\n".join([header, *rows]) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def check(data: bytes, name: str = "register.csv"):
    parsed = importer.parse(io.BytesIO(data), name)
    return parsed, importer.validate(parsed)


def row(
    ward="1",
    number="10",
    road="",
    mahalla="",
    use="residential",
    occupied="no",
    area="",
    name_bn="করিম",
    name_en="Karim",
    share="",
    nid="",
    mobile="",
    rent="60000",
    valuation_fy="2025-26",
    arrears_fy="",
    arrears_amount="",
) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(
        [
            ward,
            number,
            road,
            mahalla,
            use,
            occupied,
            area,
            name_bn,
            name_en,
            share,
            nid,
            mobile,
            rent,
            valuation_fy,
            arrears_fy,
            arrears_amount,
        ]
    )
    return out.getvalue()


def by_row(results):
    return {r.row: r for r in results}


# --- clean files ------------------------------------------------------------------------


def test_sample_csv_imports_holdings_owners_valuations_and_arrears():
    parsed, results = check(SAMPLE.read_bytes(), "holdings_register.csv")
    assert parsed.ok and [r.errors for r in results if r.errors] == []
    report = importer.import_rows(
        results, only_valid=False, actor=None, filename="holdings_register.csv"
    )
    assert report.imported
    assert (report.holdings, report.owners, report.assessments, report.arrears) == (6, 8, 5, 3)
    assert (Holding.objects.count(), Owner.objects.count(), Assessment.objects.count()) == (6, 8, 5)

    karim = Holding.objects.get(ward__number=1, number="101")
    assert karim.owner_occupied and karim.use == "residential"
    assessment = karim.assessments.get()
    expected = tax.annual_valuation(
        Decimal("120000"), owner_occupied=True, concession_percent=Decimal("40")
    )
    assert assessment.effective_fy == "2024-25"
    assert assessment.annual_valuation == expected.annual_valuation == Decimal("60000.00")
    assert "legacy register" in assessment.basis

    # Bengali digits everywhere in the row of ward ২, holding ১২৫.
    bengali = Holding.objects.get(ward__number=2, number="125")
    assert bengali.floor_area_sqft == Decimal("1200.00") and bengali.owner_occupied
    assert bengali.assessments.get().annual_rent == Decimal("90000.00")
    assert bengali.owners.get().mobile == "01551000125"

    shared = Holding.objects.get(ward__number=1, number="102/A")
    assert sorted(o.share_percent for o in shared.owners.all()) == [50, 50]
    assert shared.owners.get(name_en="Rahima Khatun").nid == "19876543210987654"
    vacant = Holding.objects.get(ward__number=5, number="3")
    assert vacant.use == "vacant_land" and not vacant.assessments.exists()

    audit = AuditLog.objects.get(action="holdings.imported")
    assert audit.after["holdings"] == 6 and audit.after["owners"] == 8


def test_imported_arrears_are_carried_forward_with_the_surcharge():
    _parsed, results = check(SAMPLE.read_bytes())
    importer.import_rows(results, only_valid=False, actor=None)
    demand = Demand.objects.get(
        holding__ward__number=1, holding__number="102/A", fiscal_year="2023-24"
    )
    assert demand.total == Decimal("18500.00") and demand.schedule.fiscal_year == "2023-24"
    line = demand.lines.get()
    assert (line.head, line.amount, line.rule) == (
        "holding_tax",
        Decimal("18500.00"),
        "imported arrears from the legacy register",
    )
    assert [i.amount for i in demand.instalments.order_by("quarter")] == tax.split_quarters(
        Decimal("18500")
    )
    assert set(demand.instalments.values_list("status", flat=True)) == {Instalment.Status.DUE}

    generate_demands("2026-27")
    arrears = Arrear.objects.filter(carried_into_fy="2026-27")
    assert arrears.count() == 3
    for arrear in arrears:
        assert arrear.principal == arrear.demand.total
        assert arrear.surcharge == tax.surcharge(arrear.principal, Decimal("15"))
    vacant = Arrear.objects.get(holding__number="3", holding__ward__number=5)
    assert (vacant.principal, vacant.surcharge) == (Decimal("500.00"), Decimal("75.00"))
    # The imported years are not made again; this year's demand is made as usual.
    assert Demand.objects.filter(fiscal_year="2026-27").count() == 6


def test_xlsx_with_numbers_typed_as_numbers():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([c.upper() for c in importer.COLUMNS])  # header names in any case
    sheet.append(
        [
            3,
            42,
            "Jessore Road",
            "Khalishpur",
            "Commercial",
            "yes",
            900.5,
            "",
            "Mina",
            None,
            1234567890,
            1712345678,
            240000.0,
            "2025-26",
            "2024-25",
            1500,
        ]
    )
    sheet.append(
        [3, 42, None, None, None, None, None, "রফিক", "", None, None, None, None, None, None, None]
    )
    sheet.append([None] * 16)  # blank rows are skipped
    sheet.append(
        [
            4,
            "১২/ক",
            None,
            None,
            "আবাসিক",
            "না",
            None,
            "রহিম",
            "",
            100,
            None,
            None,
            "৬০,০০০",
            "২০২৫-২৬",
            None,
            None,
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed, results = check(buffer.getvalue(), "register.xlsx")
    assert parsed.ok and parsed.kind == "xlsx"
    errors = {r.row: r.codes for r in results if r.errors}
    # Two owners of 3/42 without shares: each must be given; ১২/ক is not a holding number.
    assert errors == {2: ["missing_share"], 3: ["missing_share"], 5: ["invalid_holding_number"]}
    sheet["J2"], sheet["J3"], sheet["B5"] = 70, 30, "১২/A"
    buffer = io.BytesIO()
    workbook.save(buffer)
    _parsed, results = check(buffer.getvalue(), "register.xlsx")
    assert [r.errors for r in results if r.errors] == []
    report = importer.import_rows(results, only_valid=False, actor=None)
    assert (report.holdings, report.owners, report.assessments, report.arrears) == (2, 3, 2, 1)
    shop = Holding.objects.get(ward__number=3, number="42")
    assert shop.use == "commercial" and shop.floor_area_sqft == Decimal("900.50")
    assert shop.owners.get(name_en="Mina").mobile == "01712345678"
    assert Holding.objects.get(
        ward__number=4, number="12/A"
    ).assessments.get().annual_rent == Decimal("60000.00")


# --- bad files and rows -----------------------------------------------------------------


def test_wrong_headers_are_a_file_error_and_nothing_is_imported():
    header = HEADER.replace("holding_number", "holding_no").replace(",arrears_amount", "")
    parsed, results = check(csv_bytes(row(), header=header, bom=True))
    assert not parsed.ok and results == []
    text = " ".join(parsed.errors)
    assert "holding_number" in text and "arrears_amount" in text and "holding_no" in text
    assert Holding.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (b"", "x.csv", "empty"),
        (csv_bytes(), "x.csv", "no rows"),
        ("ward,নাম\n".encode("utf-16"), "x.csv", "UTF-8"),
        (b"PK-not-really", "x.xlsx", "not a real .xlsx"),
        (b"ward", "x.txt", ".csv or .xlsx"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(data, name, fragment):
    parsed = importer.parse(io.BytesIO(data), name)
    assert not parsed.ok and fragment in " ".join(parsed.errors)


@pytest.fixture
def bad_file():
    holding_create(ward=2, number="50")  # already in the register
    return csv_bytes(
        row(number="1"),  # 2 ok
        row(ward="99", number="2"),  # 3 unknown ward
        row(number="3", rent="-500"),  # 4 negative rent
        row(number="4", road="Station Road", share="50"),  # 5 ok so far …
        row(
            number="4", road="KDA Avenue", name_bn="রহিম", share="50", name_en="Rahim"
        ),  # 6 … same number, other road
        row(ward="2", number="50"),  # 7 already in the register
        row(
            ward="৩", number="১২৩", rent="৯০,০০০", valuation_fy="২০২৫-২৬", mobile="০১৭১১০০০১২৩"
        ),  # 8 Bengali digits: ok
        row(number="5", share="60"),  # 9 ok …
        row(number="5", share="60", name_bn="রহিম", name_en="Rahim"),  # 10 … shares over 100
        row(number="6", share="50", nid="1234567890"),  # 11 ok …
        row(number="6", share="50", nid="1234567890"),  # 12 … the same owner again
        row(number="7", nid="12345", mobile="12345"),  # 13 bad NID and mobile
        row(number="8", valuation_fy="2025-27"),  # 14 bad fiscal year
        row(number="9", rent="900000000"),  # 15 absurd rent
        row(number="10", arrears_fy="2026-27", arrears_amount="100"),  # 16 not earlier
    )


def test_each_bad_row_is_reported_with_its_reason(bad_file):
    _parsed, results = check(bad_file)
    codes = {r.row: r.codes for r in results if r.errors}
    assert codes == {
        3: ["unknown_ward"],
        4: ["negative_rent"],
        6: ["duplicate_in_file"],
        7: ["duplicate_holding"],
        10: ["shares_over_100"],
        12: ["duplicate_owner"],
        13: ["invalid_nid", "invalid_mobile"],
        14: ["invalid_fiscal_year"],
        15: ["absurd_rent"],
        16: ["invalid_arrears_fy"],
    }
    messages = by_row(results)
    assert "no ward 99" in messages[3].errors[0]
    assert "row 5" in messages[6].errors[0] and "road" in messages[6].errors[0]
    assert "already exists in ward 2" in messages[7].errors[0]
    assert messages[8].key == (3, "123")
    with translation.override("bn"):
        _parsed, results = check(bad_file)
    assert by_row(results)[4].errors != [], "messages in the user's language"


def test_a_file_with_errors_imports_nothing(bad_file):
    _parsed, results = check(bad_file)
    report = importer.import_rows(results, only_valid=False, actor=None)
    assert not report.imported and report.nothing_imported_because_of_errors
    assert report.error_rows == 10
    assert Holding.objects.count() == 1  # only the one that was there
    assert not AuditLog.objects.filter(action="holdings.imported").exists()


def test_only_valid_imports_the_rest_and_skips_whole_holdings(bad_file, make_user):
    assessor = make_user(Role.ASSESSOR)
    _parsed, results = check(bad_file)
    report = importer.import_rows(results, only_valid=True, actor=assessor)
    assert report.imported
    # 1 and ৩/১২৩ only: 4, 5 and 6 each have a bad row, so their good rows are skipped too.
    assert set(Holding.objects.values_list("ward__number", "number")) == {
        (1, "1"),
        (3, "123"),
        (2, "50"),
    }
    assert report.holdings == 2 and report.skipped_holdings == 9 and report.skipped_rows == 13
    statuses = {r.row: r.status for r in results}
    assert statuses[2] == statuses[8] == "imported"
    assert statuses[5] == statuses[9] == statuses[11] == "skipped"
    assert statuses[3] == "error"
    audit = AuditLog.objects.get(action="holdings.imported")
    assert audit.actor == assessor and audit.after["only_valid"] is True
    csv_text = importer.report_csv(results).decode("utf-8-sig")
    assert "skipped" in csv_text and "no ward 99" in csv_text


def test_a_holding_registered_meanwhile_is_caught_at_import():
    _parsed, results = check(csv_bytes(row(number="1"), row(number="2")))
    assert all(r.ok for r in results)
    holding_create(ward=1, number="2")
    report = importer.import_rows(results, only_valid=False, actor=None)
    assert not report.imported and Holding.objects.count() == 1
    report = importer.import_rows(results, only_valid=True, actor=None)
    assert report.holdings == 1 and Holding.objects.count() == 2


def test_thousands_of_rows_import_in_seconds_with_few_queries(django_assert_max_num_queries):
    rows = [
        row(
            ward=str(1 + i % 31),
            number=str(1000 + i),
            share="100",
            nid=f"{10**9 + i}",
            mobile=f"0171{i:07d}",
            rent=str(50000 + i),
            arrears_fy="2025-26" if i % 4 == 0 else "",
            arrears_amount="3000" if i % 4 == 0 else "",
        )
        for i in range(3000)
    ]
    started = time.monotonic()
    with django_assert_max_num_queries(400):
        _parsed, results = check(csv_bytes(*rows))
        report = importer.import_rows(results, only_valid=False, actor=None)
    assert report.holdings == 3000 and report.arrears == 750
    assert Instalment.objects.count() == 3000
    assert time.monotonic() - started < 30


# --- the command --------------------------------------------------------------------------


def test_command_prints_the_report_and_fails_on_errors(bad_file, tmp_path, capsys):
    path = tmp_path / "register.csv"
    path.write_bytes(bad_file)
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_holdings", str(path), "--language", "en")
    out = capsys.readouterr().out
    assert "row 3 [99/2]" in out and "no ward 99" in out
    assert Holding.objects.count() == 1
    call_command("import_holdings", str(path), "--only-valid", "--language", "en")
    assert "Imported 2 holdings" in capsys.readouterr().out
    assert Holding.objects.count() == 3


def test_command_refuses_a_file_with_wrong_headers(tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(csv_bytes(row(), header="ward,holding,owner"))
    with pytest.raises(CommandError):
        call_command("import_holdings", str(path))
    assert Holding.objects.count() == 0


# --- the page -----------------------------------------------------------------------------


URL = "/holdings/import/"


@pytest.fixture
def officer(client, make_user):
    user = make_user(Role.ASSESSOR)
    client.force_login(user)
    client.cookies["kcc_language"] = "en"
    return user


def upload(client, data: bytes, name: str, *, check: bool = True):
    """Upload as the officer does; the worker's check is run here (the test has no worker),
    then the import's page is read."""
    response = client.post(URL, {"file": SimpleUploadedFile(name, data)})
    if response.status_code != 302:
        return response
    job = HoldingImport.objects.latest("pk")
    if check:
        check_holding_import(job.pk)
    return client.get(response["Location"])


def confirm(client, data: dict, job=None):
    """The decision; the worker's import is run here, then the import's page is read."""
    job = job or HoldingImport.objects.latest("pk")
    response = client.post(f"/holdings/import/{job.pk}/confirm/", data)
    assert response.status_code == 302
    run_holding_import(job.pk)
    return client.get(response["Location"])


def stored_files(settings) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "private" / "holdings" / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CITIZEN, 403),
        (Role.COUNTER_CLERK, 403),
        (Role.REVENUE_OFFICER, 403),
        (Role.ASSESSOR, 200),
        (Role.ADMINISTRATOR, 200),
    ],
)
def test_only_assessors_and_administrators_open_the_page(client, make_user, role, status):
    client.force_login(make_user(role))
    assert client.get(URL).status_code == status
    assert client.get("/holdings/import/1/report.csv").status_code == (
        404 if status == 200 else 403
    )


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_page_documents_the_format(client, officer):
    page = client.get(URL).content.decode()
    for column in importer.COLUMNS:
        assert f"<code>{column}</code>" in page
    assert "You have not uploaded a register yet" in page  # the empty list
    sample = client.get("/holdings/import/sample.csv")
    assert sample.status_code == 200
    assert b"".join(sample.streaming_content).startswith(b"ward,holding_number")


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (b"x" * (5 * 1024 * 1024 + 1), "big.csv", "larger than 5 MB"),
        (b"ward,holding_number", "register.txt", "Upload a .csv or .xlsx file"),
        (b"this is not a workbook", "register.xlsx", "not a real .xlsx workbook"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(client, officer, settings, data, name, fragment):
    response = upload(client, data, name)
    assert fragment in response.content.decode()
    assert stored_files(settings) == [] and not HoldingImport.objects.exists()


def test_file_errors_are_shown_and_the_file_forgotten(client, officer, settings):
    response = upload(client, csv_bytes(row(), header="ward,number"), "register.csv")
    page = response.content.decode()
    assert "cannot be imported" in page and "Missing columns" in page
    assert stored_files(settings) == []
    job = HoldingImport.objects.get()
    assert job.status == HoldingImport.Status.REFUSED and not job.kept_rows.exists()
    assert Holding.objects.count() == 0
    assert "Import nothing" not in page


def test_file_errors_in_bengali(client, officer, settings):
    client.cookies["kcc_language"] = "bn"
    page = upload(client, csv_bytes(row(), header="ward,number"), "register.csv").content.decode()
    assert "Missing columns" not in page
    with translation.override("bn"):
        assert translation.gettext("Missing columns: %(columns)s.").split(":")[0] in page


def test_two_step_flow_with_errors(client, officer, settings, bad_file):
    response = client.post(URL, {"file": SimpleUploadedFile("register.csv", bad_file)})
    job = HoldingImport.objects.get()
    assert response["Location"] == f"/holdings/import/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for the worker" in page and 'http-equiv="refresh"' in page
    assert [p.suffix for p in stored_files(settings)] == [".csv"]  # kept for the worker
    check_holding_import(job.pk)
    page = client.get(response["Location"]).content.decode()
    assert "There is no ward 99 in this city." in page
    assert "Import nothing" in page and "Import only the 2 valid holdings" in page
    assert 'http-equiv="refresh"' not in page
    # The file was read once: its rows and their errors are kept, not the file itself.
    assert stored_files(settings) == []
    assert job.kept_rows.count() == 15

    report = client.get(f"/holdings/import/{job.pk}/report.csv")
    assert report["Content-Type"].startswith("text/csv")
    assert "no ward 99" in b"".join(report.streaming_content).decode("utf-8-sig")

    # Importing everything is refused while rows have errors.
    page = client.post(f"/holdings/import/{job.pk}/confirm/", {"action": "import"}, follow=True)
    assert "nothing was imported" in page.content.decode()
    assert Holding.objects.count() == 1
    # Only the valid ones: needs the confirmation box.
    page = client.post(f"/holdings/import/{job.pk}/confirm/", {"action": "only_valid"}, follow=True)
    assert "Tick the box" in page.content.decode() and Holding.objects.count() == 1
    page = client.post(
        f"/holdings/import/{job.pk}/confirm/",
        {"action": "only_valid", "confirm": "yes"},
        follow=True,
    ).content.decode()
    assert "The import has started" in page and "Waiting for the worker" in page
    assert Holding.objects.count() == 1
    run_holding_import(job.pk)
    page = client.get(f"/holdings/import/{job.pk}/").content.decode()
    assert "Holdings imported" in page
    assert Holding.objects.count() == 3
    assert AuditLog.objects.get(action="holdings.imported").actor == officer
    final = b"".join(client.get(f"/holdings/import/{job.pk}/report.csv").streaming_content).decode(
        "utf-8-sig"
    )
    assert "imported" in final and "skipped" in final
    # The decision cannot be taken twice.
    page = client.post(
        f"/holdings/import/{job.pk}/confirm/",
        {"action": "only_valid", "confirm": "yes"},
        follow=True,
    )
    assert "not waiting for a decision" in page.content.decode()
    assert Holding.objects.count() == 3
    # The list shows it.
    listing = client.get(URL).content.decode()
    assert f"/holdings/import/{job.pk}/" in listing and "register.csv" in listing


def test_import_nothing_forgets_the_rows(client, officer, settings, bad_file):
    upload(client, bad_file, "register.csv")
    job = HoldingImport.objects.get()
    page = client.post(f"/holdings/import/{job.pk}/confirm/", {"action": "cancel"}, follow=True)
    assert "Nothing was imported." in page.content.decode()
    assert stored_files(settings) == [] and Holding.objects.count() == 1
    assert not job.kept_rows.exists()


def test_another_officers_import_is_not_shown(client, officer, make_user, bad_file):
    upload(client, bad_file, "register.csv")
    job = HoldingImport.objects.get()
    client.force_login(make_user(Role.ASSESSOR))
    assert client.get(f"/holdings/import/{job.pk}/").status_code == 404
    assert "register.csv" not in client.get(URL).content.decode()
    client.force_login(make_user(Role.ADMINISTRATOR))
    assert client.get(f"/holdings/import/{job.pk}/").status_code == 200


def test_clean_xlsx_through_the_page(client, officer, settings):
    workbook = openpyxl.Workbook()
    workbook.active.append(list(importer.COLUMNS))
    workbook.active.append(
        [
            7,
            "15",
            "",
            "",
            "mixed",
            "no",
            "",
            "সালমা",
            "Salma",
            "",
            "",
            "",
            "120000",
            "2025-26",
            "",
            "",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    page = upload(client, buffer.getvalue(), "Register.XLSX").content.decode()
    assert "Every row is valid." in page and "Import the 1 holding" in page
    page = confirm(client, {"action": "import"}).content.decode()
    assert "Holdings imported" in page
    job = HoldingImport.objects.get()
    assert (job.imported_holdings, job.owners, job.assessments) == (1, 1, 1)
    holding = Holding.objects.get(ward__number=7, number="15")
    assert (
        holding.assessments.get().annual_valuation
        == tax.annual_valuation(Decimal("120000"), owner_occupied=False).annual_valuation
    )
    assert stored_files(settings) == []
