"""The "My trade licences" panel of the citizen dashboard: licences, applications waiting
for the trader (a draft to finish, a bill to pay) and businesses due for renewal.
Registered when TradeLicensesConfig.ready() imports this module."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.dashboard import Panel, register_panel


def _context(user) -> dict:
    from .selectors import overview

    data = overview(user)
    return {"licence_rows": data["licences"][:5], "awaiting": data["awaiting"],
            "renewals": data["renewals"], "applications": data["applications"],
            "fiscal_year": data["fiscal_year"]}


def register_panels() -> None:
    register_panel(Panel(key="licences", title=_("My trade licences"), order=20,
                         template="trade_licenses/trader/panel.html", context=_context))


register_panels()
