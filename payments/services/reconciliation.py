"""Gateway settlement reconciliation: the revenue officer imports the gateway's transaction
and settlement report (CSV or XLSX) and every transaction in it is compared with the payment
of the same tran_id here.

Columns (first row, any order, other columns skipped; docs/revenue.md):
``tran_id``, ``amount``, ``store_amount`` (what the gateway pays the city after its fee),
``tran_date`` and ``status`` are required; ``val_id``, ``card_type``, ``bank_tran_id`` and
``settlement_date`` are read when present. Amounts in taka with at most two decimals
(Bengali digits and thousands separators accepted); dates as the gateway writes them,
"2026-11-05 14:03:22" in Dhaka time, or an Excel date.

Outcomes (SettlementRow.Outcome): in both and agreeing — the gateway's fee (amount − store
amount) is recorded on the payment; money taken at the gateway but not recorded here (an
unknown tran_id, or a payment here still open, expired, failed or cancelled); amount
differing; status differing; not paid on either side. Online payments settled here on the
report's days but absent from it are "here only". Each difference becomes one
ReconciliationCase per transaction and kind; the officer resolves it with a note, and a
case of money taken but not recorded is settled through the normal path once the gateway's
transaction query confirms it (`case_ask_gateway`). Nothing here moves money by itself:
settling goes through payments.services.online; imports and resolutions are audited.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import audit
from core.digits import localize_digits, to_ascii_digits
from core.roles import perm
from core.tabular import read_table

from ..models import Payment, ReconciliationCase, SettlementImport, SettlementRow
from .ledger import PaymentError
from .online import payment_reconcile

COLUMNS = (
    "tran_id",
    "val_id",
    "amount",
    "store_amount",
    "card_type",
    "bank_tran_id",
    "tran_date",
    "settlement_date",
    "status",
)
REQUIRED = ("tran_id", "amount", "store_amount", "tran_date", "status")
#: Statuses the gateway writes in its report, and what they mean here.
PAID = frozenset({"VALID", "VALIDATED"})
REFUNDED = frozenset({"REFUNDED"})
STATUSES = PAID | REFUNDED | frozenset({"FAILED", "CANCELLED", "EXPIRED", "UNATTEMPTED"})
MAX_ROWS = 200_000
MAX_BYTES = 40 * 1024 * 1024
#: How many rows' problems a refusal lists.
SHOWN_PROBLEMS = 20
CENT = Decimal("0.01")

Outcome = SettlementRow.Outcome
Kind = ReconciliationCase.Kind
#: Payments here that count as money not (or no longer) taken.
NOT_TAKEN = frozenset(
    {
        Payment.Status.INITIATED,
        Payment.Status.PENDING,
        Payment.Status.EXPIRED,
        Payment.Status.FAILED,
        Payment.Status.CANCELLED,
    }
)
CASE_OF: dict[str, str] = {
    Outcome.REPORT_ONLY: Kind.REPORT_ONLY,
    Outcome.AMOUNT: Kind.AMOUNT,
    Outcome.STATUS: Kind.STATUS,
}


class ReportRefused(PaymentError):
    """The file cannot be imported: every problem found, in the officer's language."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ReportRow:
    line_no: int
    tran_id: str
    val_id: str
    amount: Decimal
    store_amount: Decimal
    card_type: str
    bank_tran_id: str
    tran_date: datetime.datetime
    settlement_date: datetime.date | None
    status: str

    @property
    def day(self) -> datetime.date:
        return timezone.localtime(self.tran_date).date()


# --- reading the file -----------------------------------------------------------------------


def _money(text: str) -> Decimal | None:
    cleaned = to_ascii_digits(text).replace(",", "").replace("৳", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value != value.quantize(CENT):
        return None
    return value.quantize(CENT)


def _moment(text: str) -> datetime.datetime | None:
    try:
        value = datetime.datetime.fromisoformat(to_ascii_digits(text).strip())
    except ValueError:
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return value


def _day(text: str) -> datetime.date | None:
    moment = _moment(text)
    return moment.date() if moment is not None else None


def _row(number: int, values: dict[str, str], problems: list[str]) -> ReportRow | None:
    tran_id = values["tran_id"].strip()
    if not tran_id:
        problems.append(_("tran_id is empty."))
    elif len(tran_id) > 30:
        problems.append(_("tran_id is longer than 30 characters."))
    amount = _money(values["amount"])
    if amount is None or amount == 0:
        problems.append(
            _("amount “%(value)s” is not a sum of money in taka.") % {"value": values["amount"]}
        )
    store_amount = _money(values["store_amount"])
    if store_amount is None:
        problems.append(
            _("store_amount “%(value)s” is not a sum of money in taka.")
            % {"value": values["store_amount"]}
        )
    elif amount is not None and store_amount > amount:
        problems.append(_("store_amount is more than the amount."))
    tran_date = _moment(values["tran_date"])
    if tran_date is None:
        problems.append(
            _("tran_date “%(value)s” is not a date and time (2026-11-05 14:03:22).")
            % {"value": values["tran_date"]}
        )
    settlement_date = _day(values["settlement_date"]) if values["settlement_date"] else None
    if values["settlement_date"] and settlement_date is None:
        problems.append(
            _("settlement_date “%(value)s” is not a date (2026-11-06).")
            % {"value": values["settlement_date"]}
        )
    status = values["status"].strip().upper()
    if status not in STATUSES:
        problems.append(
            _("status “%(value)s” is not one the gateway reports (%(known)s).")
            % {"value": values["status"], "known": ", ".join(sorted(STATUSES))}
        )
    if problems or amount is None or store_amount is None or tran_date is None:
        return None
    return ReportRow(
        line_no=number,
        tran_id=tran_id,
        val_id=values["val_id"].strip()[:100],
        amount=amount,
        store_amount=store_amount,
        card_type=values["card_type"].strip()[:100],
        bank_tran_id=values["bank_tran_id"].strip()[:100],
        tran_date=tran_date,
        settlement_date=settlement_date,
        status=status,
    )


def read_report(file_obj: IO[bytes] | bytes, filename: str) -> list[ReportRow]:
    """The rows of a settlement report; ReportRefused listing what is wrong (nothing read)."""
    table = read_table(
        file_obj,
        filename,
        columns=COLUMNS,
        required=REQUIRED,
        max_rows=MAX_ROWS,
        max_cell=100,
        max_bytes=MAX_BYTES,
        ignore_unknown=True,
    )
    if not table.ok:
        raise ReportRefused(table.errors)
    rows: list[ReportRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, values in table.rows:
        found = list(table.row_errors.get(number, []))
        row = _row(number, values, found)
        if row is not None and row.tran_id in seen:
            found.append(
                _("tran_id %(tran_id)s is already on row %(row)s.")
                % {"tran_id": row.tran_id, "row": localize_digits(seen[row.tran_id])}
            )
        if found or row is None:
            problems.append(
                _("Row %(row)s: %(problems)s")
                % {"row": localize_digits(number), "problems": " ".join(found)}
            )
            if len(problems) >= SHOWN_PROBLEMS:
                problems.append(_("Correct these rows and look for more of the same."))
                break
            continue
        seen[row.tran_id] = number
        rows.append(row)
    if problems:
        raise ReportRefused(problems)
    return rows


# --- comparing ------------------------------------------------------------------------------


def compare(row: ReportRow, payment: Payment | None) -> str:
    """How the gateway's row and the payment here agree (an Outcome value)."""
    reported_paid = row.status in PAID
    if payment is None:
        return Outcome.REPORT_ONLY if reported_paid else Outcome.UNPAID
    if row.amount != payment.amount:
        return Outcome.AMOUNT
    ours = payment.status
    if reported_paid:
        if ours == Payment.Status.SUCCEEDED:
            return Outcome.MATCHED
        return Outcome.REPORT_ONLY if ours in NOT_TAKEN else Outcome.STATUS
    if row.status in REFUNDED:
        return Outcome.MATCHED if ours == Payment.Status.REFUNDED else Outcome.STATUS
    return Outcome.UNPAID if ours in NOT_TAKEN or ours == Payment.Status.VOIDED else Outcome.STATUS


def _day_bounds(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, ...]:
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    return start, end


def settled_here_only(
    first: datetime.date, last: datetime.date, reported: Iterable[str]
) -> QuerySet[Payment]:
    """Online payments settled here on the days [first, last] that the report does not list."""
    start, end = _day_bounds(first, last)
    settled = set(
        Payment.objects.filter(
            channel=Payment.Channel.ONLINE,
            status=Payment.Status.SUCCEEDED,
            settled_at__gte=start,
            settled_at__lt=end,
        ).values_list("tran_id", flat=True)
    )
    return Payment.objects.filter(tran_id__in=settled - set(reported)).order_by("settled_at")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _already(digest: str) -> PaymentError:
    earlier = SettlementImport.objects.select_related("imported_by").filter(digest=digest).first()
    if earlier is None:  # the other import is still being written
        return PaymentError(_("This report is being imported by another officer right now."))
    return PaymentError(
        _("This report was imported already, on %(when)s by %(who)s.")
        % {
            "when": localize_digits(timezone.localtime(earlier.imported_at).strftime("%d-%m-%Y")),
            "who": earlier.imported_by.display_name,
        }
    )


def import_report(*, file_obj: IO[bytes] | bytes, filename: str, officer: Any) -> SettlementImport:
    """Import a settlement report, compare it row by row, record the gateway's fees and open
    one case per difference — all in one transaction, or nothing (ReportRefused / PaymentError
    saying why). The same file twice is refused."""
    if not officer.has_perm(perm("void_payments")):
        raise PaymentError(_("Only a revenue officer can import a settlement report."))
    data = file_obj if isinstance(file_obj, bytes) else file_obj.read(MAX_BYTES + 1)
    digest = _digest(data)
    if SettlementImport.objects.filter(digest=digest).exists():
        raise _already(digest)
    rows = read_report(data, filename)
    days = [row.day for row in rows]
    with transaction.atomic():
        try:
            with transaction.atomic():
                settlement = SettlementImport.objects.create(
                    file_name=filename[:200],
                    digest=digest,
                    imported_by=officer,
                    first_day=min(days),
                    last_day=max(days),
                )
        except IntegrityError:
            raise _already(digest) from None
        payments = Payment.objects.in_bulk([row.tran_id for row in rows], field_name="tran_id")
        lines = [
            SettlementRow(
                settlement=settlement,
                line_no=row.line_no,
                tran_id=row.tran_id,
                val_id=row.val_id,
                amount=row.amount,
                store_amount=row.store_amount,
                card_type=row.card_type,
                bank_tran_id=row.bank_tran_id,
                tran_date=row.tran_date,
                settlement_date=row.settlement_date,
                status=row.status,
                payment=payments.get(row.tran_id),
                outcome=compare(row, payments.get(row.tran_id)),
            )
            for row in rows
        ]
        SettlementRow.objects.bulk_create(lines, batch_size=5000)
        fees = _record_fees(lines)
        here_only = list(
            settled_here_only(settlement.first_day, settlement.last_day, payments.keys())
        )
        opened = _open_cases(settlement, lines, here_only)
        closed = _close_agreeing_cases(settlement, lines, officer)
        summary: dict[str, Any] = dict(Counter(str(line.outcome) for line in lines))
        summary.update(
            rows=len(lines),
            here_only=len(here_only),
            cases_opened=opened,
            cases_closed=closed,
            fees=str(fees),
        )
        settlement.summary = summary
        settlement.save(update_fields=["summary"])
        audit.record(action="settlement.imported", obj=settlement, actor=officer, after=summary)
    return settlement


def _record_fees(lines: list[SettlementRow]) -> Decimal:
    """The gateway's fee on each agreeing payment (amount − store amount); their total."""
    changed = []
    total = Decimal("0.00")
    for line in lines:
        if line.outcome != Outcome.MATCHED or line.payment is None:
            continue
        total += line.fee
        if line.payment.gateway_fee != line.fee:
            line.payment.gateway_fee = line.fee
            changed.append(line.payment)
    Payment.objects.bulk_update(changed, ["gateway_fee"], batch_size=5000)
    return total


def _open_cases(
    settlement: SettlementImport, lines: list[SettlementRow], here_only: list[Payment]
) -> int:
    """One case per difference, unless the same transaction already has one of its kind."""
    cases = [
        ReconciliationCase(
            kind=CASE_OF[line.outcome],
            tran_id=line.tran_id,
            day=timezone.localtime(line.tran_date).date(),
            payment=line.payment,
            row=line,
            settlement=settlement,
        )
        for line in lines
        if line.outcome in CASE_OF
    ] + [
        ReconciliationCase(
            kind=Kind.HERE_ONLY,
            tran_id=payment.tran_id,
            day=timezone.localtime(payment.settled_at or payment.created_at).date(),
            payment=payment,
            settlement=settlement,
        )
        for payment in here_only
    ]
    before = ReconciliationCase.objects.filter(settlement=settlement).count()
    ReconciliationCase.objects.bulk_create(cases, batch_size=5000, ignore_conflicts=True)
    return ReconciliationCase.objects.filter(settlement=settlement).count() - before


def _close_agreeing_cases(
    settlement: SettlementImport, lines: list[SettlementRow], officer: Any
) -> int:
    """Open cases of transactions this report shows agreeing are resolved by it."""
    agreeing = [line.tran_id for line in lines if line.outcome == Outcome.MATCHED]
    note = _("Resolved by the settlement report %(file)s: the gateway and the ledger agree.") % {
        "file": settlement.file_name
    }
    return ReconciliationCase.objects.filter(
        tran_id__in=agreeing, status=ReconciliationCase.Status.OPEN
    ).update(
        status=ReconciliationCase.Status.RESOLVED,
        note=note,
        resolved_by=officer,
        resolved_at=timezone.now(),
    )


# --- resolving cases ------------------------------------------------------------------------


def _locked_open(case: ReconciliationCase) -> ReconciliationCase:
    locked = ReconciliationCase.objects.select_for_update().get(pk=case.pk)
    if locked.status != ReconciliationCase.Status.OPEN:
        raise PaymentError(_("This case is resolved already."))
    return locked


def _resolve(locked: ReconciliationCase, *, officer: Any, note: str, action: str) -> None:
    locked.status = ReconciliationCase.Status.RESOLVED
    locked.note = note
    locked.resolved_by = officer
    locked.resolved_at = timezone.now()
    locked.save(update_fields=["status", "note", "resolved_by", "resolved_at"])
    audit.record(
        action=action,
        obj=locked,
        actor=officer,
        before={"status": ReconciliationCase.Status.OPEN},
        after={"status": locked.status, "payment": locked.payment_id},
        reason=note,
    )


def case_resolve(*, case: ReconciliationCase, officer: Any, note: str) -> ReconciliationCase:
    """Resolve a case with the officer's note (required; audited). Money is not moved here:
    a void, refund or release is made on the payment's own page first."""
    if not officer.has_perm(perm("void_payments")):
        raise PaymentError(_("Only a revenue officer can resolve a reconciliation case."))
    note = note.strip()
    if not note:
        raise PaymentError(_("Write what was found and done; the note is kept in the audit log."))
    with transaction.atomic():
        locked = _locked_open(case)
        _resolve(locked, officer=officer, note=note[:2000], action="reconciliation.resolved")
    return locked


def case_ask_gateway(*, case: ReconciliationCase, officer: Any) -> str:
    """Money taken at the gateway, not recorded here: ask the gateway's transaction query
    about the payment; if it confirms, the payment is settled through the normal path
    (payment_reconcile) and the case resolved. Returns the payment's status afterwards."""
    if not officer.has_perm(perm("void_payments")):
        raise PaymentError(_("Only a revenue officer can resolve a reconciliation case."))
    if case.kind != Kind.REPORT_ONLY:
        raise PaymentError(_("Only money taken at the gateway and not recorded here is asked."))
    if case.payment is None:
        raise PaymentError(
            _(
                "No payment here has this transaction id, so there is nothing to settle: "
                "find out with the gateway and resolve the case with a note."
            )
        )
    if case.status != ReconciliationCase.Status.OPEN:
        raise PaymentError(_("This case is resolved already."))
    status = payment_reconcile(payment=case.payment)
    if status == "unavailable":
        raise PaymentError(_("The gateway did not answer; try again in a few minutes."))
    if status != Payment.Status.SUCCEEDED:
        raise PaymentError(
            _("The gateway did not confirm the payment (it is now %(status)s here).")
            % {"status": Payment.Status(status).label}
        )
    with transaction.atomic():
        try:
            locked = _locked_open(case)
        except PaymentError:
            return status  # another officer's click resolved it: settled once all the same
        _resolve(
            locked,
            officer=officer,
            note=_("The gateway confirmed the payment; it was settled through the normal path."),
            action="reconciliation.settled",
        )
    return status


def open_cases_count() -> int:
    return ReconciliationCase.objects.filter(status=ReconciliationCase.Status.OPEN).count()


def outcome_counts(settlement: SettlementImport) -> list[tuple[str, str, int]]:
    """(outcome, label, how many) in the order of the outcomes, for the import's page."""
    summary = settlement.summary or {}
    return [(value, str(label), int(summary.get(value, 0))) for value, label in Outcome.choices]


def cases_label(count: int) -> str:
    return ngettext("%(n)s open case", "%(n)s open cases", count) % {"n": localize_digits(count)}
