"""The "My holdings" panel of the citizen dashboard: linked holdings with what is due.
Declared in holdings/portal.py."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Min, Sum
from django.utils import timezone

from .models import Arrear, Instalment
from .selectors import holdings_of


def holdings_with_dues(user) -> list[dict]:
    """The user's linked holdings, each with the amount due now (instalments of years not
    carried into arrears, plus arrears with their surcharge) and the next due date — the
    same total as selectors.statement(), in three queries whatever the number of holdings."""
    holdings = list(holdings_of(user))
    if not holdings:
        return []
    ids = [h.pk for h in holdings]
    instalments = {
        row["demand__holding_id"]: row for row in
        Instalment.objects.filter(demand__holding_id__in=ids, status=Instalment.Status.DUE,
                                  demand__arrear__isnull=True)
        .values("demand__holding_id").annotate(due=Sum("amount"), next_due=Min("due_date"))}
    arrears = {
        row["holding_id"]: row["due"] for row in
        Arrear.objects.filter(holding_id__in=ids, status=Arrear.Status.DUE)
        .values("holding_id").annotate(due=Sum(ExpressionWrapper(
            F("principal") + F("surcharge"),
            output_field=DecimalField(max_digits=14, decimal_places=2))))}
    rows, today = [], timezone.localdate()
    for holding in holdings:
        inst = instalments.get(holding.pk, {})
        arrear = Decimal(arrears.get(holding.pk) or 0)
        due = Decimal(inst.get("due") or 0) + arrear
        rows.append({"holding": holding, "due": due.quantize(Decimal("0.01")),
                     "arrears": arrear.quantize(Decimal("0.01")),
                     "next_due": inst.get("next_due"),
                     "overdue": bool(inst.get("next_due") and inst["next_due"] < today)})
    return rows


def panel(user) -> dict:
    """The panel's context (declared in holdings/portal.py)."""
    rows = holdings_with_dues(user)
    return {"rows": rows, "total": sum((r["due"] for r in rows), Decimal("0.00"))}

