"""The simulated gateway's transaction and settlement report (what a merchant downloads from
the gateway's panel), with mismatches planted on request for reconciliation tests and demos.

Columns as payments.services.reconciliation reads them. Every session paid on the days
asked (Dhaka time) is a row: VALID or VALIDATED, REFUNDED once refunded in full; the store
amount is the amount less the gateway's fee, settled the next day. Planted mismatches:
`omit` drops transactions (they become "here only"), `amounts` reports another amount,
`statuses` another status.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Collection, Mapping
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from .models import SimulatedTransaction
from .models.protocol import gateway_time

COLUMNS = [
    "tran_id",
    "val_id",
    "amount",
    "store_amount",
    "card_type",
    "bank_tran_id",
    "tran_date",
    "settlement_date",
    "status",
]


def report_rows(
    first: datetime.date,
    last: datetime.date,
    *,
    omit: Collection[str] = (),
    amounts: Mapping[str, Decimal] | None = None,
    statuses: Mapping[str, str] | None = None,
) -> list[dict[str, str]]:
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    amounts, statuses = amounts or {}, statuses or {}
    rows = []
    paid = SimulatedTransaction.objects.paid().filter(paid_at__gte=start, paid_at__lt=end)
    for txn in paid.order_by("paid_at", "pk"):
        if txn.tran_id in omit:
            continue
        status = txn.status
        if txn.refundable_amount() == 0:
            status = "REFUNDED"
        amount = amounts.get(txn.tran_id, txn.amount)
        paid_day = (txn.paid_at or start).astimezone(zone).date()
        rows.append(
            {
                "tran_id": txn.tran_id,
                "val_id": txn.val_id,
                "amount": f"{amount:.2f}",
                "store_amount": f"{txn.store_amount:.2f}",
                "card_type": txn.card_type,
                "bank_tran_id": txn.bank_tran_id,
                "tran_date": gateway_time(txn.paid_at),
                "settlement_date": (paid_day + datetime.timedelta(days=1)).isoformat(),
                "status": statuses.get(txn.tran_id, status),
            }
        )
    return rows


def as_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Transactions")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row[c] for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
