# ruff: noqa: S608  (set-based SQL: table names from the models' _meta, every value a parameter)
"""Water-bill benchmark: the project's monthly generation against one hand-written SQL
statement producing the same rows, on PostgreSQL.

Setup (not timed): a fresh database `kcc_bench_water` (BENCH_WATER_DB; on the server of
DATABASE_URL when that is PostgreSQL, else postgres://postgres@127.0.0.1:5432), migrated
(the default tariff), plus a new tariff from 16 November 2026 (so November is charged pro
rata, two segments); N connections over the wards built by INSERT … SELECT over
generate_series — 80% residential, 12% commercial, 3% industrial, 3% institutional, 2%
exempt; one in ten unmetered (flat rate by pipe); 40% on sewerage — with a meter each
(metered ones), a previous reading (October) and a current one (November: 1% estimated,
0.5% held); October billed by the project (not timed) and paid by 70%, so 30% carry
arrears and a late fee into November.

Timed for November 2026 (bill date 10 December), each from the same state (November's
bills deleted, October's late-fee marks cleared, tables vacuumed), best of the rounds:
- project: `water_billing.billing.generate_water_bills("2026-11")`, commit included;
- sql: one `WITH … INSERT … RETURNING` statement claiming the late fees and writing the same
  bills and lines (bill ids taken from the sequence up front).
After every run the rows are compared with the project's first run: per table the count,
sums and an md5 over the rows' contents (ids, codes and times aside). Last line:
`water_bills: connections=N project_s=… sql_s=… ratio=… peak_rss_mb=…`.

    python -m bench.water_bills --connections 20000 [--rounds 3] [--keep]

`make bench` calls main(), which runs the same in a child process with BENCH_CONNECTIONS
connections (default 200000).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bench._db import backend_cpu, django_on, drop_database, fresh_database, server_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONNECTIONS = 200_000
DB_NAME = os.environ.get("BENCH_WATER_DB", "kcc_bench_water")
PERIOD = date(2026, 11, 1)
LAST = date(2026, 11, 30)
BILL_DATE = date(2026, 12, 10)
CHANGE = date(2026, 11, 16)


def main() -> None:
    """`make bench`: the benchmark in a child process, BENCH_CONNECTIONS connections."""
    n = int(os.environ.get("BENCH_CONNECTIONS", DEFAULT_CONNECTIONS))
    subprocess.run(
        [sys.executable, "-m", "bench.water_bills", "--connections", str(n)], cwd=ROOT, check=True
    )


def _say(text: str) -> None:
    print(f"  water_bills: {text}", flush=True)


# --- the database -------------------------------------------------------------------------


def _tables() -> dict[str, str]:
    from core.models import Ward
    from water_billing import models as m

    return {
        model.__name__: model._meta.db_table
        for model in (Ward, m.Connection, m.Meter, m.Reading, m.WaterBill, m.WaterBillLine)
    }


def _new_tariff() -> None:
    """A tariff from 16 November 2026: dearer water, minimum Tk 150, sewerage 50%, VAT 5%,
    late fee 10% + Tk 5, flat charges up by Tk 33.33."""
    from decimal import Decimal

    from water_billing.models import TariffPipe, TariffPrice, WaterTariff

    old = WaterTariff.objects.get()
    WaterTariff.objects.update(late_fee_percent=Decimal("10.00"), late_fee_fixed=Decimal("5.00"))
    new = WaterTariff.objects.create(
        effective_from=CHANGE,
        minimum_charge=Decimal("150.00"),
        sewerage_percent=Decimal("50.00"),
        late_fee_percent=Decimal("10.00"),
        late_fee_fixed=Decimal("5.00"),
        vat_percent=Decimal("5.00"),
        due_days=20,
    )
    prices = {"residential": "20.00", "commercial": "46.25", "industrial": "47.13"}
    prices |= {"institutional": "18.35", "exempt": "0"}
    TariffPrice.objects.bulk_create(
        [TariffPrice(tariff=new, category=c, price=Decimal(p)) for c, p in prices.items()]
    )
    TariffPipe.objects.bulk_create(
        [
            TariffPipe(
                tariff=new,
                diameter_mm=p.diameter_mm,
                flat_monthly=p.flat_monthly + Decimal("33.33"),
                connection_fee=p.connection_fee,
            )
            for p in old.pipes.all()
        ]
    )


def _build(n: int, t: dict[str, str]) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO {t["Connection"]} (consumer_no, ward_id, holding_number, name_bn,
                name_en, address, category, pipe_diameter_mm, metered, sewerage,
                billing_mobile, status, connected_on, block, walk_order, created_at)
            SELECT lpad(w.number::text, 2, '0') || '-' || lpad(g::text, 7, '0'), w.id,
                   g::text, '', 'Consumer ' || g, '',
                   CASE WHEN g % 100 < 80 THEN 'residential' WHEN g % 100 < 92 THEN 'commercial'
                        WHEN g % 100 < 95 THEN 'industrial' WHEN g % 100 < 98 THEN 'institutional'
                        ELSE 'exempt' END,
                   (ARRAY[12, 12, 12, 20, 20, 25, 40, 50, 80, 100])[1 + g % 10],
                   g % 10 <> 3, g % 5 < 2, '017' || lpad((g % 100000000)::text, 8, '0'),
                   'active', DATE '2026-01-01', '', g, now()
            FROM generate_series(1, {int(n)}) g
            JOIN {t["Ward"]} w ON w.number = 1 + g % 31
        """)
        cur.execute(f"""
            INSERT INTO {t["Meter"]} (connection_id, serial, installed_on, initial_reading,
                                      dial_digits, created_at)
            SELECT id, 'M' || id, DATE '2026-01-01', 1000, 5, now()
            FROM {t["Connection"]} WHERE metered
        """)
        # October: an ordinary month; November: 1% estimated, 0.5% held, the rest read.
        cur.execute(f"""
            INSERT INTO {t["Reading"]} (connection_id, meter_id, period, value, read_on, source,
                status, flag, consumption, billable, credit_after, explanation_data, note,
                photo, created_at)
            SELECT m.connection_id, m.id, DATE '2026-10-01', 1000 + 5 + m.id * 7919 % 37,
                   DATE '2026-10-28', 'office', 'ok', '', 5 + m.id * 7919 % 37,
                   5 + m.id * 7919 % 37, 0, '[]'::jsonb, '', '', now()
            FROM {t["Meter"]} m
        """)
        cur.execute(f"""
            INSERT INTO {t["Reading"]} (connection_id, meter_id, period, value, read_on, source,
                status, flag, consumption, billable, credit_after, explanation_data, note,
                photo, created_at)
            SELECT r.connection_id, r.meter_id, DATE '2026-11-01',
                   CASE WHEN r.id % 200 = 7 THEN r.value - 3
                        WHEN r.id % 100 = 11 THEN NULL
                        ELSE r.value + r.id * 104729 % 53 END,
                   CASE WHEN r.id % 100 = 11 THEN NULL ELSE DATE '2026-11-28' END,
                   CASE WHEN r.id % 100 = 11 THEN 'estimate' ELSE 'office' END,
                   CASE WHEN r.id % 200 = 7 THEN 'held' WHEN r.id % 100 = 11 THEN 'estimated'
                        ELSE 'ok' END,
                   '',
                   CASE WHEN r.id % 200 = 7 THEN NULL WHEN r.id % 100 = 11 THEN r.consumption
                        ELSE r.id * 104729 % 53 END,
                   CASE WHEN r.id % 200 = 7 THEN NULL WHEN r.id % 100 = 11 THEN r.consumption
                        ELSE r.id * 104729 % 53 END,
                   0, '[]'::jsonb, '', '', now()
            FROM {t["Reading"]} r
        """)
        for name in ("Connection", "Meter", "Reading"):
            cur.execute(f"ANALYZE {t[name]}")


def _october(t: dict[str, str]) -> None:
    """October billed by the project (bill date 1 November: due 16 November, overdue by the
    10 December bill date) and paid by 70%: the rest carries arrears and a late fee."""
    from django.db import connection

    from core.db import long_running
    from water_billing.billing import generate_water_bills

    started = time.perf_counter()
    with long_running():
        result = generate_water_bills("2026-10", bill_date=date(2026, 11, 1))
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {t['WaterBill']} SET status = 'paid' WHERE period = %s AND id %% 10 < 7",
            [date(2026, 10, 1)],
        )
    _say(f"October: {result.bills} bills in {time.perf_counter() - started:.1f} s, 70% paid")


def _wipe(t: dict[str, str]) -> None:
    """Back to the state before November's run."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"DELETE FROM {t['WaterBillLine']} WHERE water_bill_id IN "
            f"(SELECT id FROM {t['WaterBill']} WHERE period = %s)",
            [PERIOD],
        )
        cur.execute(f"DELETE FROM {t['WaterBill']} WHERE period = %s", [PERIOD])
        cur.execute(
            f"UPDATE {t['WaterBill']} SET late_fee_period = NULL WHERE late_fee_period = %s",
            [PERIOD],
        )
        for name in ("WaterBill", "WaterBillLine"):
            cur.execute(f"VACUUM ANALYZE {t[name]}")
        with contextlib.suppress(Exception):
            cur.execute("CHECKPOINT")


# --- the same rows, checked ---------------------------------------------------------------


def _fingerprint(t: dict[str, str]) -> dict[str, tuple]:
    from django.db import connection

    queries = {
        "bills": f"""
            SELECT count(*), sum(total), sum(late_fee), sum(arrears),
                   md5(string_agg(concat_ws(':', connection_id, reading_id, category, metered,
                       pipe_diameter_mm, sewerage, units, estimated, bill_date, due_date,
                       charges, late_fee, total, arrears, status, late_fee_period,
                       paid_bill_id, sms_sent_at, run_id, length(verify_code)),
                       '|' ORDER BY connection_id))
            FROM {t["WaterBill"]} WHERE period = %(p)s""",
        "lines": f"""
            SELECT count(*), sum(l.amount),
                   md5(string_agg(concat_ws(':', b.connection_id, l.position, l.kind, l.head,
                       l.amount, l.explanation_data::text, l.tariff_from, l.first_day,
                       l.last_day, l.for_period), '|'
                       ORDER BY b.connection_id, l.position, l.for_period))
            FROM {t["WaterBillLine"]} l JOIN {t["WaterBill"]} b ON b.id = l.water_bill_id
            WHERE b.period = %(p)s""",
        "late_fee_marks": f"""
            SELECT count(*), md5(string_agg(id::text, ',' ORDER BY id))
            FROM {t["WaterBill"]} WHERE late_fee_period = %(p)s""",
    }
    result = {}
    with connection.cursor() as cur:
        for name, sql in queries.items():
            cur.execute(sql, {"p": PERIOD})
            result[name] = tuple(cur.fetchone())
    return result


def _check_same(label: str, got: dict, expected: dict) -> None:
    if got != expected:
        diff = [
            f"{k}: {label} {got[k]} != project {expected[k]}"
            for k in expected
            if got[k] != expected[k]
        ]
        raise SystemExit(f"water_bills: {label} rows differ from the project's: " + "; ".join(diff))


# --- the two ways ---------------------------------------------------------------------------


def _timed_project() -> tuple[float, list[tuple[float, str]]]:
    from django.db import connection

    from core.db import long_running
    from water_billing.billing import generate_water_bills

    steps: list[tuple[float, str]] = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            steps.append((time.perf_counter() - started, " ".join(sql.split())[:70]))

    with connection.execute_wrapper(timer):
        started = time.perf_counter()
        with long_running():  # as the worker runs it: no statement time limit
            result = generate_water_bills(PERIOD, bill_date=BILL_DATE)
        elapsed = time.perf_counter() - started
    _say(
        f"project: {result.bills} bills ({result.flat} flat, {result.estimated} estimated), "
        f"{result.lines} lines, {result.late_fees} late fees, {len(result.held)} held"
    )
    return elapsed, steps


def _lit(value) -> str:
    """A constant as a SQL literal (the statement is written out whole, as by hand)."""
    if isinstance(value, dict):
        return "'" + json.dumps(value).replace("'", "''") + "'::jsonb"
    return "'" + str(value).replace("'", "''") + "'"


def single_statement_sql(t: dict[str, str], bill_seq: str) -> str:
    """One statement: the late fees claimed, the bills with their totals and the lines, by
    the rules of water_billing/tariff.py in integer paisa (half-up), two tariff segments."""
    from decimal import Decimal

    from core.explain import day, number, taka
    from water_billing import billing as wb
    from water_billing import selectors
    from water_billing import tariff as arithmetic

    segs = wb._segments(PERIOD)
    late = selectors.tariff_on(BILL_DATE).as_tariff()
    md = segs[0].seg.month_days
    due = BILL_DATE.toordinal() + selectors.tariff_on(BILL_DATE).due_days
    due_date = date.fromordinal(due)
    lh, fixed = int(late.late_fee_percent * 100), int(late.late_fee_fixed * 100)

    def case(column: str, mapping: dict) -> str:
        return (
            "CASE "
            + column
            + " "
            + " ".join(
                f"WHEN {_lit(k)} THEN {v if isinstance(v, int) else _lit(v)}"
                for k, v in mapping.items()
            )
            + " END"
        )

    water = []
    for s in segs:
        i, d = s.index, s.seg.days
        water.append(
            f"CASE WHEN c.metered THEN (COALESCE(r.billable, 0) * {d} * "
            f"{case('c.category', s.prices)} * 2 + {md}) / {2 * md} "
            f"ELSE ({case('c.pipe_diameter_mm', s.flat)} * {d} * 2 + {md}) / {2 * md} END AS w{i}"
        )
    mins = ", ".join(
        f"CASE WHEN x.metered AND x.w{s.index} < {s.minimum} THEN {s.minimum} - x.w{s.index} "
        f"ELSE 0 END AS m{s.index}"
        for s in segs
    )
    sews = ", ".join(
        f"CASE WHEN y.sewerage THEN ((y.w{s.index} + y.m{s.index}) * {s.sewerage_h} * 2 + 10000)"
        f" / 20000 ELSE 0 END AS s{s.index}"
        for s in segs
    )
    vats = ", ".join(
        f"((z.w{s.index} + z.m{s.index} + z.s{s.index}) * {s.vat_h} * 2 + 10000) / 20000 "
        f"AS v{s.index}"
        for s in segs
    )
    charges = " + ".join(f"w{i} + m{i} + s{i} + v{i}" for i in range(len(segs)))

    def money(e: str) -> str:
        return f"(({e})::numeric / 100)::numeric(18, 2)::text"

    fan, kinds, heads, amounts, expls, froms, firsts, lasts, conds = ([] for _ in range(9))
    for s in segs:
        i, d = s.index, s.seg.days
        about = s.about
        cat_bn = case("a.category", {k: v[0] for k, v in arithmetic.CATEGORY_WORDS.items()})
        cat_en = case("a.category", {k: v[1] for k, v in arithmetic.CATEGORY_WORDS.items()})
        pieces = [
            (
                "water",
                f"w{i}",
                "a.metered",
                wb.MSG_WATER,
                f"{_lit(about)} || jsonb_build_object('units', jsonb_build_object('n', "
                f"round(a.units::numeric * {d} / {md}, 3)::text), 'total', "
                f"jsonb_build_object('n', a.units::text), 'price', jsonb_build_object('taka', "
                f"{case('a.category', s.price_text)}), 'category', jsonb_build_object('bn', "
                f"{cat_bn}, 'en', {cat_en}))",
            ),
            (
                "flat",
                f"w{i}",
                "NOT a.metered",
                wb.MSG_FLAT,
                f"{_lit(about)} || jsonb_build_object('flat', jsonb_build_object('taka', "
                f"{case('a.pipe', s.flat_text)}), 'diameter', jsonb_build_object('n', "
                "a.pipe::text))",
            ),
            (
                "minimum",
                f"m{i}",
                f"a.m{i} > 0",
                wb.MSG_MINIMUM,
                f"{_lit({**about, 'minimum': taka(Decimal(s.minimum) / 100)})} || "
                f"jsonb_build_object('water', jsonb_build_object('taka', {money(f'a.w{i}')}))",
            ),
            (
                "sewerage",
                f"s{i}",
                f"a.s{i} > 0",
                wb.MSG_SEWERAGE,
                f"{_lit({**about, 'percent': number(s.tariff.sewerage_percent)})} || "
                f"jsonb_build_object('water', jsonb_build_object('taka', "
                f"{money(f'a.w{i} + a.m{i}')}))",
            ),
            (
                "vat",
                f"v{i}",
                f"a.v{i} > 0",
                wb.MSG_VAT,
                f"{_lit({**about, 'percent': number(s.tariff.vat_percent)})} || "
                f"jsonb_build_object('base', jsonb_build_object('taka', "
                f"{money(f'a.w{i} + a.m{i} + a.s{i}')}))",
            ),
        ]
        for j, (kind, amount, cond, msg, args) in enumerate(pieces):
            n = i * 5 + j
            fan.append(str(n))
            kinds.append(f"WHEN {n} THEN '{kind}'")
            heads.append(f"WHEN {n} THEN '{arithmetic.HEAD_OF_KIND[kind]}'")
            amounts.append(f"WHEN {n} THEN a.{amount}::numeric / 100")
            conds.append(f"WHEN {n} THEN {cond}")
            expls.append(
                f"WHEN {n} THEN jsonb_build_array(jsonb_build_object('msg', {_lit(msg)}, "
                f"'args', {args}))"
            )
            froms.append(f"WHEN {n} THEN DATE {_lit(s.tariff.effective_from)}")
            firsts.append(f"WHEN {n} THEN DATE {_lit(s.seg.first)}")
            lasts.append(f"WHEN {n} THEN DATE {_lit(s.seg.last)}")
    late_args = _lit(
        {
            "tariff": day(late.effective_from),
            "percent": number(late.late_fee_percent),
            "fixed": taka(late.late_fee_fixed),
        }
    )
    fee = f"(cl.overdue * {lh} * 2 + 10000) / 20000 + {fixed}"
    return f"""
    WITH eligible AS MATERIALIZED (
        SELECT c.id, c.metered, c.category, c.pipe_diameter_mm, c.sewerage,
               r.id AS reading_id, r.billable, r.status AS reading_status
        FROM {t["Connection"]} c
        LEFT JOIN {t["Reading"]} r ON r.connection_id = c.id AND r.period = DATE '{PERIOD}'
        WHERE c.status = 'active' AND (c.connected_on IS NULL OR c.connected_on <= DATE '{LAST}')
          AND c.category <> 'exempt'
          AND (NOT c.metered OR (r.id IS NOT NULL AND r.status <> 'held'))
          AND NOT EXISTS (SELECT 1 FROM {t["WaterBill"]} b0
                          WHERE b0.connection_id = c.id AND b0.period = DATE '{PERIOD}')
    ), claim AS (
        UPDATE {t["WaterBill"]} o SET late_fee_period = DATE '{PERIOD}'
        FROM (SELECT o2.id FROM {t["WaterBill"]} o2
              WHERE o2.status = 'due' AND o2.charges > 0 AND o2.late_fee_period IS NULL
                AND o2.period < DATE '{PERIOD}' AND o2.due_date < DATE '{BILL_DATE}'
                AND o2.connection_id IN (SELECT id FROM eligible)
              ORDER BY o2.id FOR UPDATE) pick
        WHERE o.id = pick.id
        RETURNING o.connection_id, o.period, round(o.charges * 100)::bigint AS overdue
    ), a AS MATERIALIZED (
        SELECT nextval('{bill_seq}') AS bill_id, z.*, {charges} AS charges
        FROM (SELECT z.*, {vats} FROM (
              SELECT y.*, {sews} FROM (
              SELECT x.*, {mins} FROM (
              SELECT c.id AS connection_id, c.reading_id, c.metered, c.category,
                     c.pipe_diameter_mm AS pipe, c.sewerage,
                     CASE WHEN c.metered THEN COALESCE(c.billable, 0) END AS units,
                     COALESCE(c.metered AND c.reading_status = 'estimated', false) AS estimated,
                     {", ".join(w.replace("r.billable", "c.billable") for w in water)}
              FROM eligible c ORDER BY c.id) x) y) z) z
    ), late AS (
        SELECT cl.connection_id, sum({fee}) AS late FROM claim cl
        WHERE {fee} > 0 GROUP BY cl.connection_id
    ), arrears AS (
        SELECT connection_id, sum(round(total * 100)::bigint) AS arrears
        FROM {t["WaterBill"]}
        WHERE status = 'due' AND total > 0 AND period < DATE '{PERIOD}'
        GROUP BY connection_id
    ), bills AS (
        INSERT INTO {t["WaterBill"]} (id, connection_id, period, reading_id, category, metered,
            pipe_diameter_mm, sewerage, units, estimated, bill_date, due_date, charges,
            late_fee, total, arrears, status, late_fee_period, verify_code, run_id, created_at)
        SELECT a.bill_id, a.connection_id, DATE '{PERIOD}', a.reading_id, a.category,
               a.metered, a.pipe, a.sewerage, a.units, a.estimated, DATE '{BILL_DATE}',
               DATE '{due_date}', a.charges::numeric / 100,
               COALESCE(l.late, 0)::numeric / 100,
               (a.charges + COALESCE(l.late, 0))::numeric / 100,
               COALESCE(ar.arrears, 0)::numeric / 100, 'due', NULL,
               substr(md5(random()::text || a.connection_id), 1, 16), NULL, now()
        FROM a LEFT JOIN late l ON l.connection_id = a.connection_id
        LEFT JOIN arrears ar ON ar.connection_id = a.connection_id
        ORDER BY a.bill_id
        RETURNING 1
    ), lines AS (
        INSERT INTO {t["WaterBillLine"]} (water_bill_id, position, kind, head, amount,
            explanation_data, tariff_from, first_day, last_day, for_period)
        SELECT a.bill_id, k.n, CASE k.n {" ".join(kinds)} END, CASE k.n {" ".join(heads)} END,
               CASE k.n {" ".join(amounts)} END, CASE k.n {" ".join(expls)} END,
               CASE k.n {" ".join(froms)} END, CASE k.n {" ".join(firsts)} END,
               CASE k.n {" ".join(lasts)} END, NULL
        FROM a CROSS JOIN unnest(ARRAY[{", ".join(fan)}]) AS k(n)
        WHERE CASE k.n {" ".join(conds)} END
        RETURNING 1
    ), late_lines AS (
        INSERT INTO {t["WaterBillLine"]} (water_bill_id, position, kind, head, amount,
            explanation_data, tariff_from, first_day, last_day, for_period)
        SELECT a.bill_id, {len(segs) * 5}, 'late_fee', 'late_fee', ({fee})::numeric / 100,
               jsonb_build_array(jsonb_build_object('msg', {_lit(wb.MSG_LATE_FEE)}, 'args',
                   {late_args} || jsonb_build_object('overdue', jsonb_build_object('taka',
                   (cl.overdue::numeric / 100)::numeric(18, 2)::text)))),
               DATE '{late.effective_from}', NULL, NULL, cl.period
        FROM claim cl JOIN a ON a.connection_id = cl.connection_id
        WHERE {fee} > 0
        ORDER BY a.bill_id, cl.period
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM bills), (SELECT count(*) FROM lines),
           (SELECT count(*) FROM late_lines)
    """


def _timed_sql(t: dict[str, str]) -> float:
    from django.db import connection

    from core.db import long_running

    with connection.cursor() as cur:
        cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [t["WaterBill"]])
        sql = single_statement_sql(t, cur.fetchone()[0])
    started = time.perf_counter()
    with long_running(), connection.cursor() as cur:
        cur.execute(sql)
        bills, lines, late = cur.fetchone()
    elapsed = time.perf_counter() - started
    _say(f"sql: {bills} bills, {lines + late} lines, {late} late fees")
    return elapsed


# --- the run --------------------------------------------------------------------------------


def run(n: int, *, rounds: int = 3, keep: bool = False) -> None:
    server = server_url()
    url = fresh_database(server, DB_NAME)
    django_on(url)
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        t = _tables()
        _new_tariff()
        started = time.perf_counter()
        _build(n, t)
        _say(
            f"built {n} connections with readings in {time.perf_counter() - started:.1f} s ({url})"
        )
        _october(t)
        project_times, sql_times = [], []
        expected = None
        for i in range(rounds):
            _wipe(t)
            cpu = backend_cpu()
            elapsed, steps = _timed_project()
            project_cpu = backend_cpu() - cpu
            project_times.append(elapsed)
            got = _fingerprint(t)
            if expected is None:
                expected = got
                for seconds, sql in sorted(steps, reverse=True)[:8]:
                    _say(f"  {seconds:7.3f} s  {sql}")
            _check_same("project (again)", got, expected)
            _wipe(t)
            cpu = backend_cpu()
            sql_times.append(_timed_sql(t))
            sql_cpu = backend_cpu() - cpu
            _check_same("sql", _fingerprint(t), expected)
            _say(
                f"round {i + 1}: project {project_times[-1]:.2f} s (server CPU "
                f"{project_cpu:.2f} s), sql {sql_times[-1]:.2f} s (server CPU {sql_cpu:.2f} s)"
            )
        _say(
            f"rows per run: {expected['bills'][0]} bills, {expected['lines'][0]} lines, "
            f"{expected['late_fee_marks'][0]} late fees"
        )
    finally:
        connection.close()
        if not keep:
            drop_database(server, DB_NAME)

    project_s, sql_s = min(project_times), min(sql_times)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"water_bills: connections={n} project_s={project_s:.2f} sql_s={sql_s:.2f} "
        f"ratio={project_s / sql_s:.2f} peak_rss_mb={peak:.0f}",
        flush=True,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.water_bills", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=int(os.environ.get("BENCH_CONNECTIONS", DEFAULT_CONNECTIONS)),
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each (best counts)")
    parser.add_argument(
        "--keep", action="store_true", help=f"leave the database {DB_NAME} for inspection"
    )
    args = parser.parse_args(sys.argv[1:])
    run(args.connections, rounds=args.rounds, keep=args.keep)
