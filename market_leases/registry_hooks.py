"""What happens in market shops when one of its payments Bills is paid, reopened (the payment
voided) or cancelled, where its subject is, and whom it concerns (subject_users) —
declared in market_leases/portal.py; payments calls them inside its transaction, with the
bill locked.

Three kinds of Bill, told apart by the subject type (services/billing.py, casework.py):
- "allotment": the salami and security deposit — paid, the allotment waiting for them
  becomes active (through allotment_set_status, with its history row); voided, it waits
  again; cancelled (replaced, or the allotment withdrawn), nothing of ours changes;
- "rent": months of rent, named by the bill's claims ``market_leases:rent:<allotment>:<YYYY-MM>``
  — paid, those months are marked paid by it; voided or cancelled, they are due again;
- "transfer": a name change's fee — paid, the shop passes to the new lessee
  (casework.transfer_complete); cancelled, the transfer waiting for it is cancelled.
Each hook is idempotent: a second call finds the work done and changes nothing."""

from __future__ import annotations

import datetime
import re

from django.db.models import Q

DUE = re.compile(r"^market_leases:rent:(\d+):(\d{4})-(\d{2})$")


def _months(bill) -> Q | None:
    found, any_ = Q(), False
    for due in bill.claims.values_list("due", flat=True):
        m = DUE.match(due)
        if m:
            any_ = True
            found |= Q(
                allotment_id=int(m.group(1)),
                period=datetime.date(int(m.group(2)), int(m.group(3)), 1),
            )
    return found if any_ else None


def _allotment(bill):
    from .models import Allotment, Shop

    if not str(bill.subject_id).isdigit():
        return None
    row = Allotment.objects.filter(pk=int(bill.subject_id)).only("shop_id").first()
    if row is None:
        return None
    # The shop's lock first, as every allotment write takes it; then read the status.
    Shop.objects.select_for_update().get(pk=row.shop_id)
    return (
        Allotment.objects.select_for_update()
        .select_related("lessee", "shop__market")
        .get(pk=row.pk)
    )


def _ijara(bill) -> bool:
    return str(bill.subject_type).startswith("ijara_")


def on_paid(bill) -> None:
    from .models import Allotment, RentMonth

    if _ijara(bill):
        from .services import ijara

        ijara.on_paid(bill)
        return
    from .services.billing import PREMIUM
    from .services.casework import TRANSFER, transfer_complete

    if bill.subject_type == TRANSFER:
        if str(bill.subject_id).isdigit():
            transfer_complete(int(bill.subject_id), bill_number=bill.number)
        return

    if bill.subject_type == PREMIUM:
        allotment = _allotment(bill)
        if allotment is None or allotment.status != Allotment.Status.PENDING_PAYMENT:
            return  # made active already (a second call), or withdrawn meanwhile
        from .notify import notify
        from .services import allotment_set_status

        allotment_set_status(
            allotment=allotment,
            to=Allotment.Status.ACTIVE,
            reason=f"salami and deposit paid (bill {bill.number})",
        )
        notify(allotment, "active")
        return
    months = _months(bill)
    if months is not None:
        RentMonth.objects.filter(months).filter(status=RentMonth.Status.DUE).update(
            status=RentMonth.Status.PAID, paid_bill=bill
        )


def on_reopened(bill) -> None:
    from .models import Allotment, RentMonth
    from .services.billing import PREMIUM
    from .services.casework import TRANSFER

    if _ijara(bill):
        return  # online payments are refunded, never voided (services/ijara.py)

    if bill.subject_type == TRANSFER:
        # A voided transfer fee: the shop has passed already; the estate officer deals with
        # it (the audit log and the payment's history say what happened).
        return

    if bill.subject_type == PREMIUM:
        allotment = _allotment(bill)
        if allotment is None or allotment.status != Allotment.Status.ACTIVE:
            return
        from .services import allotment_set_status

        allotment_set_status(
            allotment=allotment,
            to=Allotment.Status.PENDING_PAYMENT,
            reason=f"the payment of bill {bill.number} was voided",
        )
        return
    RentMonth.objects.filter(paid_bill=bill).update(status=RentMonth.Status.DUE, paid_bill=None)


def on_cancelled(bill) -> None:
    """An open bill replaced or cancelled: its months were never paid by it; nothing of
    ours changes (kept as a safety net for months it may have marked)."""
    from .models import RentMonth
    from .services.billing import PREMIUM
    from .services.casework import TRANSFER, transfer_cancel_on_bill

    if _ijara(bill):
        return  # an unpaid bid stays unpaid (services/ijara.py)
    if bill.subject_type == TRANSFER:
        if str(bill.subject_id).isdigit():
            transfer_cancel_on_bill(int(bill.subject_id))
        return
    if bill.subject_type != PREMIUM:
        RentMonth.objects.filter(paid_bill=bill).update(status=RentMonth.Status.DUE, paid_bill=None)


def subject_url(bill) -> str:
    """The lessee's page of the shop the bill is for (a transfer's: the shop's new page
    once done)."""
    from django.urls import reverse

    from .services.casework import TRANSFER

    if _ijara(bill):
        return reverse("market_leases:ijara_bids")
    if not str(bill.subject_id).isdigit():
        return ""
    if bill.subject_type == TRANSFER:
        from .models import Transfer

        transfer = Transfer.objects.filter(pk=int(bill.subject_id)).first()
        if transfer is None or transfer.new_allotment_id is None:
            return ""
        return reverse("market_leases:shop", args=[transfer.new_allotment_id])
    return reverse("market_leases:shop", args=[int(bill.subject_id)])


def subject_users(bills) -> set[int] | None:
    """The accounts that see these bills' allotments on their own pages: the lessee's (a
    name change: the present and the new lessee's) — the account linked to the lessee, or,
    for a lessee linked to none, the accounts whose verified mobile is the lessee's (as
    dues.allotments_of shows them). A write for the bills drops only their cached figures
    (core.portal.ServiceSpec.subject_users). None for an ijara bill (a tender's outcome
    touches every bidder) or a subject of another kind: everyone's."""
    from accounts.models import User

    from .models import Allotment, Transfer
    from .services.billing import PREMIUM, RENT
    from .services.casework import TRANSFER

    allotments: set[int] = set()
    transfers: set[int] = set()
    for bill in bills:
        if bill.subject_type not in (PREMIUM, RENT, TRANSFER) or not str(bill.subject_id).isdigit():
            return None
        (transfers if bill.subject_type == TRANSFER else allotments).add(int(bill.subject_id))
    lessees = list(
        Allotment.objects.filter(pk__in=allotments).values_list("lessee__user_id", "lessee__mobile")
    )
    for old_user, old_mobile, new_user, new_mobile in Transfer.objects.filter(
        pk__in=transfers
    ).values_list(
        "allotment__lessee__user_id",
        "allotment__lessee__mobile",
        "new_lessee__user_id",
        "new_lessee__mobile",
    ):
        lessees += [(old_user, old_mobile), (new_user, new_mobile)]
    people = {user for user, _mobile in lessees if user is not None}
    unlinked = {mobile for user, mobile in lessees if user is None and mobile}
    if unlinked:
        people |= set(
            User.objects.filter(mobile__in=unlinked, mobile_verified=True).values_list(
                "pk", flat=True
            )
        )
    return people
