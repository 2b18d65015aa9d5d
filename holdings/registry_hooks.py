"""What happens in holdings when a holding-tax bill is paid or reopened, and whom it
concerns (subject_users: whose cached figures its writes drop) — declared in
holdings/portal.py; payments calls them."""


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


def subject_users(bills) -> set[int] | None:
    """The accounts linked to the holdings these holding-tax bills are for (their owners'):
    whose cached figures a write for the bills changes (core.portal.ServiceSpec.
    subject_users). None for a bill of another kind (a mutation's fee): not told apart."""
    from django.db.models import Q

    from .models import Owner
    from .services import bill_holding

    holdings = [bill_holding(bill) for bill in bills]
    if None in holdings:
        return None
    wanted = {h for h in holdings if h is not None}
    if not wanted:
        return set()
    query = Q()
    for ward_number, number in wanted:
        query |= Q(holding__ward__number=ward_number, holding__number=number)
    return set(Owner.objects.filter(query, user__isnull=False).values_list("user_id", flat=True))
