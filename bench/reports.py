"""Holding-tax reports at city scale: the defaulters list (its SQL, its CSV export streamed
through the real view, its XLSX export built by the worker) and the ward-wise collection
register, on PostgreSQL.

Setup (not timed): a fresh database `kcc_bench_reports` (on the server of DATABASE_URL when
that is PostgreSQL, else postgres://postgres@127.0.0.1:5432), migrated; N holdings with
assessments (bench.holding_demands), one owner each (a second for one in ten); the demands
of FY 2024-25 generated, three fifths of the holdings having paid that year; then FY
2025-26 generated (the unpaid year carried forward as arrears), its first quarter paid by
half of the holdings, the
whole year by a quarter of them. "Today" is 2026-03-01: three quarters past due.

Timed:
- defaulters_sql_s: the defaulters statement (`holdings.reports.defaulters`, whole city,
  sorted by what is owed) as the exports run it, every row fetched, best of the rounds
  (also shown: the list page's COUNT and first 25 rows);
- csv_s, csv_peak_rss_mb: `GET /holdings/officer/defaulters/?format=csv` through Django's
  test client as a revenue officer, the body read to the end, in a fresh process (as a web
  worker: the list page loaded once before; this process holds what building the city
  left): the peak resident memory of that process while it streams (the high-water mark
  reset just before: a loaded Django, about 105 MB, plus what the export needs);
- xlsx_s: the XLSX export from start to a finished file, built as the worker builds it
  (the job's task run in this process), best of one;
- collection_s: the ward-wise register (`holdings.reports.collection`).
The CSV's rows are checked against the query's (count and owed total). Last line:
`reports: holdings=N defaulters_sql_s=… csv_s=… csv_peak_rss_mb=… xlsx_s=…`.

    python -m bench.reports --holdings 100000 [--rounds 3] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from bench._db import django_on, drop_database, fresh_database, peak_mb, peak_reset, server_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOLDINGS = 100_000
DB_NAME = os.environ.get("BENCH_REPORTS_DB", "kcc_bench_reports")
TODAY = date(2026, 3, 1)


def main() -> None:
    """`make bench`: the benchmark in a child process, BENCH_HOLDINGS holdings."""
    n = int(os.environ.get("BENCH_HOLDINGS", DEFAULT_HOLDINGS))
    subprocess.run(
        [sys.executable, "-m", "bench.reports", "--holdings", str(n)], cwd=ROOT, check=True
    )


def _say(text: str) -> None:
    print(f"  reports: {text}", flush=True)


def _build(n: int) -> None:
    from django.db import connection

    from bench.holding_demands import _build as build_holdings
    from bench.holding_demands import _tables
    from holdings.demands import generate_demands
    from holdings.models import Arrear, Instalment, Owner

    t = _tables()
    build_holdings(n, t)
    owner = Owner._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO {owner} (holding_id, name_bn, name_en, share_percent, nid, mobile)
            SELECT id, 'মালিক ' || id, 'Owner ' || id, 100, '', '017' || lpad(id::text, 8, '0')
            FROM {t["Holding"]}
            UNION ALL
            SELECT id, '', 'Second owner ' || id, 50, '', ''
            FROM {t["Holding"]} WHERE id % 10 = 0
        """)  # noqa: S608
    generate_demands("2024-25")
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {Instalment._meta.db_table} i SET status = 'paid' "  # noqa: S608
            f"FROM {t['Demand']} d WHERE d.id = i.demand_id AND d.fiscal_year = '2024-25' "
            "AND d.holding_id % 5 < 3"
        )
    generate_demands("2025-26")
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {Instalment._meta.db_table} i SET status = 'paid' "  # noqa: S608
            f"FROM {t['Demand']} d WHERE d.id = i.demand_id AND d.fiscal_year = '2025-26' "
            "AND (i.quarter = 1 AND d.holding_id % 2 = 0 OR d.holding_id % 4 = 0)"
        )
        cur.execute(f"VACUUM ANALYZE {Instalment._meta.db_table}")
        cur.execute(f"VACUUM ANALYZE {Arrear._meta.db_table}")
        cur.execute(f"VACUUM ANALYZE {t['Demand']}")
        cur.execute(f"VACUUM ANALYZE {owner}")


def _officer():
    from accounts.models import User

    return User.objects.create_superuser("01700000000", "bench-password")


def _time_sql(rounds: int) -> tuple[float, float, int, Decimal]:
    """The defaulters statement as the exports run it (in the report's transaction, every
    row fetched), best of the rounds; and the first page of the list (its COUNT and 25
    rows) as the page runs it."""
    from django.db import connection

    from core.db import long_running
    from holdings import reports

    best = page_best = float("inf")
    count, owed = 0, Decimal(0)
    for _ in range(rounds):
        rows = reports.defaulters(today=TODAY)
        with long_running(report=True), connection.cursor() as cursor:
            sql, params = rows._ordered()
            rows._tune(cursor)
            started = time.perf_counter()
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
            best = min(best, time.perf_counter() - started)
        count = len(fetched)
        owed = sum((Decimal(r[-1]) for r in fetched), Decimal(0))
        del fetched
        with long_running(report=True):
            started = time.perf_counter()
            rows = reports.defaulters(today=TODAY)
            rows.count()
            rows[:25]
            page_best = min(page_best, time.perf_counter() - started)
    return best, page_best, count, owed


def _time_csv(url: str, officer) -> tuple[float, float, float, int, Decimal]:
    """The CSV download in a fresh process, as a web worker serves it (this one holds what
    building the city left in its memory): seconds, resident memory before and at its
    peak, rows and owed total."""
    child = subprocess.run(
        [sys.executable, "-m", "bench.reports", "--csv-child", url, str(officer.pk)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    last = child.stdout.strip().splitlines()[-1].split()
    seconds, base, peak, count = (float(v) for v in last[:4])
    return seconds, base, peak, int(count), Decimal(last[4])


def _csv_child(url: str, officer_pk: int) -> None:
    """The child's half: a signed-in revenue officer's client, one page loaded first (a
    worker that has served requests), the high-water mark reset, then the CSV read to the
    end. Prints `seconds base_mb peak_mb rows owed`."""
    django_on(url)
    import time_machine
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    settings.ALLOWED_HOSTS = ["*"]
    settings.ROOT_URLCONF = "kcc_portal.urls"
    client = Client()
    client.force_login(User.objects.get(pk=officer_pk))
    with time_machine.travel(TODAY, tick=True):
        assert client.get("/holdings/officer/defaulters/").status_code == 200
        peak_reset()
        base = peak_mb()
        started = time.perf_counter()
        response = client.get("/holdings/officer/defaulters/", {"format": "csv"})
        assert response.status_code == 200, response.status_code
        count, owed = 0, Decimal(0)
        chunks = response.streaming_content if response.streaming else [response.content]
        pending = b""
        header = True
        for chunk in chunks:
            pending += chunk
            lines = pending.split(b"\n")
            pending = lines.pop()
            for raw in lines:
                if header:
                    header = False
                    continue
                if not raw.strip():
                    continue
                row = next(csv.reader(io.StringIO(raw.decode("utf-8"))))
                count += 1
                owed += Decimal(row[-1])
        elapsed = time.perf_counter() - started
        peak = peak_mb()
    print(f"{elapsed:.3f} {base:.1f} {peak:.1f} {count} {owed}", flush=True)


def _time_xlsx(officer) -> float:
    """The worker's job (holdings.tasks.build_report_export), run in this process: from the
    queued export to its finished file."""
    import time_machine

    from holdings.exports import defaulters_filename, defaulters_params
    from holdings.models import ReportExport
    from holdings.tasks import build_report_export

    with time_machine.travel(TODAY, tick=True):
        started = time.perf_counter()
        export = ReportExport.objects.create(
            kind=ReportExport.Kind.DEFAULTERS,
            params=defaulters_params(as_of=TODAY, ward=None, sort="owed_desc", language="en"),
            filename=defaulters_filename(TODAY, None),
            started_by=officer,
        )
        build_report_export(export.pk)
        elapsed = time.perf_counter() - started
    export.refresh_from_db()
    if export.status != ReportExport.Status.DONE:
        raise SystemExit(f"XLSX export failed: {export.error}")
    _say(f"xlsx: {export.rows} rows, {export.file.size / 1e6:.1f} MB")
    export.file.delete(save=False)
    return elapsed


def run(n: int, *, rounds: int = 3, keep: bool = False) -> None:
    server = server_url()
    url = fresh_database(server, DB_NAME)
    django_on(url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.ALLOWED_HOSTS = ["*"]
    settings.ROOT_URLCONF = "kcc_portal.urls"
    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        _build(n)
        officer = _officer()
        _say(f"built {n} holdings, two years of demands in {time.perf_counter() - started:.1f} s")

        from core.db import long_running
        from holdings import reports

        csv_s, csv_base, csv_peak, csv_count, csv_owed = _time_csv(url, officer)
        _say(
            f"csv (a fresh process): {csv_count} rows in {csv_s:.2f} s, resident memory "
            f"{csv_base:.0f} MB before, {csv_peak:.0f} MB at its peak"
        )
        sql_s, page_s, count, owed = _time_sql(rounds)
        _say(f"defaulters: {count} holdings owing {owed} in {sql_s:.2f} s (best of {rounds})")
        _say(f"defaulters page (count and first 25 rows): {page_s:.2f} s")
        if (csv_count, csv_owed) != (count, owed):
            raise SystemExit(f"CSV rows differ: {csv_count} owing {csv_owed}")
        xlsx_s = _time_xlsx(officer)
        started = time.perf_counter()
        with long_running(report=True):
            reports.collection("2025-26")
        collection_s = time.perf_counter() - started
    finally:
        connection.close()
        if not keep:
            drop_database(server, DB_NAME)
    print(
        f"reports: holdings={n} defaulters_sql_s={sql_s:.2f} csv_s={csv_s:.2f} "
        f"csv_peak_rss_mb={csv_peak:.0f} xlsx_s={xlsx_s:.2f} collection_s={collection_s:.2f}",
        flush=True,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.reports", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--holdings", type=int, default=int(os.environ.get("BENCH_HOLDINGS", DEFAULT_HOLDINGS))
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help=f"leave the database {DB_NAME}")
    parser.add_argument("--csv-child", nargs=2, metavar=("URL", "OFFICER"), help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:])
    if args.csv_child:
        _csv_child(args.csv_child[0], int(args.csv_child[1]))
    else:
        run(args.holdings, rounds=args.rounds, keep=args.keep)
