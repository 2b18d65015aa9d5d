"""A small stand-in service ("demo") so the payment flow can be tried before the real
services exist. It registers like any service app would."""

from django.utils.translation import gettext_lazy as _

from .registry import ServiceHooks, register


def _mark(bill, paid: bool) -> None:
    from .models import DemoSubject

    if bill.subject_type == "demo" and bill.subject_id.isdigit():
        DemoSubject.objects.filter(pk=int(bill.subject_id)).update(paid=paid)


def _on_paid(bill) -> None:
    _mark(bill, True)


def _on_reopened(bill) -> None:
    _mark(bill, False)


def register_demo_service() -> None:
    register(ServiceHooks(key="demo", label=_("Demo service"), on_paid=_on_paid,
                          on_reopened=_on_reopened))
