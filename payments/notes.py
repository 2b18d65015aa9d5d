"""The payments' own notes (a status change's reason, an event's outcome) in the reader's
language. They are stored in English, as the record of what happened ("cash taken by 7",
"IPN: validated"); pages show them through `note_text`, which translates the notes the
portal writes itself and leaves any other text — an officer's words, the gateway's — as it
was written."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext as _

from core.digits import localize_digits

SOURCES = {
    "IPN": lambda: _("Payment notification"),
    "return": lambda: _("Return from the gateway"),
    "reconciliation": lambda: _("Reconciliation"),
}


def _leaf(reference: str) -> str:
    """A paper receipt's "book/number": the book as printed, the number in the reader's
    digits."""
    book, _slash, leaf = reference.rpartition("/")
    return f"{book}/{localize_digits(leaf)}" if book else reference


def _source(name: str) -> str:
    label = SOURCES.get(name)
    return label() if label else name


#: (pattern, the translated note built from its groups); the first that matches wins.
NOTES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^cash at the counter$"), lambda m: _("Cash at the counter")),
    (
        re.compile(r"^cash taken by (\d+)$"),
        lambda m: _("Cash taken by user number %(n)s") % {"n": localize_digits(m[1])},
    ),
    (re.compile(r"^settled$"), lambda m: _("The payment was settled")),
    (
        re.compile(r"^paper receipt (\S+)$"),
        lambda m: _("Paper receipt %(reference)s, entered later") % {"reference": _leaf(m[1])},
    ),
    (
        re.compile(r"^paper receipt (\S+) entered by (\d+)$"),
        lambda m: (
            _("Paper receipt %(reference)s entered by user number %(n)s")
            % {"reference": _leaf(m[1]), "n": localize_digits(m[2])}
        ),
    ),
    (re.compile(r"^sent to the gateway$"), lambda m: _("Sent to the gateway")),
    (re.compile(r"^session opened$"), lambda m: _("Gateway session opened")),
    (re.compile(r"^browser returned$"), lambda m: _("The payer's browser came back")),
    (
        re.compile(r"^replaced by a new bill for the same dues$"),
        lambda m: _("Replaced by a new bill for the same dues"),
    ),
    (
        re.compile(r"^(IPN|return|reconciliation): validated$"),
        lambda m: _("%(source)s: validated by the gateway") % {"source": _source(m[1])},
    ),
    (
        re.compile(r"^released by officer: (.*)$", re.S),
        lambda m: _("Released by a revenue officer: %(reason)s") % {"reason": m[1]},
    ),
    (
        re.compile(r"^validation unavailable; reconciliation will retry$"),
        lambda m: _("The gateway could not be asked; reconciliation will try again"),
    ),
    (
        re.compile(r"^reconciliation: never completed at the gateway$"),
        lambda m: _("Reconciliation: never completed at the gateway"),
    ),
]


def note_text(note: str) -> str:
    """`note` in the active language when the portal wrote it, else as it was written."""
    for pattern, text in NOTES:
        match = pattern.match(note or "")
        if match:
            return text(match)
    return note
