"""Licences: issuing the licence of a paid application, and the payments registry's
hooks for a fee bill paid, cancelled or reopened (registry_hooks.py registers them)."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.fiscal import fiscal_year_bounds
from core.models import CityProfile
from core.sequences import next_in_year
from payments.models import Bill

from .. import tasks
from ..models import Application, Licence, LicenceCounter
from ._common import SERVICE, SUBJECT_TYPE, S, _lock, _move
from .reads import licence_year_due


@transaction.atomic
def licence_issue(*, application: Application, bill: Bill | None = None, actor=None) -> Licence:
    """Issue the licence of a paid application: the year's next number
    (`<city code>/TL/<FY>/<6 digits>`), a verification code, valid to 30 June of its fiscal
    year. A transfer's licence replaces the year's current one."""
    locked = _lock(application)
    if locked.status != S.PAID:
        raise ValidationError(
            _("A licence is issued only for a paid application."), code="not_paid"
        )
    fy = locked.fiscal_year
    replaced: list[Licence] = []
    if locked.kind == Application.Kind.TRANSFER:
        replaced = list(
            Licence.objects.select_for_update().filter(
                business=locked.business, fiscal_year=fy, is_current=True
            )
        )
        Licence.objects.filter(pk__in=[r.pk for r in replaced]).update(is_current=False)
    sequence = next_in_year(LicenceCounter, fy)
    licence = Licence.objects.create(
        business=locked.business,
        application=locked,
        fiscal_year=fy,
        sequence=sequence,
        number=f"{CityProfile.current().code}/TL/{fy}/{sequence:06d}",
        verify_code=secrets.token_hex(8),
        valid_until=fiscal_year_bounds(fy)[1],
        bill=bill or locked.bill,
        issued_by=actor,
    )
    audit.record(
        action="trade_licence.licence_issued",
        obj=licence,
        actor=actor,
        after=audit.snapshot(
            licence, ["business_id", "application_id", "number", "valid_until", "bill_id"]
        ),
    )
    for old in replaced:
        audit.record(
            action="trade_licence.replaced",
            obj=old,
            actor=actor,
            before={"is_current": True},
            after={"is_current": False, "replaced_by": licence.number},
        )
    _move(
        locked,
        S.ISSUED,
        actor=actor,
        reason=licence.number,
        audit_after={"licence": licence.number},
        number=licence.number,
        valid_until=licence.valid_until,
    )
    # The worker renders the certificate PDF once the licence is committed.
    transaction.on_commit(lambda: tasks.render_certificate_pdf.delay(licence.pk), robust=True)
    return licence


def application_for_bill(bill: Bill) -> Application | None:
    if bill.service != SERVICE or bill.subject_type != SUBJECT_TYPE:
        return None
    return Application.objects.filter(pk=bill.subject_id).first()


def _record_arrears_settled(application: Application, bill: Bill) -> None:
    """A renewal bill that carried skipped years settles them: no licence is issued for a
    skipped year (the business had none); the bill's live claim on
    `licence-year:<business>:<year>`, now paid, is what keeps the year from being billed
    again (reads.settled_years). The audit log says which years were settled."""
    own = licence_year_due(application.business_id, application.fiscal_year)
    prefix = f"{SERVICE}:{licence_year_due(application.business_id, '')}"
    years = sorted(
        due[len(prefix) :]
        for due in bill.claims.filter(live=True).values_list("due", flat=True)
        if due.startswith(prefix) and due != f"{SERVICE}:{own}"
    )
    if years:
        audit.record(
            action="trade_licence.arrears_settled",
            obj=application,
            after={"bill": bill.number, "years": years},
        )


def on_bill_paid(bill: Bill) -> None:
    """Registry hook, inside the settlement's transaction: billed → paid → licence issued;
    skipped years the bill carried as arrears are settled (no licence for them).
    (No separate "paid" SMS: the "issued" one says the fee was received.)"""
    application = application_for_bill(bill)
    if application is None:
        return
    locked = _lock(application)
    withdrawn = Licence.objects.filter(application=locked, is_current=False).exclude(
        withdrawn_reason=""
    )
    if locked.status == S.ISSUED and withdrawn.exists():
        # Paid again after a void: the licence is valid again.
        for licence in withdrawn:
            licence.is_current, licence.withdrawn_reason = True, ""
            licence.save(update_fields=["is_current", "withdrawn_reason"])
            audit.record(
                action="trade_licence.reinstated", obj=licence, after={"bill": bill.number}
            )
        return
    if locked.status != S.BILLED:
        audit.record(
            action="trade_licence.bill_paid_late",
            obj=locked,
            after={"bill": bill.number, "status": locked.status},
        )
        return
    locked.bill = bill
    _move(
        locked,
        S.PAID,
        actor=None,
        reason=f"bill {bill.number} paid",
        extra_fields=("bill",),
        notify=None,
    )
    _record_arrears_settled(locked, bill)
    licence_issue(application=locked, bill=bill)


def on_bill_cancelled(bill: Bill) -> None:
    """Registry hook: a cancelled fee bill sends the application back to approval."""
    application = application_for_bill(bill)
    if application is None:
        return
    locked = _lock(application)
    if locked.status == S.BILLED and locked.bill_id == bill.pk:
        locked.bill = None
        _move(
            locked,
            S.APPROVAL,
            actor=None,
            reason=f"bill {bill.number} cancelled",
            extra_fields=("bill",),
            notify="bill_cancelled",
        )


def on_bill_reopened(bill: Bill) -> None:
    """Registry hook: a revenue officer voided the payment of a licence's fee bill, so the
    licence it paid for is withdrawn (verify and search say so) until the bill is paid."""
    application = application_for_bill(bill)
    if application is None:
        return
    for licence in Licence.objects.filter(application=application, is_current=True):
        licence.is_current = False
        licence.withdrawn_reason = f"the payment of bill {bill.number} was voided"
        licence.save(update_fields=["is_current", "withdrawn_reason"])
        audit.record(
            action="trade_licence.withdrawn",
            obj=licence,
            before={"is_current": True},
            after={"is_current": False, "reason": licence.withdrawn_reason},
        )
