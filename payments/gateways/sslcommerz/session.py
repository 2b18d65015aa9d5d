"""Checkout sessions: SessionResult and create_session (the session API, never retried)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import fields
from .errors import GatewayError, GatewayRejected
from .protocol import (
    MAX_AMOUNT,
    MAX_TRAN_ID_LENGTH,
    MAX_VALUE_FIELD_LENGTH,
    MIN_AMOUNT,
    SESSION_PATH,
)
from .transport import Transport


@dataclass(frozen=True)
class SessionResult:
    status: str
    sessionkey: str
    gateway_url: str
    failed_reason: str
    raw: dict[str, Any] = field(repr=False)


class SessionCalls(Transport):
    """The session API of :class:`~payments.gateways.sslcommerz.SSLCommerzClient`."""

    def create_session(
        self,
        *,
        tran_id: str,
        total_amount: Decimal,
        currency: str = "BDT",
        success_url: str,
        fail_url: str,
        cancel_url: str,
        ipn_url: str,
        cus_name: str,
        cus_email: str,
        cus_phone: str,
        cus_add1: str,
        cus_city: str,
        cus_postcode: str = "",
        cus_country: str = "Bangladesh",
        product_name: str,
        product_category: str,
        num_of_item: int = 1,
        value_a: str = "",
        value_b: str = "",
        value_c: str = "",
        value_d: str = "",
    ) -> SessionResult:
        """Open a checkout session. Never retried: a timeout leaves the outcome unknown.

        Raises ValueError/TypeError before any request on bad input,
        GatewayRejected on a FAILED answer (``exc.result`` holds the SessionResult),
        GatewayUnavailable when there is no usable answer.
        """
        amount = fields.money("total_amount", total_amount, low=MIN_AMOUNT, high=MAX_AMOUNT)
        fields.required_text("tran_id", tran_id, max_length=MAX_TRAN_ID_LENGTH)
        if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
            raise ValueError("currency must be a three-letter code")
        if isinstance(num_of_item, bool) or not isinstance(num_of_item, int) or num_of_item < 1:
            raise ValueError("num_of_item must be a positive integer")
        form: dict[str, str] = {
            "store_id": self.store_id,
            "store_passwd": self._store_password,
            "tran_id": tran_id,
            "total_amount": amount,
            "currency": currency.upper(),
            "shipping_method": "NO",
            "product_profile": "non-physical-goods",
            "num_of_item": str(num_of_item),
        }
        required = {
            "success_url": success_url,
            "fail_url": fail_url,
            "cancel_url": cancel_url,
            "ipn_url": ipn_url,
            "cus_name": cus_name,
            "cus_email": cus_email,
            "cus_phone": cus_phone,
            "cus_add1": cus_add1,
            "cus_city": cus_city,
            "cus_country": cus_country,
            "product_name": product_name,
            "product_category": product_category,
        }
        for name, value in required.items():
            form[name] = fields.required_text(name, value)
        form["cus_postcode"] = fields.optional_text("cus_postcode", cus_postcode)
        for name, value in (
            ("value_a", value_a),
            ("value_b", value_b),
            ("value_c", value_c),
            ("value_d", value_d),
        ):
            form[name] = fields.optional_text(name, value, max_length=MAX_VALUE_FIELD_LENGTH)

        raw = self._request_json("POST", SESSION_PATH, form, retry=False)
        status = fields.text(raw.get("status")).upper()
        result = SessionResult(
            status=status,
            sessionkey=fields.text(raw.get("sessionkey")),
            gateway_url=fields.text(raw.get("GatewayPageURL")),
            failed_reason=fields.text(raw.get("failedreason")),
            raw=raw,
        )
        if status == "FAILED":
            reason = result.failed_reason or "no reason given"
            raise GatewayRejected(
                self._clean(f"SSLCommerz refused the session for {tran_id}: {reason}"),
                result=result,
            )
        if status != "SUCCESS" or not result.gateway_url:
            raise GatewayError(
                self._clean(
                    f"SSLCommerz session answer for {tran_id} is unusable "
                    f"(status {status or 'missing'!r}, GatewayPageURL "
                    f"{'present' if result.gateway_url else 'missing'})"
                )
            )
        return result
