"""What happens in trade licences when a fee bill is paid, cancelled or reopened, and where
a fee bill's application is (declared in trade_licenses/portal.py; payments calls them)."""


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
