"""Reading an uploaded register: CSV (UTF-8, with or without BOM, comma, semicolon or
tab) or XLSX into row dicts, with file-level errors (columns, size, encoding).

Bounded (holdings.importer.columns.limits()): an .xlsx is refused before it is opened
when it unpacks to more than the uncompressed cap or one of its members is compressed
beyond the ratio cap (a zip bomb); while reading, a cell longer than the cell cap is cut
and its row gets an error, more rows than the row cap, too many blank rows or more text
than the uncompressed cap refuse the file; only the first MAX_COLUMNS_READ columns of a
sheet are read."""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

from core.digits import localize_digits

from .columns import (
    COLUMNS,
    EXTENSIONS,
    MAX_BLANK_ROWS,
    MAX_COLUMNS_READ,
    MAX_MEMBERS,
    RATIO_FROM_BYTES,
    echo,
    limits,
)

# One row as read: (row number in the file, {column: text}, [(message, code)]).
Row = tuple[int, dict[str, str], list[tuple[str, str]]]


@dataclass
class ParsedFile:
    """The rows of an uploaded register: (row number in the file, {column: text})."""

    filename: str
    kind: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # file-level: nothing can be imported
    # Problems found while reading a row (a cell too long): row number → [(message, code)].
    row_errors: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    expected_rows: int = 0  # what an .xlsx sheet says it holds (for progress), else 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict:
        """The parsed file as JSON-ready data (kept between the check and the import)."""
        return {
            "filename": self.filename,
            "kind": self.kind,
            "headers": self.headers,
            "rows": [[number, values] for number, values in self.rows],
            "row_errors": [
                [number, [list(e) for e in errors]] for number, errors in self.row_errors.items()
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> ParsedFile:
        return cls(
            filename=str(data["filename"]),
            kind=str(data["kind"]),
            headers=list(data["headers"]),
            rows=[(int(number), dict(values)) for number, values in data["rows"]],
            row_errors={
                int(number): [tuple(e) for e in errors] for number, errors in data["row_errors"]
            },
        )


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
    known = len(COLUMNS) - len(missing)
    if known < len(COLUMNS) // 2:
        parsed.errors.append(
            _(
                "The first row does not look like the header row: it names only %(known)s "
                "of the %(total)s columns. Put the column names in the first row (download "
                "the sample file and copy its first row)."
            )
            % {"known": localize_digits(known), "total": localize_digits(len(COLUMNS))}
        )
    if unknown:
        parsed.errors.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
        for name in unknown:
            close = difflib.get_close_matches(name, missing or COLUMNS, n=1, cutoff=0.6)
            if close:
                parsed.errors.append(
                    _("Column “%(given)s” is not known: did you mean “%(column)s”?")
                    % {"given": name, "column": close[0]}
                )
    if repeated:
        parsed.errors.append(
            _("Columns given twice: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    if missing or unknown or repeated:
        parsed.errors.append(
            _("The first row must name exactly these columns (in any order): %(columns)s.")
            % {"columns": ", ".join(COLUMNS)}
        )
    parsed.headers = [n for n in names if n]
    return index


def _collect(rows, parsed: ParsedFile) -> None:
    """Header from the first non-empty row, then the data rows (blank rows skipped), within
    the limits, into `parsed` (see _records)."""
    for number, values, row_errors in _records(rows, parsed):
        parsed.rows.append((number, values))
        if row_errors:
            parsed.row_errors[number] = row_errors


def _records(rows, parsed: ParsedFile) -> Iterator[Row]:
    """Header from the first non-empty row, then the data rows one by one (blank rows
    skipped), within the limits: a cell longer than the cell cap is cut and its row gets
    an error; too many rows, blank rows or characters refuse the file. File-level errors
    land in `parsed.errors` (and end the rows): the rows given so far must be dropped."""
    limit = limits()
    max_rows, max_cell, max_text = limit["rows"], limit["cell_chars"], limit["uncompressed"]
    index: dict[int, str] | None = None
    blank = text_size = count = 0
    for number, raw in rows:
        cells = list(itertools.islice(raw, MAX_COLUMNS_READ))
        texts = [_text(c) for c in cells]
        if not any(texts):
            blank += 1
            if blank > MAX_BLANK_ROWS:
                parsed.errors.append(
                    _("The file has more than %(max)s blank rows; delete them and upload it again.")
                    % {"max": localize_digits(MAX_BLANK_ROWS)}
                )
                return
            continue
        if index is None:
            index = _read_headers([echo(t) for t in texts], parsed)
            if parsed.errors:
                return
            continue
        if count >= max_rows:
            parsed.errors.append(
                _("The file has more than %(max)s rows; split it into smaller files.")
                % {"max": localize_digits(max_rows)}
            )
            return
        values = {name: "" for name in COLUMNS}
        row_errors: list[tuple[str, str]] = []
        for i, name in index.items():
            if i >= len(texts):
                continue
            text = texts[i]
            if len(text) > max_cell:
                row_errors.append(
                    (
                        _("%(column)s is longer than %(max)s characters (“%(start)s”).")
                        % {"column": name, "max": max_cell, "start": echo(text)},
                        "cell_too_long",
                    )
                )
                text = echo(text)
            text_size += len(text)
            values[name] = text
        if text_size > max_text:
            parsed.errors.append(
                _(
                    "The file holds more text than can be checked at once; "
                    "split it into smaller files."
                )
            )
            return
        count += 1
        yield number, values, row_errors
    if index is None:
        parsed.errors.append(_("The file is empty."))
    elif not count:
        parsed.errors.append(_("The file has the columns but no rows of holdings."))


class _NotText(Exception):
    pass


def _csv_lines(text: Iterable[str]) -> Iterator[str]:
    for line in text:
        if "\x00" in line:
            raise _NotText
        yield line


def _stream_csv(file_obj: IO[bytes], parsed: ParsedFile) -> Iterator[Row]:
    """The rows of a CSV read line by line (never the whole file in memory)."""
    text = io.TextIOWrapper(file_obj, encoding="utf-8-sig", newline="")  # type: ignore[type-var]
    try:
        first = text.readline()
        delimiter = ","
        if "," not in first:
            delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
        reader = csv.reader(_csv_lines(itertools.chain([first], text)), delimiter=delimiter)
        yield from _records(((i, row) for i, row in enumerate(reader, start=1)), parsed)
    except UnicodeDecodeError:
        parsed.errors.append(
            _(
                "The file is not UTF-8 text. In Excel choose “Save as” → "
                "“CSV UTF-8”, or upload the .xlsx workbook instead."
            )
        )
    except _NotText:
        parsed.errors.append(_("This is not a CSV text file."))
    except csv.Error as exc:
        parsed.errors.append(_("The CSV file is malformed: %(error)s") % {"error": exc})
    finally:
        with contextlib.suppress(ValueError):
            text.detach()  # the caller closes the file


def _parse_csv(data: bytes, parsed: ParsedFile) -> None:
    _collect_rows(_stream_csv(io.BytesIO(data), parsed), parsed)


def _check_zip(data: bytes | IO[bytes], parsed: ParsedFile) -> bool:
    """Before an .xlsx is opened: a real zip, not too many members, not too big unpacked
    and no member compressed beyond the ratio cap. Only the zip's directory is read; the
    sizes it declares are the ones Python's zipfile holds each member to when unpacking."""
    not_real = _(
        "This is not a real .xlsx workbook. Save it again from Excel as “Excel "
        "Workbook (.xlsx)” or as “CSV UTF-8”."
    )
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    if not zipfile.is_zipfile(source):
        parsed.errors.append(not_real)
        return False
    limit = limits()
    try:
        source.seek(0)
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        parsed.errors.append(not_real)
        return False
    unpacked = sum(m.file_size for m in members)
    too_packed = [
        m
        for m in members
        if m.file_size > RATIO_FROM_BYTES and m.file_size > limit["ratio"] * max(m.compress_size, 1)
    ]
    if len(members) > MAX_MEMBERS or unpacked > limit["uncompressed"] or too_packed:
        parsed.errors.append(
            _(
                "This workbook unpacks to far more data than a register holds "
                "(at most %(max)s MB unpacked, and nothing packed more than "
                "%(ratio)s to 1), so it was not opened. Save the register "
                "again from Excel, or as “CSV UTF-8”."
            )
            % {
                "max": localize_digits(limit["uncompressed"] // (1024 * 1024)),
                "ratio": localize_digits(limit["ratio"]),
            }
        )
        return False
    return True


def _stream_xlsx(file_obj: IO[bytes], parsed: ParsedFile) -> Iterator[Row]:
    """The rows of the first sheet, read as openpyxl streams them (read-only mode)."""
    import openpyxl

    if not _check_zip(file_obj, parsed):
        return
    unreadable = _(
        "The .xlsx workbook cannot be read. Save it again from Excel "
        "as “Excel Workbook (.xlsx)” or as “CSV UTF-8”."
    )
    try:
        file_obj.seek(0)
        workbook = openpyxl.load_workbook(file_obj, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the same problem for the user
        parsed.errors.append(unreadable)
        return
    try:
        sheet = workbook.worksheets[0]
        with contextlib.suppress(Exception):
            parsed.expected_rows = int(sheet.max_row or 0)  # type: ignore[union-attr]
        yield from _records(
            (
                (i, row)
                for i, row in enumerate(
                    sheet.iter_rows(max_col=MAX_COLUMNS_READ, values_only=True), start=1
                )
            ),
            parsed,
        )
    except Exception:  # noqa: BLE001 - a damaged sheet inside a valid zip
        parsed.errors.append(unreadable)
    finally:
        workbook.close()


def _parse_xlsx(data: bytes, parsed: ParsedFile) -> None:
    _collect_rows(_stream_xlsx(io.BytesIO(data), parsed), parsed)


def wrong_type_message(filename: str) -> str:
    """Why a file of another type is refused, naming its type."""
    kind = extension(filename)
    if not kind:
        return _(
            "The file has no type (.csv or .xlsx) at the end of its name. Upload a .csv or "
            ".xlsx file: in Excel, “Save as” → “CSV UTF-8” or “Excel Workbook (.xlsx)”."
        )
    return _(
        "A .%(kind)s file is not a register this page reads. Upload a .csv or .xlsx file: "
        "in Excel, “Save as” → “CSV UTF-8” or “Excel Workbook (.xlsx)”."
    ) % {"kind": kind[:10]}


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def stream(file_obj: IO[bytes], filename: str, parsed: ParsedFile) -> Iterator[Row]:
    """The rows of a CSV (UTF-8, with or without BOM) or XLSX register one by one, as
    (row number in the file, {column: text}, [(message, code)] found while reading it),
    reading the file once and never whole. File-level errors land in `parsed.errors`
    (then the rows given so far must be dropped); `parsed.kind` is set from the name."""
    parsed.kind = extension(filename)
    if parsed.kind not in EXTENSIONS:
        parsed.errors.append(wrong_type_message(filename))
        return
    if parsed.kind == "csv":
        yield from _stream_csv(file_obj, parsed)
    else:
        yield from _stream_xlsx(file_obj, parsed)


def parse(file_obj: IO[bytes] | bytes, filename: str) -> ParsedFile:
    """Read a CSV (UTF-8, with or without BOM) or XLSX register into row dicts."""
    parsed = ParsedFile(filename=filename, kind=extension(filename))
    source = io.BytesIO(file_obj) if isinstance(file_obj, bytes) else file_obj
    _collect_rows(stream(source, filename, parsed), parsed)
    if parsed.errors:
        parsed.rows = []
        parsed.row_errors = {}
    return parsed


def _collect_rows(rows: Iterator[Row], parsed: ParsedFile) -> None:
    for number, values, row_errors in rows:
        parsed.rows.append((number, values))
        if row_errors:
            parsed.row_errors[number] = row_errors
