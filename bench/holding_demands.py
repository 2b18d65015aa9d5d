"""Holding-tax demand benchmark: the project's yearly generation against a hand-written single
SQL statement producing the same rows, and a naive per-holding ORM loop, on PostgreSQL.

Setup (not timed): a fresh database `kcc_bench_holdings` (on the server of DATABASE_URL when
that is PostgreSQL, else postgres://postgres@127.0.0.1:5432), migrated, with N holdings
across the wards and one assessment each, built by INSERT … SELECT over generate_series.

Timed, each from the same empty demand tables:
- project: `holdings.demands.generate_demands(FY)` (its statements, commit included);
- sql: one `WITH … INSERT … RETURNING` statement writing the same arrears, demands, lines
  and instalments (best of the rounds for both);
- orm: a naive loop over a 2,000-holding sample (read the assessment, compute with
  holdings/tax.py, save the demand, its lines and instalments one by one, in one
  transaction), scaled to N.
After every run the rows are compared with the project's: counts, sums and an md5 of the
rows' contents per table. Last line:
`holding_demands: holdings=N project_s=… sql_s=… ratio=… orm_ratio=… peak_rss_mb=…`.

    python -m bench.holding_demands --holdings 10000 [--rounds 3] [--keep]

`make bench` calls main(), which runs the same in a child process (its own Django settings,
database and peak RSS) with BENCH_HOLDINGS holdings (default 100000).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench._db import backend_cpu, django_on, drop_database, fresh_database, server_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOLDINGS = 100_000
SAMPLE = 2_000
FY = "2025-26"
DB_NAME = "kcc_bench_holdings"


def main() -> None:
    """`make bench`: the benchmark in a child process, BENCH_HOLDINGS holdings."""
    n = int(os.environ.get("BENCH_HOLDINGS", DEFAULT_HOLDINGS))
    subprocess.run(
        [sys.executable, "-m", "bench.holding_demands", "--holdings", str(n)], cwd=ROOT, check=True
    )


def _say(text: str) -> None:
    print(f"  holding_demands: {text}", flush=True)


# --- the database -------------------------------------------------------------------------


def _tables() -> dict[str, str]:
    from core.models import Ward
    from holdings import models as m

    return {
        model.__name__: model._meta.db_table
        for model in (
            Ward,
            m.Holding,
            m.Assessment,
            m.RateSchedule,
            m.RateHead,
            m.Demand,
            m.DemandLine,
            m.Instalment,
            m.Arrear,
            m.HoldingBillItem,
        )
    }


def _build(n: int, t: dict[str, str]) -> None:
    """N holdings across the wards (70% residential, 15% commercial, 5% each industrial,
    mixed, vacant land; about 40% of homes owner-occupied), one assessment each in force from
    one of the five fiscal years up to FY, valued with the documented rule."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO {t["Holding"]} (ward_id, number, road, mahalla, use, owner_occupied,
                                        floor_area_sqft, created_at)
            SELECT w.ids[1 + g % cardinality(w.ids)], g::text, 'Road ' || (g % 97 + 1),
                   'Mahalla ' || (g % 23 + 1),
                   CASE WHEN g % 20 < 14 THEN 'residential' WHEN g % 20 < 17 THEN 'commercial'
                        WHEN g % 20 = 17 THEN 'industrial' WHEN g % 20 = 18 THEN 'mixed'
                        ELSE 'vacant_land' END,
                   g % 20 < 14 AND g % 5 < 2, 400 + g % 3600, now()
            FROM generate_series(1, {int(n)}) g,
                 (SELECT array_agg(id ORDER BY number) AS ids FROM {t["Ward"]}) w
        """)
        cur.execute(f"""
            INSERT INTO {t["Assessment"]} (holding_id, effective_fy, annual_rent, owner_occupied,
                                           annual_valuation, basis, created_at)
            SELECT id, fy, rent, owner_occupied,
                   CASE WHEN owner_occupied
                        THEN round(after - after * 40 / 100, 2) ELSE after END,
                   'bench', now()
            FROM (SELECT id, owner_occupied, fy, rent, round(rent - rent / 6, 2) AS after
                  FROM (SELECT h.id, h.owner_occupied,
                               (2021 + h.id % 5) || '-' || lpad(((2022 + h.id % 5) % 100)::text,
                                                                2, '0') AS fy,
                               CASE WHEN h.use = 'vacant_land' THEN 0
                                    ELSE 12000 + (h.id * 7919 % 600) * 1000
                                         + (h.id % 7) * 333.33 END::numeric(14, 2) AS rent
                        FROM {t["Holding"]} h) x) y
        """)
        cur.execute(f"ANALYZE {t['Holding']}; ANALYZE {t['Assessment']}")


def _wipe(t: dict[str, str]) -> None:
    """Empty the generated tables: every timed run starts from the state right after
    `migrate` (TRUNCATE also forgets the tables' statistics, as on a fresh database)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"TRUNCATE {t['HoldingBillItem']}, {t['Instalment']}, {t['DemandLine']}, "
            f"{t['Arrear']}, {t['Demand']}"
        )
        # Superuser only: keeps a checkpoint out of the timing (not allowed: just go on).
        with contextlib.suppress(Exception):
            cur.execute("CHECKPOINT")


# --- the same rows, checked ---------------------------------------------------------------


def _fingerprint(t: dict[str, str], max_holding: int | None = None) -> dict[str, tuple]:
    """Per table: count, sums and an md5 over the rows' contents (ids and times aside) of
    FY's rows, optionally only for holdings up to `max_holding`."""
    from django.db import connection

    bound = max_holding if max_holding is not None else 2**62
    queries = {
        "demands": f"""
            SELECT count(*), sum(d.total), sum(d.annual_valuation), sum(d.total * d.holding_id),
                   md5(string_agg(concat_ws(':', d.holding_id, d.schedule_id, d.assessment_id,
                                            d.annual_valuation, d.total), '|'
                                  ORDER BY d.holding_id))
            FROM {t["Demand"]} d WHERE d.fiscal_year = %(fy)s AND d.holding_id <= %(bound)s""",
        "lines": f"""
            SELECT count(*), sum(l.amount), sum(l.amount * d.holding_id), count(l.percent),
                   md5(string_agg(concat_ws(':', d.holding_id, l.head, l.percent, l.amount,
                                            l.rule), '|' ORDER BY d.holding_id, l.head))
            FROM {t["DemandLine"]} l JOIN {t["Demand"]} d ON d.id = l.demand_id
            WHERE d.fiscal_year = %(fy)s AND d.holding_id <= %(bound)s""",
        "instalments": f"""
            SELECT count(*), sum(i.amount), sum(i.amount * i.quarter * d.holding_id),
                   md5(string_agg(concat_ws(':', d.holding_id, i.quarter, i.due_date, i.amount,
                                            i.status), '|' ORDER BY d.holding_id, i.quarter))
            FROM {t["Instalment"]} i JOIN {t["Demand"]} d ON d.id = i.demand_id
            WHERE d.fiscal_year = %(fy)s AND d.holding_id <= %(bound)s""",
        "arrears": f"""
            SELECT count(*), sum(a.principal), sum(a.surcharge),
                   md5(string_agg(concat_ws(':', a.holding_id, a.carried_into_fy, a.principal,
                                            a.surcharge_percent, a.surcharge, a.status), '|'
                                  ORDER BY a.holding_id, a.demand_id))
            FROM {t["Arrear"]} a WHERE a.carried_into_fy = %(fy)s
              AND a.holding_id <= %(bound)s""",
    }
    result = {}
    with connection.cursor() as cur:
        for name, sql in queries.items():
            cur.execute(sql, {"fy": FY, "bound": bound})
            result[name] = tuple(cur.fetchone())
    return result


def _check_same(label: str, got: dict, expected: dict) -> None:
    if got != expected:
        lines = [
            f"{k}: {label} {got[k]} != project {expected[k]}"
            for k in expected
            if got[k] != expected[k]
        ]
        raise SystemExit(
            f"holding_demands: {label} rows differ from the project's: " + "; ".join(lines)
        )


# --- the three ways -------------------------------------------------------------------------


def _timed_project(t: dict[str, str]) -> tuple[float, list[tuple[float, str]]]:
    """generate_demands(FY), with the time of each statement it runs."""
    from django.db import connection

    from core.db import long_running
    from holdings.demands import generate_demands

    steps: list[tuple[float, str]] = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            steps.append((time.perf_counter() - started, " ".join(sql.split())[:70]))

    # Under the bulk jobs' limits, as the worker runs it (run_demand_generation): the web's
    # 15 s statement limit would stop a city of a million holdings.
    with connection.execute_wrapper(timer):
        started = time.perf_counter()
        with long_running():
            result = generate_demands(FY)
        elapsed = time.perf_counter() - started
    _say(
        f"project: {result.demands} demands, {result.lines} lines, "
        f"{result.instalments} instalments, {result.arrears} arrears"
    )
    return elapsed, steps


def single_statement_sql(t: dict[str, str], demand_seq: str) -> str:
    """One statement: arrears carried in, demands with their totals, lines and instalments,
    by the rounding rule of holdings/tax.py (half-up percentages; quarters 1–3 rounded down,
    the 4th the remainder). Each new demand takes its id from the table's sequence up
    front, so lines and instalments need no join back to the inserted demands and the
    instalments no aggregate over lines × quarters; every table is written in demand-id
    order (index entries appended, not scattered). Parameters: fy, now."""
    return f"""
    WITH s AS (
        SELECT id, q1_due, q2_due, q3_due, q4_due, vacant_land_flat_tax
        FROM {t["RateSchedule"]} WHERE fiscal_year = %(fy)s
    ), arrears AS (
        INSERT INTO {t["Arrear"]} (demand_id, holding_id, carried_into_fy, principal,
                                   surcharge_percent, surcharge, status)
        SELECT d.id, d.holding_id, %(fy)s, sum(i.amount), rs.arrears_surcharge_percent,
               round(sum(i.amount) * rs.arrears_surcharge_percent / 100, 2), 'due'
        FROM {t["Demand"]} d
        JOIN {t["Instalment"]} i ON i.demand_id = d.id AND i.status = 'due'
        JOIN {t["RateSchedule"]} rs ON rs.id = d.schedule_id
        WHERE d.fiscal_year < %(fy)s
          AND NOT EXISTS (SELECT 1 FROM {t["Arrear"]} a WHERE a.demand_id = d.id)
        GROUP BY d.id, d.holding_id, rs.arrears_surcharge_percent
        RETURNING 1
    ), todo AS MATERIALIZED (
        SELECT nextval('{demand_seq}') AS id, h.id AS holding_id, h.use,
               a.id AS assessment_id, COALESCE(a.annual_valuation, 0) AS valuation
        FROM {t["Holding"]} h
        LEFT JOIN LATERAL (
            SELECT a2.id, a2.annual_valuation FROM {t["Assessment"]} a2
            WHERE a2.holding_id = h.id AND a2.effective_fy <= %(fy)s
            ORDER BY a2.effective_fy DESC LIMIT 1) a ON true
        WHERE (a.id IS NOT NULL OR h.use = 'vacant_land')
          AND NOT EXISTS (SELECT 1 FROM {t["Demand"]} d
                          WHERE d.holding_id = h.id AND d.fiscal_year = %(fy)s)
    ), line AS MATERIALIZED (
        SELECT x.id AS demand_id, r.head, r.percent,
               round(x.valuation * r.percent / 100, 2) AS amount,
               'FY ' || %(fy)s || ' schedule: ' || r.use || ' rate on the annual valuation'
                   AS rule
        FROM todo x JOIN {t["RateHead"]} r ON r.use = x.use
        WHERE r.schedule_id = (SELECT id FROM s)
          AND x.use <> 'vacant_land'  -- the schedule's flat basis: vacant land pays the flat tax
        UNION ALL
        SELECT x.id, 'holding_tax', NULL, s.vacant_land_flat_tax,
               'FY ' || %(fy)s || ' schedule: vacant land flat tax'
        FROM todo x CROSS JOIN s WHERE x.use = 'vacant_land'
    ), per AS MATERIALIZED (
        SELECT demand_id, sum(amount) AS total, sum(trunc(amount / 4, 2)) AS quarter,
               sum(amount - 3 * trunc(amount / 4, 2)) AS fourth
        FROM line GROUP BY demand_id
    ), d AS (
        INSERT INTO {t["Demand"]} (id, holding_id, fiscal_year, schedule_id, assessment_id,
                                   annual_valuation, total, created_at)
        SELECT x.id, x.holding_id, %(fy)s, s.id, x.assessment_id, x.valuation,
               COALESCE(p.total, 0), %(now)s
        FROM todo x CROSS JOIN s LEFT JOIN per p ON p.demand_id = x.id
        RETURNING 1
    ), dl AS (
        INSERT INTO {t["DemandLine"]} (demand_id, head, percent, amount, rule)
        SELECT demand_id, head, percent, amount, rule FROM line
        RETURNING 1
    ), di AS (
        INSERT INTO {t["Instalment"]} (demand_id, quarter, due_date, amount, status)
        SELECT p.demand_id, q.n,
               CASE q.n WHEN 1 THEN s.q1_due WHEN 2 THEN s.q2_due
                        WHEN 3 THEN s.q3_due ELSE s.q4_due END,
               CASE WHEN q.n < 4 THEN p.quarter ELSE p.fourth END, 'due'
        FROM (SELECT * FROM per ORDER BY demand_id) p
        CROSS JOIN s CROSS JOIN generate_series(1, 4) AS q(n)
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM arrears), (SELECT count(*) FROM d),
           (SELECT count(*) FROM dl), (SELECT count(*) FROM di)
    """


def _timed_sql(t: dict[str, str]) -> float:
    from django.db import connection
    from django.utils import timezone

    from core.db import long_running

    with connection.cursor() as cur:
        cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [t["Demand"]])
        sql = single_statement_sql(t, cur.fetchone()[0])
    started = time.perf_counter()
    with long_running(), connection.cursor() as cur:  # the same limits as the project's
        cur.execute(sql, {"fy": FY, "now": timezone.now()})
        arrears, demands, lines, instalments = cur.fetchone()
    elapsed = time.perf_counter() - started
    _say(f"sql: {demands} demands, {lines} lines, {instalments} instalments, {arrears} arrears")
    return elapsed


def _timed_orm(t: dict[str, str], holding_ids: list[int]) -> float:
    """The naive way: one holding at a time, every row saved on its own."""
    from django.db import transaction

    from holdings import tax
    from holdings.models import (
        Assessment,
        Demand,
        DemandLine,
        Holding,
        Instalment,
        RateHead,
        RateSchedule,
    )

    started = time.perf_counter()
    schedule = RateSchedule.objects.get(fiscal_year=FY)
    rates: dict[str, list[tuple[str, object]]] = {}
    for r in RateHead.objects.filter(schedule=schedule).order_by("head"):
        rates.setdefault(r.use, []).append((r.head, r.percent))
    dues = schedule.due_dates()
    with transaction.atomic():
        for pk in holding_ids:
            holding = Holding.objects.get(pk=pk)
            if Demand.objects.filter(holding=holding, fiscal_year=FY).exists():
                continue
            assessment = (
                Assessment.objects.filter(holding=holding, effective_fy__lte=FY)
                .order_by("-effective_fy")
                .first()
            )
            vacant = holding.use == "vacant_land"
            if assessment is None and not vacant:
                continue
            valuation = assessment.annual_valuation if assessment else tax.ZERO
            lines = tax.yearly_tax(
                valuation,
                rates.get(holding.use, []),
                fiscal_year=FY,
                use=holding.use,
                vacant_land_flat_tax=schedule.vacant_land_flat_tax if vacant else None,
            )
            demand = Demand(
                holding=holding,
                fiscal_year=FY,
                schedule=schedule,
                assessment=assessment,
                annual_valuation=valuation,
                total=sum((line.amount for line in lines), tax.ZERO),
            )
            demand.save()
            for line in lines:
                rule = (
                    f"FY {FY} schedule: vacant land flat tax"
                    if line.percent is None
                    else f"FY {FY} schedule: {holding.use} rate on the annual valuation"
                )
                DemandLine(
                    demand=demand,
                    head=line.head,
                    percent=line.percent,
                    amount=line.amount,
                    rule=rule,
                ).save()
            for quarter, amount in enumerate(tax.instalments(lines), start=1):
                Instalment(
                    demand=demand, quarter=quarter, due_date=dues[quarter - 1], amount=amount
                ).save()
    return time.perf_counter() - started


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
        started = time.perf_counter()
        _build(n, t)
        _say(
            f"built {n} holdings with assessments in {time.perf_counter() - started:.1f} s ({url})"
        )

        project_times, sql_times = [], []
        expected = sample_expected = None
        with connection.cursor() as cur:
            cur.execute(f"SELECT id FROM {t['Holding']} ORDER BY id LIMIT %s", [SAMPLE])
            sample_ids = [row[0] for row in cur.fetchall()]
        for i in range(rounds):
            _wipe(t)
            cpu = backend_cpu()
            elapsed, steps = _timed_project(t)
            project_cpu = backend_cpu() - cpu
            project_times.append(elapsed)
            got = _fingerprint(t)
            if expected is None:
                expected = got
                sample_expected = _fingerprint(t, max(sample_ids))
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

        _wipe(t)
        orm_s = _timed_orm(t, sample_ids)
        _check_same("orm", _fingerprint(t, max(sample_ids)), sample_expected)
        orm_scaled = orm_s * n / len(sample_ids)
        _say(f"orm: {len(sample_ids)} holdings in {orm_s:.2f} s, scaled to {n}: {orm_scaled:.1f} s")
        _say(
            f"rows per run: {expected['demands'][0]} demands, {expected['lines'][0]} lines, "
            f"{expected['instalments'][0]} instalments, {expected['arrears'][0]} arrears"
        )
    finally:
        connection.close()
        if not keep:
            drop_database(server, DB_NAME)

    project_s, sql_s = min(project_times), min(sql_times)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"holding_demands: holdings={n} project_s={project_s:.2f} sql_s={sql_s:.2f} "
        f"ratio={project_s / sql_s:.2f} orm_ratio={orm_scaled / project_s:.1f} "
        f"peak_rss_mb={peak:.0f}",
        flush=True,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.holding_demands", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--holdings", type=int, default=int(os.environ.get("BENCH_HOLDINGS", DEFAULT_HOLDINGS))
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="timed runs of the project and the statement (best counts)",
    )
    parser.add_argument(
        "--keep", action="store_true", help=f"leave the database {DB_NAME} for inspection"
    )
    args = parser.parse_args(sys.argv[1:])
    if args.holdings < SAMPLE:
        parser.error(f"--holdings must be at least {SAMPLE}")
    run(args.holdings, rounds=args.rounds, keep=args.keep)
