# ruff: noqa: S608  (set-based SQL: table names from the models' _meta, every value a parameter)
"""A month's water bills, generated set-based: a handful of statements over all connections
at once (no loop over connections), the same on PostgreSQL and SQLite.

What a month becomes (docs/water.md, "Monthly bills"):

- every active connection (connected by the month's last day) gets one WaterBill for the
  month — the unique constraint (connection, month) is the rule, and the bills' INSERT
  skips what exists (ON CONFLICT DO NOTHING), so a second run changes nothing and a
  connection read later gets its bill on the next run;
- metered: the month's reading's billable cubic metres (water_billing.tariff.billable); a
  connection without a reading is first estimated through the readings service
  (services.reading_estimate, one by one: only the unread) and its bill marked estimated;
  a **held** reading is not billed: the connection is skipped and listed; unmetered: the
  flat monthly charge of its pipe; exempt: nothing (no bill);
- the lines and their amounts are water_billing.tariff.water_charges' — per tariff segment
  (a tariff change inside the month cuts it), water or flat, minimum-charge top-up,
  sewerage, VAT — computed in integer paisa with the same half-up rounding, and each line
  keeps the same explanation data (core.explain), built in SQL;
- late fees: each earlier month left unpaid past its due date is charged the late fee of
  the tariff in effect on the bill date once, on the next bill made after it fell overdue
  (`late_fee_period` records which month charged it); a line per overdue month;
- arrears: earlier months stay their own dues (as holding tax keeps its arrears apart);
  the new bill shows what they add up to on the bill date (`arrears`), and paying takes
  them together (water_billing.dues);
- due date: the bill date + `due_days` of the tariff in effect on the bill date.

Runs of one month are serialised (a transaction-level advisory lock on PostgreSQL; SQLite
writes one transaction at a time), so two runs at once make one bill per connection and
charge each late fee once.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from core import audit
from core.explain import day, number, taka
from core.money import to_money

from . import selectors
from . import tariff as arithmetic
from .models import BillingRun, Category, Connection, Reading, WaterBill, WaterBillLine

Progress = Callable[[str, int], None]

TEMP = "water_month_charges"

# The explanations (the same messages as water_billing.tariff's lines).
MSG_WATER = gettext_noop(
    "Tariff from %(tariff)s, %(first)s to %(last)s (%(days)s of %(month_days)s days): "
    "%(units)s of %(total)s cubic metres × %(price)s per 1,000 litres, %(category)s"
)
MSG_MINIMUM = gettext_noop(
    "Tariff from %(tariff)s, %(first)s to %(last)s (%(days)s of %(month_days)s days): "
    "minimum charge %(minimum)s for these days less the water charge %(water)s"
)
MSG_FLAT = gettext_noop(
    "Tariff from %(tariff)s, %(first)s to %(last)s (%(days)s of %(month_days)s days): "
    "flat monthly charge %(flat)s for a %(diameter)s mm pipe without a meter"
)
MSG_SEWERAGE = gettext_noop(
    "Tariff from %(tariff)s, %(first)s to %(last)s: sewerage %(percent)s%% of the water "
    "charge %(water)s"
)
MSG_VAT = gettext_noop(
    "Tariff from %(tariff)s, %(first)s to %(last)s: VAT %(percent)s%% of %(base)s"
)
MSG_LATE_FEE = gettext_noop(
    "Tariff from %(tariff)s: late fee %(percent)s%% of the overdue %(overdue)s plus %(fixed)s"
)


class BillingError(ValueError):
    """The month cannot be billed (not over yet, no tariff, a tariff lacking a price)."""


@dataclass
class BillingResult:
    period: datetime.date
    bill_date: datetime.date
    due_date: datetime.date
    bills: int = 0
    lines: int = 0
    metered: int = 0
    flat: int = 0
    estimated: int = 0
    estimates_made: int = 0
    late_fees: int = 0
    exempt: int = 0
    held: list[str] = field(default_factory=list)
    not_read: list[str] = field(default_factory=list)
    total: Decimal = Decimal("0.00")

    def counts(self) -> dict[str, Any]:
        return {
            "bills": self.bills,
            "lines": self.lines,
            "metered": self.metered,
            "flat": self.flat,
            "estimated": self.estimated,
            "estimates_made": self.estimates_made,
            "late_fees": self.late_fees,
            "exempt": self.exempt,
            "held": len(self.held),
            "not_read": len(self.not_read),
            "total": str(self.total),
            "due_date": self.due_date.isoformat(),
        }


def as_period(value: datetime.date | str) -> datetime.date:
    """A billing month from a date (any day of it) or "YYYY-MM"."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    try:
        return datetime.date.fromisoformat(f"{str(value).strip()[:7]}-01")
    except ValueError:
        raise BillingError(f"Not a month: {value!r} (write it as YYYY-MM).") from None


def _paisa(amount: Decimal | int | str) -> int:
    return int(to_money(Decimal(str(amount))) * 100)


# --- SQL that differs between PostgreSQL and SQLite --------------------------------------------


class _Sql:
    def __init__(self, vendor: str) -> None:
        self.pg = vendor == "postgresql"

    def obj(self, *pairs: str) -> str:
        return ("jsonb_build_object(" if self.pg else "json_object(") + ", ".join(pairs) + ")"

    def array(self, item: str) -> str:
        return ("jsonb_build_array(" if self.pg else "json_array(") + item + ")"

    def merge(self, obj: str) -> str:
        """A constant JSON object (one parameter) with the row's values added."""
        return f"(CAST(%s AS jsonb) || {obj})" if self.pg else f"json_patch(%s, {obj})"

    def const_json(self) -> str:
        return "CAST(%s AS jsonb)" if self.pg else "json(%s)"

    def money_text(self, paisa: str) -> str:
        """Integer paisa as taka text with two decimals ("300.60")."""
        if self.pg:
            return f"CAST(CAST(CAST(({paisa}) AS NUMERIC) / 100 AS NUMERIC(18, 2)) AS TEXT)"
        return f"printf('%%d.%%02d', ({paisa}) / 100, ({paisa}) %% 100)"

    def money(self, paisa: str) -> str:
        """Integer paisa as the value of a money column."""
        return f"CAST(({paisa}) AS NUMERIC) / 100" if self.pg else f"({paisa}) / 100.0"

    def paisa_of(self, column: str) -> str:
        return f"CAST(ROUND({column} * 100) AS BIGINT)"

    def units_text(self, units: str, days: int, month_days: int) -> str:
        """units × days / month days to three decimals (never a tie: see tariff.py)."""
        if self.pg:
            return f"CAST(ROUND(CAST({units} AS NUMERIC) * {days} / {month_days}, 3) AS TEXT)"
        return f"printf('%%.3f', {units} * {days} * 1.0 / {month_days})"

    def date(self, expr: str) -> str:
        return f"CAST({expr} AS DATE)" if self.pg else expr

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS TEXT)"

    def code(self) -> str:
        """An unguessable verify code: 16 hex characters."""
        if self.pg:
            return (
                "substr(md5(random()::text || clock_timestamp()::text || t.connection_id), 1, 16)"
            )
        return "lower(hex(randomblob(8)))"

    def case(self, column: str, values: dict[Any, Any], cast: str = "") -> tuple[str, list]:
        parts, params = [], []
        for key, value in values.items():
            parts.append("WHEN %s THEN %s")
            params += [key, value]
        sql = f"CASE {column} {' '.join(parts)} ELSE NULL END"
        return (f"CAST({sql} AS {cast})" if cast else sql), params


# --- the tariff of the month, as constants ------------------------------------------------------


@dataclass(frozen=True)
class _Seg:
    index: int
    seg: arithmetic.Segment
    prices: dict[str, int]  # paisa per m³ by category
    price_text: dict[str, str]
    flat: dict[int, int]  # paisa by pipe
    flat_text: dict[int, str]
    minimum: int  # paisa: the segment's share of the minimum charge
    sewerage_h: int  # percent × 100
    vat_h: int
    about: dict[str, Any]

    @property
    def tariff(self) -> arithmetic.Tariff:
        return self.seg.tariff


def _segments(period: datetime.date) -> list[_Seg]:
    tariffs = selectors.tariffs_for_month(period)
    try:
        segs = arithmetic.segments(period, tariffs)
    except arithmetic.TariffError as e:
        raise BillingError(str(e)) from None
    found = []
    for i, seg in enumerate(segs):
        t = seg.tariff
        missing = [c for c in Category.values if c != Category.EXEMPT and c not in t.prices]
        if missing:
            raise BillingError(
                f"The tariff from {t.effective_from.isoformat()} has no price for "
                f"{', '.join(missing)} connections."
            )
        found.append(
            _Seg(
                index=i,
                seg=seg,
                prices={c: _paisa(p) for c, p in t.prices.items()},
                price_text={c: str(to_money(Decimal(p))) for c, p in t.prices.items()},
                flat={d: _paisa(f) for d, f in t.flat_monthly.items()},
                flat_text={d: str(to_money(Decimal(f))) for d, f in t.flat_monthly.items()},
                minimum=_paisa(to_money(seg.part_of(t.minimum_charge))),
                sewerage_h=int(Decimal(t.sewerage_percent) * 100),
                vat_h=int(Decimal(t.vat_percent) * 100),
                about=seg.about(),
            )
        )
    return found


# --- the run -----------------------------------------------------------------------------------


def _tables() -> dict[str, str]:
    return {m.__name__: m._meta.db_table for m in (Connection, Reading, WaterBill, WaterBillLine)}


def _eligible(t: dict[str, str]) -> str:
    """Connections billed this month (with `c` and the month's reading `r`): active,
    connected by the month's end, not exempt, not billed yet for the month; metered ones
    with a reading that is not held. Parameters: period, last day, period."""
    return f"""
        FROM {t["Connection"]} c
        LEFT JOIN {t["Reading"]} r ON r.connection_id = c.id AND r.period = %s
        WHERE c.status = 'active'
          AND (c.connected_on IS NULL OR c.connected_on <= %s)
          AND c.category <> 'exempt'
          AND (NOT c.metered OR (r.id IS NOT NULL AND r.status <> 'held'))
          AND NOT EXISTS (SELECT 1 FROM {t["WaterBill"]} b0
                          WHERE b0.connection_id = c.id AND b0.period = %s)
    """


def _estimate_missing(period: datetime.date, last: datetime.date, result: BillingResult) -> None:
    """Estimate, through the readings service, the month of every metered connection to be
    billed that has no reading (each under its own lock; usually few)."""
    from .services import reading_estimate

    unread = (
        Connection.objects.filter(status=Connection.Status.ACTIVE, metered=True)
        .exclude(category=Category.EXEMPT)
        .exclude(connected_on__gt=last)
        .exclude(readings__period=period)
        .exclude(bills__period=period)
        .order_by("pk")
    )
    for conn in unread.iterator(chunk_size=500):
        try:
            reading_estimate(connection=conn, period=period)
        except ValidationError:
            result.not_read.append(conn.consumer_no)
        else:
            result.estimates_made += 1


def generate_water_bills(
    period: datetime.date | str,
    *,
    bill_date: datetime.date | None = None,
    progress: Progress | None = None,
    actor: Any = None,
    run: BillingRun | None = None,
) -> BillingResult:
    """Make the month's water bills (see the module's docstring); one transaction."""
    report = progress or (lambda step, pct: None)
    period = as_period(period)
    first, last = arithmetic.month_bounds(period)
    bill_date = bill_date or timezone.localdate()
    if bill_date <= last:
        raise BillingError(
            f"{period:%Y-%m} is not over yet: bills are made from {last + datetime.timedelta(1)}."
        )
    segs = _segments(period)
    billing = selectors.tariff_on(bill_date)
    if billing is None:  # cannot happen when the month has one
        raise BillingError(f"No water tariff is in effect on {bill_date.isoformat()}.")
    due_date = bill_date + datetime.timedelta(days=billing.due_days)
    result = BillingResult(period=period, bill_date=bill_date, due_date=due_date)
    t = _tables()
    sql = _Sql(connection.vendor)
    # This run's bills are those of the month created at this instant.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cur:
        if sql.pg:  # one run of a month at a time; the next finds it done
            cur.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"water-billing:{period:%Y-%m}"],
            )
        report("estimates", 5)
        _estimate_missing(period, last, result)

        # Skipped and listed: held readings (read before this run's bills exist).
        cur.execute(
            f"""
            SELECT c.consumer_no FROM {t["Connection"]} c
            JOIN {t["Reading"]} r ON r.connection_id = c.id AND r.period = %s
            WHERE r.status = 'held' AND c.status = 'active' AND c.metered
              AND c.category <> 'exempt'
              AND NOT EXISTS (SELECT 1 FROM {t["WaterBill"]} b
                              WHERE b.connection_id = c.id AND b.period = %s)
            ORDER BY c.consumer_no
            """,
            [period, period],
        )
        result.held = [row[0] for row in cur.fetchall()]
        report("late fees", 20)
        # Claim the earlier months that fell overdue (locked in id order: a payment settling
        # one of them waits for this run, or this run for it, never both ways).
        cur.execute(
            f"""
            UPDATE {t["WaterBill"]} SET late_fee_period = %s
            WHERE id IN (
                SELECT o.id FROM {t["WaterBill"]} o
                WHERE o.status = 'due' AND o.charges > 0 AND o.late_fee_period IS NULL
                  AND o.period < %s AND o.due_date < %s
                  AND o.connection_id IN (SELECT c.id {_eligible(t)})
                ORDER BY o.id {"FOR UPDATE" if sql.pg else ""})
            """,
            [period, period, bill_date, period, last, period],
        )

        report("charges", 30)
        cur.execute(f"DROP TABLE IF EXISTS {TEMP}")
        charges_sql, charges_params = _charges_select(
            sql, t, segs, billing.as_tariff(), period, last
        )
        cur.execute(f"CREATE TEMP TABLE {TEMP} AS {charges_sql}", charges_params)
        cur.execute(f"ANALYZE {TEMP}")  # a temporary table has no statistics until asked

        report("bills", 45)
        cur.execute(
            f"""
            INSERT INTO {t["WaterBill"]} (connection_id, period, reading_id, category, metered,
                pipe_diameter_mm, sewerage, units, estimated, bill_date, due_date, charges,
                late_fee, total, arrears, status, late_fee_period, verify_code, run_id,
                created_at)
            SELECT t.connection_id, %s, t.reading_id, t.category, t.metered, t.pipe,
                   t.sewerage, t.units, t.estimated, %s, %s, {sql.money("t.charges")},
                   {sql.money("t.late")}, {sql.money("t.charges + t.late")},
                   {sql.money("t.arrears")}, 'due', NULL, {sql.code()}, %s, %s
            FROM {TEMP} t
            WHERE true  -- SQLite reads ON CONFLICT after a bare FROM as a join
            ORDER BY t.connection_id
            ON CONFLICT (connection_id, period) DO NOTHING
            """,
            [period, bill_date, due_date, run.pk if run else None, now],
        )
        result.bills = cur.rowcount

        report("lines", 65)
        lines_sql, lines_params = _lines_insert(sql, t, segs, period, now)
        cur.execute(lines_sql, lines_params)
        result.lines = cur.rowcount
        report("late fees", 80)
        late_sql, late_params = _late_fee_lines_insert(
            sql, t, segs, billing.as_tariff(), period, now
        )
        cur.execute(late_sql, late_params)
        result.late_fees = cur.rowcount
        result.lines += result.late_fees

        report("summary", 90)
        cur.execute(
            f"""
            SELECT COUNT(*), COALESCE(SUM(CASE WHEN metered THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN estimated THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(total), 0)
            FROM {t["WaterBill"]} WHERE period = %s AND created_at = %s
            """,
            [period, now],
        )
        count, metered, estimated, total = cur.fetchone()
        result.metered, result.estimated = int(metered), int(estimated)
        result.flat = int(count) - result.metered
        result.total = to_money(Decimal(str(total)))
        cur.execute(
            f"SELECT COUNT(*) FROM {t['Connection']} WHERE status = 'active' "
            "AND category = 'exempt'"
        )
        result.exempt = cur.fetchone()[0]
        cur.execute(f"DROP TABLE IF EXISTS {TEMP}")
        audit.record(
            action="water.bills_generated",
            object_type="water_billing.waterbill",
            object_id=f"{period:%Y-%m}",
            actor=actor,
            after={**result.counts(), "held_connections": result.held[:200]},
        )
    report("done", 100)
    return result


def _charges_select(
    sql: _Sql,
    t: dict[str, str],
    segs: list[_Seg],
    billing: arithmetic.Tariff,
    period: datetime.date,
    last: datetime.date,
) -> tuple[str, list]:
    """One row per connection to bill: the segment lines' amounts in paisa (w, m, s, v per
    segment), the month's charges, the late fees claimed for it and its arrears."""
    md = segs[0].seg.month_days
    params: list = []
    # Innermost: the water or flat line of each segment.
    water_cols = []
    for s in segs:
        d = s.seg.days
        price, p1 = sql.case("c.category", s.prices)
        flat, p2 = sql.case("c.pipe_diameter_mm", s.flat)
        water_cols.append(
            f"""CASE WHEN c.metered
                     THEN (COALESCE(r.billable, 0) * {d} * {price} * 2 + {md}) / {2 * md}
                     ELSE ({flat} * {d} * 2 + {md}) / {2 * md} END AS w{s.index}"""
        )
        params += p1 + p2
    inner = f"""
        SELECT c.id AS connection_id, r.id AS reading_id, c.metered, c.category,
               c.pipe_diameter_mm AS pipe, c.sewerage,
               CASE WHEN c.metered THEN COALESCE(r.billable, 0) END AS units,
               CASE WHEN c.metered AND r.status = 'estimated' THEN {_true(sql)}
                    ELSE {_false(sql)} END AS estimated,
               {", ".join(water_cols)}
        {_eligible(t)}
    """
    params += [period, last, period]
    # The minimum top-up, then sewerage, then VAT, each on the rounded lines before it.
    with_min = ", ".join(
        f"CASE WHEN x.metered AND x.w{s.index} < {s.minimum} THEN {s.minimum} - x.w{s.index} "
        f"ELSE 0 END AS m{s.index}"
        for s in segs
    )
    step1 = f"SELECT x.*, {with_min} FROM ({inner}) x"
    with_sew = ", ".join(
        (
            f"CASE WHEN y.sewerage THEN ((y.w{s.index} + y.m{s.index}) * {s.sewerage_h} * 2 "
            f"+ 10000) / 20000 ELSE 0 END AS s{s.index}"
        )
        if s.sewerage_h > 0
        else f"0 AS s{s.index}"
        for s in segs
    )
    step2 = f"SELECT y.*, {with_sew} FROM ({step1}) y"
    with_vat = ", ".join(
        (
            f"((z.w{s.index} + z.m{s.index} + z.s{s.index}) * {s.vat_h} * 2 + 10000) / 20000 "
            f"AS v{s.index}"
        )
        if s.vat_h > 0
        else f"0 AS v{s.index}"
        for s in segs
    )
    step3 = f"SELECT z.*, {with_vat} FROM ({step2}) z"
    charges = " + ".join(f"v.w{i} + v.m{i} + v.s{i} + v.v{i}" for i in range(len(segs)))
    late_h = int(Decimal(billing.late_fee_percent) * 100)
    fixed = _paisa(billing.late_fee_fixed)
    fee = f"(({sql.paisa_of('o.charges')} * {late_h} * 2 + 10000) / 20000 + {fixed})"
    outer = f"""
        SELECT v.*, {charges} AS charges, COALESCE(lf.late, 0) AS late,
               COALESCE(ar.arrears, 0) AS arrears
        FROM ({step3}) v
        LEFT JOIN (SELECT o.connection_id, SUM({fee}) AS late
                   FROM {t["WaterBill"]} o
                   WHERE o.late_fee_period = %s AND {fee} > 0
                   GROUP BY o.connection_id) lf ON lf.connection_id = v.connection_id
        LEFT JOIN (SELECT o.connection_id, SUM({sql.paisa_of("o.total")}) AS arrears
                   FROM {t["WaterBill"]} o
                   WHERE o.status = 'due' AND o.total > 0 AND o.period < %s
                   GROUP BY o.connection_id) ar ON ar.connection_id = v.connection_id
    """
    params += [period, period]
    return outer, params


def _true(sql: _Sql) -> str:
    return "TRUE" if sql.pg else "1"


def _false(sql: _Sql) -> str:
    return "FALSE" if sql.pg else "0"


def _about_json(s: _Seg, **extra: Any) -> str:
    return json.dumps({**s.about, **extra})


def _lines_insert(
    sql: _Sql, t: dict[str, str], segs: list[_Seg], period: datetime.date, now
) -> tuple[str, list]:
    """The month's lines of every bill made by this run (those created at `now`): one pass
    over the charges, fanned out to (segment × kind) and kept where the line exists."""
    md = segs[0].seg.month_days
    params: list = []
    pieces: list[tuple] = []  # (position, kind, amount, condition, args SQL, params, where)
    for s in segs:
        i, d = s.index, s.seg.days
        where = {
            "tariff_from": s.tariff.effective_from,
            "first_day": s.seg.first,
            "last_day": s.seg.last,
        }
        bn_words, p_bn = sql.case(
            "t.category", {k: v[0] for k, v in arithmetic.CATEGORY_WORDS.items()}
        )
        en_words, p_en = sql.case(
            "t.category", {k: v[1] for k, v in arithmetic.CATEGORY_WORDS.items()}
        )
        price_text, p_price = sql.case("t.category", s.price_text)
        flat_text, p_flat = sql.case("t.pipe", s.flat_text)
        kinds = [
            # (kind, head, amount column, condition, explanation SQL, its parameters)
            (
                arithmetic.WATER,
                f"t.w{i}",
                "t.metered",
                sql.merge(
                    sql.obj(
                        "'units'",
                        sql.obj("'n'", sql.units_text("t.units", d, md)),
                        "'total'",
                        sql.obj("'n'", sql.text("t.units")),
                        "'price'",
                        sql.obj("'taka'", price_text),
                        "'category'",
                        sql.obj("'bn'", bn_words, "'en'", en_words),
                    )
                ),
                [_about_json(s)] + p_price + p_bn + p_en,
                MSG_WATER,
            ),
            (
                arithmetic.FLAT,
                f"t.w{i}",
                "NOT t.metered",
                sql.merge(
                    sql.obj(
                        "'flat'",
                        sql.obj("'taka'", flat_text),
                        "'diameter'",
                        sql.obj("'n'", sql.text("t.pipe")),
                    )
                ),
                [_about_json(s)] + p_flat,
                MSG_FLAT,
            ),
            (
                arithmetic.MINIMUM,
                f"t.m{i}",
                f"t.m{i} > 0",
                sql.merge(sql.obj("'water'", sql.obj("'taka'", sql.money_text(f"t.w{i}")))),
                [_about_json(s, minimum=taka(Decimal(s.minimum) / 100))],
                MSG_MINIMUM,
            ),
            (
                arithmetic.SEWERAGE,
                f"t.s{i}",
                f"t.s{i} > 0",
                sql.merge(
                    sql.obj("'water'", sql.obj("'taka'", sql.money_text(f"t.w{i} + t.m{i}")))
                ),
                [_about_json(s, percent=number(s.tariff.sewerage_percent))],
                MSG_SEWERAGE,
            ),
            (
                arithmetic.VAT,
                f"t.v{i}",
                f"t.v{i} > 0",
                sql.merge(
                    sql.obj(
                        "'base'",
                        sql.obj("'taka'", sql.money_text(f"t.w{i} + t.m{i} + t.s{i}")),
                    )
                ),
                [_about_json(s, percent=number(s.tariff.vat_percent))],
                MSG_VAT,
            ),
        ]
        for j, (kind, amount, cond, args_sql, args_params, msg) in enumerate(kinds):
            pieces.append((i * 5 + j, kind, amount, cond, args_sql, [msg, *args_params], where))
    # One join of the charges with this run's bills, fanned out to every (segment, kind)
    # and kept where that line exists: each column picks its piece with a CASE.
    n = "k.n"

    def case(values: list[tuple[str, list]]) -> tuple[str, list]:
        sql_parts, case_params = [], []
        for (position, *_rest), (expr, expr_params) in zip(pieces, values, strict=True):
            sql_parts.append(f"WHEN {position} THEN {expr}")
            case_params += expr_params
        return f"CASE {n} {' '.join(sql_parts)} END", case_params

    columns = [
        case([(f"'{p[1]}'", []) for p in pieces]),
        case([(f"'{arithmetic.HEAD_OF_KIND[p[1]]}'", []) for p in pieces]),
        case([(sql.money(p[2]), []) for p in pieces]),
        case([(sql.array(sql.obj("'msg'", "%s", "'args'", p[4])), p[5]) for p in pieces]),
        case([(sql.date("%s"), [p[6]["tariff_from"]]) for p in pieces]),
        case([(sql.date("%s"), [p[6]["first_day"]]) for p in pieces]),
        case([(sql.date("%s"), [p[6]["last_day"]]) for p in pieces]),
    ]
    where_case, where_params = case([(f"({p[3]})", []) for p in pieces])
    fan = " UNION ALL ".join(f"SELECT {p[0]} AS n" for p in pieces)
    for _expr, expr_params in columns:
        params += expr_params
    params += [period, now]
    params += where_params
    kind_sql, head_sql, amount_sql, expl_sql, from_sql, first_sql, last_sql = (
        c[0] for c in columns
    )
    return (
        f"""
        INSERT INTO {t["WaterBillLine"]} (water_bill_id, position, kind, head, amount,
            explanation_data, tariff_from, first_day, last_day, for_period)
        SELECT b.id, {n}, {kind_sql}, {head_sql}, {amount_sql}, {expl_sql}, {from_sql},
               {first_sql}, {last_sql}, NULL
        FROM {TEMP} t
        JOIN {t["WaterBill"]} b ON b.connection_id = t.connection_id
             AND b.period = %s AND b.created_at = %s
        CROSS JOIN ({fan}) k
        WHERE {where_case}
        """,
        params,
    )


def _late_fee_lines_insert(
    sql: _Sql,
    t: dict[str, str],
    segs: list[_Seg],
    billing: arithmetic.Tariff,
    period: datetime.date,
    now,
) -> tuple[str, list]:
    """A late-fee line on each new bill for each earlier month it charged (claimed above)."""
    late_h = int(Decimal(billing.late_fee_percent) * 100)
    fixed = _paisa(billing.late_fee_fixed)
    overdue = sql.paisa_of("o.charges")
    fee = f"(({overdue} * {late_h} * 2 + 10000) / 20000 + {fixed})"
    const = {
        "tariff": day(billing.effective_from),
        "percent": number(billing.late_fee_percent),
        "fixed": taka(billing.late_fee_fixed),
    }
    args = sql.merge(sql.obj("'overdue'", sql.obj("'taka'", sql.money_text(overdue))))
    return (
        f"""
        INSERT INTO {t["WaterBillLine"]} (water_bill_id, position, kind, head, amount,
            explanation_data, tariff_from, first_day, last_day, for_period)
        SELECT b.id, {len(segs) * 5}, %s, %s, {sql.money(fee)},
               {sql.array(sql.obj("'msg'", "%s", "'args'", args))},
               {sql.date("%s")}, NULL, NULL, o.period
        FROM {t["WaterBill"]} o
        JOIN {t["WaterBill"]} b ON b.connection_id = o.connection_id
             AND b.period = %s AND b.created_at = %s
        WHERE o.late_fee_period = %s AND {fee} > 0
        ORDER BY b.connection_id, o.period
        """,
        [
            arithmetic.LATE_FEE,
            arithmetic.HEAD_OF_KIND[arithmetic.LATE_FEE],
            MSG_LATE_FEE,
            json.dumps(const),
            billing.effective_from,
            period,
            now,
            period,
        ],
    )
