"""Ledger invariants, checked by `manage.py check_ledger` (and the tests)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, F, Max, Q, Sum

from core.money import to_money

from .models import Allocation, Bill, BillClaim, Credit, Payment, Receipt, ReceiptCounter

ZERO = Decimal("0.00")


def find_discrepancies() -> list[str]:
    """Every broken invariant, one sentence each; an empty list means the books balance."""
    problems: list[str] = []
    # 1. Every paid bill's allocations (net of reversals) equal its total; others net zero.
    sums = _money_sums(Allocation.objects.values_list("bill_id").annotate(s=Sum("amount")))
    for bill in Bill.objects.only("pk", "number", "status", "total").iterator():
        net = sums.get(bill.pk, ZERO)
        if bill.status == Bill.Status.PAID and net != bill.total:
            problems.append(
                f"bill {bill.number} is paid but allocations sum to {net}, not {bill.total}"
            )
        if bill.status != Bill.Status.PAID and net != ZERO:
            problems.append(f"bill {bill.number} is {bill.status} but allocations net {net}")
    # 2. Each succeeded payment is allocated exactly once: allocations + credits = amount.
    pay_alloc = _money_sums(
        Allocation.objects.filter(kind=Allocation.Kind.PAYMENT)
        .values_list("payment_id")
        .annotate(s=Sum("amount"))
    )
    net_alloc = _money_sums(Allocation.objects.values_list("payment_id").annotate(s=Sum("amount")))
    credits = _money_sums(Credit.objects.values_list("payment_id").annotate(s=Sum("amount")))
    for p in Payment.objects.only("pk", "tran_id", "status", "amount").iterator():
        allocated = pay_alloc.get(p.pk, ZERO)
        credited = credits.get(p.pk, ZERO)
        if p.status == Payment.Status.SUCCEEDED:
            if allocated + credited != p.amount:
                problems.append(
                    f"payment {p.tran_id} received {p.amount} but allocated "
                    f"{allocated} and credited {credited}"
                )
            if net_alloc.get(p.pk, ZERO) != allocated:
                problems.append(f"payment {p.tran_id} succeeded but has reversals")
            if not Receipt.objects.filter(payment_id=p.pk).exists():
                problems.append(f"payment {p.tran_id} succeeded without a receipt")
        elif p.status == Payment.Status.VOIDED:
            if net_alloc.get(p.pk, ZERO) != ZERO:
                problems.append(
                    f"voided payment {p.tran_id} still nets {net_alloc.get(p.pk, ZERO)}"
                )
        elif allocated or credited:
            problems.append(f"payment {p.tran_id} is {p.status} but has allocations or credits")
    # 2b. Per due: no instalment, arrear, licence year or month is collected by more than
    #     one bill (whatever their statuses now), nor beyond its bill's total; and every
    #     bill says which dues it covers.
    problems += _due_discrepancies(sums)
    # 3. Reversals mirror what they reverse.
    for r in Allocation.objects.filter(kind=Allocation.Kind.REVERSAL).filter(
        Q(reverses__isnull=True) | ~Q(amount=-F("reverses__amount"))
    ):
        problems.append(f"reversal #{r.pk} does not mirror the allocation it reverses")
    # 4. Receipt numbers have no gaps or duplicates, and the counters agree.
    problems += _receipt_discrepancies()
    return problems


def _money_sums(rows: Iterable[tuple[int, Decimal]]) -> dict[int, Decimal]:
    """{id: sum} with every sum to the paisa (SQLite's SUM drops the trailing zeros)."""
    return {pk: to_money(total) for pk, total in rows}


def _due_discrepancies(net_by_bill: dict[int, Decimal]) -> list[str]:
    problems: list[str] = []
    collected = {pk for pk, net in net_by_bill.items() if net > ZERO}
    numbers = dict(Bill.objects.filter(pk__in=collected).values_list("pk", "number"))
    totals = dict(Bill.objects.filter(pk__in=collected).values_list("pk", "total"))
    for pk in sorted(collected):
        if net_by_bill[pk] > totals[pk]:
            problems.append(
                f"bill {numbers[pk]} collected {net_by_bill[pk]}, more than its total {totals[pk]}"
            )
    by_due: dict[str, list[int]] = {}
    for due, bill_id in (
        BillClaim.objects.filter(bill_id__in=collected)
        .order_by("due", "bill_id")
        .values_list("due", "bill_id")
    ):
        by_due.setdefault(due, []).append(bill_id)
    for due, bills in by_due.items():
        if len(bills) > 1:
            problems.append(
                f"due {due} is collected by {len(bills)} bills: "
                + ", ".join(numbers[b] for b in bills)
            )
    for number in (
        Bill.objects.filter(claims__isnull=True)
        .order_by("number")
        .values_list("number", flat=True)[:50]
    ):
        problems.append(f"bill {number} does not say which dues it covers")
    return problems


def _receipt_discrepancies() -> list[str]:
    problems: list[str] = []
    for fy, count, top in Receipt.objects.values_list("fiscal_year").annotate(
        c=Count("pk"), m=Max("sequence")
    ):
        if count != top:
            problems.append(f"receipts of {fy}: {count} receipts but the last number is {top}")
        counter = ReceiptCounter.objects.filter(fiscal_year=fy).first()
        if counter is None or counter.last != top:
            problems.append(
                f"receipt counter of {fy} says {getattr(counter, 'last', None)}, "
                f"last receipt is {top}"
            )
    return problems
