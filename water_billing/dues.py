"""Water bills in "every due in one place" (declared in water_billing/portal.py): what a
citizen owes on their water connections that no open bill covers yet (core.portal.OpenDue),
and the bill for one of them.

One choice per connection, token "c<connection pk>": every unpaid month of the connection,
the earlier ones as arrears (as holding tax keeps its arrears apart, each month stays its
own due; the bill takes them together, oldest first). A connection whose unpaid months an
open bill already covers is left out (the bill is listed).
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
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.digits import localize_digits
from core.portal import OpenDue
from payments.models import Bill, BillClaim

from .models import Connection, WaterBill
from .services.billing import SERVICE, month_bn, month_en, water_bill_issue

TOKEN = re.compile(r"^c(\d+)$")


def connections_of(user: Any):
    """The connections linked to `user`'s account."""
    return Connection.objects.filter(user=user).select_related("ward").order_by("consumer_no")


def _label(connection: Connection) -> str:
    return _("Water bill — connection %(number)s") % {
        "number": localize_digits(connection.consumer_no)
    }


def open_dues(user: Any) -> list[OpenDue]:
    """What `user` owes on their connections with no open bill yet: three queries whatever
    the number of connections."""
    if not user.is_authenticated:
        return []
    connections = list(connections_of(user))
    if not connections:
        return []
    months: dict[int, list[WaterBill]] = defaultdict(list)
    for month in WaterBill.objects.filter(
        connection__in=connections, status=WaterBill.Status.DUE, total__gt=0
    ).order_by("period"):
        months[month.connection_id].append(month)
    keys = [f"{SERVICE}:{m.due_key}" for rows in months.values() for m in rows]
    billed = set(
        BillClaim.objects.filter(
            due__in=keys, live=True, bill__status=Bill.Status.OPEN
        ).values_list("due", flat=True)
    )
    today = timezone.localdate()
    dues = []
    for connection in connections:
        unpaid = months.get(connection.pk) or []
        if not unpaid or all(f"{SERVICE}:{m.due_key}" in billed for m in unpaid):
            continue
        bengali = (get_language() or "bn").startswith("bn")
        name = month_bn if bengali else month_en
        period = ", ".join(name(m.period) for m in unpaid)
        dues.append(
            OpenDue(
                service=SERVICE,
                token=f"c{connection.pk}",
                label=_label(connection),
                period=period,
                amount=sum((m.total for m in unpaid), Decimal("0.00")),
                due_date=min(m.due_date for m in unpaid),
                # The project's one rule: overdue from the day after the due date.
                overdue=min(m.due_date for m in unpaid) < today,
                url=reverse("water_billing:connection", args=[connection.consumer_no]),
            )
        )
    return dues


def bill_due(user: Any, token: str, actor: Any = None) -> Bill:
    """The bill for one of `user`'s open dues: every unpaid month of the connection, through
    water_bill_issue (an open bill for exactly these is reused). Refused (ValidationError)
    for a connection not linked to `user` or nothing left to pay."""
    match = TOKEN.match(token or "")
    connection = (
        connections_of(user).filter(pk=int(match.group(1))).first()
        if match and user.is_authenticated
        else None
    )
    if connection is None:
        raise ValidationError(
            _("This is not a due of a water connection linked to the account."), code="not_yours"
        )
    return water_bill_issue(connection=connection, payer=user, actor=actor)


def demand_due(start: date, end: date, ward_id: int | None = None) -> Decimal:
    """Water bills that fell due from `start` to `end` (the revenue officer's "against
    demand"; core.portal.ServiceSpec.demand)."""
    rows = WaterBill.objects.filter(due_date__gte=start, due_date__lte=end)
    if ward_id is not None:
        rows = rows.filter(connection__ward_id=ward_id)
    return rows.aggregate(s=Sum("total"))["s"] or Decimal("0.00")
