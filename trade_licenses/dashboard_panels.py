"""The "My trade licences" panel of the citizen dashboard: licences, applications waiting
for the trader (a draft to finish, a bill to pay) and businesses due for renewal.
Declared in trade_licenses/portal.py."""

from __future__ import annotations


def panel(user) -> dict:
    """The panel's context (declared in trade_licenses/portal.py)."""
    from .selectors import overview

    data = overview(user)
    return {
        "licence_rows": data["licences"][:5],
        "awaiting": data["awaiting"],
        "renewals": data["renewals"],
        "applications": data["applications"],
        "fiscal_year": data["fiscal_year"],
    }
