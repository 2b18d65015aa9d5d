"""The yearly demand, generated set-based: a handful of INSERT … SELECT statements over
all holdings at once (no loop over holdings), the same on PostgreSQL and SQLite.

Idempotent: each statement inserts only what does not exist yet, so a second run changes
nothing and a holding added later gets its demand on the next run. Amounts are computed
in integer paisa with the rounding rule of holdings/tax.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from core import audit
from core.models import Ward

from .defaults import ensure_schedule
from .models import (
    Arrear,
    Assessment,
    Demand,
    DemandLine,
    Holding,
    Instalment,
    RateHead,
    VacantLandBasis,
)

Progress = Callable[[str, int], None]


def _paisa(expr: str) -> str:
    return f"CAST(ROUND(({expr}) * 100) AS BIGINT)"


@dataclass
class DemandResult:
    fiscal_year: str
    demands: int = 0
    lines: int = 0
    instalments: int = 0
    arrears: int = 0
    not_assessed: int = 0
    by_ward: list[dict] = field(default_factory=list)


def generate_demands(
    fiscal_year: str, *, progress: Progress | None = None, actor=None
) -> DemandResult:
    """Create the fiscal year's demands, lines, instalments and the arrears carried in."""
    report = progress or (lambda step, pct: None)
    schedule = ensure_schedule(fiscal_year)
    # Vacant land pays the flat tax (no valuation needed), or its rate heads on the nominal
    # valuation of its assessment (without one it is not assessed yet).
    flat_vacant_land = schedule.vacant_land_basis == VacantLandBasis.FLAT
    t = {
        m.__name__: m._meta.db_table
        for m in (Holding, Assessment, Demand, DemandLine, Instalment, Arrear, RateHead)
    }
    from .models import RateSchedule

    t["RateSchedule"] = RateSchedule._meta.db_table
    t["Ward"] = Ward._meta.db_table
    result = DemandResult(fiscal_year)
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cur:
        report("arrears", 5)
        cur.execute(
            f"""
            INSERT INTO {t["Arrear"]} (demand_id, holding_id, carried_into_fy, principal,
                                       surcharge_percent, surcharge, status)
            SELECT d.id, d.holding_id, %s, SUM(i.amount), s.arrears_surcharge_percent,
                   ({_paisa("SUM(i.amount)")} * {_paisa("s.arrears_surcharge_percent")}
                    + 5000) / 10000 / 100.0,
                   'due'
            FROM {t["Demand"]} d
            JOIN {t["Instalment"]} i ON i.demand_id = d.id AND i.status = 'due'
            JOIN {t["RateSchedule"]} s ON s.id = d.schedule_id
            WHERE d.fiscal_year < %s
              AND NOT EXISTS (SELECT 1 FROM {t["Arrear"]} a WHERE a.demand_id = d.id)
            GROUP BY d.id, d.holding_id, s.arrears_surcharge_percent
        """,
            [fiscal_year, fiscal_year],
        )
        result.arrears = cur.rowcount

        report("demands", 20)
        # The total is computed here, from the valuation and the schedule's heads with the
        # lines' own rounding, so no demand is written twice; the lines and instalments
        # below find this run's demands as those of the year with an id above the largest
        # before it (runs of a year never overlap: DemandRun allows one live run).
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t['Demand']}")
        before = cur.fetchone()[0]
        cur.execute(
            f"""
            INSERT INTO {t["Demand"]} (holding_id, fiscal_year, schedule_id, assessment_id,
                                       annual_valuation, total, created_at)
            SELECT v.holding_id, %s, %s, v.assessment_id, v.valuation,
                   CASE WHEN v.use = 'vacant_land' AND %s THEN %s
                        ELSE COALESCE((
                            SELECT SUM(({_paisa("v.valuation")} * {_paisa("r.percent")} + 5000)
                                       / 10000) / 100.0
                            FROM {t["RateHead"]} r
                            WHERE r.schedule_id = %s AND r.use = v.use), 0)
                   END,
                   %s
            FROM (
                SELECT h.id AS holding_id, h.use, a.id AS assessment_id,
                       COALESCE(a.annual_valuation, 0) AS valuation
                FROM {t["Holding"]} h
                LEFT JOIN {t["Assessment"]} a ON a.id = (
                    SELECT a2.id FROM {t["Assessment"]} a2
                    WHERE a2.holding_id = h.id AND a2.effective_fy <= %s
                    ORDER BY a2.effective_fy DESC LIMIT 1)
                WHERE (a.id IS NOT NULL OR (h.use = 'vacant_land' AND %s))
            ) v
            WHERE true  -- SQLite reads ON CONFLICT after a bare FROM as a join
            ON CONFLICT (holding_id, fiscal_year) DO NOTHING
        """,
            [
                fiscal_year,
                schedule.pk,
                flat_vacant_land,
                schedule.vacant_land_flat_tax,
                schedule.pk,
                now,
                fiscal_year,
                flat_vacant_land,
            ],
        )
        result.demands = cur.rowcount

        report("lines", 45)
        cur.execute(
            f"""
            INSERT INTO {t["DemandLine"]} (demand_id, head, percent, amount, rule)
            SELECT d.id, r.head, r.percent,
                   ({_paisa("d.annual_valuation")} * {_paisa("r.percent")} + 5000)
                   / 10000 / 100.0,
                   'FY ' || %s || ' schedule: ' || r.use || ' rate on the annual valuation'
            FROM {t["Demand"]} d
            JOIN {t["Holding"]} h ON h.id = d.holding_id
            JOIN {t["RateHead"]} r ON r.schedule_id = d.schedule_id AND r.use = h.use
            WHERE d.fiscal_year = %s AND d.id > %s
              AND (h.use <> 'vacant_land' OR NOT %s)
        """,
            [fiscal_year, fiscal_year, before, flat_vacant_land],
        )
        result.lines = cur.rowcount
        cur.execute(
            f"""
            INSERT INTO {t["DemandLine"]} (demand_id, head, percent, amount, rule)
            SELECT d.id, 'holding_tax', NULL, s.vacant_land_flat_tax,
                   'FY ' || %s || ' schedule: vacant land flat tax'
            FROM {t["Demand"]} d
            JOIN {t["Holding"]} h ON h.id = d.holding_id
            JOIN {t["RateSchedule"]} s ON s.id = d.schedule_id
            WHERE d.fiscal_year = %s AND d.id > %s AND h.use = 'vacant_land'
              AND %s
        """,
            [fiscal_year, fiscal_year, before, flat_vacant_land],
        )
        result.lines += cur.rowcount

        report("instalments", 70)
        cur.execute(
            f"""
            INSERT INTO {t["Instalment"]} (demand_id, quarter, due_date, amount, status)
            SELECT p.demand_id, q.n,
                   CASE q.n WHEN 1 THEN s.q1_due WHEN 2 THEN s.q2_due
                            WHEN 3 THEN s.q3_due ELSE s.q4_due END,
                   CASE WHEN q.n < 4 THEN p.quarter ELSE p.fourth END / 100.0,
                   'due'
            FROM (SELECT d.id AS demand_id, d.schedule_id,
                         SUM({_paisa("l.amount")} / 4) AS quarter,
                         SUM({_paisa("l.amount")} - 3 * ({_paisa("l.amount")} / 4)) AS fourth
                  FROM {t["Demand"]} d
                  JOIN {t["DemandLine"]} l ON l.demand_id = d.id
                  WHERE d.fiscal_year = %s AND d.id > %s
                  GROUP BY d.id, d.schedule_id) p
            JOIN {t["RateSchedule"]} s ON s.id = p.schedule_id
            CROSS JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3
                        UNION ALL SELECT 4) q
        """,
            [fiscal_year, before],
        )
        result.instalments = cur.rowcount

        report("summary", 95)
        cur.execute(
            f"""
            SELECT w.number, COUNT(d.id), COALESCE(SUM(d.total), 0)
            FROM {t["Demand"]} d
            JOIN {t["Holding"]} h ON h.id = d.holding_id
            JOIN {t["Ward"]} w ON w.id = h.ward_id
            WHERE d.fiscal_year = %s
            GROUP BY w.number ORDER BY w.number
        """,
            [fiscal_year],
        )
        result.by_ward = [
            {"ward": ward, "demands": count, "total": str(total)}
            for ward, count, total in cur.fetchall()
        ]
        cur.execute(
            f"""
            SELECT COUNT(*) FROM {t["Holding"]} h
            WHERE NOT EXISTS (SELECT 1 FROM {t["Demand"]} d
                              WHERE d.holding_id = h.id AND d.fiscal_year = %s)
        """,
            [fiscal_year],
        )
        result.not_assessed = cur.fetchone()[0]
        audit.record(
            action="holdings.demands_generated",
            object_type="holdings.demand",
            object_id=fiscal_year,
            actor=actor,
            after={
                "demands": result.demands,
                "lines": result.lines,
                "instalments": result.instalments,
                "arrears": result.arrears,
            },
        )
    report("done", 100)
    return result
