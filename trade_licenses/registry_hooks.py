"""What happens in trade licences when a fee bill is paid, cancelled or reopened
(registered with payments in TradeLicensesConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from payments.registry import ServiceHooks, register


def _on_paid(bill) -> None:
    from .services import on_bill_paid

    on_bill_paid(bill)


def _on_cancelled(bill) -> None:
    from .services import on_bill_cancelled

    on_bill_cancelled(bill)


def _on_reopened(bill) -> None:
    from .services import on_bill_reopened

    on_bill_reopened(bill)


def register_trade_licenses() -> None:
    register(ServiceHooks(key="trade_licenses", label=_("Trade licence"), on_paid=_on_paid,
                          on_cancelled=_on_cancelled, on_reopened=_on_reopened))
