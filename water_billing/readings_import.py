"""Readings that come in many at a time — a handheld's CSV file, the readers' API — row by
row through the same service function as the phone page
(services.readings.reading_submit), and what each row came to, said in the reader's
language.

**A handheld's file is accepted row by row**: each good row is saved (or held or flagged by
the checks) in its own transaction and each bad row is reported with its message; fix the
bad rows and send the file again — rows already saved are reported "already recorded", not
saved twice. A file that cannot be read as a whole (not CSV/XLSX, not UTF-8, wrong or
missing column names, no rows, too many rows) imports nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.digits import localize_date, localize_digits
from core.tabular import read_table

from .models import Reading
from .services.readings import reading_submit

R = Reading.Status

#: The columns of a handheld's file, in the order the sample has them.
COLUMNS = ("consumer_no", "reading", "read_on", "meter_serial", "note")
REQUIRED = ("consumer_no", "reading", "read_on")
COLUMN_HELP = [
    ("consumer_no", gettext_lazy("The connection's consumer number, such as 07-00123.")),
    ("reading", gettext_lazy("What the meter shows, in whole cubic metres (the black digits).")),
    ("read_on", gettext_lazy("The day it was read, written 2026-12-05.")),
    (
        "meter_serial",
        gettext_lazy("The meter's serial number (optional): checked against the meter in place."),
    ),
    ("note", gettext_lazy("A note for the office (optional).")),
]
MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024

SAVED, HELD, FLAGGED, REPEATED, ERROR = "saved", "held", "flagged", "repeated", "error"
OUTCOME_LABELS = {
    SAVED: gettext_lazy("Saved"),
    HELD: gettext_lazy("Held for review"),
    FLAGGED: gettext_lazy("Flagged"),
    REPEATED: gettext_lazy("Already recorded"),
    ERROR: gettext_lazy("Not saved"),
}


@dataclass
class RowResult:
    row: int  # the row number in the file, or the item's place in the batch (from 0)
    consumer_no: str
    outcome: str  # SAVED, HELD, FLAGGED, REPEATED, ERROR
    message: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    reading: Reading | None = None

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])


def outcome_of(reading: Reading, created: bool) -> str:
    if not created:
        return REPEATED
    if reading.status == R.HELD:
        return HELD
    if reading.status == R.FLAGGED:
        return FLAGGED
    return SAVED


def outcome_message(reading: Reading, created: bool) -> str:
    """What happened to a reading, in the active language."""
    number = localize_digits(reading.connection.consumer_no)
    value = localize_digits(f"{reading.value:,}") if reading.value is not None else ""
    if not created:
        return _("Already recorded: %(number)s read %(value)s on %(date)s.") % {
            "number": number,
            "value": value,
            "date": localize_date(reading.read_on) if reading.read_on else "",
        }
    why = reading.explanation_text
    if reading.status == R.HELD:
        return _(
            "Not billed: %(number)s read %(value)s. %(why)s. The water officer will review it."
        ) % {"number": number, "value": value, "why": why}
    units = localize_digits(f"{reading.consumption or 0:,}")
    if reading.status == R.FLAGGED:
        if reading.flag == "zero":
            return _(
                "Saved, and flagged for the water officer as zero use: %(number)s read "
                "%(value)s. %(why)s."
            ) % {"number": number, "value": value, "why": why}
        return _(
            "Saved, and flagged for the water officer as a spike: %(number)s read %(value)s, "
            "%(units)s cubic metres. %(why)s."
        ) % {"number": number, "value": value, "units": units, "why": why}
    return _("Saved: %(number)s read %(value)s, %(units)s cubic metres used.") % {
        "number": number,
        "value": value,
        "units": units,
    }


FIELD_NAMES = {
    "value": "reading",
    "period": "read_on",
    "read_on": "read_on",
    "meter_serial": "meter_serial",
}


def error_messages(error: ValidationError) -> dict[str, list[str]]:
    """A service's refusal as {column: [messages]} ("" for the row as a whole)."""
    if hasattr(error, "error_dict"):
        return {
            FIELD_NAMES.get(name, "" if name == "__all__" else name): [
                str(m) for e in errors for m in e.messages
            ]
            for name, errors in error.error_dict.items()
        }
    return {"": [str(m) for m in error.messages]}


def submit(index: int, values: dict[str, Any], *, source: str, user, photo=None) -> RowResult:
    """One reading (consumer_no, reading, read_on, optional meter_serial, note) through
    reading_submit, and what it came to."""
    consumer_no = str(values.get("consumer_no") or "").strip()
    try:
        reading, created = reading_submit(
            consumer_no=consumer_no,
            value=values.get("reading"),
            read_on=str(values.get("read_on") or ""),
            meter_serial=str(values.get("meter_serial") or ""),
            note=str(values.get("note") or ""),
            source=source,
            read_by=user,
            photo=photo,
        )
    except ValidationError as error:
        errors = error_messages(error)
        message = " ".join(m for ms in errors.values() for m in ms)
        return RowResult(index, consumer_no, ERROR, message, errors=errors)
    return RowResult(
        index,
        reading.connection.consumer_no,
        outcome_of(reading, created),
        outcome_message(reading, created),
        reading=reading,
    )


@dataclass
class ImportReport:
    filename: str
    file_errors: list[str] = field(default_factory=list)
    results: list[RowResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {o: self.count(o) for o in (SAVED, HELD, FLAGGED, REPEATED, ERROR)}


def import_file(file_obj: IO[bytes] | bytes, filename: str, *, user) -> ImportReport:
    """Read a handheld's file (CSV or XLSX, core.tabular) and submit it row by row."""
    table = read_table(
        file_obj,
        filename,
        columns=COLUMNS,
        required=REQUIRED,
        max_rows=MAX_ROWS,
        max_bytes=MAX_BYTES,
    )
    report = ImportReport(filename=filename, file_errors=list(table.errors))
    if not table.ok:
        return report
    for number, values in table.rows:
        if number in table.row_errors:
            message = " ".join(table.row_errors[number])
            report.results.append(
                RowResult(number, values.get("consumer_no", ""), ERROR, message, {"": [message]})
            )
            continue
        report.results.append(submit(number, values, source=Reading.Source.HANDHELD, user=user))
    return report
