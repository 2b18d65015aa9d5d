"""What happens in water bills when a water Bill is paid, cancelled or reopened, and where its
subject is (declared in water_billing/portal.py; payments calls them inside its transaction).

A payments Bill names the months it covers by its claims, "water_billing:water-month:
<connection>:<YYYY-MM>"."""

from __future__ import annotations

import re

from django.db.models import Q

DUE = re.compile(r"^water_billing:water-month:(\d+):(\d{4})-(\d{2})$")


def _months(bill) -> Q | None:
    """The WaterBill rows the bill's dues name (all its claims: a paid bill keeps them)."""
    import datetime

    found = Q()
    any_ = False
    for due in bill.claims.values_list("due", flat=True):
        m = DUE.match(due)
        if m:
            any_ = True
            found |= Q(
                connection_id=int(m.group(1)),
                period=datetime.date(int(m.group(2)), int(m.group(3)), 1),
            )
    return found if any_ else None


def on_paid(bill) -> None:
    """The months the bill covers are paid by it."""
    from .models import WaterBill

    months = _months(bill)
    if months is not None:
        WaterBill.objects.filter(months).order_by("pk").filter(status=WaterBill.Status.DUE).update(
            status=WaterBill.Status.PAID, paid_bill=bill
        )


def on_reopened(bill) -> None:
    """The payment that paid the bill was voided: its months are due again."""
    from .models import WaterBill

    WaterBill.objects.filter(paid_bill=bill).update(status=WaterBill.Status.DUE, paid_bill=None)


def on_cancelled(bill) -> None:
    """An open bill replaced or cancelled: its months stay due (they were never paid by it);
    nothing of water's own changes. Kept for symmetry and as a safety net."""
    from .models import WaterBill

    WaterBill.objects.filter(paid_bill=bill).update(status=WaterBill.Status.DUE, paid_bill=None)


def subject_url(bill) -> str:
    """The PDF of the newest month the bill covers (the connection's bill)."""
    from django.urls import reverse

    from .models import WaterBill

    months = _months(bill)
    if months is None:
        return ""
    newest = WaterBill.objects.filter(months).order_by("-period").first()
    return reverse("water_billing:bill_pdf", args=[newest.pk]) if newest else ""
