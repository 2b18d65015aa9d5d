"""The water officer's reports: set-based (grouped queries, never one per connection).

- `billed_collected`: per month, ward and category, what the month's bills charged
  (WaterBill.total: the month's charges and late fees) and what was collected for that
  month (the payments ledger, payments.Allocation of service "water_billing", by the bill
  line's month; voided payments count nothing as their reversal rows cancel them). The
  category is the one the month was billed under (WaterBill.category). 2 queries.
- `ageing`: unpaid months (due, with something to pay) per ward by age from their due
  date: not yet due, 1–30 days, 31–90, 91–180, over 180. 1 query.
- `unread`: active metered connections with no reading for a month (a queryset).
- `flagged`: readings flagged (spike or zero use: the flag stays after a decision) or held,
  for a month range (a queryset).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection as db
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When

from payments.models import Allocation, Bill

from .models import Category, Connection, Reading, WaterBill

ZERO = Decimal("0.00")
SERVICE = "water_billing"


@dataclass
class BilledRow:
    period: datetime.date | None
    ward_number: int | None
    category: str
    bills: int = 0
    billed: Decimal = ZERO
    collected: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        return self.billed - self.collected

    @property
    def category_label(self) -> str:
        return str(dict(Category.choices).get(self.category, self.category))


@dataclass
class BilledReport:
    rows: list[BilledRow]
    total: BilledRow = field(default_factory=lambda: BilledRow(None, None, ""))


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(ZERO)


def _months_filter(qs, name: str, start, end):
    if start:
        qs = qs.filter(**{f"{name}__gte": start})
    if end:
        qs = qs.filter(**{f"{name}__lte": end})
    return qs


def billed_collected(*, start=None, end=None, ward=None, category: str = "") -> BilledReport:
    """Billed against collected by month, ward and category (2 grouped queries)."""
    bills = _months_filter(WaterBill.objects.all(), "period", start, end)
    if ward is not None:
        bills = bills.filter(connection__ward=ward)
    if category:
        bills = bills.filter(category=category)
    rows: dict[tuple, BilledRow] = {}
    for r in (
        bills.order_by()
        .values("period", "connection__ward__number", "category")
        .annotate(n=Sum(Value(1, output_field=IntegerField())), billed=Sum("total"))
    ):
        key = (r["period"], r["connection__ward__number"], r["category"])
        rows[key] = BilledRow(*key, bills=r["n"], billed=_money(r["billed"]))
    # Collected: each ledger row of a month's line, joined to that month's WaterBill through
    # the bill's connection (subject: consumer number) and the line's month.
    t = {
        "alloc": Allocation._meta.db_table,
        "line": Allocation._meta.get_field("bill_line").related_model._meta.db_table,
        "bill": Bill._meta.db_table,
        "conn": Connection._meta.db_table,
        "wb": WaterBill._meta.db_table,
        "ward": Connection._meta.get_field("ward").related_model._meta.db_table,
    }
    month_of = (
        "to_char(wb.period, 'YYYY-MM')"
        if db.vendor == "postgresql"
        else "strftime('%%Y-%%m', wb.period)"
    )
    where, params = ["a.service = %s", "b.subject_type = %s"], [SERVICE, "connection"]
    if start:
        where.append("wb.period >= %s")
        params.append(start)
    if end:
        where.append("wb.period <= %s")
        params.append(end)
    if ward is not None:
        where.append("c.ward_id = %s")
        params.append(ward.pk)
    if category:
        where.append("wb.category = %s")
        params.append(category)
    sql = f"""
        SELECT wb.period, w.number, wb.category, SUM(a.amount)
        FROM {t["alloc"]} a
        JOIN {t["line"]} l ON l.id = a.bill_line_id
        JOIN {t["bill"]} b ON b.id = a.bill_id
        JOIN {t["conn"]} c ON c.consumer_no = b.subject_id
        JOIN {t["wb"]} wb ON wb.connection_id = c.id AND {month_of} = l.period
        JOIN {t["ward"]} w ON w.id = c.ward_id
        WHERE {" AND ".join(where)}
        GROUP BY wb.period, w.number, wb.category
    """  # noqa: S608 - table names from _meta; values are parameters
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        for period, ward_number, cat, amount in cursor.fetchall():
            if isinstance(period, str):
                period = datetime.date.fromisoformat(period[:10])
            key = (period, ward_number, cat)
            row = rows.setdefault(key, BilledRow(*key))
            row.collected = _money(amount)
    ordered = sorted(rows.values(), key=lambda r: (r.period, r.ward_number or 0, r.category))
    total = BilledRow(
        None,
        None,
        "",
        bills=sum(r.bills for r in ordered),
        billed=sum((r.billed for r in ordered), ZERO),
        collected=sum((r.collected for r in ordered), ZERO),
    )
    return BilledReport(ordered, total)


# --- arrears ageing ---------------------------------------------------------------------------

BUCKETS = ("not_due", "d30", "d90", "d180", "older")


@dataclass
class AgeingRow:
    ward_number: int | None
    amounts: dict[str, Decimal]
    months: int

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)


def ageing(
    *, today: datetime.date, ward=None, category: str = ""
) -> tuple[list[AgeingRow], AgeingRow]:
    """Unpaid months by ward and age past their due date (1 grouped query)."""
    qs = WaterBill.objects.filter(status=WaterBill.Status.DUE, total__gt=0)
    if ward is not None:
        qs = qs.filter(connection__ward=ward)
    if category:
        qs = qs.filter(category=category)
    d = datetime.timedelta
    bucket = Case(
        When(due_date__gte=today, then=Value(0)),
        When(due_date__gte=today - d(days=30), then=Value(1)),
        When(due_date__gte=today - d(days=90), then=Value(2)),
        When(due_date__gte=today - d(days=180), then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    found: dict[int, AgeingRow] = defaultdict(
        lambda: AgeingRow(None, {b: ZERO for b in BUCKETS}, 0)
    )
    for r in (
        qs.annotate(bucket=bucket)
        .order_by()
        .values("connection__ward__number", "bucket")
        .annotate(amount=Sum("total"), n=Sum(Value(1, output_field=IntegerField())))
    ):
        row = found[r["connection__ward__number"]]
        row.ward_number = r["connection__ward__number"]
        row.amounts[BUCKETS[r["bucket"]]] += _money(r["amount"])
        row.months += r["n"]
    rows = sorted(found.values(), key=lambda r: r.ward_number or 0)
    total = AgeingRow(
        None,
        {b: sum((r.amounts[b] for r in rows), ZERO) for b in BUCKETS},
        sum(r.months for r in rows),
    )
    return rows, total


# --- meters not read; flagged readings ----------------------------------------------------------


def unread(*, period: datetime.date, ward=None) -> QuerySet[Connection]:
    """Active metered connections (connected by the month's end) with no reading for
    `period` (one query per page)."""
    qs = Connection.objects.filter(status=Connection.Status.ACTIVE, metered=True).exclude(
        Exists(Reading.objects.filter(connection=OuterRef("pk"), period=period))
    )
    if ward is not None:
        qs = qs.filter(ward=ward)
    return qs.select_related("ward").order_by("ward__number", "block", "walk_order", "consumer_no")


def flagged(*, start=None, end=None, ward=None) -> QuerySet[Reading]:
    """Readings flagged (spike, zero use) or held, in the month range."""
    qs = _months_filter(
        Reading.objects.filter(Q(status=Reading.Status.HELD) | ~Q(flag="")),
        "period",
        start,
        end,
    )
    if ward is not None:
        qs = qs.filter(connection__ward=ward)
    return qs.select_related("connection__ward").order_by("-period", "connection__consumer_no")
