"""What happens in trade licences when a fee bill is paid, cancelled or reopened (declared
in trade_licenses/portal.py; payments calls them)."""


def on_paid(bill) -> None:
    from .services import on_bill_paid

    on_bill_paid(bill)


def on_cancelled(bill) -> None:
    from .services import on_bill_cancelled

    on_bill_cancelled(bill)


def on_reopened(bill) -> None:
    from .services import on_bill_reopened

    on_bill_reopened(bill)
