"""Reads for trade licences (the pages built on this foundation add their queries here)."""

from __future__ import annotations

from .models import Application

OFFICER_PERMISSIONS = ("accounts.inspect_trade_licences", "accounts.approve_trade_licences",
                       "accounts.use_counter")


def documents_visible_to(user, application: Application) -> bool:
    """An application's documents are for its trader and the officers who handle it."""
    if user is None or not user.is_authenticated:
        return False
    trader_id = application.business.trader_id
    if trader_id is not None and user.pk == trader_id:
        return True
    return any(user.has_perm(p) for p in OFFICER_PERMISSIONS)


def applications_of(user):
    return (Application.objects.filter(business__trader=user)
            .select_related("business", "business__ward").order_by("-created_at"))
