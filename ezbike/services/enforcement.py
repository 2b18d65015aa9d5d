"""The e-bike officer's enforcement of a licence: suspend it with a reason (readers answer
"suspended"), reinstate a suspended one, seize the e-bike with a reason — the year's fine
billed to the owner through payments — and its release when the fine is paid (the
registry hook, ezbike.registry_hooks) or by the officer. Every move goes through
licence_set_status (its history row, audit row and the cards' lookup rows); an SMS each."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Licence, LicenceStatusChange
from ..notify import notify_owner
from .billing import seizure_fine_bill
from .licences import licence_set_status

S = Licence.Status


def _officer(actor) -> None:
    if actor is None or not actor.has_perm("accounts.manage_ebikes"):
        raise ValidationError(_("Only an e-bike officer does this."), code="forbidden")


def _tell(licence: Licence, key: str, **values) -> None:
    vehicle = licence.vehicle
    notify_owner(
        mobile=vehicle.owner.mobile,
        user=vehicle.owner.user,
        key=key,
        plate=vehicle.plate_no or "",
        **values,
    )


def current_licence(vehicle) -> Licence | None:
    """The e-bike's latest issued licence (what enforcement acts on)."""
    return (
        vehicle.licences.filter(status__in=Licence.ISSUED)
        .select_related("vehicle__owner__user")
        .order_by("-fiscal_year", "-pk")
        .first()
    )


@transaction.atomic
def licence_suspend(*, licence: Licence, reason: str, actor) -> Licence:
    """Suspend an active licence (a reason is needed)."""
    _officer(actor)
    licence_set_status(licence=licence, to=S.SUSPENDED, reason=reason, actor=actor)
    _tell(licence, "suspended", reason=reason.strip())
    return licence


@transaction.atomic
def licence_reinstate(*, licence: Licence, reason: str, actor) -> Licence:
    """A suspended licence active again (a seized e-bike is released by its fine)."""
    _officer(actor)
    if licence.status != S.SUSPENDED:
        raise ValidationError(_("Only a suspended licence is reinstated."), code="not_suspended")
    licence_set_status(licence=licence, to=S.ACTIVE, reason=reason, actor=actor)
    _tell(licence, "reinstated")
    return licence


@transaction.atomic
def licence_seize(*, licence: Licence, reason: str, actor):
    """Seize the e-bike (an active or suspended licence; a reason is needed) and bill the
    fine that releases it. Returns (licence, bill or None)."""
    _officer(actor)
    licence_set_status(licence=licence, to=S.SEIZED, reason=reason, actor=actor)
    seizure = LicenceStatusChange.objects.filter(licence=licence, to_status=S.SEIZED).latest(
        "changed_at", "pk"
    )
    bill = seizure_fine_bill(licence=licence, seizure_id=seizure.pk, actor=actor)
    if bill is not None:
        _tell(licence, "seized", reason=reason.strip(), amount=bill.total, bill=bill.number)
    return licence, bill


def release_on_fine_paid(bill) -> None:
    """The fine of a seizure is paid: the e-bike is released (active again) when that
    seizure is still the licence's state — once: the licence row is locked and a second call
    finds it released."""
    change = (
        LicenceStatusChange.objects.select_related("licence")
        .filter(pk=int(bill.subject_id), to_status=S.SEIZED)
        .first()
        if str(bill.subject_id).isdigit()
        else None
    )
    if change is None:
        return
    licence = (
        Licence.objects.select_for_update(of=("self",))
        .select_related("vehicle__owner__user")
        .get(pk=change.licence_id)
    )
    latest = (
        LicenceStatusChange.objects.filter(licence=licence).order_by("-changed_at", "-pk").first()
    )
    if licence.status != S.SEIZED or latest is None or latest.pk != change.pk:
        return
    licence_set_status(licence=licence, to=S.ACTIVE, reason=f"fine {bill.number} paid")
    _tell(licence, "released")
