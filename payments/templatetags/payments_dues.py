"""{% open_dues user as dues %}: what the user owes with no bill yet (core.portal)."""

from __future__ import annotations

from typing import Any

from django import template

from core import portal

register = template.Library()


@register.simple_tag
def open_dues(user: Any) -> list[portal.OpenDue]:
    return portal.open_dues(user)
