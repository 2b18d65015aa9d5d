"""Holding tax in "every due in one place": what a citizen owes on their linked holdings
that no open bill covers yet (core.portal.OpenDue), and the bill for one of them.
Declared in holdings/portal.py.

For each linked holding there are up to three choices, each named by a token:
"h<holding pk>:overdue" (the instalments past their due date), "h<pk>:arrears" (earlier
years carried into arrears, with their surcharge) and "h<pk>:next" (the next instalment
falling due). A choice that an open bill already covers is left out (the bill is listed).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.digits import localize_digits
from core.models import CityProfile
from core.portal import OpenDue
from payments.models import Bill, BillClaim

from .models import Arrear, Holding, Instalment
from .selectors import (
    effective_due_date,
    effective_due_date_expr,
    holdings_of,
    is_overdue,
)
from .services import holding_bill

SERVICE = "holdings"
TOKEN = re.compile(r"^h(\d+):(overdue|arrears|next)$")


def _in_language(bn: str, en: str) -> str:
    return bn if (get_language() or "bn").startswith("bn") else en


_lazy_in_language = lazy(_in_language, str)


def _label(city: CityProfile, holding: Holding) -> str | Promise:
    """ "পৌরকর — হোল্ডিং ৪৫/এ, ওয়ার্ড ৩" in the language of the page showing it."""
    return _lazy_in_language(
        f"{city.holding_tax_name_bn or city.holding_tax_name_en} — {holding.label_bn}",
        f"{city.holding_tax_name_en or city.holding_tax_name_bn} — {holding.label_en}",
    )


def _quarters(instalments: list[Instalment]) -> str:
    by_year: dict[str, list[int]] = defaultdict(list)
    for i in instalments:
        by_year[i.demand.fiscal_year].append(i.quarter)
    return "; ".join(
        _("FY %(fy)s, instalment %(quarters)s")
        % {
            "fy": localize_digits(fy),
            "quarters": ", ".join(localize_digits(q) for q in sorted(qs)),
        }
        for fy, qs in sorted(by_year.items())
    )


def _unpaid(holding_ids: list[int]) -> tuple[dict[int, list[Instalment]], dict[int, list[Arrear]]]:
    """Unpaid instalments of years not carried into arrears, and due arrears, by holding
    (two queries whatever the number of holdings)."""
    instalments: dict[int, list[Instalment]] = defaultdict(list)
    for inst in (
        Instalment.objects.filter(
            demand__holding_id__in=holding_ids,
            status=Instalment.Status.DUE,
            demand__arrear__isnull=True,
        )
        .select_related("demand")
        .annotate(effective_due=effective_due_date_expr())
        .order_by("effective_due", "demand__fiscal_year", "quarter")
    ):
        instalments[inst.demand.holding_id].append(inst)
    arrears: dict[int, list[Arrear]] = defaultdict(list)
    for arrear in (
        Arrear.objects.filter(holding_id__in=holding_ids, status=Arrear.Status.DUE)
        .select_related("demand")
        .order_by("demand__fiscal_year")
    ):
        arrears[arrear.holding_id].append(arrear)
    return instalments, arrears


def _billed(instalments: dict[int, list[Instalment]], arrears: dict[int, list[Arrear]]) -> set[str]:
    """Which of these dues an open bill already claims (one query)."""
    keys = [f"{SERVICE}:instalment:{i.pk}" for rows in instalments.values() for i in rows]
    keys += [f"{SERVICE}:arrear:{a.pk}" for rows in arrears.values() for a in rows]
    return set(
        BillClaim.objects.filter(
            due__in=keys, live=True, bill__status=Bill.Status.OPEN
        ).values_list("due", flat=True)
    )


def _unbilled(
    insts: list[Instalment], arrs: list[Arrear], billed: set[str]
) -> tuple[list[Instalment], list[Arrear]]:
    """A choice without what an open bill already covers."""
    return (
        [i for i in insts if f"{SERVICE}:instalment:{i.pk}" not in billed],
        [a for a in arrs if f"{SERVICE}:arrear:{a.pk}" not in billed],
    )


def _choices(
    instalments: list[Instalment], arrears: list[Arrear], today: date
) -> dict[str, tuple[list[Instalment], list[Arrear]]]:
    """A holding's choices: overdue instalments, arrears, and the next instalment."""
    overdue = [i for i in instalments if is_overdue(effective_due_date(i), today)]
    upcoming = [i for i in instalments if not is_overdue(effective_due_date(i), today)]
    choices: dict[str, tuple[list[Instalment], list[Arrear]]] = {}
    if overdue:
        choices["overdue"] = (overdue, [])
    if arrears:
        choices["arrears"] = ([], arrears)
    if upcoming:
        choices["next"] = (upcoming[:1], [])
    return choices


def open_dues(user: Any, *, today: date | None = None) -> list[OpenDue]:
    """What `user` owes on their linked holdings with no open bill yet: five queries
    whatever the number of holdings."""
    if not user.is_authenticated:
        return []
    holdings = list(holdings_of(user))
    if not holdings:
        return []
    today = today or timezone.localdate()
    instalments, arrears = _unpaid([h.pk for h in holdings])
    billed = _billed(instalments, arrears)
    city = CityProfile.current()
    dues: list[OpenDue] = []
    for holding in holdings:
        label = _label(city, holding)
        url = reverse("holdings:statement", args=[holding.pk])
        choices = _choices(instalments[holding.pk], arrears[holding.pk], today)
        for choice, (insts, arrs) in choices.items():
            insts, arrs = _unbilled(insts, arrs, billed)
            if not insts and not arrs:
                continue  # an open bill covers it; that bill is listed
            if arrs:
                period = _("Arrears of FY %(years)s, with surcharge") % {
                    "years": ", ".join(localize_digits(a.demand.fiscal_year) for a in arrs)
                }
                amount = sum((a.principal + a.surcharge for a in arrs), Decimal("0.00"))
                due_date = today
            else:
                period = _quarters(insts)
                amount = sum((i.amount for i in insts), Decimal("0.00"))
                due_date = min(effective_due_date(i) for i in insts)
            dues.append(
                OpenDue(
                    service=SERVICE,
                    token=f"h{holding.pk}:{choice}",
                    label=label,
                    period=period,
                    amount=amount,
                    due_date=due_date,
                    overdue=choice != "next",
                    url=url,
                )
            )
    return dues


def bill_due(user: Any, token: str, actor: Any = None) -> Bill:
    """The bill for one of `user`'s open dues (a token from open_dues), with `user` as the
    payer: holding_bill checks what is still due under the holding's lock and reuses an
    open bill for exactly the same (so pressing twice gives the same bill). Refused
    (ValidationError) for a holding not linked to `user` or nothing left to pay."""
    match = TOKEN.match(token or "")
    holding = (
        holdings_of(user).filter(pk=int(match.group(1))).first()
        if match and user.is_authenticated
        else None
    )
    if match is None or holding is None:
        raise ValidationError(
            _("This is not a due of a holding linked to the account."), code="not_yours"
        )
    today = timezone.localdate()
    instalments, arrears = _unpaid([holding.pk])
    choice = _choices(instalments[holding.pk], arrears[holding.pk], today).get(match.group(2))
    if choice is None:
        raise ValidationError(_("Nothing is due for what you chose."), code="nothing_due")
    # Exactly what open_dues listed: what another open bill covers stays on that bill; a
    # choice wholly billed already is asked for again, and holding_bill returns its bill.
    insts, arrs = _unbilled(*choice, _billed(instalments, arrears))
    if not insts and not arrs:
        insts, arrs = choice
    return holding_bill(holding=holding, instalments=insts, arrears=arrs, payer=user, today=today)


def demand_due(start: date, end: date, ward_id: int | None = None) -> Decimal:
    """Holding tax that fell due from `start` to `end`: the instalments due on those days
    (the revenue officer's "against demand"; core.portal.ServiceSpec.demand)."""
    rows = Instalment.objects.filter(due_date__gte=start, due_date__lte=end)
    if ward_id is not None:
        rows = rows.filter(demand__holding__ward_id=ward_id)
    return rows.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
