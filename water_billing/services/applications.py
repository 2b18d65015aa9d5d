"""Applications for a new connection: filed from home or at the counter on a registered
holding without holding-tax dues (asked through holdings.public), with papers checked by
content (core.uploads); the water officer approves — the connection fee by pipe size and the
road-cutting fee billed through payments (bill_issue, the one bill path) — or rejects with a
reason; the fee paid (registry hook), the meter installed with its first reading and the
connection opened (connection_set_status). An SMS at each step."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core import audit
from core.digits import localize_digits, to_bengali_digits
from core.explain import because, explain, number, taka
from core.explain import day as explain_day
from core.fiscal import fiscal_year
from core.status import check_transition
from core.uploads import MAX_DOCUMENT_BYTES, check_document
from core.validators import normalize_mobile
from holdings.public import holding_check
from payments.models import Bill
from payments.services import LineSpec, PaymentError, bill_issue

from ..models import (
    Connection,
    ConnectionApplication,
    ConnectionDocument,
    DocumentKind,
    TariffPipe,
)
from ..notify import notify_case
from ..selectors import tariff_on
from ._common import record
from .connections import connection_register, connection_set_status
from .meters import meter_install

A = ConnectionApplication.Status
SERVICE = "water_billing"
SUBJECT_TYPE = "application"
REQUIRED_DOCUMENTS = (DocumentKind.NID, DocumentKind.OWNERSHIP)
#: The heads the fees are billed under (payments.RevenueHead).
CONNECTION_FEE_HEAD = "registration_fee"
ROAD_CUTTING_HEAD = "other"

BAD_MOVE = gettext_lazy("An application cannot go from “%(old)s” to “%(new)s”.")


def _lock(application: ConnectionApplication) -> ConnectionApplication:
    return (
        ConnectionApplication.objects.select_for_update(of=("self",))
        .select_related("connection__ward", "applicant")
        .get(pk=application.pk)
    )


def _move(row: ConnectionApplication, to: str, *, actor, reason: str = "", fields=()) -> None:
    before = row.status
    check_transition(
        ConnectionApplication.TRANSITIONS,
        before,
        to,
        choices=A,
        message=BAD_MOVE,
    )
    row.status = to
    row.save(update_fields=["status", "updated_at", *fields])
    record(
        f"application_{to}",
        row,
        actor=actor,
        reason=reason,
        before={"status": before},
        after={"status": to, **{f: str(getattr(row, f)) for f in fields}},
    )


def _notify(row: ConnectionApplication, key: str, **values) -> None:
    notify_case(
        mobile=row.applicant_mobile, user=row.applicant, key=key, ref=row.reference, **values
    )


# --- filing --------------------------------------------------------------------------------


def _read(file) -> tuple[bytes, str, int]:
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_DOCUMENT_BYTES + 1)
    size = max(len(data), int(getattr(file, "size", 0) or 0))
    return data, (getattr(file, "name", "") or "document").rsplit("/", 1)[-1][:200], size


def check_holding(ward, holding_number: str) -> None:
    """ValidationError on "holding_number" unless the holding is registered and owes no
    holding tax (holdings.public.holding_check)."""
    check = holding_check(ward=ward, number=holding_number)
    if not check.found:
        raise ValidationError(
            {
                "holding_number": _("No holding %(number)s is registered in ward %(ward)s.")
                % {"number": localize_digits(holding_number), "ward": localize_digits(ward)}
            },
            code="unknown_holding",
        )
    if check.has_dues:
        raise ValidationError(
            {
                "holding_number": _(
                    "Holding %(holding)s owes holding tax. Pay it first, then apply for the "
                    "water connection."
                )
                % {"holding": localize_digits(check.label)}
            },
            code="holding_dues",
        )


def application_submit(
    *,
    ward,
    holding_number: str,
    applicant_name: str,
    applicant_mobile: str,
    documents: dict,
    actor,
    applicant=None,
    category: str = "residential",
    pipe_diameter_mm: int = 12,
    metered: bool = True,
    sewerage: bool = False,
    road_cutting: bool = False,
    channel: str = ConnectionApplication.Channel.ONLINE,
) -> ConnectionApplication:
    """File an application: the holding checked (registered, no holding-tax dues), every
    required paper checked by content before anything is stored, the connection registered
    ("applied", the ward's next consumer number), the papers stored privately under random
    names; SMS "received". Nothing is kept when any check fails."""
    errors: dict[str, list[str]] = {}
    try:
        check_holding(ward, holding_number)
    except ValidationError as e:
        errors.update(e.message_dict)
    name = (applicant_name or "").strip()
    if not name:
        errors["applicant_name"] = [_("Enter the applicant's name.")]
    try:
        mobile = normalize_mobile(applicant_mobile)
    except ValidationError as e:
        errors["applicant_mobile"] = e.messages
        mobile = ""
    checked = {}
    for kind in REQUIRED_DOCUMENTS:
        file = documents.get(kind)
        if not file:
            errors[f"doc_{kind}"] = [_("Upload this document.")]
            continue
        data, file_name, size = _read(file)
        try:
            checked[kind] = (
                data,
                file_name,
                check_document(data, name=file_name, kind=kind, size=size),
            )
        except ValidationError as e:
            errors[f"doc_{kind}"] = e.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        connection = connection_register(
            ward=ward,
            holding_number=holding_number,
            category=category,
            pipe_diameter_mm=pipe_diameter_mm,
            metered=metered,
            sewerage=sewerage,
            billing_mobile=mobile,
            user=applicant,
            actor=actor,
        )
        application = ConnectionApplication.objects.create(
            connection=connection,
            channel=channel,
            applicant=applicant,
            filed_by=actor,
            applicant_name=name,
            applicant_mobile=mobile,
            road_cutting=bool(road_cutting),
        )
        stored: list[str] = []
        try:
            for kind, (data, file_name, result) in checked.items():
                document = ConnectionDocument(
                    application=application,
                    kind=kind,
                    original_name=file_name,
                    content_type=result.content_type,
                    size=result.size,
                    sha256=result.sha256,
                    uploaded_by=actor,
                )
                document.file.save(
                    f"{uuid.uuid4().hex}{result.extension}", ContentFile(data), save=False
                )
                stored.append(str(document.file.name))
                document.save()
            record(
                "application_submitted",
                application,
                actor=actor,
                after={
                    **audit.snapshot(application),
                    "documents": {k: v[2].sha256 for k, v in checked.items()},
                },
            )
        except Exception:
            for name_ in stored:
                ConnectionDocument.file.field.storage.delete(name_)
            raise
        _notify(
            application,
            "submitted",
            holding=f"{connection.ward.number}/{connection.holding_number}",
        )
    return application


# --- the water officer's decision ----------------------------------------------------------


def fee_lines(application: ConnectionApplication, on: datetime.date) -> list[LineSpec]:
    """The connection fee of the pipe diameter and, when the pipe crosses a road, the
    road-cutting fee, from the tariff in effect on `on` (each line says which)."""
    tariff = tariff_on(on)
    if tariff is None:
        raise ValidationError(_("No water tariff is in effect: set one first."), code="no_tariff")
    pipe_mm = application.connection.pipe_diameter_mm
    pipe = TariffPipe.objects.filter(tariff=tariff, diameter_mm=pipe_mm).first()
    if pipe is None:
        raise ValidationError(
            _("The tariff has no connection fee for a %(mm)s mm pipe.")
            % {"mm": localize_digits(pipe_mm)},
            code="no_pipe_fee",
        )
    why = [
        because(
            gettext_noop("Tariff from %(tariff)s: connection fee of a %(mm)s mm pipe %(fee)s"),
            tariff=explain_day(tariff.effective_from),
            mm=number(pipe_mm),
            fee=taka(pipe.connection_fee),
        )
    ]
    lines = [
        LineSpec(
            head=CONNECTION_FEE_HEAD,
            amount=Decimal(pipe.connection_fee),
            description_bn=f"সংযোগ ফি — {to_bengali_digits(pipe_mm)} মিমি পাইপ",
            description_en=f"Connection fee — {pipe_mm} mm pipe",
            explanation=explain(why, "en"),
            explanation_data=why,
        )
    ]
    if application.road_cutting and tariff.road_cutting_fee > 0:
        why = [
            because(
                gettext_noop("Tariff from %(tariff)s: road-cutting fee %(fee)s"),
                tariff=explain_day(tariff.effective_from),
                fee=taka(tariff.road_cutting_fee),
            )
        ]
        lines.append(
            LineSpec(
                head=ROAD_CUTTING_HEAD,
                amount=Decimal(tariff.road_cutting_fee),
                description_bn="রাস্তা কাটার ফি",
                description_en="Road-cutting fee",
                explanation=explain(why, "en"),
                explanation_data=why,
            )
        )
    return lines


def _issue_fee_bill(row: ConnectionApplication, *, actor, today: datetime.date) -> Bill:
    lines = fee_lines(row, today)
    tariff = tariff_on(today)
    due = today + datetime.timedelta(days=tariff.due_days if tariff else 15)
    conn = row.connection
    try:
        return bill_issue(
            service=SERVICE,
            subject_type=SUBJECT_TYPE,
            subject_id=row.pk,
            dues=[f"connection-fee:{conn.pk}"],
            lines=lines,
            fiscal_year_label=fiscal_year(today),
            due_date=due,
            payer=row.applicant,
            payer_name=row.applicant_name,
            payer_mobile=row.applicant_mobile,
            ward=conn.ward,
            subject_label_bn=f"নতুন পানির সংযোগ {to_bengali_digits(conn.consumer_no)}",
            subject_label_en=f"New water connection {conn.consumer_no}",
            period_label=row.reference,
            period_label_bn=to_bengali_digits(row.reference),
            actor=actor,
        )
    except PaymentError as exc:
        raise ValidationError(str(exc), code="payment_in_progress") from exc


@transaction.atomic
def application_decide(
    *,
    application: ConnectionApplication,
    actor,
    approve: bool,
    reason: str,
    today: datetime.date | None = None,
) -> ConnectionApplication:
    """The water officer's decision, with a reason kept on record. Approve: the holding is
    checked again for dues, the fees are billed (bill_issue) and the applicant is sent the
    amount; reject: the connection is closed. Decided once (the row lock: a second decision
    at the same moment finds it decided and is refused)."""
    if not actor.has_perm("accounts.manage_water"):
        raise ValidationError(_("Only a water officer decides applications."), code="forbidden")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the decision.")}, code="reason")
    row = _lock(application)
    if row.status != A.SUBMITTED:
        raise ValidationError(
            _("This application has been decided already (%(status)s).")
            % {"status": row.get_status_display()},
            code="decided",
        )
    today = today or timezone.localdate()
    row.decided_by, row.decided_at, row.decision_reason = actor, timezone.now(), reason
    if not approve:
        _move(
            row,
            A.REJECTED,
            actor=actor,
            reason=reason,
            fields=("decided_by", "decided_at", "decision_reason"),
        )
        connection_set_status(
            connection=row.connection, to=Connection.Status.CLOSED, reason=reason, actor=actor
        )
        _notify(row, "rejected", reason=reason)
        return row
    conn = row.connection
    check_holding(conn.ward.number, conn.holding_number)
    bill = _issue_fee_bill(row, actor=actor, today=today)
    lines = list(bill.lines.order_by("position"))
    row.bill = bill
    row.connection_fee = next((ln.amount for ln in lines if ln.head == CONNECTION_FEE_HEAD), None)
    row.road_cutting_fee = next((ln.amount for ln in lines if ln.head == ROAD_CUTTING_HEAD), None)
    _move(
        row,
        A.BILLED,
        actor=actor,
        reason=reason,
        fields=(
            "decided_by",
            "decided_at",
            "decision_reason",
            "bill",
            "connection_fee",
            "road_cutting_fee",
        ),
    )
    _notify(row, "approved", amount=bill.total, bill=bill.number, due=bill.due_date)
    return row


# --- the fee bill's life (registry hooks, inside payments' transaction) ----------------------


def application_for_bill(bill: Bill) -> ConnectionApplication | None:
    if bill.subject_type != SUBJECT_TYPE or not str(bill.subject_id).isdigit():
        return None
    return ConnectionApplication.objects.filter(pk=int(bill.subject_id)).first()


def on_fee_paid(bill: Bill) -> None:
    """The fee is paid: the meter can be installed (SMS)."""
    application = application_for_bill(bill)
    if application is None:
        return
    row = _lock(application)
    if row.status != A.BILLED or row.bill_id != bill.pk:
        record("application_bill_paid_late", row, after={"bill": bill.number, "status": row.status})
        return
    _move(row, A.PAID, actor=None, reason=f"bill {bill.number} paid")
    _notify(row, "paid")


def on_fee_cancelled(bill: Bill) -> None:
    """The fee bill was cancelled: the application waits for the officer again."""
    application = application_for_bill(bill)
    if application is None:
        return
    row = _lock(application)
    if row.status == A.BILLED and row.bill_id == bill.pk:
        row.bill = None
        _move(
            row, A.SUBMITTED, actor=None, reason=f"bill {bill.number} cancelled", fields=("bill",)
        )
        _notify(row, "bill_cancelled")


def on_fee_reopened(bill: Bill) -> None:
    """The payment of the fee was voided: unpaid again (a connection already opened stays
    open; the audit row says so for the revenue officer)."""
    application = application_for_bill(bill)
    if application is None:
        return
    row = _lock(application)
    if row.status == A.PAID and row.bill_id == bill.pk:
        _move(row, A.BILLED, actor=None, reason=f"payment of bill {bill.number} voided")
    else:
        record("application_fee_voided", row, after={"bill": bill.number, "status": row.status})


# --- connecting ---------------------------------------------------------------------------


@transaction.atomic
def application_connect(
    *,
    application: ConnectionApplication,
    actor,
    installed_on: datetime.date | str,
    serial: str = "",
    initial_reading: object = 0,
    dial_digits: int = 5,
) -> ConnectionApplication:
    """The fee is paid: the meter is installed with its first reading (metered connections)
    and the connection opened from that day; SMS with the consumer number."""
    if not actor.has_perm("accounts.manage_water"):
        raise ValidationError(_("Only a water officer opens a connection."), code="forbidden")
    row = _lock(application)
    if row.status != A.PAID:
        raise ValidationError(_("A connection is opened once its fee is paid."), code="not_paid")
    conn = row.connection
    if conn.metered and not conn.meters.filter(removed_on__isnull=True).exists():
        meter_install(
            connection=conn,
            serial=serial,
            installed_on=installed_on,
            initial_reading=initial_reading,
            dial_digits=dial_digits,
            actor=actor,
        )
    connection_set_status(
        connection=conn,
        to=Connection.Status.ACTIVE,
        actor=actor,
        on=installed_on,
        reason=f"application {row.reference}",
    )
    row.connected_at = timezone.now()
    _move(row, A.CONNECTED, actor=actor, fields=("connected_at",))
    _notify(row, "connected", number=conn.consumer_no)
    return row
