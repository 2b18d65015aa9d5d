"""Demo data of payments (seed_demo): a paper receipt book registered by the demo revenue
officer and issued to the demo counter clerk, with one more book waiting to be issued.
Once: left alone when the books exist."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from core.roles import Role

from .models import ReceiptBook
from .services.paper import book_issue, book_register


def _staff(role: str) -> Any:
    """The demo account of a role: the first one made (seed_demo makes the accounts first)."""
    return get_user_model().objects.filter(groups__name=role).order_by("pk").first()


def seed() -> list[Any]:
    officer, clerk = _staff(Role.REVENUE_OFFICER), _staff(Role.COUNTER_CLERK)
    if officer is None or clerk is None or ReceiptBook.objects.exists():
        return []
    book = book_register(number="KCC-2026-001", first_leaf=1, last_leaf=50, officer=officer)
    book_issue(book=book, clerk=clerk, officer=officer)
    book_register(number="KCC-2026-002", first_leaf=51, last_leaf=100, officer=officer)
    return []
