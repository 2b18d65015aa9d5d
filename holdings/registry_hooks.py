"""What happens in holdings when a holding-tax bill is paid or reopened (declared in
holdings/portal.py; payments calls them)."""


def on_paid(bill) -> None:
    from .models import Arrear, HoldingBillItem, Instalment
    from .services import mutations

    if bill.subject_type == mutations.SUBJECT_TYPE:
        mutations.on_fee_paid(bill)
        return
    items = HoldingBillItem.objects.filter(bill=bill)
    Instalment.objects.filter(pk__in=items.values("instalment_id")).update(
        status=Instalment.Status.PAID, paid_bill=bill
    )
    arrear_ids = items.exclude(arrear=None).values("arrear_id")
    Arrear.objects.filter(pk__in=arrear_ids).update(status=Arrear.Status.PAID, paid_bill=bill)
    # An arrear paid settles the old year's instalments it stood for.
    Instalment.objects.filter(demand__arrear__in=arrear_ids, status=Instalment.Status.DUE).update(
        status=Instalment.Status.PAID, paid_bill=bill
    )


def on_reopened(bill) -> None:
    from .models import Arrear, Instalment
    from .services import mutations

    if bill.subject_type == mutations.SUBJECT_TYPE:
        mutations.on_fee_reopened(bill)
        return

    Instalment.objects.filter(paid_bill=bill).update(status=Instalment.Status.DUE, paid_bill=None)
    Arrear.objects.filter(paid_bill=bill).update(status=Arrear.Status.DUE, paid_bill=None)
