"""What happens in water bills when a water Bill is paid, cancelled or reopened, where its
subject is, and whom it concerns (subject_users) — declared in water_billing/portal.py;
payments calls them inside its transaction.

Water bills three kinds of payments Bill, told apart by the bill's subject type:
- "connection": a connection's unpaid months — the Bill names the months it covers by its
  claims, "water_billing:water-month:<connection>:<YYYY-MM>" (the hooks below);
- "application": the fees of an application for a new connection
  (services.applications.on_fee_paid / on_fee_cancelled / on_fee_reopened);
- "reconnection": a disconnected connection's reconnection fee
  (services.disconnections.on_fee_*).
`HANDLERS` routes the last two; months paid also move an open disconnection case on."""

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


def _handler(bill, event: str):
    """The fee handler for the bill's subject type and `event` ("paid", "cancelled",
    "reopened"), or None for a connection's months."""
    if bill.subject_type == "application":
        from .services import applications as module
    elif bill.subject_type == "reconnection":
        from .services import disconnections as module  # type: ignore[no-redef]
    else:
        return None
    return getattr(module, f"on_fee_{event}")


def _connection_ids(bill) -> set[int]:
    return {
        int(m.group(1))
        for due in bill.claims.values_list("due", flat=True)
        if (m := DUE.match(due))
    }


def on_paid(bill) -> None:
    """The months the bill covers are paid by it (or the fee's handler)."""
    from .models import Disconnection, WaterBill

    if (handler := _handler(bill, "paid")) is not None:
        handler(bill)
        return
    months = _months(bill)
    if months is not None:
        WaterBill.objects.filter(months).order_by("pk").filter(status=WaterBill.Status.DUE).update(
            status=WaterBill.Status.PAID, paid_bill=bill
        )
        ids = _connection_ids(bill)
        if Disconnection.objects.filter(
            connection_id__in=ids, status__in=Disconnection.OPEN
        ).exists():
            from .services.disconnections import on_months_paid

            on_months_paid(ids)


def on_reopened(bill) -> None:
    """The payment that paid the bill was voided: its months are due again."""
    from .models import WaterBill

    if (handler := _handler(bill, "reopened")) is not None:
        handler(bill)
        return
    WaterBill.objects.filter(paid_bill=bill).update(status=WaterBill.Status.DUE, paid_bill=None)


def on_cancelled(bill) -> None:
    """An open bill replaced or cancelled: its months stay due (they were never paid by it);
    nothing of water's own changes. Kept for symmetry and as a safety net."""
    from .models import WaterBill

    if (handler := _handler(bill, "cancelled")) is not None:
        handler(bill)
        return
    WaterBill.objects.filter(paid_bill=bill).update(status=WaterBill.Status.DUE, paid_bill=None)


def subject_url(bill) -> str:
    """The PDF of the newest month the bill covers (the connection's bill)."""
    from django.urls import reverse

    from .models import WaterBill

    if bill.subject_type == "application" and str(bill.subject_id).isdigit():
        return reverse("water_billing:application", args=[int(bill.subject_id)])
    if bill.subject_type == "reconnection":
        return ""
    months = _months(bill)
    if months is None:
        return ""
    newest = WaterBill.objects.filter(months).order_by("-period").first()
    return reverse("water_billing:bill_pdf", args=[newest.pk]) if newest else ""


def subject_users(bills) -> set[int] | None:
    """The accounts that see these water bills' subjects on their own pages: a connection's
    account (its months, an open disconnection case), an application's applicant (and the
    account of the connection it opened), a reconnection's connection's account. A write
    for the bills drops only their cached figures (core.portal.ServiceSpec.subject_users);
    None for a subject of another kind: not told apart."""
    from .models import Connection, ConnectionApplication, Disconnection

    consumers: set[str] = set()
    applications: set[int] = set()
    cases: set[int] = set()
    for bill in bills:
        key = str(bill.subject_id)
        if bill.subject_type == "connection":
            consumers.add(key)
        elif bill.subject_type in ("application", "reconnection") and key.isdigit():
            (applications if bill.subject_type == "application" else cases).add(int(key))
        else:
            return None
    people: set[int | None] = set()
    if consumers:
        people |= set(
            Connection.objects.filter(consumer_no__in=consumers).values_list("user_id", flat=True)
        )
    for applicant, holder in ConnectionApplication.objects.filter(pk__in=applications).values_list(
        "applicant_id", "connection__user_id"
    ):
        people |= {applicant, holder}
    if cases:
        people |= set(
            Disconnection.objects.filter(pk__in=cases).values_list("connection__user_id", flat=True)
        )
    return {p for p in people if p is not None}
