"""Shop rent in "every due in one place" (declared in market_leases/portal.py): what a lessee
owes on the shops allotted to their account that no open bill covers yet
(core.portal.OpenDue), and the bill for one of them.

One choice per allotment, token "a<allotment pk>": every unpaid month of rent with the
overdue months' surcharges as they stand today (services.billing.rent_bill_issue). An
allotment whose unpaid months an open bill already covers is left out (the bill is listed).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.digits import localize_digits
from core.portal import OpenDue
from payments.models import Bill, BillClaim

from .models import Allotment, RentMonth
from .services.billing import SERVICE, month_bn, month_en, owed, rent_bill_issue

TOKEN = re.compile(r"^a(\d+)$")


def allotments_of(user: Any):
    """The allotments of the lessees of `user`'s account (any status): a lessee linked to
    the account, or one not linked to any whose mobile — where the bills' SMS go — is the
    account's verified mobile (the sign-in proved it is theirs)."""
    mine = Q(lessee__user=user)
    if getattr(user, "mobile", "") and getattr(user, "mobile_verified", False):
        mine |= Q(lessee__user__isnull=True, lessee__mobile=user.mobile)
    return (
        Allotment.objects.filter(mine)
        .select_related("shop__market", "lessee")
        .order_by("shop__market__name_en", "shop__number", "-pk")
    )


def _label(allotment: Allotment) -> str:
    return _("Shop rent — shop %(number)s, %(market)s") % {
        "number": localize_digits(allotment.shop.number),
        "market": allotment.shop.market.name,
    }


def open_dues(user: Any) -> list[OpenDue]:
    """What `user` owes in rent with no open bill yet: three queries whatever the number
    of shops (and one for the lease rules)."""
    if not user.is_authenticated:
        return []
    allotments = list(allotments_of(user))
    if not allotments:
        return []
    months: dict[int, list[RentMonth]] = defaultdict(list)
    for month in RentMonth.objects.filter(
        allotment__in=allotments, status=RentMonth.Status.DUE, rent__gt=0
    ).order_by("period"):
        months[month.allotment_id].append(month)
    keys = [f"{SERVICE}:{m.due_key}" for rows in months.values() for m in rows]
    billed = set(
        BillClaim.objects.filter(
            due__in=keys, live=True, bill__status=Bill.Status.OPEN
        ).values_list("due", flat=True)
    )
    today = timezone.localdate()
    bengali = (get_language() or "bn").startswith("bn")
    name = month_bn if bengali else month_en
    dues = []
    for allotment in allotments:
        unpaid = months.get(allotment.pk) or []
        if not unpaid or all(f"{SERVICE}:{m.due_key}" in billed for m in unpaid):
            continue
        dues.append(
            OpenDue(
                service=SERVICE,
                token=f"a{allotment.pk}",
                label=_label(allotment),
                period=", ".join(name(m.period) for m in unpaid),
                amount=owed(unpaid, today),
                due_date=min(m.due_date for m in unpaid),
                overdue=any(m.due_date < today for m in unpaid),
                url=reverse("market_leases:shop", args=[allotment.pk]),
            )
        )
    return dues


def bill_due(user: Any, token: str, actor: Any = None) -> Bill:
    """The bill for one of `user`'s open dues (every unpaid month of the allotment).
    Refused (ValidationError) for an allotment not `user`'s or nothing left to pay."""
    match = TOKEN.match(token or "")
    allotment = (
        allotments_of(user).filter(pk=int(match.group(1))).first()
        if match and user.is_authenticated
        else None
    )
    if allotment is None:
        raise ValidationError(
            _("This is not a due of a shop allotted to the account."), code="not_yours"
        )
    return rent_bill_issue(allotment=allotment, payer=user, actor=actor)


def demand_due(start: date, end: date, ward_id: int | None = None) -> Decimal:
    """Shop rent that fell due from `start` to `end`: the rent of the months due on those
    days (the revenue officer's "against demand"; core.portal.ServiceSpec.demand)."""
    rows = RentMonth.objects.filter(due_date__gte=start, due_date__lte=end)
    if ward_id is not None:
        rows = rows.filter(allotment__shop__market__ward_id=ward_id)
    return rows.aggregate(s=Sum("rent"))["s"] or Decimal("0.00")
