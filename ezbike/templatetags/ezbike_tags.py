"""E-bike template filters: a plate in the reader's language (`{{ v.plate_no|plate }}`)."""

from django import template

from ..numbers import plate_display

register = template.Library()


@register.filter
def plate(value: object) -> str:
    return plate_display(str(value or ""))
