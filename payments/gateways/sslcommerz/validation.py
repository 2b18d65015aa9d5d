"""Did the money arrive: validate, query_transaction, their results and pick_settled."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import fields
from .errors import GatewayUnavailable
from .protocol import MAX_TRAN_ID_LENGTH, MERCHANT_TRANS_PATH, SETTLED_STATUSES, VALIDATION_PATH
from .transport import Transport


@dataclass(frozen=True, kw_only=True)
class ValidationResult:
    """The gateway's word on one payment attempt (validation API)."""

    status: str
    tran_id: str
    val_id: str
    amount: Decimal | None
    currency: str
    store_amount: Decimal | None
    bank_tran_id: str
    risk_level: int
    risk_title: str
    raw: dict[str, Any] = field(repr=False)

    @property
    def is_valid(self) -> bool:
        return self.status in SETTLED_STATUSES


@dataclass(frozen=True, kw_only=True)
class TransactionRecord(ValidationResult):
    """One attempt listed by the transaction query, with its date."""

    tran_date: str


def pick_settled(records: Iterable[TransactionRecord]) -> TransactionRecord | None:
    """Return the VALID/VALIDATED attempt among a tran_id's records, or None."""
    for record in records:
        if record.is_valid:
            return record
    return None


def _record_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "status": fields.text(raw.get("status")).upper(),
        "tran_id": fields.text(raw.get("tran_id")),
        "val_id": fields.text(raw.get("val_id")),
        "amount": fields.decimal(raw.get("amount")),
        "currency": fields.text(raw.get("currency")),
        "store_amount": fields.decimal(raw.get("store_amount")),
        "bank_tran_id": fields.text(raw.get("bank_tran_id")),
        "risk_level": fields.risk_level(raw.get("risk_level")),
        "risk_title": fields.text(raw.get("risk_title")),
    }


class ValidationCalls(Transport):
    """The validation and transaction-query APIs (read-only, retried)."""

    def validate(self, val_id: str) -> ValidationResult:
        """Ask the Order Validation API about ``val_id``. Retried.

        An answer such as INVALID_TRANSACTION is returned (``is_valid`` is False);
        the caller still has to compare tran_id, currency and amount with its record.
        """
        fields.required_text("val_id", val_id)
        raw = self._request_json(
            "GET",
            VALIDATION_PATH,
            self._auth({"val_id": val_id}),
            retry=True,
        )
        self._check_api_connect(raw, "validation")
        return ValidationResult(**_record_fields(raw), raw=raw)

    def query_transaction(self, tran_id: str) -> list[TransactionRecord]:
        """All attempts the gateway knows for ``tran_id`` (see :func:`pick_settled`)."""
        fields.required_text("tran_id", tran_id, max_length=MAX_TRAN_ID_LENGTH)
        raw = self._request_json(
            "GET",
            MERCHANT_TRANS_PATH,
            self._auth({"tran_id": tran_id}),
            retry=True,
        )
        self._check_api_connect(raw, "transaction query")
        elements = raw.get("element")
        if elements is None:
            return []
        if not isinstance(elements, list) or not all(isinstance(e, dict) for e in elements):
            raise GatewayUnavailable("SSLCommerz transaction query answer is malformed")
        return [
            TransactionRecord(
                **_record_fields(element),
                tran_date=fields.text(element.get("tran_date")),
                raw=element,
            )
            for element in elements
        ]
