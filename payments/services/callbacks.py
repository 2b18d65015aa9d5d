"""What the portal keeps of a gateway callback (IPN or browser return), and how refused
callbacks are counted.

The callback URLs are public: anyone can post anything to them. So

* only the fields SSLCommerz sends (DOMAIN.md, "SSLCommerz payment gateway (v4)") are
  stored, each cut to a sane length (:data:`CALLBACK_FIELDS`); unknown fields are dropped
  and only counted (``"_dropped_fields"``), cut fields are named (``"_cut_fields"``);
* a refused callback (NUL byte, bad signature, unknown tran_id, another store) is counted
  in the cache for the day and logged, and only a small record of it is stored:
  :data:`REFUSED_FIELDS`, each cut to :data:`REFUSED_FIELD_MAX` characters, with the
  counts of what was left out — enough to trace a probe, never the body;
* NUL characters, which PostgreSQL cannot store in text or jsonb, are removed from
  whatever is stored.

The signature is always verified on the values exactly as posted, before any of this.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date

from django.core.cache import cache
from django.utils import timezone

log = logging.getLogger("payments.callbacks")

CALLBACK_FIELD_MAX = 255
#: Field → the longest value kept. verify_key lists the signed field names (~300
#: characters for a real IPN); the signatures are 32 (md5) and 64 (sha256) hex digits.
CALLBACK_FIELDS: dict[str, int] = {
    **{
        name: CALLBACK_FIELD_MAX
        for name in (
            "tran_id",
            "val_id",
            "amount",
            "store_amount",
            "currency",
            "status",
            "tran_date",
            "error",
            "bank_tran_id",
            "card_type",
            "card_no",
            "card_brand",
            "card_issuer",
            "card_issuer_country",
            "card_issuer_country_code",
            "card_sub_brand",
            "card_category",
            "currency_type",
            "currency_amount",
            "currency_rate",
            "base_fair",
            "store_id",
            "risk_level",
            "risk_title",
            "value_a",
            "value_b",
            "value_c",
            "value_d",
            "emi_instalment",
            "emi_amount",
            "emi_description",
            "emi_issuer",
            "account_details",
            "discount_amount",
            "discount_percentage",
            "discount_remarks",
            "sessionkey",
        )
    },
    "verify_key": 1024,
    "verify_sign": 128,
    "verify_sign_sha2": 128,
}
#: What is kept of a refused callback.
REFUSED_FIELDS = ("tran_id", "val_id", "status", "amount", "currency", "store_id")
REFUSED_FIELD_MAX = 64
#: How long the daily counters of refused callbacks live in the cache (seconds).
COUNTER_TTL = 2 * 24 * 3600


def clean_text(value: str) -> str:
    """Text as PostgreSQL can store it (no NUL characters)."""
    return value.replace("\x00", "") if "\x00" in value else value


def has_nul(payload: Mapping[str, str]) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in payload.items())


def stored_payload(payload: Mapping[str, str]) -> dict[str, object]:
    """The known fields of a callback, each cut to its length (NUL removed); the number
    of unknown fields dropped and the names of the fields cut are noted."""
    kept: dict[str, object] = {}
    cut: list[str] = []
    dropped = 0
    for key, value in payload.items():
        limit = CALLBACK_FIELDS.get(key)
        if limit is None:
            dropped += 1
            continue
        value = clean_text(value)
        if len(value) > limit:
            cut.append(key)
            value = value[:limit]
        kept[key] = value
    if dropped:
        kept["_dropped_fields"] = dropped
    if cut:
        kept["_cut_fields"] = sorted(cut)
    return kept


def refused_payload(payload: Mapping[str, str]) -> dict[str, object]:
    """The small record kept of a refused callback."""
    kept: dict[str, object] = {
        key: clean_text(payload[key])[:REFUSED_FIELD_MAX]
        for key in REFUSED_FIELDS
        if isinstance(payload.get(key), str)
    }
    kept["_fields"] = len(payload)
    kept["_chars"] = sum(len(k) + len(v) for k, v in payload.items())
    return kept


def _counter_key(day: date | None = None) -> str:
    return f"payments:callbacks:refused:{(day or timezone.localdate()).isoformat()}"


def count_refused(*, kind: str, reason: str, remote_addr: str | None, tran_id: str = "") -> int:
    """Count one refused callback for today (0 when the cache is down) and log it."""
    key = _counter_key()
    try:
        cache.add(key, 0, COUNTER_TTL)
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, COUNTER_TTL)
        count = 1
    except Exception:  # noqa: BLE001 - the cache being down must not lose the log line
        count = 0
    log.warning(
        "gateway callback refused: %s (%s) from %s tran_id=%r; refused today: %s",
        reason,
        kind,
        remote_addr or "unknown",
        clean_text(tran_id)[:REFUSED_FIELD_MAX],
        count,
    )
    return count


def refused_today() -> int:
    """How many callbacks were refused today (as far as the cache remembers)."""
    try:
        return int(cache.get(_counter_key()) or 0)
    except Exception:  # noqa: BLE001
        return 0
