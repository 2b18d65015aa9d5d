"""The officers' workflow: moving an application a step, the inspection visit, the
override for holding-tax dues, issuing the fee bill, and the monthly refresh of a late
renewal's bill."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.digits import localize_digits, to_bengali_digits
from core.status import status_label
from payments.models import Bill
from payments.services import BillBusy, LineSpec, bill_issue, bill_supersede

from .. import fees
from ..models import Application, ApplicationDocument, DocumentKind, Inspection
from ..notify import notify_trader
from ._common import (
    APPROVE,
    INSPECT,
    NEW_BILL_DAYS,
    SERVICE,
    STEP_PERMISSIONS,
    SUBJECT_TYPE,
    S,
    _check_move,
    _has,
    _lock,
    _move,
    _previous_licence,
    _sync,
)
from .applications import application_submit
from .documents import _checked, _store_document
from .reads import fee_lines, holding_check, licence_year_due, schedule_for


@transaction.atomic
def application_transition(
    *, application: Application, to: str, actor, reason: str = ""
) -> Application:
    """Move an application one step, refusing a step that TRANSITIONS does not allow or
    that the actor's role may not take (STEP_PERMISSIONS). Returning and rejecting need a
    reason. Submitting goes through application_submit, approving (→ billed) through
    application_issue_bill; paid and issued happen when the bill is paid."""
    if to == S.SUBMITTED:
        return application_submit(application=application, actor=actor)
    if to == S.BILLED:
        return application_issue_bill(application=application, actor=actor)
    if to in (S.PAID, S.ISSUED):
        raise ValidationError(
            _("An application is marked paid, and its licence issued, when its bill is paid."),
            code="by_payment_only",
        )
    locked = _lock(application)
    reason = (reason or "").strip()
    current = locked.status
    _check_move(current, to)
    if not _has(actor, STEP_PERMISSIONS.get((current, to), ())):
        raise ValidationError(
            _("You do not have permission to move this application from “%(old)s” to “%(new)s”.")
            % {"old": status_label(S, current), "new": status_label(S, to)},
            code="forbidden",
        )
    extra: tuple[str, ...] = ()
    if to in (S.RETURNED, S.REJECTED):
        if not reason:
            raise ValidationError(
                _("Say what must be corrected.")
                if to == S.RETURNED
                else _("A reason is required to reject an application."),
                code="no_reason",
            )
        locked.decision_reason = reason
        extra = ("decision_reason",)
    if (current, to) == (S.SUBMITTED, S.APPROVAL) and locked.needs_inspection:
        raise ValidationError(
            _("This application needs an inspection of the premises first."),
            code="needs_inspection",
        )
    if (current, to) == (S.INSPECTION, S.APPROVAL) and not locked.inspections.exists():
        raise ValidationError(
            _("Record the inspection visit and its findings first."), code="no_inspection"
        )
    _move(locked, to, actor=actor, reason=reason, extra_fields=extra)
    return _sync(locked, application)


@transaction.atomic
def inspection_record(
    *,
    application: Application,
    inspector,
    findings: str,
    visited_at: datetime | None = None,
    photos: Iterable = (),
) -> Inspection:
    """The inspector's visit: when, what was found, photos (files, checked as documents)."""
    locked = _lock(application)
    if not _has(inspector, (INSPECT,)):
        raise ValidationError(_("Only a licence inspector records inspections."), code="forbidden")
    if locked.status != S.INSPECTION:
        raise ValidationError(
            _("The application is not under inspection."), code="not_in_inspection"
        )
    if not (findings or "").strip():
        raise ValidationError(_("Write down what was found at the premises."), code="no_findings")
    visited_at = visited_at or timezone.now()
    if visited_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError(_("The visit cannot be in the future."), code="future_visit")
    kind = DocumentKind.INSPECTION_PHOTO
    # Every photo is checked before anything is created or stored: a bad one refuses the
    # whole visit and leaves no file behind.
    checked_photos = [_checked(photo, kind=kind) for photo in photos]
    inspection = Inspection.objects.create(
        application=locked, inspector=inspector, visited_at=visited_at, findings=findings.strip()
    )
    stored: list[ApplicationDocument] = []
    try:
        for data, name, checked in checked_photos:
            stored.append(
                _store_document(
                    locked,
                    kind=kind,
                    data=data,
                    name=name,
                    checked=checked,
                    actor=inspector,
                    inspection=inspection,
                )
            )
    except Exception:
        for document in stored:
            if document.file.name:
                document.file.storage.delete(document.file.name)
        raise
    audit.record(
        action="trade_licence.inspected",
        obj=locked,
        actor=inspector,
        after={
            "inspection": inspection.pk,
            "visited_at": visited_at,
            "findings": inspection.findings,
        },
    )
    return inspection


@transaction.atomic
def application_override_dues(*, application: Application, officer, reason: str) -> Application:
    """Let an application whose owned holding owes holding tax be approved, with a reason
    (licence officers only)."""
    locked = _lock(application)
    if not _has(officer, (APPROVE,)):
        raise ValidationError(
            _("Only a licence officer can approve despite holding-tax dues."), code="forbidden"
        )
    if not (reason or "").strip():
        raise ValidationError(
            _("Give the reason for approving despite the dues."), code="no_reason"
        )
    if locked.status not in (S.SUBMITTED, S.INSPECTION, S.APPROVAL):
        raise ValidationError(
            _("The application is not waiting for a decision."), code="bad_status"
        )
    before = locked.dues_override_reason
    locked.dues_override_reason = reason.strip()
    locked.save(update_fields=["dues_override_reason", "updated_at"])
    audit.record(
        action="trade_licence.dues_override",
        obj=locked,
        actor=officer,
        reason=reason,
        before={"dues_override_reason": before},
        after={"dues_override_reason": locked.dues_override_reason},
    )
    return _sync(locked, application)


def _bill_lines(lines: list[fees.FeeLine], fiscal_year: str) -> list[LineSpec]:
    """Bill lines, an arrears year's each on its own line ("বকেয়া ২০২৫-২৬: ট্রেড লাইসেন্স
    ফি" / "Arrears 2025-26: Trade licence fee"), owed for that year; the others for the
    year applied for."""
    return [
        LineSpec(
            head=line.head,
            amount=line.amount,
            description_bn=fees.line_label(line, bengali=True),
            description_en=fees.line_label(line, bengali=False),
            explanation=line.rule,
            explanation_data=[line.rule_data] if line.rule_data else [],
            period=line.arrears_year or fiscal_year,
            arrears=bool(line.arrears_year),
        )
        for line in lines
    ]


def application_dues(application: Application, lines: Iterable[fees.FeeLine] = ()) -> list[str]:
    """What a licence bill claims: the business's licence year (new or renewal) and every
    skipped year its `lines` bill as arrears, or the transfer itself — so a year's licence
    fee, arrears included, is never billed twice."""
    if application.kind == Application.Kind.TRANSFER:
        return [f"transfer:{application.pk}"]
    years = {application.fiscal_year} | {line.arrears_year for line in lines if line.arrears_year}
    return [licence_year_due(application.business_id, year) for year in sorted(years)]


def _bill_period(application: Application) -> tuple[str, str]:
    """The bill's period in English and Bengali, with the licence it renews (so a clerk
    finds it by that number)."""
    previous = (
        _previous_licence(application.business, application.fiscal_year)
        if application.kind == Application.Kind.RENEWAL
        else None
    )
    fy = application.fiscal_year
    if previous is None:
        return f"FY {fy}", f"অর্থবছর {to_bengali_digits(fy)}"
    return (
        f"FY {fy} (renews {previous.number})",
        f"অর্থবছর {to_bengali_digits(fy)} ({previous.number} নবায়ন)",
    )


@transaction.atomic
def application_issue_bill(
    *, application: Application, actor, today: date | None = None
) -> Application:
    """The licence officer approves: the fee bill is created through payments from the
    year's schedule (each line explains its rule) and the application is billed. An owned
    holding with holding-tax dues stops it unless an officer recorded an override."""
    locked = _lock(application)
    _check_move(locked.status, S.BILLED)  # only from approval
    if not _has(actor, STEP_PERMISSIONS[(S.APPROVAL, S.BILLED)]):
        raise ValidationError(
            _("Only a licence officer can approve a trade licence."), code="forbidden"
        )
    business = locked.business
    if business.premises_owned and not locked.dues_override_reason:
        check = holding_check(ward=business.holding_ward, number=business.holding_number)
        if check.has_dues:
            raise ValidationError(
                _(
                    "Holding %(holding)s owes holding tax. It must be paid first, or a licence "
                    "officer must record a reason to approve anyway."
                )
                % {"holding": localize_digits(check.label)},
                code="holding_dues",
            )
    today = today or timezone.localdate()
    lines = fee_lines(locked, paid_on=today)
    schedule = schedule_for(locked.fiscal_year)
    if locked.kind == Application.Kind.RENEWAL:
        due = max(fees.surcharge_grows_after(today, schedule.effective_renewal_deadline), today)
    else:
        due = today + timedelta(days=NEW_BILL_DAYS)
    bill = bill_issue(
        service=SERVICE,
        subject_type=SUBJECT_TYPE,
        subject_id=locked.pk,
        dues=application_dues(locked, lines),
        lines=_bill_lines(lines, locked.fiscal_year),
        fiscal_year_label=locked.fiscal_year,
        due_date=due,
        payer=business.trader,
        payer_name=locked.trader_name_en or locked.trader_name_bn,
        payer_mobile=locked.trader_mobile,
        ward=business.ward,
        # The business alone: receipts and the verify page put the service before it.
        subject_label_bn=business.name_bn or business.name_en,
        subject_label_en=business.name_en or business.name_bn,
        period_label=_bill_period(locked)[0],
        period_label_bn=_bill_period(locked)[1],
        actor=actor,
    )
    locked.bill = bill
    _move(
        locked,
        S.BILLED,
        actor=actor,
        reason=f"bill {bill.number}",
        extra_fields=("bill",),
        audit_after={
            "bill": bill.number,
            "total": bill.total,
            "lines": [[line.head, line.amount, line.rule] for line in lines],
        },
        amount=bill.total,
        bill=bill.number,
        due=due,
    )
    return _sync(locked, application)


@transaction.atomic
def renewal_bill_refresh(*, application: Application, today: date | None = None) -> Bill | None:
    """A late renewal's bill grows by itself: once its due date (the end of the month the
    surcharge was computed for) has passed, the open bill is superseded by one with this
    month's surcharge — unless a payment on it is under way. Money paid on the old bill
    meanwhile becomes a credit, never lost. Returns the new bill, or None when nothing
    changed."""
    today = today or timezone.localdate()
    locked = _lock(application)
    bill = locked.bill
    if (
        locked.status != S.BILLED
        or locked.kind != Application.Kind.RENEWAL
        or bill is None
        or bill.status != Bill.Status.OPEN
        or bill.due_date >= today
    ):
        return None
    lines = fee_lines(locked, paid_on=today)
    schedule = schedule_for(locked.fiscal_year)
    due = max(fees.surcharge_grows_after(today, schedule.effective_renewal_deadline), today)
    try:
        new = bill_supersede(
            bill=bill,
            lines=_bill_lines(lines, locked.fiscal_year),
            due_date=due,
            reason="late renewal: surcharge for this month",
        )
    except BillBusy:
        return None  # the trader is paying it now; tomorrow's run looks again
    locked.bill = new
    locked.save(update_fields=["bill", "updated_at"])
    audit.record(
        action="trade_licence.bill_refreshed",
        obj=locked,
        before={"bill": bill.number, "total": bill.total},
        after={"bill": new.number, "total": new.total},
    )
    notify_trader(locked, "billed", amount=new.total, bill=new.number, due=due)
    _sync(locked, application)
    return new


def refresh_late_renewal_bills(today: date | None = None) -> int:
    """Beat: every late renewal bill whose month has passed gets this month's surcharge."""
    today = today or timezone.localdate()
    stale = Application.objects.filter(
        status=S.BILLED,
        kind=Application.Kind.RENEWAL,
        bill__status=Bill.Status.OPEN,
        bill__due_date__lt=today,
    )
    return sum(1 for a in stale.iterator() if renewal_bill_refresh(application=a, today=today))
