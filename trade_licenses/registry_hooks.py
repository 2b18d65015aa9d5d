"""What happens in trade licences when a fee bill is paid, cancelled or reopened, where a
fee bill's application is, and whom it concerns (subject_users) — declared in
trade_licenses/portal.py; payments calls them."""


def on_paid(bill) -> None:
    from .services import on_bill_paid

    on_bill_paid(bill)


def on_cancelled(bill) -> None:
    from .services import on_bill_cancelled

    on_bill_cancelled(bill)


def on_reopened(bill) -> None:
    from .services import on_bill_reopened

    on_bill_reopened(bill)


def subject_url(bill) -> str:
    """The trader's page of the application a fee bill is for (the licence, once issued)."""
    from django.urls import reverse

    from .services._common import SUBJECT_TYPE

    if bill.subject_type != SUBJECT_TYPE or not str(bill.subject_id).isdigit():
        return ""
    return reverse("trade_licenses:application", args=[int(bill.subject_id)])


def subject_users(bills) -> set[int] | None:
    """The accounts that see these fee bills' applications on their own pages: the
    business's trader's and the filer's. A write for the bills (the application paid, its
    licence issued) drops only their cached figures (core.portal.ServiceSpec.subject_users);
    None for a subject of another kind: not told apart."""
    from .models import Application
    from .services._common import SUBJECT_TYPE

    pks = set()
    for bill in bills:
        if bill.subject_type != SUBJECT_TYPE or not str(bill.subject_id).isdigit():
            return None
        pks.add(int(bill.subject_id))
    people: set[int | None] = set()
    for row in Application.objects.filter(pk__in=pks).values_list(
        "business__trader_id", "filed_by_id"
    ):
        people |= set(row)
    return {p for p in people if p is not None}
