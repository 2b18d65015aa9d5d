"""The revenue officer's collections dashboard over millions of ledger rows, on PostgreSQL.

Setup (not timed): a fresh database `kcc_bench_dashboard`, migrated; 20 counter clerks with
a cash session each in an office ward; 10,000 bills of the five services, a line each, in
the city's wards; 1,000 payments (seven in ten online by bKash, Nagad, Rocket, card or
internet banking, the rest cash at the counters); N allocation rows (default 10,000,000)
made with generate_series, spread over three fiscal years (1 July 2023 to "today",
15 June 2026: the end of FY 2025-26, when the year's figures are largest), every pair of
payment and bill line once. The collection rollups are then made from them set-based (the
statement is Django's own compiled aggregate of payments.rollups.dimensions(), so it keys
rows exactly as the refresh does), and 5,000 rows of today are left not rolled up, as
between two refreshes.

Timed: every query the dashboard makes (payments.collections.overview) for this fiscal
year, unfiltered and filtered to one ward, `--rounds` times each — the statements
themselves, through Django's connection — and, as the baseline, the same figures computed
by GROUP BY over the ledger (the allocations with the same dimensions), each statement
once. The two are checked to give the same figures. Last line:
`dashboard: rows=N p95_ms=… groupby_ms=… ratio=…` where p95_ms is the dashboard's
statements' 95th percentile, groupby_ms the ledger statements' median and ratio
p95_ms / groupby_ms.

    python -m bench.dashboard --rows 10000000 [--rounds 5] [--keep]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from bench._db import django_on, drop_database, fresh_database, server_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ROWS = 10_000_000
DB_NAME = os.environ.get("BENCH_DASHBOARD_DB", "kcc_bench_dashboard")
TODAY = date(2026, 6, 15)
START = date(2023, 7, 1)
PAYMENTS = 1_000
LINES = 10_000
TAIL = 5_000
SERVICES = ["holdings", "trade_licenses", "water_billing", "market_leases", "ezbike"]
HEADS = ["holding_tax", "conservancy", "licence_fee"]
CARDS = ["BKASH-BKash", "NAGAD-Nagad", "DBBLMOBILEB-Dbbl", "VISA-Brac Bank", "CITYTOUCHIB-City"]


def main() -> None:
    """`make bench`: the benchmark in a child process, BENCH_DASHBOARD_ROWS rows."""
    n = int(os.environ.get("BENCH_DASHBOARD_ROWS", DEFAULT_ROWS))
    subprocess.run(
        [sys.executable, "-m", "bench.dashboard", "--rows", str(n)], cwd=ROOT, check=True
    )


def _say(text: str) -> None:
    print(f"  dashboard: {text}", flush=True)


def _sql_list(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def _build(n: int) -> None:
    from django.contrib.auth.models import Group
    from django.db import connection

    from accounts.models import User
    from core.models import Ward
    from core.roles import Role
    from payments.models import Allocation, Bill, BillLine, CounterSession, Payment

    wards = list(Ward.objects.order_by("number").values_list("pk", flat=True))
    clerk_group = Group.objects.get(name=Role.COUNTER_CLERK)
    clerks = []
    for i in range(20):
        clerk = User.objects.create_user(mobile=f"0171{i:07d}", password=None, ward_id=wards[i % 5])
        clerk.groups.add(clerk_group)
        clerks.append(clerk.pk)
    sessions = [
        CounterSession.objects.create(clerk_id=c, ward_id=wards[i % 5], status="closed").pk
        for i, c in enumerate(clerks)
    ]
    table = {m: m._meta.db_table for m in (Allocation, Bill, BillLine, Payment)}
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {table[Bill]} (number, service, subject_type, subject_id,
                subject_label_bn, subject_label_en, payer_name, payer_mobile, ward_id,
                fiscal_year, period_label, period_label_bn, issued_on, due_date, total,
                status, created_at, paid_at)
            SELECT 'BB' || g, ({_sql_list(SERVICES)})[1 + g %% 5], 'bench', g::text, '', '',
                '', '', (%(wards)s::int[])[1 + g %% %(nwards)s], '2025-26', '', '',
                DATE '2023-07-01', DATE '2026-06-30', 1000, 'paid', now(), now()
            FROM generate_series(0, {LINES - 1}) g
            """,
            {"wards": wards, "nwards": len(wards)},
        )
        cur.execute(f"""
            INSERT INTO {table[BillLine]} (bill_id, position, head, description_bn,
                description_en, amount, period, arrears, explanation, explanation_data)
            SELECT b.id, 0, ({_sql_list(HEADS)})[1 + (b.id % 3)], '', '', 1000, '', false, '',
                '[]'::jsonb
            FROM {table[Bill]} b
        """)
        cur.execute(
            f"""
            INSERT INTO {table[Payment]} (tran_id, channel, status, status_reason, amount,
                currency, payer_name, payer_mobile, gateway_url, sessionkey, val_id,
                bank_tran_id, card_type, risk_title, counter_session_id, received_by_id,
                created_at, updated_at, settled_at)
            SELECT 'BP' || g, CASE WHEN g %% 10 < 7 THEN 'online' ELSE 'counter' END,
                'succeeded', '', 1000, 'BDT', '', '', '', '', '', '',
                CASE WHEN g %% 10 < 7 THEN ({_sql_list(CARDS)})[1 + g %% 5] ELSE '' END, '',
                CASE WHEN g %% 10 < 7 THEN NULL ELSE (%(sessions)s::int[])[1 + g %% 20] END,
                CASE WHEN g %% 10 < 7 THEN NULL ELSE (%(clerks)s::int[])[1 + g %% 20] END,
                now(), now(), now()
            FROM generate_series(0, {PAYMENTS}) g
        """,
            {"sessions": sessions, "clerks": clerks},
        )
    _allocations(n, payments=PAYMENTS, first_payment_offset=0, start=START, end=TODAY)


def _allocations(
    n: int, *, payments: int, first_payment_offset: int, start: date, end: date
) -> None:
    """n allocation rows, created between start and end: row g pays line g / payments of
    payment g % payments (from the first payment + offset), so every pair comes once."""
    from django.db import connection

    from payments.models import Allocation, Bill, BillLine, Payment

    a, b, line, p = (m._meta.db_table for m in (Allocation, Bill, BillLine, Payment))
    with connection.cursor() as cur:
        cur.execute(f"SELECT min(id) FROM {p}")
        first_payment = cur.fetchone()[0] + first_payment_offset
        cur.execute(f"SELECT min(id) FROM {line}")
        first_line = cur.fetchone()[0]
        cur.execute(
            f"""
            INSERT INTO {a} (payment_id, bill_id, bill_line_id, kind, head, amount, service,
                fiscal_year, ward_id, channel, collected_by_id, created_at, rolled_up)
            SELECT pay.id, l.bill_id, l.id, 'payment', l.head,
                round((1 + (g::bigint * 7919) %% 500000) / 100.0, 2), bill.service,
                CASE WHEN t < TIMESTAMPTZ '2024-07-01 00:00+06' THEN '2023-24'
                     WHEN t < TIMESTAMPTZ '2025-07-01 00:00+06' THEN '2024-25'
                     ELSE '2025-26' END,
                bill.ward_id, pay.channel, pay.received_by_id, t, false
            FROM (
                SELECT g,
                    %(start)s::timestamptz + (%(end)s::timestamptz - %(start)s::timestamptz)
                        * (((g * 2654435761::bigint) %% %(n)s)::float8 / %(n)s) AS t
                FROM generate_series(0, %(n)s - 1) g
            ) s
            JOIN {p} pay ON pay.id = %(first_payment)s + (g %% %(payments)s)
            JOIN {line} l ON l.id = %(first_line)s + (g / %(payments)s)
            JOIN {b} bill ON bill.id = l.bill_id
            """,
            {
                "n": n,
                "start": f"{start} 00:00+06",
                "end": f"{end} 23:59+06",
                "first_payment": first_payment,
                "first_line": first_line,
                "payments": payments,
            },
        )


def _roll_up_all() -> None:
    """The rollups from every allocation, in one statement (set-based; the same keys as
    payments.rollups' refresh), then every row marked rolled up."""
    from django.db import connection, transaction
    from django.db.models import Count, Sum, Value
    from django.db.models.functions import TruncMonth

    from payments.models import Allocation, CollectionRollup
    from payments.rollups import KEY, dimensions

    columns = ", ".join(KEY)
    with transaction.atomic(), connection.cursor() as cur:
        for grain, day in (("day", "day"), ("month", "month")):
            grouped = (
                Allocation.objects.annotate(**dimensions())
                .annotate(month=TruncMonth("day"), grain=Value(grain))
                .values("grain", day, *KEY[1:])
                .annotate(total=Sum("amount"), rows=Count("pk"))
                .order_by()
            )
            select, params = grouped.query.sql_with_params()
            cur.execute(
                f"INSERT INTO {CollectionRollup._meta.db_table} (grain, {columns}, amount, lines)"
                f" {select}",
                params,
            )
        cur.execute(f"UPDATE {Allocation._meta.db_table} SET rolled_up = true")
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {Allocation._meta.db_table}")
        cur.execute(f"ANALYZE {CollectionRollup._meta.db_table}")


class Timer:
    """Django's connection wrapper: every statement's duration, in ms."""

    def __init__(self) -> None:
        self.ms: list[float] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms.append((time.perf_counter() - started) * 1000)


def _ledger_collected(group, where, start, end):
    """The baseline: the figure by GROUP BY over the ledger itself (the period as the
    city's days, bounds on created_at, which is indexed)."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from django.db.models import Count, Sum, Value
    from django.db.models.functions import TruncMonth

    from payments.models import Allocation
    from payments.rollups import Row, dimensions

    zone = ZoneInfo("Asia/Dhaka")
    names = list(group) or ["everything"]
    qs = (
        Allocation.objects.filter(
            created_at__gte=datetime.combine(start, time.min, tzinfo=zone),
            created_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
        )
        .annotate(**dimensions(), everything=Value(1))
        .annotate(month=TruncMonth("day"))
        .filter(where)
        .values(*names)
        .annotate(total=Sum("amount"), rows=Count("pk"))
        .order_by()
    )
    return [
        Row(
            key=tuple(v[: len(group)]), amount=Decimal(v[-2]).quantize(Decimal("0.01")), lines=v[-1]
        )
        for v in qs.values_list(*names, "total", "rows")
        if v[-2] is not None
    ]


def run(n: int, *, rounds: int = 5, keep: bool = False) -> None:
    server = server_url()
    url = fresh_database(server, DB_NAME)
    django_on(url)
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        from core.db import long_running

        started = time.perf_counter()
        with long_running(statement_timeout_ms=0):
            _build(n)
        took = time.perf_counter() - started
        _say(f"{n:,} allocation rows over three fiscal years in {took:.0f} s")
        started = time.perf_counter()
        with long_running(statement_timeout_ms=0):
            _roll_up_all()
        from payments.models import CollectionRollup

        _say(
            f"rolled up into {CollectionRollup.objects.filter(grain='day').count():,} day rows "
            f"and {CollectionRollup.objects.filter(grain='month').count():,} month rows in "
            f"{time.perf_counter() - started:.0f} s"
        )
        _allocations(TAIL, payments=1, first_payment_offset=PAYMENTS, start=TODAY, end=TODAY)
        _say(f"{TAIL:,} rows of today not rolled up yet")

        from core.models import Ward
        from payments import collections, rollups

        period = collections.period_for("fy", TODAY)
        ward = Ward.objects.order_by("number").values_list("pk", flat=True)[3]
        views = [{}, {"ward_key": ward}]
        asked: list[tuple] = []
        real_collected = rollups.collected

        def recording(group=(), filters=None, start=None, end=None):
            asked.append((tuple(group), filters, start, end))
            return real_collected(group, filters, start, end)

        # The dashboard's own queries, recorded once.
        setattr(collections, "collected", recording)  # noqa: B010
        try:
            results = [collections.overview(period, f) for f in views]
        finally:
            setattr(collections, "collected", real_collected)  # noqa: B010
        timer = Timer()
        with connection.execute_wrapper(timer):
            for _round in range(rounds):
                for filters in views:
                    collections.overview(period, filters)
        queries = len(timer.ms) // rounds
        p95 = statistics.quantiles(timer.ms, n=20)[18] if len(timer.ms) > 1 else timer.ms[0]
        _say(
            f"dashboard: {queries} statements a round (two views), {rounds} rounds: "
            f"median {statistics.median(timer.ms):.1f} ms, p95 {p95:.1f} ms, "
            f"max {max(timer.ms):.1f} ms"
        )
        ledger_ms: list[float] = []
        mismatches = 0
        with long_running(statement_timeout_ms=0):
            for group, where, start, end in asked:
                statement = Timer()
                with connection.execute_wrapper(statement):
                    rows = _ledger_collected(group, where, start, end)
                ledger_ms.append(sum(statement.ms))
                ledger = {r.key: (r.amount, r.lines) for r in rows}
                kept_rows = real_collected(group, where, start, end)
                kept = {r.key: (r.amount, r.lines) for r in kept_rows}
                if ledger != kept:
                    mismatches += 1
                    diff = [
                        (k, ledger.get(k), kept.get(k))
                        for k in set(ledger) | set(kept)
                        if ledger.get(k) != kept.get(k)
                    ]
                    _say(f"differs: {group} {where}: {diff[:3]}")
        groupby = statistics.median(ledger_ms)
        _say(
            f"GROUP BY over the ledger, the same {len(asked)} figures (each once): median "
            f"{groupby:.0f} ms, max {max(ledger_ms):.0f} ms; figures "
            f"differing: {mismatches}"
        )
        if mismatches:
            raise SystemExit("the rollups' figures differ from the ledger's")
        whole, one_ward = (r.total.amount for r in results)
        _say(f"FY {period.start}..{period.end}: {whole:,} collected ({one_ward:,} in one ward)")
        ratio = p95 / groupby
        print(f"dashboard: rows={n} p95_ms={p95:.1f} groupby_ms={groupby:.0f} ratio={ratio:.4f}")
    finally:
        connection.close()
        if not keep:
            drop_database(server, DB_NAME)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.dashboard", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--rows", type=int, default=int(os.environ.get("BENCH_DASHBOARD_ROWS", DEFAULT_ROWS))
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help=f"leave the database {DB_NAME}")
    args = parser.parse_args(sys.argv[1:])
    run(args.rows, rounds=args.rounds, keep=args.keep)
