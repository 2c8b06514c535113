"""Reading an uploaded spreadsheet (.csv or .xlsx) into a table of text cells, for the apps that
import rows from files (SLA reports, audit findings).

Only the generic part lives here: file type, size and row limits, the CSV dialect of Dutch
Excel, the XLSX zip-bomb and macro guards, cell text and heading names. Which columns exist,
what their headings may be called and what a valid row is stays in the app. Every problem is a
`Problem` — row, column, value, message — so the user can be shown all of them at once.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

# openpyxl parses the workbook XML with defusedxml when it is installed; refuse to run without
# it (XML entity expansion attacks).
if not openpyxl.DEFUSEDXML:  # pragma: no cover - the dependency is pinned
    raise ImproperlyConfigured("defusedxml must be installed for safe XLSX parsing.")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import. `row` is the spreadsheet row (the header is row 1; JSON
    items and form rows count from 1), None for the input as a whole."""

    row: int | None
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class Rejected(Exception):
    """The file cannot be read at all; `problems` says why."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems


def rejected(message: str, *, column: str = "", value: str = "") -> Rejected:
    """A rejection of the input as a whole (no row)."""
    return Rejected([Problem(row=None, column=column, value=value, message=message)])


@dataclass(frozen=True)
class Limits:
    """What an app accepts: file size and data rows; for .xlsx (a zip archive) the total
    unpacked size, the number of parts and the compression ratio (of the file and of each
    part)."""

    max_bytes: int
    max_rows: int
    xlsx_max_uncompressed: int
    xlsx_max_entries: int = 100
    xlsx_max_ratio: int = 200


@dataclass(frozen=True)
class Spec:
    """An app's spreadsheet: its columns (normalised heading → column, and those required),
    its limits, its message for an .xlsx with too many parts (it names what the file should
    be) and the column of problems with the file as a whole."""

    aliases: Mapping[str, str]
    required: tuple[str, ...]
    limits: Limits
    too_many_parts: str
    file_column: str = ""


@dataclass(frozen=True)
class Table:
    """The cells of a file as text: the header first, trailing blank rows dropped."""

    rows: list[list[str]]
    # Column → index of the first heading that names it.
    positions: dict[str, int]
    # The CSV delimiter; None for .xlsx.
    delimiter: str | None

    @property
    def decimal_comma(self) -> bool:
        """Whether numbers are written with a decimal comma: Dutch Excel writes semicolons in
        its CSV because the comma is its decimal mark."""
        return self.delimiter == ";"

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(spreadsheet row, column → stripped text) for every non-blank row below the header;
        a column the row is too short for is empty."""
        positions = self.positions.items()
        for number, row in enumerate(self.rows[1:], start=2):
            if not any(c.strip() for c in row):
                continue
            width = len(row)
            yield number, {col: row[i].strip() if i < width else "" for col, i in positions}


def read_table(*, name: str, content: bytes, spec: Spec, sheet: str | None = None) -> Table:
    """The table of an uploaded .csv or .xlsx file (of an .xlsx its `sheet`, by default the
    first), its columns found through the spec's aliases. Raises Rejected for a file that
    cannot be read at all: wrong type, too large, empty, unreadable, a required column missing,
    too many rows."""
    limits, file_column = spec.limits, spec.file_column
    lower = (name or "").lower()
    if lower.endswith((".xlsm", ".xls", ".xlsb")):
        raise rejected(_macro_message(), column=file_column, value=name)
    if not lower.endswith((".csv", ".xlsx")):
        raise rejected(
            _("Wrong file type: upload a .csv or .xlsx file."), column=file_column, value=name
        )
    if len(content) > limits.max_bytes:
        raise rejected(
            _("The file is larger than %(limit)d MB.") % {"limit": limits.max_bytes // 2**20},
            column=file_column,
        )
    if not content.strip():
        raise rejected(_("The file is empty."), column=file_column, value=name)
    if lower.endswith(".xlsx"):
        rows, delimiter = _read_xlsx(content, spec=spec, sheet=sheet), None
    else:
        rows, delimiter = _read_csv(content, file_column=file_column)
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise rejected(_("The file is empty."), column=file_column)
    positions: dict[str, int] = {}
    for index, heading in enumerate(normalise_heading(cell) for cell in rows[0]):
        column = spec.aliases.get(heading)
        if column and column not in positions:
            positions[column] = index
    missing = [column for column in spec.required if column not in positions]
    if missing:
        raise Rejected(
            [
                Problem(row=1, column=column, value="", message=_("Required column is missing."))
                for column in missing
            ]
        )
    if len(rows) - 1 > limits.max_rows:
        raise rejected(
            _("The file has more than %(max)d rows.") % {"max": limits.max_rows},
            column=file_column,
        )
    return Table(rows=rows, positions=positions, delimiter=delimiter)


def _macro_message() -> str:
    return _("Macro-enabled and old Excel files (.xls, .xlsm) are refused; save as .xlsx.")


def _read_csv(content: bytes, *, file_column: str) -> tuple[list[list[str]], str]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        message = _("Wrong encoding: save the file as UTF-8 (CSV UTF-8 in Excel).")
        raise Rejected([Problem(row=line, column=file_column, value="", message=message)]) from None
    first_line = text.split("\n", 1)[0]
    # Dutch Excel writes semicolons (and decimal commas) because the comma is its decimal mark.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader), delimiter
    except csv.Error:
        # e.g. a field longer than the csv module's limit, or a stray NUL character.
        message = _("This CSV file cannot be read (near line %(line)d): check its quoting.") % {
            "line": reader.line_num
        }
        raise Rejected(
            [Problem(row=reader.line_num, column=file_column, value="", message=message)]
        ) from None


def sheet_titles(*, content: bytes, spec: Spec) -> list[str]:
    """The sheets of an .xlsx upload, after the same guards as `read_table`. Raises Rejected."""
    workbook = _open_xlsx(content, spec=spec)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _read_xlsx(content: bytes, *, spec: Spec, sheet: str | None = None) -> list[list[str]]:
    workbook = _open_xlsx(content, spec=spec)
    max_rows = spec.limits.max_rows
    try:
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        table = []
        for values in worksheet.iter_rows(values_only=True):
            table.append(["" if v is None else cell_text(v) for v in values])
            # One row past the limit is enough to refuse; don't unpack the rest.
            if len(table) > max_rows + 1:
                break
    finally:
        workbook.close()
    return table


def _open_xlsx(content: bytes, *, spec: Spec):
    invalid = _("This is not a valid .xlsx file.")
    if not content.startswith(b"PK"):
        raise rejected(invalid, column=spec.file_column)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except zipfile.BadZipFile:
        raise rejected(invalid, column=spec.file_column) from None
    problem = _zip_problem(entries, compressed_size=len(content), spec=spec)
    if problem:
        raise rejected(problem, column=spec.file_column)
    names = {entry.filename for entry in entries}
    content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if b"macroEnabled" in content_types or any(n.endswith("vbaProject.bin") for n in names):
        raise rejected(_macro_message(), column=spec.file_column)
    try:
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any parser failure means the same to the user
        raise rejected(invalid, column=spec.file_column) from None


def _zip_problem(entries: list[zipfile.ZipInfo], *, compressed_size: int, spec: Spec) -> str | None:
    """Zip-bomb guard: entry count, total uncompressed size and compression ratio."""
    limits = spec.limits
    if len(entries) > limits.xlsx_max_entries:
        return str(spec.too_many_parts)
    total = sum(entry.file_size for entry in entries)
    if total > limits.xlsx_max_uncompressed:
        return _("The .xlsx file unpacks to more than we accept.")
    ratios = [total / compressed_size] if compressed_size else []
    ratios += [e.file_size / e.compress_size for e in entries if e.compress_size]
    if any(ratio > limits.xlsx_max_ratio for ratio in ratios):
        return _("The .xlsx file is compressed suspiciously well; refused.")
    return None


def cell_text(value) -> str:
    """A cell's value as the text Excel shows: 99.5 stays "99.5", 98.0 becomes "98" (and the
    clause 8.5, stored as a number, "8.5")."""
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value).strip()


def normalise_heading(cell: str) -> str:
    """The heading as a key: "Corrective action", "corrective-action" and "CORRECTIVE_ACTION"
    all name the same column."""
    return cell.strip().lstrip("\ufeff").lower().replace(" ", "_").replace("-", "_")
