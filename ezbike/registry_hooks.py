"""What happens in e-bikes when one of their payments Bill is paid, reopened or cancelled,
where its subject is, and whom it concerns (subject_users) — declared in ezbike/portal.py;
payments calls them inside its transaction. Four kinds, told apart by the bill's subject type:

- "application": the application fee — paid, the officer may decide; its payment voided
  before the decision, unpaid again;
- "licence": a licence's fee (new licence, or renewal with its late fee) — paid, the
  licence becomes active (licence_set_status, once: the licence row is locked and a
  second call finds it active); its payment voided, the licence is suspended until it is
  paid again;
- "card": a replaced card's fee — the new card works from the replacement; nothing moves;
- "seizure": the fine of a seizure (the status change that seized it) — paid, the e-bike
  is released (active again) while that seizure is still its state.
A cancelled (replaced) bill changes nothing: the fee is still due and shows in every due
in one place."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

#: The reason recorded when a licence is suspended because its fee's payment was voided.
VOIDED = gettext_noop("The payment of the licence fee was voided.")


def _application(bill):
    from .models import Application

    if bill.subject_type != "application" or not str(bill.subject_id).isdigit():
        return None
    return (
        Application.objects.select_for_update(of=("self",)).filter(pk=int(bill.subject_id)).first()
    )


def _licence(bill):
    from .models import Licence

    if bill.subject_type != "licence" or not str(bill.subject_id).isdigit():
        return None
    return (
        Licence.objects.select_for_update(of=("self",))
        .select_related("vehicle__owner__user")
        .filter(pk=int(bill.subject_id))
        .first()
    )


@transaction.atomic
def on_paid(bill) -> None:
    from .models import Licence, LicenceStatusChange
    from .notify import notify_owner
    from .services import licence_set_status
    from .services._common import record

    if bill.subject_type == "seizure":
        from .services.enforcement import release_on_fine_paid

        release_on_fine_paid(bill)
        return
    application = _application(bill)
    if application is not None:
        if application.fee_paid_at is None:
            application.fee_paid_at = timezone.now()
            application.fee_bill = bill
            application.save(update_fields=["fee_paid_at", "fee_bill"])
            record("application_fee_paid", application, after={"bill": bill.number})
        return
    licence = _licence(bill)
    if licence is None:
        return
    S = Licence.Status
    resumed = (
        licence.status == S.SUSPENDED
        and LicenceStatusChange.objects.filter(licence=licence)
        .order_by("-changed_at", "-pk")
        .values_list("reason", flat=True)
        .first()
        == VOIDED
    )
    if licence.status != S.APPROVED and not resumed:
        record(
            "licence_fee_paid_late", licence, after={"bill": bill.number, "status": licence.status}
        )
        return
    licence_set_status(licence=licence, to=S.ACTIVE, reason=f"bill {bill.number} paid")
    vehicle, owner = licence.vehicle, licence.vehicle.owner
    vehicle.refresh_from_db()
    notify_owner(
        mobile=owner.mobile,
        user=owner.user,
        key="active",
        licence=vehicle.licence_no or "",
        plate=vehicle.plate_no or "",
        valid_until=licence.valid_until,
    )


@transaction.atomic
def on_reopened(bill) -> None:
    from .models import Licence
    from .services import licence_set_status
    from .services._common import record

    application = _application(bill)
    if application is not None:
        if application.decided_at is None and application.fee_paid_at is not None:
            application.fee_paid_at = None
            application.save(update_fields=["fee_paid_at"])
        record("application_fee_voided", application, after={"bill": bill.number})
        return
    licence = _licence(bill)
    if licence is None:
        return
    if licence.status == Licence.Status.ACTIVE:
        licence_set_status(licence=licence, to=Licence.Status.SUSPENDED, reason=VOIDED)
    else:
        record("licence_fee_voided", licence, after={"bill": bill.number})


def on_cancelled(bill) -> None:
    """A replaced or cancelled bill: the fee is still due (nothing of the licence's own
    changes); the application forgets the cancelled bill."""
    from .models import Application

    if bill.subject_type == "application" and str(bill.subject_id).isdigit():
        Application.objects.filter(pk=int(bill.subject_id), fee_bill=bill).update(fee_bill=None)


def subject_url(bill) -> str:
    """The owner's page of the e-bike the bill is for."""
    from django.urls import reverse

    from .models import Application, Licence, LicenceStatusChange, RfidCard

    if not str(bill.subject_id).isdigit():
        return ""
    vehicle_id = None
    if bill.subject_type == "application":
        vehicle_id = (
            Application.objects.filter(pk=int(bill.subject_id))
            .values_list("licence__vehicle_id", flat=True)
            .first()
        )
    elif bill.subject_type == "licence":
        vehicle_id = (
            Licence.objects.filter(pk=int(bill.subject_id))
            .values_list("vehicle_id", flat=True)
            .first()
        )
    elif bill.subject_type == "seizure":
        vehicle_id = (
            LicenceStatusChange.objects.filter(pk=int(bill.subject_id))
            .values_list("licence__vehicle_id", flat=True)
            .first()
        )
    elif bill.subject_type == "card":
        vehicle_id = (
            RfidCard.objects.filter(pk=int(bill.subject_id))
            .values_list("vehicle_id", flat=True)
            .first()
        )
    return reverse("ezbike:vehicle", args=[vehicle_id]) if vehicle_id else ""


def subject_users(bills) -> set[int] | None:
    """The accounts that see these e-bike bills' subjects on their own pages: the e-bike
    owner's (and an application's applicant's). A write for the bills drops only their
    cached figures (core.portal.ServiceSpec.subject_users); None for a subject of another
    kind: not told apart."""
    from .models import Application, Licence, LicenceStatusChange, RfidCard

    owners: dict[str, tuple[Any, str]] = {
        "application": (Application, "licence__vehicle__owner__user_id"),
        "licence": (Licence, "vehicle__owner__user_id"),
        "card": (RfidCard, "vehicle__owner__user_id"),
        "seizure": (LicenceStatusChange, "licence__vehicle__owner__user_id"),
    }
    wanted: dict[str, set[int]] = {}
    for bill in bills:
        if bill.subject_type not in owners or not str(bill.subject_id).isdigit():
            return None
        wanted.setdefault(bill.subject_type, set()).add(int(bill.subject_id))
    people: set[int | None] = set()
    for kind, pks in wanted.items():
        model, owner = owners[kind]
        fields = (owner, "applicant_id") if kind == "application" else (owner,)
        for row in model.objects.filter(pk__in=pks).values_list(*fields):
            people |= set(row)
    return {p for p in people if p is not None}
