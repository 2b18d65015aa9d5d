"""Sealed bids: a bid's amount is kept encrypted (Fernet: AES-128-CBC with HMAC-SHA256, from
the `cryptography` package) until the opening. The key is the setting ``IJARA_BID_KEY`` (a
Fernet key, `Fernet.generate_key()`; several comma-separated for rotation, the first used
to seal) or, when that is not set, one derived from SECRET_KEY (SHA-256 of a fixed label
and the secret key). Whoever reads the database or a backup without the key learns nothing
of the amount; the token is bound to its tender and bidder (a token moved to another bid
does not open), and every amount is padded to one length, so the tokens are all of one
size and do not tell the number of digits either.
"""

from __future__ import annotations

import base64
import hashlib
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings

from core.money import to_money

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

WIDTH = 40  # "<tender>:<bidder>:<amount>" padded to this many characters


def _keys() -> list[bytes]:
    configured = getattr(settings, "IJARA_BID_KEY", "") or ""
    keys = [k.strip().encode() for k in str(configured).split(",") if k.strip()]
    if keys:
        return keys
    digest = hashlib.sha256(b"kcc-ijara-bid-seal:" + settings.SECRET_KEY.encode()).digest()
    return [base64.urlsafe_b64encode(digest)]


def _fernet() -> MultiFernet:
    # Imported when a bid is sealed or opened, not with the URLs: the package and its
    # OpenSSL bindings take 8 MB of every web process that never touches a tender.
    from cryptography.fernet import Fernet, MultiFernet

    return MultiFernet([Fernet(k) for k in _keys()])


def seal(*, tender_id: int, bidder_id: int, amount: Decimal) -> str:
    text = f"{tender_id}:{bidder_id}:{to_money(amount)}".ljust(WIDTH)
    return _fernet().encrypt(text.encode()).decode()


class SealBroken(ValueError):
    """A token that does not open with the key, or belongs to another bid."""


def unseal(token: str, *, tender_id: int, bidder_id: int) -> Decimal:
    from cryptography.fernet import InvalidToken

    try:
        text = _fernet().decrypt(token.encode()).decode().strip()
    except InvalidToken as exc:
        raise SealBroken("The sealed bid does not open with this key.") from exc
    tender, bidder, amount = text.split(":")
    if int(tender) != tender_id or int(bidder) != bidder_id:
        raise SealBroken("The sealed bid belongs to another bid.")
    return to_money(amount)
