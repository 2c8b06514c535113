"""Spreadsheet output: contract list exports and per-contract report templates (CSV, XLSX).

Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) is
prefixed with an apostrophe (OWASP CSV injection guidance); numbers are written as numbers.
"""

import csv
import io
from decimal import Decimal

from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """A cell value that no spreadsheet evaluates as a formula."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 CSV with a BOM, so Excel opens accents correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
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
