"""Refunds: RefundResult, initiate_refund (never retried) and query_refund (retried)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import fields
from .errors import GatewayError, GatewayRejected
from .protocol import (
    CENT,
    MAX_AMOUNT,
    MAX_TRAN_ID_LENGTH,
    MAX_VALUE_FIELD_LENGTH,
    MERCHANT_TRANS_PATH,
)
from .transport import Transport


@dataclass(frozen=True)
class RefundResult:
    status: str
    refund_ref_id: str
    bank_tran_id: str
    trans_id: str
    error_reason: str
    raw: dict[str, Any] = field(repr=False)

    @property
    def is_failed(self) -> bool:
        return self.status.lower() == "failed"


def _refund_result(raw: dict[str, Any]) -> RefundResult:
    return RefundResult(
        status=fields.text(raw.get("status")).lower(),
        refund_ref_id=fields.text(raw.get("refund_ref_id")),
        bank_tran_id=fields.text(raw.get("bank_tran_id")),
        trans_id=fields.text(raw.get("trans_id")),
        error_reason=fields.text(raw.get("errorReason")),
        raw=raw,
    )


class RefundCalls(Transport):
    """The refund APIs of :class:`~payments.gateways.sslcommerz.SSLCommerzClient`."""

    def initiate_refund(
        self,
        *,
        bank_tran_id: str,
        refund_amount: Decimal,
        refund_remarks: str,
        refund_trans_id: str,
    ) -> RefundResult:
        """Ask for a refund. Not retried (it creates state at the gateway).

        Returns the answer for status success/processing; raises GatewayRejected when
        the gateway answers failed (``exc.result`` holds the RefundResult).
        """
        amount = fields.money("refund_amount", refund_amount, low=CENT, high=MAX_AMOUNT)
        fields.required_text("bank_tran_id", bank_tran_id)
        fields.required_text("refund_remarks", refund_remarks, max_length=MAX_VALUE_FIELD_LENGTH)
        fields.required_text("refund_trans_id", refund_trans_id, max_length=MAX_TRAN_ID_LENGTH)
        raw = self._request_json(
            "GET",
            MERCHANT_TRANS_PATH,
            self._auth(
                {
                    "bank_tran_id": bank_tran_id,
                    "refund_amount": amount,
                    "refund_remarks": refund_remarks,
                    "refund_trans_id": refund_trans_id,
                }
            ),
            retry=False,
        )
        self._check_api_connect(raw, "refund")
        result = _refund_result(raw)
        if result.status == "failed":
            reason = result.error_reason or "no reason given"
            raise GatewayRejected(
                self._clean(f"SSLCommerz refused the refund {refund_trans_id}: {reason}"),
                result=result,
            )
        if result.status not in {"success", "processing"}:
            raise GatewayError(
                self._clean(
                    f"SSLCommerz refund answer for {refund_trans_id} has unexpected "
                    f"status {result.status or 'missing'!r}"
                )
            )
        return result

    def query_refund(self, refund_ref_id: str) -> RefundResult:
        """Status of a refund by the gateway's refund_ref_id. Retried."""
        fields.required_text("refund_ref_id", refund_ref_id)
        raw = self._request_json(
            "GET",
            MERCHANT_TRANS_PATH,
            self._auth({"refund_ref_id": refund_ref_id}),
            retry=True,
        )
        self._check_api_connect(raw, "refund query")
        return _refund_result(raw)
