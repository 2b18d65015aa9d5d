"""CSV and XLSX exports of report tables, one way for every service."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

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


def to_csv(headers: list[str], values: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheet programs read Bengali right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in headers])
    for row in values:
        writer.writerow(
            [
                "" if v is None else v.isoformat() if isinstance(v, date) else safe_cell(v)
                for v in row
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(headers: list[str], values: Iterable[list[Any]], *, title: str) -> bytes:
    """One sheet, bold headers, numbers kept numeric (money with two decimals), written
    row by row (write-only workbook: memory stays flat on long lists)."""
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
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
