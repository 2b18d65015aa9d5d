"""Gateway settlement reconciliation: the simulator's report over HTTP, each kind of mismatch,
the gateway's fee per payment, settling money taken but not recorded through the normal
path, refused files, the same file twice (also at the same moment), cases blocking a month's
close."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import requests
from django.conf import settings
from django.db import connections
from django.utils import timezone, translation
from openpyxl import Workbook

from core.models import AuditLog
from payments.models import Payment, Receipt, ReconciliationCase, SettlementImport, SettlementRow
from payments.services import PaymentError, payment_initiate_online
from payments.services.closing import blockers
from payments.services.reconciliation import (
    ReportRefused,
    case_ask_gateway,
    case_resolve,
    import_report,
    read_report,
)

from .conftest import pay_at_gateway, wait_for

HEADER = (
    "tran_id,val_id,amount,store_amount,card_type,bank_tran_id,tran_date,settlement_date,status"
)
ROW = "P1,,10,9,,,2026-11-05 10:00:00,,VALID"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def csv_of(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.fixture
def officer(make_user):
    return make_user("revenue_officer", name_en="Rina Revenue")


def online_payment(tran_id: str, amount: str, status: str = "succeeded", **extra) -> Payment:
    return Payment.objects.create(
        tran_id=tran_id,
        channel=Payment.Channel.ONLINE,
        status=status,
        amount=Decimal(amount),
        settled_at=timezone.now() if status == "succeeded" else None,
        **extra,
    )


def today_text(hour: int = 10) -> str:
    return timezone.localtime().replace(hour=hour, minute=5, second=0).strftime("%Y-%m-%d %H:%M:%S")


# --- reading the file -------------------------------------------------------------------------


def test_bengali_digits_separators_and_extra_columns_are_read():
    data = (
        "tran_id,amount,store_amount,tran_date,status,currency\n"
        'P1,"১,৫০০.০০",১৪৬২.৫০,২০২৬-১১-০৫ ১৪:০৩:২২,valid,BDT\n'
    ).encode()
    (row,) = read_report(data, "report.csv")
    assert row.amount == Decimal("1500.00") and row.store_amount == Decimal("1462.50")
    assert row.status == "VALID"
    assert timezone.localtime(row.tran_date).strftime("%Y-%m-%d %H:%M") == "2026-11-05 14:03"


def test_an_xlsx_report_with_excel_dates_is_read():
    book = Workbook()
    sheet = book.active
    sheet.append(["tran_id", "amount", "store_amount", "tran_date", "settlement_date", "status"])
    naive = datetime(2026, 11, 5, 9, 30), datetime(2026, 11, 6)  # noqa: DTZ001 (Excel has no zone)
    sheet.append(["P9", 2000, 1950, *naive, "VALID"])
    out = io.BytesIO()
    book.save(out)
    (row,) = read_report(out.getvalue(), "report.xlsx")
    assert row.amount == Decimal("2000.00") and row.settlement_date == date(2026, 11, 6)
    assert timezone.localtime(row.tran_date).hour == 9


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"tran_id,amount\nP1,10\n", "Missing columns: store_amount, tran_date, status."),
        (csv_of("P1,,abc,1,,,2026-11-05 10:00:00,,VALID"), "amount “abc” is not a sum of money"),
        (csv_of("P1,,10.005,9,,,2026-11-05 10:00:00,,VALID"), "amount “10.005”"),
        (csv_of("P1,,10,11,,,2026-11-05 10:00:00,,VALID"), "store_amount is more than the amount"),
        (csv_of("P1,,10,9,,,5 Nov,,VALID"), "tran_date “5 Nov” is not a date and time"),
        (csv_of("P1,,10,9,,,2026-11-05 10:00:00,,PAID"), "status “PAID” is not one the gateway"),
        (
            csv_of(ROW, ROW),
            "Row 3: tran_id P1 is already on row 2.",
        ),
        (b"\x00\x01garbage", "This is not a CSV text file."),
    ],
)
def test_a_malformed_report_is_refused_saying_where(data, expected):
    with translation.override("en"), pytest.raises(ReportRefused) as refused:
        read_report(data, "report.csv")
    assert expected in str(refused.value), refused.value.problems


def test_a_file_that_is_not_csv_or_xlsx_is_refused():
    with translation.override("en"), pytest.raises(ReportRefused, match="Upload a .csv or .xlsx"):
        read_report(b"%PDF-1.4", "report.pdf")
    with translation.override("bn"), pytest.raises(ReportRefused) as refused:
        read_report(csv_of("P1,,১০,৯,,,2026-11-05 10:00:00,,PAID"), "report.csv")
    assert str(refused.value).startswith("সারি ২:"), refused.value


# --- comparing (rows made here, no gateway) ---------------------------------------------------


@pytest.mark.django_db
def test_each_kind_of_mismatch_becomes_one_case_and_the_fee_is_recorded(officer):
    matched = online_payment("PM1", "1500.00")
    differs = online_payment("PM2", "800.00")
    status = online_payment("PM3", "400.00")
    pending = online_payment("PM4", "250.00", status="pending")
    here_only = online_payment("PM5", "990.00")
    online_payment("PM6", "100.00", status="failed")  # failed on both sides: nothing to do
    counter = Payment.objects.create(
        tran_id="C1", channel="counter", status="succeeded", amount=5, settled_at=timezone.now()
    )
    data = csv_of(
        f"PM1,V1,1500.00,1462.50,BKASH-BKash,B1,{today_text()},,VALID",
        f"PM2,V2,850.00,828.75,VISA-Dutch Bangla,B2,{today_text()},,VALID",
        f"PM3,V3,400.00,390.00,BKASH-BKash,B3,{today_text()},,FAILED",
        f"PM4,V4,250.00,243.75,NAGAD-Nagad,B4,{today_text()},,VALIDATED",
        f"PX9,V9,700.00,682.50,BKASH-BKash,B9,{today_text()},,VALID",
        f"PM6,,100.00,0.00,,,{today_text()},,FAILED",
    )
    settlement = import_report(file_obj=data, filename="nov.csv", officer=officer)

    outcomes = dict(SettlementRow.objects.values_list("tran_id", "outcome"))
    assert outcomes == {
        "PM1": "matched",
        "PM2": "amount",
        "PM3": "status",
        "PM4": "report_only",
        "PX9": "report_only",
        "PM6": "unpaid",
    }
    cases = {(c.tran_id, c.kind, c.payment_id) for c in ReconciliationCase.objects.all()}
    assert cases == {
        ("PM2", "amount", differs.pk),
        ("PM3", "status", status.pk),
        ("PM4", "report_only", pending.pk),
        ("PX9", "report_only", None),
        ("PM5", "here_only", here_only.pk),
    }
    matched.refresh_from_db()
    assert matched.gateway_fee == Decimal("37.50")
    assert Payment.objects.exclude(pk=matched.pk).filter(gateway_fee__isnull=False).count() == 0
    counter.refresh_from_db()
    assert not ReconciliationCase.objects.filter(tran_id="C1").exists()  # counter cash: not asked
    assert settlement.summary["matched"] == 1 and settlement.summary["here_only"] == 1
    assert settlement.summary["cases_opened"] == 5 and settlement.summary["fees"] == "37.50"
    assert AuditLog.objects.filter(action="settlement.imported", object_id=settlement.pk).exists()


@pytest.mark.django_db
def test_the_same_file_twice_is_refused_and_a_later_report_closes_agreeing_cases(officer):
    online_payment("PM1", "1500.00")
    online_payment("PM2", "800.00")
    first = csv_of(f"PM1,,1500.00,1462.50,,,{today_text()},,VALID")
    import_report(file_obj=first, filename="a.csv", officer=officer)
    assert ReconciliationCase.objects.get().tran_id == "PM2"  # here only, for now
    with pytest.raises(PaymentError, match="This report was imported already"):
        import_report(file_obj=first, filename="again.csv", officer=officer)
    assert SettlementImport.objects.count() == 1

    second = csv_of(
        f"PM1,,1500.00,1462.50,,,{today_text()},,VALID",
        f"PM2,,800.00,780.00,,,{today_text(11)},,VALID",
    )
    settlement = import_report(file_obj=second, filename="b.csv", officer=officer)
    case = ReconciliationCase.objects.get()
    assert case.status == "resolved" and "b.csv" in case.note and case.resolved_by == officer
    assert settlement.summary["cases_closed"] == 1 and settlement.summary["cases_opened"] == 0


@pytest.mark.django_db
def test_only_a_revenue_officer_imports_and_resolves(make_user, officer):
    clerk = make_user("counter_clerk")
    data = csv_of(f"PZ1,,10.00,9.75,,,{today_text()},,VALID")
    with pytest.raises(PaymentError, match="Only a revenue officer"):
        import_report(file_obj=data, filename="a.csv", officer=clerk)
    assert not SettlementImport.objects.exists()
    import_report(file_obj=data, filename="a.csv", officer=officer)
    case = ReconciliationCase.objects.get()
    with pytest.raises(PaymentError, match="Only a revenue officer"):
        case_resolve(case=case, officer=clerk, note="seen")
    with pytest.raises(PaymentError, match="Write what was found"):
        case_resolve(case=case, officer=officer, note="   ")
    with pytest.raises(PaymentError, match="No payment here has this transaction id"):
        case_ask_gateway(case=case, officer=officer)
    case_resolve(case=case, officer=officer, note="Refunded from the gateway's panel.")
    case.refresh_from_db()
    assert case.status == "resolved" and case.note == "Refunded from the gateway's panel."
    with pytest.raises(PaymentError, match="resolved already"):
        case_resolve(case=case, officer=officer, note="again")
    assert AuditLog.objects.filter(action="reconciliation.resolved", object_id=case.pk).count() == 1


@pytest.mark.django_db
def test_an_open_case_stops_its_month_from_closing(officer):
    online_payment("PM1", "1500.00")
    data = csv_of(f"PQ1,,10.00,9.75,,,{today_text()},,VALID")
    import_report(file_obj=data, filename="a.csv", officer=officer)
    month = timezone.localdate().replace(day=1)
    texts = [b.text for b in blockers(month)]
    assert any("PQ1" in t and "reconciliation case" in t.lower() for t in texts), texts
    case_resolve(case=ReconciliationCase.objects.get(tran_id="PQ1"), officer=officer, note="ok")
    assert not any("PQ1" in b.text for b in blockers(month))


@pytest.mark.django_db(transaction=True)
def test_two_officers_importing_the_same_report_at_once_import_it_once(make_user):
    officers = [make_user("revenue_officer"), make_user("revenue_officer")]
    online_payment("PM1", "1500.00")
    data = csv_of(f"PM1,,1500.00,1462.50,,,{today_text()},,VALID")
    barrier = threading.Barrier(2)

    def run(officer):
        try:
            translation.activate("en")
            barrier.wait()
            import_report(file_obj=data, filename="a.csv", officer=officer)
            return "imported"
        except PaymentError as exc:
            return str(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, officers))
    assert results.count("imported") == 1, results
    assert any("imported already" in r or "right now" in r for r in results), results
    assert SettlementImport.objects.count() == 1 and SettlementRow.objects.count() == 1


# --- over HTTP: the simulator's report and the gateway's transaction query ---------------------


@pytest.fixture
def paid(gateway, citizen, make_bill):
    """Four payments paid at the simulated gateway; the second's IPN never came."""
    payments = []
    for i, (amount, switches) in enumerate(
        [("1500.00", {}), ("800.00", {"no_ipn": True}), ("400.00", {}), ("990.00", {})]
    ):
        payment = payment_initiate_online(
            bills=[make_bill(citizen, amount, subject_id=f"H-{i}")], payer=citizen
        )
        pay_at_gateway(payment, "bkash", **switches)
        payments.append(payment)
    for payment in (payments[0], payments[2], payments[3]):
        assert wait_for(lambda p=payment: Payment.objects.get(pk=p.pk).status == "succeeded")
    return payments


def simulator_report(**params) -> requests.Response:
    url = f"{settings.SSLCOMMERZ_BASE_URL}/report/settlement/"
    response = requests.get(url, params=params, timeout=20)
    response.raise_for_status()
    return response


@pytest.mark.django_db(transaction=True)
def test_the_simulators_report_with_planted_mismatches_reconciles(paid, officer):
    first, lost, planted, omitted = paid
    today = timezone.localdate().isoformat()
    report = simulator_report(
        **{"from": today, "to": today, "format": "xlsx"},
        omit=omitted.tran_id,
        amount=f"{planted.tran_id}:450.00",
    )
    assert report.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    settlement = import_report(file_obj=report.content, filename="sim.xlsx", officer=officer)

    outcomes = dict(SettlementRow.objects.values_list("tran_id", "outcome"))
    assert outcomes == {first.tran_id: "matched", lost.tran_id: "report_only",
                        planted.tran_id: "amount"}  # fmt: skip
    assert set(ReconciliationCase.objects.values_list("tran_id", "kind")) == {
        (lost.tran_id, "report_only"),
        (planted.tran_id, "amount"),
        (omitted.tran_id, "here_only"),
    }
    first.refresh_from_db()
    assert first.gateway_fee == Decimal("37.50")  # the simulator keeps 2.5 %
    assert settlement.summary["fees"] == "37.50"

    # Money taken, not recorded here: the gateway's query confirms it, settled once.
    case = ReconciliationCase.objects.get(kind="report_only")
    assert Payment.objects.get(pk=lost.pk).status == "pending"
    assert case_ask_gateway(case=case, officer=officer) == "succeeded"
    case.refresh_from_db()
    assert case.status == "resolved" and "confirmed" in case.note
    assert Receipt.objects.filter(payment=lost).count() == 1
    with pytest.raises(PaymentError, match="resolved already"):
        case_ask_gateway(case=case, officer=officer)
    assert Receipt.objects.filter(payment=lost).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_officers_asking_the_gateway_at_once_settle_once(paid, make_user):
    officers = [make_user("revenue_officer"), make_user("revenue_officer")]
    lost = paid[1]
    report = simulator_report(omit=[p.tran_id for p in paid if p != lost])
    import_report(file_obj=report.content, filename="sim.csv", officer=officers[0])
    case = ReconciliationCase.objects.get(tran_id=lost.tran_id)
    barrier = threading.Barrier(2)

    def run(officer):
        try:
            translation.activate("en")
            barrier.wait()
            return case_ask_gateway(case=case, officer=officer)
        except PaymentError as exc:
            return str(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, officers))
    assert "succeeded" in results, results
    assert Receipt.objects.filter(payment=lost).count() == 1
    assert Payment.objects.get(pk=lost.pk).allocations.count() == 2  # two bill lines, once
    case.refresh_from_db()
    assert case.status == "resolved"
    assert AuditLog.objects.filter(action="reconciliation.settled", object_id=case.pk).count() == 1


def test_the_simulator_refuses_a_bad_date(gateway, transactional_db):
    url = f"{settings.SSLCOMMERZ_BASE_URL}/report/settlement/"
    response = requests.get(url, params={"from": "yesterday"}, timeout=20)
    assert response.status_code == 400


def test_dates_of_yesterday_in_dhaka_are_kept(transactional_db):
    yesterday = timezone.localdate() - timedelta(days=1)
    data = csv_of(f"PY1,,10.00,9.75,,,{yesterday.isoformat()} 23:59:59,,VALID")
    (row,) = read_report(data, "a.csv")
    assert row.day == yesterday


# --- the pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_officer_imports_through_the_page_and_resolves_a_case(client, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    online_payment("PM1", "1500.00")
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/payments/revenue/reconciliation/")
    assert page.status_code == 200 and "No report has been imported yet" in page.text

    bad = SimpleUploadedFile("nov.csv", csv_of("PM1,,abc,1,,,2026-11-05 10:00:00,,VALID"))
    refused = client.post("/payments/revenue/reconciliation/", {"report": bad})
    assert refused.status_code == 400
    assert "nothing changed" in refused.text and "Row 2: amount “abc”" in refused.text
    assert not SettlementImport.objects.exists()

    good = SimpleUploadedFile("nov.csv", csv_of(f"PX1,,70.00,68.25,,,{today_text()},,VALID"))
    done = client.post("/payments/revenue/reconciliation/", {"report": good}, follow=True)
    settlement = SettlementImport.objects.get()
    assert (
        done.redirect_chain[-1][0] == f"/payments/revenue/reconciliation/reports/{settlement.pk}/"
    )
    assert "Money taken, not recorded here" in done.text

    export = client.get(f"/payments/revenue/reconciliation/reports/{settlement.pk}/?format=csv")
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Row,Transaction id,Amount") and ",PX1,70.00," in lines[1]

    cases = client.get("/payments/revenue/reconciliation/cases/")
    case = ReconciliationCase.objects.get(tran_id="PX1")
    assert f'id="case-{case.pk}"' in cases.text
    here_only = ReconciliationCase.objects.get(tran_id="PM1")
    assert here_only.kind == "here_only"

    empty = client.post(f"/payments/revenue/reconciliation/cases/{case.pk}/resolve/", {"note": ""})
    assert empty.status_code == 400 and "Write what was found and done" in empty.text
    client.post(
        f"/payments/revenue/reconciliation/cases/{case.pk}/resolve/",
        {"note": "Refunded at the gateway's panel, ref R-1."},
    )
    case.refresh_from_db()
    assert case.status == "resolved" and case.resolved_by == officer
    left = client.get("/payments/revenue/reconciliation/cases/")
    assert f'id="case-{case.pk}"' not in left.text and f'id="case-{here_only.pk}"' in left.text


@pytest.mark.django_db
def test_a_citizen_or_clerk_cannot_see_or_import(client, citizen, make_user):
    for user in (citizen, make_user("counter_clerk")):
        client.force_login(user)
        assert client.get("/payments/revenue/reconciliation/").status_code in (302, 403)
        assert client.get("/payments/revenue/reconciliation/cases/").status_code in (302, 403)
