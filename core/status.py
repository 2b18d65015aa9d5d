"""Status fields: one way to refuse a move that an explicit map of allowed transitions does
not allow, and one way to name a status in the reader's language.

Each app keeps its own rules — a ``TRANSITIONS`` map on the model, ``{status: {statuses it
may go to}}`` — and its own message, marked for translation where it is written::

    BAD_TRANSITION = gettext_lazy("The application cannot go from “%(old)s” to “%(new)s”.")

    check_transition(Application.TRANSITIONS, application.status, to,
                     choices=Application.Status, message=BAD_TRANSITION,
                     error=partial(ValidationError, code="bad_transition"))

The message is filled with the two statuses' labels (``old``, ``new``) and any ``params``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Choices
from django.utils.functional import Promise

#: A refusal is a ValidationError with code "bad_transition" unless the caller says otherwise.
DEFAULT_ERROR: Callable[[str], Exception] = partial(ValidationError, code="bad_transition")


def status_label(choices: type[Choices], value: object) -> str:
    """The label of `value` among `choices` in the active language ("Waiting for approval"),
    or the value itself when it is none of them (a status since retired, "" for none)."""
    if value is None:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def can_transition(transitions: Mapping[Any, Collection[Any]], old: object, new: object) -> bool:
    """Whether the map allows going from `old` to `new` (an unknown `old` allows nothing)."""
    return new in transitions.get(old, ())


def check_transition(
    transitions: Mapping[Any, Collection[Any]],
    old: object,
    new: object,
    *,
    choices: type[Choices],
    message: str | Promise,
    error: Callable[[str], Exception] = DEFAULT_ERROR,
    params: Mapping[str, Any] | None = None,
) -> None:
    """Raise ``error(text)`` unless the map allows going from `old` to `new`; the text is
    `message` in the active language with ``old`` and ``new`` (the statuses' labels) and
    `params` filled in."""
    if can_transition(transitions, old, new):
        return
    values = {
        **(params or {}),
        "old": status_label(choices, old),
        "new": status_label(choices, new),
    }
    raise error(str(message) % values)
