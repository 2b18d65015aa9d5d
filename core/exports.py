"""CSV and XLSX exports of report tables, one way for every service."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.http import HttpResponse, StreamingHttpResponse

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Column = tuple[str, Callable[[object], object]]


def table(
    rows: Iterable[Any], columns: Sequence[Column]
) -> tuple[list[str], Iterator[list[object]]]:
    """Headers and, lazily, the cell values (Decimal, int, str, date or None) of an export."""
    return ([str(h) for h, _get in columns], ([get(r) for _h, get in columns] for r in rows))


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet will show, never run as a formula (names, roads and messages
    come from citizens and from imported registers)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_cells(row: list[Any]) -> list[Any]:
    return [
        "" if v is None else v.isoformat() if isinstance(v, date) else safe_cell(v) for v in row
    ]


def csv_chunks(
    headers: list[str], values: Iterable[list[Any]], *, rows_per_chunk: int = 500
) -> Iterator[bytes]:
    """The CSV of to_csv in pieces of `rows_per_chunk` rows, for a streamed download:
    memory stays flat however long the list (the rows are read as they are written)."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow([safe_cell(h) for h in headers])
    for index, row in enumerate(values, start=1):
        writer.writerow(_csv_cells(row))
        if index % rows_per_chunk == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def to_csv(headers: list[str], values: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheet programs read Bengali right)."""
    return b"".join(csv_chunks(headers, values))


def streaming_csv_response(
    headers: list[str], values: Iterable[list[Any]], *, filename: str
) -> StreamingHttpResponse:
    """The table as a CSV download written while it is sent (csv_chunks)."""
    response = StreamingHttpResponse(csv_chunks(headers, values), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def to_xlsx(headers: list[str], values: Iterable[list[Any]], *, title: str) -> bytes:
    """The workbook of write_xlsx as bytes."""
    out = io.BytesIO()
    write_xlsx(out, headers, values, title=title)
    return out.getvalue()


def write_xlsx(
    target: str | IO[bytes], headers: list[str], values: Iterable[list[Any]], *, title: str
) -> None:
    """One sheet, bold headers, numbers kept numeric (money with two decimals), written
    row by row (write-only workbook: memory stays flat on long lists) into `target`, a
    path or a binary file."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(header) + 4))
    bold = Font(bold=True)

    def cell(value: Any, *, header: bool = False) -> Any:
        c = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            c.data_type = "s"  # text stays text, even when it starts with "="
        if header:
            c.font = bold
        elif isinstance(value, Decimal):
            exponent = value.as_tuple().exponent
            c.number_format = "#,##0.00" if isinstance(exponent, int) and exponent <= -2 else "0.0"
        elif isinstance(value, date):
            c.number_format = "yyyy-mm-dd"
        return c

    sheet.append([cell(h, header=True) for h in headers])
    for row in values:
        sheet.append([cell(v) for v in row])
    book.save(target)


def requested_format(request: Any) -> str | None:
    """ "csv" or "xlsx" when the request asks for a download (?format=…), else None."""
    fmt = request.GET.get("format")
    return fmt if fmt in ("csv", "xlsx") else None


def export_response(
    fmt: str, headers: list[str], values: Iterable[list[Any]], *, filename: str, title: str
) -> HttpResponse:
    """The table as a download: `fmt` "xlsx" or (anything else) CSV."""
    if fmt == "xlsx":
        response = HttpResponse(to_xlsx(headers, values, title=title), content_type=XLSX_TYPE)
    else:
        fmt = "csv"
        response = HttpResponse(to_csv(headers, values), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
