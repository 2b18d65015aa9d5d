"""Reading an uploaded table (CSV or XLSX) of known columns into row dicts, with file-level
errors worded for the person who uploaded it — a generic version of what the holding
register's importer does (holdings/importer/reading.py, whose messages it shares), for any
app that takes a file of rows (the water meter readings from a handheld).

- CSV: UTF-8 with or without BOM; comma, semicolon or tab. XLSX: the first sheet, after
  the zip's directory is checked (members, unpacked size, compression ratio).
- The first non-blank row names the columns: names are compared in lower case with spaces
  and dashes as underscores; every required column must be there, no unknown or repeated
  one (a close match is suggested).
- Bounded: at most `max_rows` rows, `max_cell` characters a cell (longer is a row error,
  the cell cut), `max_bytes` of file; blank rows are skipped.

A file with file-level errors has no rows: callers import nothing from it.
"""

from __future__ import annotations

import csv
import difflib
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

from .digits import file_size, localize_digits

EXTENSIONS = ("csv", "xlsx")
MAX_COLUMNS_READ = 64
MAX_BLANK_ROWS = 10_000
MAX_MEMBERS = 10_000
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024


@dataclass
class Table:
    """The rows of an uploaded table: (row number in the file, {column: text})."""

    filename: str
    kind: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # file-level: nothing can be imported
    row_errors: dict[int, list[str]] = field(default_factory=dict)  # a cell too long

    @property
    def ok(self) -> bool:
        return not self.errors


def cell_text(value: Any) -> str:
    """A cell as text: numbers from spreadsheets without a spurious ".0", NFC, trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(str(value)))
    if hasattr(value, "isoformat"):
        text = str(value.isoformat())
        return text[:10] if text.endswith("T00:00:00") else text
    return unicodedata.normalize("NFC", str(value)).replace("\ufeff", "").strip()


def header_name(value: Any) -> str:
    return re.sub(r"[\s\-]+", "_", cell_text(value).lower())


def _headers(
    raw: list[str],
    table: Table,
    columns: Sequence[str],
    required: Sequence[str],
    ignore_unknown: bool = False,
) -> dict[int, str]:
    names = [header_name(h)[:60] for h in raw]
    if ignore_unknown:
        names = [n if n in columns else "" for n in names]
    index = {i: n for i, n in enumerate(names) if n}
    seen: dict[str, int] = {}
    for name in index.values():
        seen[name] = seen.get(name, 0) + 1
    repeated = [n for n, count in seen.items() if count > 1]
    missing = [c for c in required if c not in seen]
    unknown = [n for n in seen if n not in columns]
    if missing:
        table.errors.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        table.errors.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
        for name in unknown:
            close = difflib.get_close_matches(name, missing or list(columns), n=1, cutoff=0.6)
            if close:
                table.errors.append(
                    _("Column “%(given)s” is not known: did you mean “%(column)s”?")
                    % {"given": name, "column": close[0]}
                )
    if repeated:
        table.errors.append(
            _("Columns given twice: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    if missing or unknown or repeated:
        table.errors.append(
            _("The first row must name these columns (in any order): %(columns)s.")
            % {"columns": ", ".join(columns)}
        )
    table.headers = [n for n in names if n]
    return index


def _collect(
    rows: Iterable[tuple[int, Iterable[Any]]],
    table: Table,
    *,
    columns: Sequence[str],
    required: Sequence[str],
    max_rows: int,
    max_cell: int,
    ignore_unknown: bool = False,
) -> None:
    index: dict[int, str] | None = None
    blank = 0
    for number, raw in rows:
        texts = [cell_text(c) for c in itertools.islice(raw, MAX_COLUMNS_READ)]
        if not any(texts):
            blank += 1
            if blank > MAX_BLANK_ROWS:
                table.errors.append(
                    _("The file has more than %(max)s blank rows; delete them and upload it again.")
                    % {"max": localize_digits(MAX_BLANK_ROWS)}
                )
                return
            continue
        if index is None:
            index = _headers(texts, table, columns, required, ignore_unknown)
            if table.errors:
                return
            continue
        if len(table.rows) >= max_rows:
            table.errors.append(
                _("The file has more than %(max)s rows; split it into smaller files.")
                % {"max": localize_digits(max_rows)}
            )
            return
        values = {name: "" for name in columns}
        for i, name in index.items():
            text = texts[i] if i < len(texts) else ""
            if len(text) > max_cell:
                table.row_errors.setdefault(number, []).append(
                    _("%(column)s is longer than %(max)s characters.")
                    % {"column": name, "max": localize_digits(max_cell)}
                )
                text = text[:max_cell]
            values[name] = text
        table.rows.append((number, values))
    if index is None:
        table.errors.append(_("The file is empty."))
    elif not table.rows:
        table.errors.append(_("The file has the columns but no rows."))


def _parse_csv(data: bytes, table: Table, **options: Any) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        table.errors.append(
            _(
                "The file is not UTF-8 text. In Excel choose “Save as” → "
                "“CSV UTF-8”, or upload the .xlsx workbook instead."
            )
        )
        return
    if "\x00" in text:
        table.errors.append(_("This is not a CSV text file."))
        return
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first:
        delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        _collect(((i, row) for i, row in enumerate(reader, start=1)), table, **options)
    except csv.Error as exc:
        table.errors.append(_("The CSV file is malformed: %(error)s") % {"error": exc})


def _zip_is_sane(data: bytes, table: Table) -> bool:
    not_real = _(
        "This is not a real .xlsx workbook. Save it again from Excel as “Excel "
        "Workbook (.xlsx)” or as “CSV UTF-8”."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        table.errors.append(not_real)
        return False
    unpacked = sum(m.file_size for m in members)
    too_packed = any(
        m.file_size > RATIO_FROM_BYTES and m.file_size > MAX_RATIO * max(m.compress_size, 1)
        for m in members
    )
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNCOMPRESSED_BYTES or too_packed:
        table.errors.append(
            _(
                "This workbook unpacks to far more data than it should, so it was not "
                "opened. Save it again from Excel, or as “CSV UTF-8”."
            )
        )
        return False
    return True


def _parse_xlsx(data: bytes, table: Table, **options: Any) -> None:
    import openpyxl

    if not _zip_is_sane(data, table):
        return
    unreadable = _(
        "The .xlsx workbook cannot be read. Save it again from Excel "
        "as “Excel Workbook (.xlsx)” or as “CSV UTF-8”."
    )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the same problem for the user
        table.errors.append(unreadable)
        return
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(max_col=MAX_COLUMNS_READ, values_only=True)
        _collect(((i, row) for i, row in enumerate(rows, start=1)), table, **options)
    except Exception:  # noqa: BLE001 - a damaged sheet inside a valid zip
        table.errors.append(unreadable)
    finally:
        workbook.close()


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def read_table(
    file_obj: IO[bytes] | bytes,
    filename: str,
    *,
    columns: Sequence[str],
    required: Sequence[str] | None = None,
    kinds: Sequence[str] = EXTENSIONS,
    max_rows: int = 10_000,
    max_cell: int = 200,
    max_bytes: int = 5 * 1024 * 1024,
    ignore_unknown: bool = False,
) -> Table:
    """Read an uploaded CSV or XLSX file whose first row names `columns` (all of them
    required unless `required` names fewer; other columns refused, or skipped with
    `ignore_unknown` — a file made by another system). File-level problems are in `.errors`
    (and then there are no rows); a cell too long is in `.row_errors`."""
    table = Table(filename=filename, kind=extension(filename))
    if table.kind not in kinds:
        table.errors.append(
            _("Upload a .csv or .xlsx file.")
            if set(kinds) == set(EXTENSIONS)
            else _("Upload a .csv file.")
        )
        return table
    data = file_obj if isinstance(file_obj, bytes) else file_obj.read(max_bytes + 1)
    if len(data) > max_bytes:
        table.errors.append(
            _("The file is larger than %(max)s; split it into smaller files.")
            % {"max": file_size(max_bytes)}
        )
        return table
    options = {
        "columns": list(columns),
        "required": list(required if required is not None else columns),
        "max_rows": max_rows,
        "max_cell": max_cell,
        "ignore_unknown": ignore_unknown,
    }
    if table.kind == "csv":
        _parse_csv(data, table, **options)
    else:
        _parse_xlsx(data, table, **options)
    if table.errors:
        table.rows, table.row_errors = [], {}
    return table
