"""Spreadsheet downloads for any list: CSV (UTF-8 with BOM) and XLSX, formula-safe.

Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) is
prefixed with an apostrophe (OWASP CSV injection guidance); numbers stay numbers.
"""

import csv
import io
from decimal import Decimal

from django.http import Http404, HttpResponse
from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def escape_cell(value):
    """A cell value that no spreadsheet evaluates as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(header: list[str], rows: list[list], *, delimiter: str = ",") -> bytes:
    """UTF-8 with BOM; `delimiter=";"` is what Dutch Excel opens in columns (with CRLF)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([escape_cell(c) for c in header])
    for row in rows:
        writer.writerow([escape_cell(c) for c in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(header: list[str], rows: list[list], *, title: str = "Sheet") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([escape_cell(c) for c in header])
    for row in rows:
        sheet.append([escape_cell(c) for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(
    fmt: str | None, stem: str, header: list[str], rows: list[list], *, delimiter: str = ","
) -> HttpResponse:
    """`rows` as a CSV (default, separated by `delimiter`) or XLSX (`fmt == "xlsx"`) attachment
    named `stem`."""
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(header, rows, title=stem), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
        return response
    if fmt not in (None, "", "csv"):
        raise Http404
    response = HttpResponse(
        csv_bytes(header, rows, delimiter=delimiter), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response
