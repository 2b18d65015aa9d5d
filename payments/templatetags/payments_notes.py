"""{{ transition.reason|note }}: a payment's own note in the reader's language."""

from __future__ import annotations

from django import template

from ..notes import note_text

register = template.Library()


@register.filter
def note(value: str) -> str:
    return note_text(value or "")
