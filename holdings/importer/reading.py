"""Reading an uploaded register: CSV (UTF-8, with or without BOM, comma, semicolon or
tab) or XLSX into row dicts, with file-level errors (columns, size, encoding)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

from .columns import COLUMNS, EXTENSIONS, MAX_ROWS


@dataclass
class ParsedFile:
    """The rows of an uploaded register: (row number in the file, {column: text})."""

    filename: str
    kind: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # file-level: nothing can be imported

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value: Any) -> str:
    """A cell as text: numbers from spreadsheets without a spurious ".0", NFC, trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return str(Decimal(str(value)))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).replace("\ufeff", "").strip()


def _header_name(value: Any) -> str:
    return re.sub(r"[\s\-]+", "_", _text(value).lower())


def _read_headers(raw: list[Any], parsed: ParsedFile) -> dict[int, str]:
    """Column index → column name; records missing, unknown and repeated columns."""
    names = [_header_name(h) for h in raw]
    index = {i: n for i, n in enumerate(names) if n}
    seen: dict[str, int] = {}
    repeated = []
    for name in index.values():
        seen[name] = seen.get(name, 0) + 1
        if seen[name] == 2:
            repeated.append(name)
    missing = [c for c in COLUMNS if c not in seen]
    unknown = [n for n in seen if n not in COLUMNS]
    if missing:
        parsed.errors.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        parsed.errors.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    if repeated:
        parsed.errors.append(_("Columns given twice: %(columns)s.")
                             % {"columns": ", ".join(repeated)})
    if missing or unknown or repeated:
        parsed.errors.append(_("The first row must name exactly these columns (in any order): "
                               "%(columns)s.") % {"columns": ", ".join(COLUMNS)})
    parsed.headers = [n for n in names if n]
    return index


def _collect(rows, parsed: ParsedFile) -> None:
    """Header from the first non-empty row, then the data rows (blank rows skipped)."""
    index: dict[int, str] | None = None
    for number, raw in rows:
        cells = list(raw)
        if not any(_text(c) for c in cells):
            continue
        if index is None:
            index = _read_headers(cells, parsed)
            if parsed.errors:
                return
            continue
        if len(parsed.rows) >= MAX_ROWS:
            parsed.errors.append(_("The file has more than %(max)s rows; split it into "
                                   "smaller files.") % {"max": MAX_ROWS})
            return
        values = {name: "" for name in COLUMNS}
        for i, name in index.items():
            if i < len(cells):
                values[name] = _text(cells[i])
        parsed.rows.append((number, values))
    if index is None:
        parsed.errors.append(_("The file is empty."))
    elif not parsed.rows:
        parsed.errors.append(_("The file has the columns but no rows of holdings."))


def _parse_csv(data: bytes, parsed: ParsedFile) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.errors.append(_("The file is not UTF-8 text. In Excel choose “Save as” → "
                               "“CSV UTF-8”, or upload the .xlsx workbook instead."))
        return
    if "\x00" in text:
        parsed.errors.append(_("This is not a CSV text file."))
        return
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first:
        delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        _collect(((i, row) for i, row in enumerate(reader, start=1)), parsed)
    except csv.Error as exc:
        parsed.errors.append(_("The CSV file is malformed: %(error)s") % {"error": exc})


def _parse_xlsx(data: bytes, parsed: ParsedFile) -> None:
    import openpyxl

    if not zipfile.is_zipfile(io.BytesIO(data)):
        parsed.errors.append(_("This is not a real .xlsx workbook. Save it again from Excel "
                               "as “Excel Workbook (.xlsx)” or as “CSV UTF-8”."))
        return
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the same problem for the user
        parsed.errors.append(_("The .xlsx workbook cannot be read. Save it again from Excel "
                               "as “Excel Workbook (.xlsx)” or as “CSV UTF-8”."))
        return
    try:
        sheet = workbook.worksheets[0]
        _collect(((i, row) for i, row in enumerate(sheet.iter_rows(values_only=True),
                                                    start=1)), parsed)
    except Exception:  # noqa: BLE001 - a damaged sheet inside a valid zip
        parsed.errors.append(_("The .xlsx workbook cannot be read. Save it again from Excel "
                               "as “Excel Workbook (.xlsx)” or as “CSV UTF-8”."))
    finally:
        workbook.close()


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def parse(file_obj: IO[bytes] | bytes, filename: str) -> ParsedFile:
    """Read a CSV (UTF-8, with or without BOM) or XLSX register into row dicts."""
    parsed = ParsedFile(filename=filename, kind=extension(filename))
    if parsed.kind not in EXTENSIONS:
        parsed.errors.append(_("Upload a .csv or .xlsx file."))
        return parsed
    data = file_obj if isinstance(file_obj, bytes) else file_obj.read()
    if parsed.kind == "csv":
        _parse_csv(data, parsed)
    else:
        _parse_xlsx(data, parsed)
    if parsed.errors:
        parsed.rows = []
    return parsed
