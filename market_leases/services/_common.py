"""What the market services share: the permission check and the audit row. Private to the
services package."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core import audit
from core.roles import perm

MANAGE = perm("manage_markets")


def require_estate_officer(actor) -> None:
    """Only the estate officer (accounts.manage_markets) changes the register and allots
    shops; a service called without an actor (a migration, a management command) may."""
    if actor is not None and not actor.has_perm(MANAGE):
        raise PermissionDenied(_("Only the estate officer can do this."))


def record(action: str, obj, *, actor=None, reason: str = "", before=None, after=None) -> None:
    audit.record(
        action=f"markets.{action}", obj=obj, actor=actor, reason=reason, before=before, after=after
    )


def field_error(field: str, message: str, code: str) -> ValidationError:
    """A refusal of one field that keeps its code (a dict of plain strings loses it)."""
    return ValidationError({field: ValidationError(message, code=code)})
