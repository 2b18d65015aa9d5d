"""The revenue officer's holding-tax reports: set-based aggregates, plain rows.

Every figure comes from a handful of grouped queries (GROUP BY ward, or GROUP BY holding
in one statement), never from a query per holding nor a subquery run once per holding, so
a report costs the same number of queries for ten holdings or a hundred thousand.

Ward-wise demand–collection–balance register for a fiscal year (`collection`), arrears
and the current year apart as revenue offices keep it:
- holdings: holdings registered in the ward;
- arrears demand: principal and surcharge of earlier years' arrears carried into the year;
- current demand: the sum of the year's demands (Demand.total);
- arrears collected / current collected: the payments ledger (payments.Allocation,
  service "holdings") for bills of that fiscal year — a holding-tax bill belongs to the
  year it was issued in — split by the bill line's `arrears` flag (earlier years' tax and
  surcharges / the year's own tax net of its rebate); voided payments count nothing (their
  reversal rows cancel them);
- balance: what is still unpaid of the year's instalments and of the arrears carried
  into it (a rebate given is not owed, so demand − collected can be higher);
- collection %: collected ÷ (arrears demand + current demand), half-up to one decimal.

Defaulters (`defaulters`): holdings with instalments past their due date and unpaid, or
unpaid arrears. An instalment of a year that has been carried forward as an arrear is
counted once, in the arrear (with its surcharge).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, DecimalField, F, QuerySet, Sum
from django.utils.translation import get_language

from core.models import Ward
from payments.models import Allocation

from .models import Arrear, Demand, Holding, Instalment, Owner

ZERO = Decimal("0.00")
MONEY_OUT = DecimalField(max_digits=16, decimal_places=2)


# --- ward-wise demand against collection ----------------------------------------------------


@dataclass(frozen=True)
class CollectionRow:
    ward_number: int | None  # None on the totals row
    ward_name: str
    holdings: int
    demand: Decimal  # the current year's
    arrears: Decimal  # arrears demand: carried in from earlier years
    arrears_collected: Decimal
    current_collected: Decimal
    outstanding: Decimal  # the balance

    @property
    def collected(self) -> Decimal:
        return self.arrears_collected + self.current_collected

    @property
    def due(self) -> Decimal:
        return self.demand + self.arrears

    @property
    def percent(self) -> Decimal | None:
        """Collected as a percentage of the demand and arrears; None when nothing was due."""
        if self.due <= 0:
            return None
        return (self.collected * 100 / self.due).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class CollectionReport:
    fiscal_year: str
    rows: list[CollectionRow]
    total: CollectionRow


def _by_ward(qs: QuerySet[Any], ward_field: str, aggregate: Aggregate) -> dict[int | None, Any]:
    """One grouped query: {ward id: aggregate}."""
    return {
        row[ward_field]: row["value"]
        for row in qs.order_by().values(ward_field).annotate(value=aggregate)
    }


def collection(fiscal_year: str) -> CollectionReport:
    """Ward-wise holdings, arrears and current demand, arrears and current collected, and
    the balance (8 queries)."""
    holdings = _by_ward(Holding.objects.all(), "ward_id", Count("pk"))
    demand = _by_ward(
        Demand.objects.filter(fiscal_year=fiscal_year), "holding__ward_id", Sum("total")
    )
    arrears = _by_ward(
        Arrear.objects.filter(carried_into_fy=fiscal_year),
        "holding__ward_id",
        Sum(F("principal") + F("surcharge"), output_field=MONEY_OUT),
    )
    ledger = Allocation.objects.filter(service="holdings", fiscal_year=fiscal_year)
    arrears_collected = _by_ward(ledger.filter(bill_line__arrears=True), "ward_id", Sum("amount"))
    current_collected = _by_ward(ledger.filter(bill_line__arrears=False), "ward_id", Sum("amount"))
    unpaid_instalments = _by_ward(
        Instalment.objects.filter(demand__fiscal_year=fiscal_year, status=Instalment.Status.DUE),
        "demand__holding__ward_id",
        Sum("amount"),
    )
    unpaid_arrears = _by_ward(
        Arrear.objects.filter(carried_into_fy=fiscal_year, status=Arrear.Status.DUE),
        "holding__ward_id",
        Sum(F("principal") + F("surcharge"), output_field=MONEY_OUT),
    )

    def amount(source: dict[int | None, Any], ward_id: int | None) -> Decimal:
        return Decimal(source.get(ward_id) or 0).quantize(ZERO)

    rows = []
    for ward in Ward.objects.order_by("number"):
        row = CollectionRow(
            ward_number=ward.number,
            ward_name=ward.name,
            holdings=holdings.get(ward.pk, 0),
            demand=amount(demand, ward.pk),
            arrears=amount(arrears, ward.pk),
            arrears_collected=amount(arrears_collected, ward.pk),
            current_collected=amount(current_collected, ward.pk),
            outstanding=amount(unpaid_instalments, ward.pk) + amount(unpaid_arrears, ward.pk),
        )
        if row.holdings or row.demand or row.arrears or row.collected or row.outstanding:
            rows.append(row)
    # Money collected for holding bills without a ward (should not happen) still counts.
    total = CollectionRow(
        ward_number=None,
        ward_name="",
        holdings=sum(r.holdings for r in rows),
        demand=sum((r.demand for r in rows), ZERO),
        arrears=sum((r.arrears for r in rows), ZERO),
        arrears_collected=sum((r.arrears_collected for r in rows), ZERO)
        + amount(arrears_collected, None),
        current_collected=sum((r.current_collected for r in rows), ZERO)
        + amount(current_collected, None),
        outstanding=sum((r.outstanding for r in rows), ZERO),
    )
    return CollectionReport(fiscal_year, rows, total)


# --- defaulters -------------------------------------------------------------------------------

SORTS = {
    "owed_desc": ("owed DESC", "ward_number", "number"),
    "owed_asc": ("owed", "ward_number", "number"),
    "holding": ("ward_number", "number"),
    "pk": ("pk",),
}
DEFAULTER_FIELDS = (
    "pk",
    "ward_number",
    "number",
    "road",
    "mahalla",
    "owner_name_bn",
    "owner_name_en",
    "owner_mobile",
    "overdue_amount",
    "overdue_count",
    "oldest_due",
    "arrears_amount",
    "owed",
)
_MONEY_FIELDS = ("overdue_amount", "arrears_amount", "owed")
REPORT_WORK_MEM = "64MB"


def _defaulters_sql(*, ward_id: int | None, exclude_reminder: str | None) -> str:
    """The defaulters as one statement, each figure computed once: the effective due date
    of each schedule's four quarters (office-order extensions applied) is worked out once
    per schedule, not per instalment; the overdue instalments and the unpaid arrears go
    through one pass grouped by holding; the holdings, wards and first owners are joined
    once to the holdings that owe something."""
    from .models import DeadlineExtension, RateSchedule

    t = {
        "holding": Holding._meta.db_table,
        "ward": Ward._meta.db_table,
        "owner": Owner._meta.db_table,
        "demand": Demand._meta.db_table,
        "instalment": Instalment._meta.db_table,
        "arrear": Arrear._meta.db_table,
        "schedule": RateSchedule._meta.db_table,
        "extension": DeadlineExtension._meta.db_table,
    }
    # The latest office order wins (holdings.selectors._LATEST_ORDER).
    latest = f"""(SELECT e.new_date FROM {t["extension"]} e
                  WHERE e.schedule_id = s.id AND e.deadline = 'q' || q.quarter
                  ORDER BY e.order_date DESC, e.created_at DESC, e.id DESC LIMIT 1)"""  # noqa: S608
    own = (
        "CASE q.quarter WHEN 1 THEN s.q1_due WHEN 2 THEN s.q2_due WHEN 3 THEN s.q3_due "
        "ELSE s.q4_due END"
    )
    ward = "AND h.ward_id = %(ward)s" if ward_id is not None else ""
    reminded = ""
    if exclude_reminder is not None:
        from .models import HoldingReminder

        reminded = (
            f"AND NOT EXISTS (SELECT 1 FROM {HoldingReminder._meta.db_table} r "  # noqa: S608
            "WHERE r.holding_id = h.id AND r.key = %(reminder)s)"
        )
    # Table names from the models' _meta; every value is a parameter.
    return f"""
        WITH due AS MATERIALIZED (
            SELECT s.id AS schedule_id, q.quarter, COALESCE({latest}, {own}) AS due_date
            FROM {t["schedule"]} s
            CROSS JOIN (SELECT 1 AS quarter UNION ALL SELECT 2 UNION ALL SELECT 3
                        UNION ALL SELECT 4) q
        ),
        owing AS (
            SELECT holding_id, SUM(overdue) AS overdue_amount, COUNT(due_date) AS overdue_count,
                   MIN(due_date) AS oldest_due, SUM(arrears) AS arrears_amount
            FROM (
                SELECT d.holding_id, i.amount AS overdue, 0 AS arrears, due.due_date
                FROM {t["instalment"]} i
                JOIN {t["demand"]} d ON d.id = i.demand_id
                JOIN due ON due.schedule_id = d.schedule_id AND due.quarter = i.quarter
                WHERE i.status = %(due_status)s AND due.due_date < %(today)s
                  AND NOT EXISTS (SELECT 1 FROM {t["arrear"]} c WHERE c.demand_id = d.id)
                UNION ALL
                SELECT a.holding_id, 0, a.principal + a.surcharge, NULL
                FROM {t["arrear"]} a WHERE a.status = %(arrear_status)s
            ) x
            GROUP BY holding_id
        ),
        first_owner AS (
            SELECT o.holding_id, o.name_bn, o.name_en, o.mobile
            FROM {t["owner"]} o
            JOIN (SELECT MIN(id) AS id FROM {t["owner"]} GROUP BY holding_id) f ON f.id = o.id
        )
        SELECT h.id AS pk, w.number AS ward_number, h.number, h.road, h.mahalla,
               fo.name_bn AS owner_name_bn, fo.name_en AS owner_name_en,
               fo.mobile AS owner_mobile, owing.overdue_amount, owing.overdue_count,
               owing.oldest_due, owing.arrears_amount,
               owing.overdue_amount + owing.arrears_amount AS owed
        FROM owing
        JOIN {t["holding"]} h ON h.id = owing.holding_id
        JOIN {t["ward"]} w ON w.id = h.ward_id
        LEFT JOIN first_owner fo ON fo.holding_id = h.id
        WHERE owing.overdue_amount + owing.arrears_amount > 0 {ward} {reminded}
    """  # noqa: S608


class DefaulterRows:
    """The defaulters list: what a Paginator and an export need of a QuerySet (count(),
    slices, iteration, iterator(chunk_size) on a server-side cursor), each a single
    statement whatever the number of holdings. Rows are dicts (see defaulters())."""

    def __init__(
        self,
        *,
        today: date,
        ward: Ward | None = None,
        sort: str = "owed_desc",
        exclude_reminder: str | None = None,
    ) -> None:
        self.today, self.ward, self.sort = today, ward, sort if sort in SORTS else "owed_desc"
        self.exclude_reminder = exclude_reminder
        self._cache: list[dict] | None = None

    def _query(self) -> tuple[str, dict[str, Any]]:
        sql = _defaulters_sql(
            ward_id=self.ward.pk if self.ward is not None else None,
            exclude_reminder=self.exclude_reminder,
        )
        params: dict[str, Any] = {
            "today": self.today,
            "due_status": Instalment.Status.DUE,
            "arrear_status": Arrear.Status.DUE,
            "ward": self.ward.pk if self.ward is not None else None,
            "reminder": self.exclude_reminder,
        }
        return sql, params

    def _ordered(self) -> tuple[str, dict[str, Any]]:
        sql, params = self._query()
        # Ordered outside, by the result's own columns (SQLite would find "number" both in
        # the holding and the ward).
        return f"SELECT * FROM ({sql}) q ORDER BY {', '.join(SORTS[self.sort])}", params  # noqa: S608 - SORTS is a fixed table

    @staticmethod
    def _row(values: tuple) -> dict:
        row = dict(zip(DEFAULTER_FIELDS, values, strict=True))
        for name in _MONEY_FIELDS:  # SQLite sums may come back as float or int
            row[name] = Decimal(str(row[name] or 0)).quantize(ZERO, ROUND_HALF_UP)
        row["overdue_count"] = int(row["overdue_count"] or 0)
        if isinstance(row["oldest_due"], str):
            row["oldest_due"] = date.fromisoformat(row["oldest_due"][:10])
        return row

    @staticmethod
    def _tune(cursor) -> None:
        """PostgreSQL, inside the report's transaction: enough memory for the grouping and
        the sort of a whole city (no spill to disk), and no JIT compilation, which costs
        more than it saves on a statement of a second or two (SET LOCAL: this transaction
        only)."""
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            cursor.execute(
                "SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true)",
                [REPORT_WORK_MEM],
            )

    def count(self) -> int:
        if self._cache is not None:
            return len(self._cache)
        sql, params = self._query()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) counted", params)  # noqa: S608
            return int(cursor.fetchone()[0])

    def __len__(self) -> int:
        return self.count()

    def _fetch(self, limit: int | None = None, offset: int = 0) -> list[dict]:
        sql, params = self._ordered()
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        with connection.cursor() as cursor:
            if limit is None:  # the whole list (a page sorts only its top rows)
                self._tune(cursor)
            cursor.execute(sql, params)
            return [self._row(values) for values in cursor.fetchall()]

    def __getitem__(self, key: int | slice) -> Any:
        if self._cache is not None:
            return self._cache[key]
        if isinstance(key, slice):
            if key.step not in (None, 1) or (key.start or 0) < 0 or (key.stop or 0) < 0:
                raise ValueError("only plain slices")
            start = key.start or 0
            limit = None if key.stop is None else max(0, key.stop - start)
            return self._fetch(limit, start)
        rows = self._fetch(1, key)
        if not rows:
            raise IndexError(key)
        return rows[0]

    def __iter__(self):
        if self._cache is None:
            self._cache = self._fetch()
        return iter(self._cache)

    def iterator(self, chunk_size: int = 2000):
        """The rows one by one from a server-side cursor (PostgreSQL): constant memory."""
        sql, params = self._ordered()
        with connection.cursor() as cursor:
            self._tune(cursor)
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(chunk_size):
                for values in rows:
                    yield self._row(values)


def defaulters(*, today: date, ward: Ward | None = None, sort: str = "owed_desc") -> DefaulterRows:
    """Holdings that owe something past due: one query (plus a COUNT when paginated), the
    same for ten holdings or a hundred thousand.

    Rows are dicts: pk (the holding), ward_number, number, road, mahalla, owner_name_bn,
    owner_name_en, owner_mobile, overdue_amount (instalments past due), overdue_count,
    oldest_due, arrears_amount (principal + surcharge), owed (the two together)."""
    return DefaulterRows(today=today, ward=ward, sort=sort)


def owner_name(row: dict) -> str:
    """The owner's name in the active language (the other one when it is missing)."""
    bn, en = row.get("owner_name_bn") or "", row.get("owner_name_en") or ""
    if (get_language() or "bn").startswith("bn"):
        return bn or en
    return en or bn
