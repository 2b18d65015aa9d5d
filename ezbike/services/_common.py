"""What the e-bike services share: the audit row. Private to the services package."""

from __future__ import annotations

from core import audit


def record(action: str, obj, *, actor=None, reason: str = "", before=None, after=None) -> None:
    audit.record(
        action=f"ezbike.{action}", obj=obj, actor=actor, reason=reason, before=before, after=after
    )
