"""The "My holdings" panel of the citizen dashboard: linked holdings with what is due.
Declared in holdings/portal.py."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone

from .models import Arrear, Instalment
from .selectors import effective_due_date_expr, holdings_of, is_overdue


def holdings_with_dues(user) -> list[dict]:
    """The user's linked holdings, each with what is overdue (বকেয়া: instalments past their
    due date, plus arrears with their surcharge), what may be paid now (`due`: overdue and
    not-yet-due instalments of years not carried into arrears, plus arrears — the
    statement's total_due) and the next instalment not yet past its due date (`next_due`,
    `next_amount`) — the same figures as selectors.statement(), in three queries whatever
    the number of holdings."""
    holdings = list(holdings_of(user))
    if not holdings:
        return []
    ids = [h.pk for h in holdings]
    unpaid: dict[int, list[Mapping[str, Any]]] = {}
    for row in (
        Instalment.objects.filter(
            demand__holding_id__in=ids, status=Instalment.Status.DUE, demand__arrear__isnull=True
        )
        .annotate(effective_due=effective_due_date_expr())
        .values("demand__holding_id", "effective_due", "amount")
        .order_by("effective_due", "demand__fiscal_year", "quarter")
    ):
        unpaid.setdefault(row["demand__holding_id"], []).append(row)
    arrears = {
        row["holding_id"]: row["due"]
        for row in Arrear.objects.filter(holding_id__in=ids, status=Arrear.Status.DUE)
        .values("holding_id")
        .annotate(
            due=Sum(
                ExpressionWrapper(
                    F("principal") + F("surcharge"),
                    output_field=DecimalField(max_digits=14, decimal_places=2),
                )
            )
        )
    }
    rows, today, cent = [], timezone.localdate(), Decimal("0.01")
    for holding in holdings:
        instalments = unpaid.get(holding.pk, [])
        arrear = Decimal(arrears.get(holding.pk) or 0)
        overdue = (
            sum(
                (i["amount"] for i in instalments if is_overdue(i["effective_due"], today)),
                Decimal("0"),
            )
            + arrear
        )
        due = sum((i["amount"] for i in instalments), Decimal("0")) + arrear
        upcoming = next((i for i in instalments if not is_overdue(i["effective_due"], today)), None)
        rows.append(
            {
                "holding": holding,
                "due": due.quantize(cent),
                "overdue": overdue.quantize(cent),
                "arrears": arrear.quantize(cent),
                "next_due": upcoming["effective_due"] if upcoming else None,
                "next_amount": upcoming["amount"] if upcoming else None,
            }
        )
    return rows


PANEL_LISTED = 5  # holdings listed on the dashboard; the figures cover all of them


def panel(user) -> dict:
    """The panel's context (declared in holdings/portal.py)."""
    rows = holdings_with_dues(user)
    return {
        "count": len(rows),
        "listed": rows[:PANEL_LISTED],  # the rest on "my holdings"
        "more": max(len(rows) - PANEL_LISTED, 0),
        "total": sum((r["due"] for r in rows), Decimal("0.00")),
        "overdue": sum((r["overdue"] for r in rows), Decimal("0.00")),
    }
