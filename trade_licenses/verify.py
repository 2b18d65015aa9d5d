"""Trade licences on the public /verify/<code>/ page (payments.views.receipts): the lookup
is declared in trade_licenses/portal.py, so payments never imports trade licences."""

from __future__ import annotations

from payments.views.receipts import Verified

from .selectors import public_licence

TEMPLATE = "trade_licenses/verify_licence.html"


def licence_lookup(code: str) -> Verified | None:
    """The licence with this code: valid while current and up to 30 June of its fiscal
    year, expired after (or when a transfer replaced it); unknown codes are not ours."""
    found = public_licence(verify_code=code)
    if found is None:
        return None
    return Verified(
        kind="trade_licence",
        valid=found["valid"],
        template=TEMPLATE,
        data={**found, "expired": not found["valid"]},
    )
