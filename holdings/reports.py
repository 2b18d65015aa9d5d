"""The revenue officer's holding-tax reports: set-based aggregates, plain rows.

Every figure comes from a handful of grouped queries (GROUP BY ward, or correlated
subqueries evaluated by the database), never from a query per holding, so a report costs
the same number of queries for ten holdings or a hundred thousand.

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

from django.db.models import (
    Aggregate,
    Count,
    DecimalField,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from core.models import Ward
from payments.models import Allocation

from .models import Arrear, Demand, Holding, Instalment, Owner
from .selectors import effective_due_date_expr, overdue_instalments_q

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
    "owed_desc": ("-owed", "ward__number", "number"),
    "owed_asc": ("owed", "ward__number", "number"),
    "holding": ("ward__number", "number"),
}


def _sum_subquery(qs: QuerySet, group: str, expression) -> Coalesce:
    """A correlated subquery: the sum of `expression` over `qs` for the outer holding."""
    summed = (
        qs.filter(**{group: OuterRef("pk")})
        .order_by()
        .values(group)
        .annotate(value=Sum(expression, output_field=MONEY_OUT))
        .values("value")[:1]
    )
    return Coalesce(Subquery(summed, output_field=MONEY_OUT), Value(ZERO), output_field=MONEY_OUT)


def defaulters(*, today: date, ward: Ward | None = None, sort: str = "owed_desc") -> QuerySet:
    """Holdings that owe something past due: one query (plus a COUNT when paginated).

    Rows are dicts: pk (the holding), ward_number, number, road, mahalla, owner_name_bn,
    owner_name_en, owner_mobile, overdue_amount (instalments past due), overdue_count,
    oldest_due, arrears_amount (principal + surcharge), owed (the two together)."""
    overdue = Instalment.objects.filter(overdue_instalments_q(today))
    unpaid_arrears = Arrear.objects.filter(status=Arrear.Status.DUE)
    first_owner = Owner.objects.filter(holding=OuterRef("pk")).order_by("pk")
    overdue_count = (
        overdue.filter(demand__holding=OuterRef("pk"))
        .order_by()
        .values("demand__holding")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    oldest_due = (
        overdue.filter(demand__holding=OuterRef("pk"))
        .order_by()
        .values("demand__holding")
        .annotate(d=Min(effective_due_date_expr()))
        .values("d")[:1]
    )
    qs = (
        Holding.objects.annotate(
            overdue_amount=_sum_subquery(overdue, "demand__holding", F("amount")),
            arrears_amount=_sum_subquery(
                unpaid_arrears, "holding", F("principal") + F("surcharge")
            ),
        )
        .annotate(owed=F("overdue_amount") + F("arrears_amount"))
        # The IN lists narrow the holdings cheaply before the sums are compared.
        .filter(
            Q(pk__in=overdue.values("demand__holding_id"))
            | Q(pk__in=unpaid_arrears.values("holding_id"))
        )
        .filter(owed__gt=0)
    )
    if ward is not None:
        qs = qs.filter(ward=ward)
    return (
        qs.annotate(
            ward_number=F("ward__number"),
            owner_name_bn=Subquery(first_owner.values("name_bn")[:1]),
            owner_name_en=Subquery(first_owner.values("name_en")[:1]),
            owner_mobile=Subquery(first_owner.values("mobile")[:1]),
            overdue_count=Coalesce(Subquery(overdue_count), Value(0)),
            oldest_due=Subquery(oldest_due),
        )
        .order_by(*SORTS.get(sort, SORTS["owed_desc"]))
        .values(
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
    )


def owner_name(row: dict) -> str:
    """The owner's name in the active language (the other one when it is missing)."""
    bn, en = row.get("owner_name_bn") or "", row.get("owner_name_en") or ""
    if (get_language() or "bn").startswith("bn"):
        return bn or en
    return en or bn
