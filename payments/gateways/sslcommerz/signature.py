"""IPN signatures: verify_ipn_signature and sign_ipn_payload (md5 and sha256 digests)."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from .protocol import REQUIRED_SIGNED_KEYS, SIGNATURE_FIELDS, STORE_PASSWD_KEY

logger = logging.getLogger(__package__)


class _Hash(Protocol):
    def hexdigest(self) -> str: ...


_HashFactory = Callable[[bytes], _Hash]


def _md5(data: bytes) -> _Hash:
    return hashlib.md5(data, usedforsecurity=False)


def _sha256(data: bytes) -> _Hash:
    return hashlib.sha256(data)


def _digest(values: Mapping[str, str], store_password: str, hash_factory: _HashFactory) -> str:
    """Hash ``k=v&...`` over ``values`` plus the hashed store password, sorted by key."""
    data = dict(values)
    data[STORE_PASSWD_KEY] = hash_factory(store_password.encode("utf-8")).hexdigest()
    message = "&".join(f"{key}={data[key]}" for key in sorted(data))
    return hash_factory(message.encode("utf-8")).hexdigest()


def _same_digest(expected: str, given: str) -> bool:
    # compare_digest on str raises TypeError for non-ASCII text: compare bytes instead.
    return hmac.compare_digest(expected.encode("ascii"), given.strip().lower().encode("utf-8"))


def verify_ipn_signature(payload: Mapping[str, str | None], store_password: str) -> bool:
    """Return True only if ``payload`` (an IPN or return POST) is signed by the gateway.

    Rules: verify_key and verify_sign must be present and non-empty; verify_key must
    cover amount, currency, tran_id, val_id and status; the md5 digest must match
    verify_sign and, when verify_sign_sha2 is sent (non-empty), the sha256 digest must
    match it too. A key named in verify_key but missing from the payload, or None, counts
    as an empty string. Any malformed input yields False; this function never raises.
    """
    try:
        return _verify_ipn_signature(payload, store_password)
    except Exception:  # defensive: garbage in must never become a 500
        logger.warning("IPN signature check refused malformed input")
        return False


def _verify_ipn_signature(payload: Mapping[str, str | None], store_password: str) -> bool:
    if not isinstance(payload, Mapping):
        return False
    if not isinstance(store_password, str) or not store_password:
        return False

    verify_key = payload.get("verify_key")
    verify_sign = payload.get("verify_sign")
    verify_sign_sha2 = payload.get("verify_sign_sha2")
    if not isinstance(verify_key, str) or not verify_key:
        return False
    if not isinstance(verify_sign, str) or not verify_sign:
        return False
    if verify_sign_sha2 is not None and not isinstance(verify_sign_sha2, str):
        return False

    keys = verify_key.split(",")
    if any(not key or key == STORE_PASSWD_KEY for key in keys):
        return False
    if not REQUIRED_SIGNED_KEYS.issubset(keys):
        return False

    values: dict[str, str] = {}
    for key in keys:
        value = payload.get(key)
        if value is None:
            value = ""
        elif not isinstance(value, str):
            return False
        values[key] = value

    if not _same_digest(_digest(values, store_password, _md5), verify_sign):
        return False
    # An absent, None or "" verify_sign_sha2 means the gateway did not send one.
    return not verify_sign_sha2 or _same_digest(
        _digest(values, store_password, _sha256), verify_sign_sha2
    )


def sign_ipn_payload(
    payload: Mapping[str, str | None],
    store_password: str,
    keys: Iterable[str] | None = None,
) -> dict[str, str | None]:
    """Return a copy of ``payload`` with verify_key, verify_sign and verify_sign_sha2 set.

    ``keys`` defaults to every field of the payload (sorted) except the signature fields.
    Keys may be listed that are absent from the payload (signed as empty strings), and a
    key list that leaves out required fields is allowed, so tests can build payloads
    that only :func:`verify_ipn_signature`'s coverage rule refuses.
    """
    if not isinstance(store_password, str) or not store_password:
        raise ValueError("store_password must be a non-empty string")
    if keys is None:
        key_list = sorted(k for k in payload if k not in SIGNATURE_FIELDS and k != STORE_PASSWD_KEY)
    else:
        key_list = list(dict.fromkeys(keys))
    if not key_list:
        raise ValueError("nothing to sign")
    for key in key_list:
        if not isinstance(key, str) or not key or "," in key:
            raise ValueError(f"invalid key to sign: {key!r}")
        if key == STORE_PASSWD_KEY or key in SIGNATURE_FIELDS:
            raise ValueError(f"{key!r} cannot be a signed field")

    values: dict[str, str] = {}
    for key in key_list:
        value = payload.get(key)
        if value is None:
            value = ""
        elif not isinstance(value, str):
            raise TypeError(f"value of {key!r} must be str or None, not {type(value).__name__}")
        values[key] = value

    signed: dict[str, str | None] = dict(payload)
    signed["verify_key"] = ",".join(key_list)
    signed["verify_sign"] = _digest(values, store_password, _md5)
    signed["verify_sign_sha2"] = _digest(values, store_password, _sha256)
    return signed
