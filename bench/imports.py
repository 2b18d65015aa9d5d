"""The holding register import at city scale: an uploaded CSV checked by the worker (read
once, row by row, each row's values and errors kept in the database) and then imported
from the kept rows, on PostgreSQL.

Setup (not timed): a fresh database `kcc_bench_imports` (or BENCH_IMPORTS_DB; on the server
of DATABASE_URL when that is PostgreSQL, else postgres://postgres@127.0.0.1:5432),
migrated; a register of N rows written to a temporary file: one row per holding owner, a
second owner for one holding in ten, spread over the 31 wards, a valuation on every
holding, a year of arrears on one in four, Bengali digits on one row in twenty, and one row
in five hundred with an unknown ward (so the import is "only the valid holdings").

Timed, in this process as the worker runs them (holdings.importer.jobs):
- parse_s: the check (`check_job`): the file read once, every row cleaned, kept and
  checked against its holding's other rows and the register;
- import_s: the import of the valid holdings (`import_job`), in one transaction;
- peak_rss_mb: this process's peak resident memory over both (its high-water mark is reset
  just before, so the figure is a loaded Django plus what the job needed);
- baseline_s: the least any import of this file can cost here: a plain `csv.reader` over the
  same file and one `COPY` of its rows (every column as text) into a table.
With `--before`, the way the web request did it until 2026-12 is measured first, in a child
process of its own on the still empty register (`importer.parse` + `validate` +
`import_rows`, rolled back): before_s and before_peak_rss_mb.

Last line: `imports: rows=N parse_s=… import_s=… peak_rss_mb=… baseline_s=… ratio=…`
(ratio = (parse_s + import_s) / baseline_s).

    python -m bench.imports --rows 50000 [--before] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._db import django_on, drop_database, fresh_database, peak_mb, peak_reset, server_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ROWS = 50_000
DB_NAME = os.environ.get("BENCH_IMPORTS_DB", "kcc_bench_imports")
BENGALI = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
NUMBERS = {
    "ward",
    "holding_number",
    "floor_area_sqft",
    "owner_share_percent",
    "owner_nid",
    "owner_mobile",
    "annual_rent",
    "valuation_fy",
    "arrears_fy",
    "arrears_amount",
}


def main() -> None:
    """`make bench`: the benchmark in a child process, BENCH_IMPORT_ROWS rows."""
    n = int(os.environ.get("BENCH_IMPORT_ROWS", DEFAULT_ROWS))
    subprocess.run([sys.executable, "-m", "bench.imports", "--rows", str(n)], cwd=ROOT, check=True)


def _say(text: str) -> None:
    print(f"  imports: {text}", flush=True)


def _write_register(path: Path, n: int) -> tuple[int, int]:
    """N rows into `path`; returns (holdings, rows with an error)."""
    from holdings.importer import COLUMNS

    uses = ["residential"] * 7 + ["commercial", "mixed", "industrial"]
    holdings = bad = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        i = 0
        while i < n:
            holdings += 1
            h = holdings
            ward = str(1 + h % 31)
            if i % 500 == 499:
                ward = "99"
            owners = 2 if h % 10 == 0 and i + 1 < n else 1
            for k in range(owners):
                values = [
                    ward,
                    f"{100000 + h}",
                    f"Road {h % 97}",
                    f"Mahalla {h % 41}",
                    uses[h % len(uses)],
                    "yes" if h % 3 == 0 else "no",
                    str(600 + h % 2400),
                    f"মালিক {h}-{k}",
                    f"Owner {h}-{k}",
                    "50" if owners == 2 else "",
                    f"{1000000000 + h * 2 + k}",
                    f"017{(h * 2 + k) % 100000000:08d}",
                    str(24000 + (h % 500) * 120),
                    "2024-25",
                    "2023-24" if h % 4 == 0 else "",
                    str(1500 + h % 700) if h % 4 == 0 else "",
                ]
                if i % 20 == 7:  # Bengali digits in the numbers
                    values = [
                        v.translate(BENGALI) if c in NUMBERS else v
                        for c, v in zip(COLUMNS, values, strict=True)
                    ]
                out.writerow(values)
                bad += ward == "99"
                i += 1
    return holdings, bad


def _baseline(path: Path) -> float:
    """A plain csv.reader over the file and one COPY of its rows into a table."""
    from django.db import connection, transaction

    from holdings.importer import COLUMNS

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        columns = ", ".join(f"{c} text" for c in COLUMNS)
        cursor.execute(f"CREATE TABLE bench_import_baseline ({columns})")
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            next(reader)
            with cursor.copy(
                f"COPY bench_import_baseline ({', '.join(COLUMNS)}) FROM STDIN"
            ) as copy:
                for values in reader:
                    copy.write_row(values)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_import_baseline")
        copied = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_import_baseline")
    _say(f"baseline: {copied} rows read and copied in {elapsed:.2f} s")
    return elapsed


def _job(path: Path, officer):
    from django.core.files import File

    from holdings.importer import jobs
    from holdings.models import HoldingImport

    with path.open("rb") as f:
        job = jobs.import_job_start(
            upload=File(f, name="register.csv"), actor=officer, language="en"
        )
    peak_reset()
    _say(f"resident memory before the check: {peak_mb():.0f} MB")
    started = time.perf_counter()
    jobs.check_job(job.pk)
    parse_s = time.perf_counter() - started
    job.refresh_from_db()
    if job.status != HoldingImport.Status.CHECKED:
        raise SystemExit(f"check: {job.status} {job.error} {job.file_errors}")
    _say(
        f"check: {job.rows} rows, {job.holdings} holdings, {job.error_rows} rows with errors, "
        f"{parse_s:.2f} s; the uploaded file deleted: {not job.file}"
    )
    jobs.import_job_confirm(job_id=job.pk, only_valid=True, actor=officer)
    started = time.perf_counter()
    jobs.import_job(job.pk)
    import_s = time.perf_counter() - started
    peak = peak_mb()
    job.refresh_from_db()
    if job.status != HoldingImport.Status.IMPORTED:
        raise SystemExit(f"import: {job.status} {job.error}")
    _say(
        f"import: {job.imported_holdings} holdings, {job.owners} owners, {job.assessments} "
        f"valuations, {job.arrears} years of arrears in {import_s:.2f} s; "
        f"skipped {job.skipped_holdings} holdings"
    )
    return job, parse_s, import_s, peak


def _before(path: Path) -> tuple[float, float]:
    """The request's way until 2026-12, in this process: the whole file parsed into row
    dicts, every row validated in memory, imported from the list; rolled back."""
    from django.db import transaction

    from holdings import importer

    class Undo(Exception):
        pass

    peak_reset()
    _say(f"before: resident memory before parsing: {peak_mb():.0f} MB")
    started = time.perf_counter()
    elapsed = 0.0
    try:
        with transaction.atomic():
            with path.open("rb") as f:
                parsed = importer.parse(f, "register.csv")
            validated = time.perf_counter()
            results = importer.validate(parsed)
            imported = time.perf_counter()
            report = importer.import_rows(results, only_valid=True, actor=None, filename="r.csv")
            elapsed = time.perf_counter() - started
            _say(
                f"before: {report.holdings} holdings in {elapsed:.2f} s (parse "
                f"{validated - started:.2f} s, validate {imported - validated:.2f} s, import "
                f"{elapsed - (imported - started):.2f} s; rolled back)"
            )
            raise Undo
    except Undo:
        pass
    return elapsed, peak_mb()


def _before_in_child(n: int, url: str, path: Path) -> tuple[float, float]:
    """The old way in a child process of its own (its peak memory its own), on the same
    database while the register is still empty."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.imports", "--rows", str(n), "--old-way", str(path)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    *said, last = out.strip().splitlines()
    for line in said:
        print(line, flush=True)
    figures = dict(part.split("=") for part in last.split()[1:])
    return float(figures["before_s"]), float(figures["before_peak_rss_mb"])


def old_way(n: int, path: Path) -> None:
    django_on(os.environ["DATABASE_URL"])
    before_s, peak = _before(path)
    print(f"imports-before: rows={n} before_s={before_s:.2f} before_peak_rss_mb={peak:.0f}")


def run(n: int, *, keep: bool = False, before: bool = False) -> None:
    server = server_url()
    url = fresh_database(server, DB_NAME)
    django_on(url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    folder = tempfile.TemporaryDirectory(prefix="kcc-bench-imports-")
    settings.MEDIA_ROOT = folder.name
    before_s = before_peak = None
    try:
        call_command("migrate", verbosity=0)
        from accounts.models import User

        officer = User.objects.create_superuser("01700000000", "bench-password")
        path = Path(folder.name) / "register.csv"
        holdings, bad = _write_register(path, n)
        _say(
            f"register: {n} rows, {holdings} holdings, {bad} rows with an unknown ward, "
            f"{path.stat().st_size / 1e6:.1f} MB"
        )
        baseline_s = _baseline(path)
        if before:
            before_s, before_peak = _before_in_child(n, url, path)
        _job_row, parse_s, import_s, peak = _job(path, officer)
    finally:
        connection.close()
        folder.cleanup()
        if not keep:
            drop_database(server, DB_NAME)
    ratio = (parse_s + import_s) / baseline_s
    if before_s is not None:
        _say(f"before: {before_s:.2f} s, peak RSS {before_peak:.0f} MB")
        print(
            f"imports-before: rows={n} before_s={before_s:.2f} "
            f"before_peak_rss_mb={before_peak:.0f}",
            flush=True,
        )
    print(
        f"imports: rows={n} parse_s={parse_s:.2f} import_s={import_s:.2f} "
        f"peak_rss_mb={peak:.0f} baseline_s={baseline_s:.2f} ratio={ratio:.1f}",
        flush=True,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.imports", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--rows", type=int, default=int(os.environ.get("BENCH_IMPORT_ROWS", DEFAULT_ROWS))
    )
    parser.add_argument("--before", action="store_true", help="also the request's old way")
    parser.add_argument("--keep", action="store_true", help=f"leave the database {DB_NAME}")
    parser.add_argument("--old-way", type=Path, help=argparse.SUPPRESS)  # _before_in_child
    args = parser.parse_args(sys.argv[1:])
    if args.old_way:
        old_way(args.rows, args.old_way)
    else:
        run(args.rows, keep=args.keep, before=args.before)
