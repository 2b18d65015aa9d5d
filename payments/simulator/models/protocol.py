"""What the simulated gateway writes: amounts, times, ids, instruments, refusal reasons."""

from __future__ import annotations

import secrets
import string
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone

CENT = Decimal("0.01")
#: The gateway keeps 2.5 % of every payment: store_amount = amount less this share.
GATEWAY_FEE_RATE = Decimal("0.025")
#: An unpaid session older than this is reported as EXPIRED and can no longer be paid.
SESSION_LIFETIME = timedelta(hours=24)

VALUE_FIELDS: tuple[str, ...] = ("value_a", "value_b", "value_c", "value_d")
SESSION_REQUIRED_FIELDS: tuple[str, ...] = (
    "tran_id",
    "total_amount",
    "currency",
    "success_url",
    "fail_url",
    "cancel_url",
    "cus_name",
    "cus_email",
    "cus_add1",
    "cus_city",
    "cus_country",
    "cus_phone",
    "product_name",
    "product_category",
)
URL_FIELDS: tuple[str, ...] = ("success_url", "fail_url", "cancel_url", "ipn_url")
_ALNUM = string.ascii_letters + string.digits

#: What each checkout button does. "fail" is a card payment the bank declines.
INSTRUMENTS: dict[str, dict[str, str]] = {
    "bkash": {
        "card_type": "BKASH-BKash",
        "card_no": "",  # filled from the customer's phone, masked
        "card_issuer": "BKash Mobile Banking",
        "card_brand": "MOBILEBANKING",
    },
    "card": {
        "card_type": "VISA-Dutch Bangla",
        "card_no": "418117XXXXXX6675",
        "card_issuer": "DUTCH-BANGLA BANK LIMITED",
        "card_brand": "VISA",
    },
}
FAILURE_REASONS = {
    "FAILED": "Transaction declined by the issuing bank (simulated)",
    "CANCELLED": "Transaction cancelled by the customer",
}


class SessionRefused(Exception):
    """The session API answers FAILED with this failedreason."""


class RefundRefused(Exception):
    """The refund API answers status "failed" with this errorReason."""


def money_text(value: Decimal) -> str:
    """Two decimals, as the gateway writes amounts: Decimal("10") -> "10.00"."""
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):f}"


def parse_amount(text: Any) -> Decimal | None:
    """A posted amount as Decimal with two places, or None (garbage, <= 0, > 2 places)."""
    if not isinstance(text, str):
        return None
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value <= 0 or value != value.quantize(CENT):
        return None
    return value.quantize(CENT)


def gateway_time(moment: datetime | None) -> str:
    """Local (Asia/Dhaka) time as the gateway writes it: "2020-01-05 22:58:21"."""
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def new_sessionkey() -> str:
    return secrets.token_hex(16).upper()


def new_refund_ref_id() -> str:
    return secrets.token_hex(7)[:13]


def stamped_id() -> str:
    """val_id / bank_tran_id style: local yymmddHHMMSS followed by 15 random characters."""
    stamp = timezone.localtime().strftime("%y%m%d%H%M%S")
    return stamp + "".join(secrets.choice(_ALNUM) for _ in range(15))


def mask_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())[-11:]
    if len(digits) < 6:
        return "01XXXXXXXXX"
    return digits[:3] + "X" * (len(digits) - 5) + digits[-2:]


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)
