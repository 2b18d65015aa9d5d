"""Reads for holdings: statements, what is due, masked names."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from .models import Arrear, Demand, Holding, Instalment


@dataclass
class Statement:
    holding: Holding
    demands: list[Demand]
    arrears: list[Arrear]
    due_instalments: list[Instalment] = field(default_factory=list)
    total_due: Decimal = Decimal("0.00")


def statement(holding: Holding) -> Statement:
    """Every year's demand with its instalments, the arrears, and what is due now."""
    demands = list(holding.demands.select_related("schedule").prefetch_related(
        "lines", Prefetch("instalments", queryset=Instalment.objects.order_by("quarter")))
        .order_by("-fiscal_year"))
    arrears = list(holding.arrears.select_related("demand").order_by("demand__fiscal_year"))
    in_arrears = {a.demand_id for a in arrears}
    due = [i for d in demands if d.pk not in in_arrears for i in d.instalments.all()
           if i.status == Instalment.Status.DUE]
    due.sort(key=lambda i: (i.demand.fiscal_year, i.quarter))
    total = sum((i.amount for i in due), Decimal("0.00")) + sum(
        (a.principal + a.surcharge for a in arrears if a.status == Arrear.Status.DUE),
        Decimal("0.00"))
    return Statement(holding, demands, arrears, due, total)


def holdings_of(user):
    return (Holding.objects.filter(owners__user=user).select_related("ward").distinct()
            .order_by("ward__number", "number"))


def has_dues(holding_id: int) -> bool:
    """The read function other services use: does this holding owe anything now?"""
    holding = Holding.objects.get(pk=holding_id)
    return statement(holding).total_due > 0
