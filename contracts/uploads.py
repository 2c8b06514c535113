"""Reading and validating SLA report uploads (CSV, XLSX, JSON rows).

Every problem is collected — file, row, column, value, message — so the user sees all of them
at once; nothing here writes to the database.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import openpyxl
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from contracts.models import Measurement, ServiceLevel, quarter_period, value_range_problem

# openpyxl parses the workbook XML with defusedxml when it is installed; refuse to run without
# it (XML entity expansion attacks).
if not openpyxl.DEFUSEDXML:  # pragma: no cover - the dependency is pinned
    raise ImproperlyConfigured("defusedxml must be installed for safe XLSX parsing.")

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
XLSX_MAX_ENTRIES = 100
XLSX_MAX_UNCOMPRESSED = 100 * 1024 * 1024
XLSX_MAX_RATIO = 200

COLUMNS = ["code", "value", "cause", "impact", "corrective_action"]
# Dutch headings are accepted as well, since users fill in Dutch templates by hand.
ALIASES = {
    "code": "code",
    "value": "value",
    "waarde": "value",
    "cause": "cause",
    "oorzaak": "cause",
    "impact": "impact",
    "end_user_impact": "impact",
    "impact_eindgebruiker": "impact",
    "corrective_action": "corrective_action",
    "corrigerende_maatregel": "corrective_action",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an upload. `row` is the spreadsheet row (the header is row 1; JSON
    rows count from 1), None for the file as a whole."""

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


@dataclass(frozen=True)
class RawRow:
    row: int
    code: str
    value: str
    cause: str = ""
    impact: str = ""
    corrective_action: str = ""


@dataclass(frozen=True)
class CleanRow:
    row: int
    level: ServiceLevel
    value: Decimal
    state: str
    cause: str
    impact: str
    corrective_action: str


class UploadRejected(Exception):
    """The file cannot be read at all; `problems` says why."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems


def _file_problem(message: str, value: str = "") -> UploadRejected:
    return UploadRejected([Problem(row=None, column="", value=value, message=message)])


# --- reading -------------------------------------------------------------------------------


def read_file(*, name: str, content: bytes) -> tuple[list[RawRow], bool]:
    """Rows of an uploaded file and whether numbers use a decimal comma (Dutch Excel CSV).

    Raises UploadRejected for a file that cannot be read at all."""
    lower = name.lower()
    if lower.endswith((".xlsm", ".xls", ".xlsb")):
        raise _file_problem(
            _("Macro-enabled and old Excel files (.xls, .xlsm) are refused; save as .xlsx."),
            name,
        )
    if not lower.endswith((".csv", ".xlsx")):
        raise _file_problem(_("Wrong file type: upload a .csv or .xlsx file."), name)
    if len(content) > MAX_UPLOAD_BYTES:
        raise _file_problem(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_UPLOAD_BYTES // 2**20}
        )
    if not content.strip():
        raise _file_problem(_("The file is empty."), name)
    if lower.endswith(".xlsx"):
        return _read_xlsx(content), False
    return _read_csv(content)


def _read_csv(content: bytes) -> tuple[list[RawRow], bool]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise UploadRejected(
            [
                Problem(
                    row=line,
                    column="",
                    value="",
                    message=_("Wrong encoding: save the file as UTF-8 (CSV UTF-8 in Excel)."),
                )
            ]
        ) from None
    first_line = text.split("\n", 1)[0]
    # Dutch Excel writes semicolons (and decimal commas) because the comma is its decimal mark.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = list(reader)
    return _rows_from_table(rows), delimiter == ";"


def _read_xlsx(content: bytes) -> list[RawRow]:
    if not content.startswith(b"PK"):
        raise _file_problem(_("This is not a valid .xlsx file."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except zipfile.BadZipFile:
        raise _file_problem(_("This is not a valid .xlsx file.")) from None
    _guard_zip(entries, compressed_size=len(content))
    names = {entry.filename for entry in entries}
    content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if b"macroEnabled" in content_types or any(n.endswith("vbaProject.bin") for n in names):
        raise _file_problem(
            _("Macro-enabled and old Excel files (.xls, .xlsm) are refused; save as .xlsx.")
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any parser failure means the same to the user
        raise _file_problem(_("This is not a valid .xlsx file.")) from None
    try:
        sheet = workbook.worksheets[0]
        table = []
        for values in sheet.iter_rows(values_only=True):
            table.append(["" if v is None else _cell_text(v) for v in values])
            if len(table) > MAX_ROWS + 1:
                break
    finally:
        workbook.close()
    return _rows_from_table(table)


def _guard_zip(entries: list[zipfile.ZipInfo], *, compressed_size: int) -> None:
    """Zip-bomb guard: entry count, total uncompressed size and compression ratio."""
    if len(entries) > XLSX_MAX_ENTRIES:
        raise _file_problem(_("The .xlsx file has too many parts to be a simple report."))
    total = sum(entry.file_size for entry in entries)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise _file_problem(_("The .xlsx file unpacks to more than we accept."))
    if compressed_size and total / compressed_size > XLSX_MAX_RATIO:
        raise _file_problem(_("The .xlsx file is compressed suspiciously well; refused."))
    for entry in entries:
        if entry.compress_size and entry.file_size / entry.compress_size > XLSX_MAX_RATIO:
            raise _file_problem(_("The .xlsx file is compressed suspiciously well; refused."))


def _cell_text(value) -> str:
    if isinstance(value, float):
        # Keep what Excel shows: 99.5 stays "99.5", 98.0 becomes "98".
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value).strip()


def _rows_from_table(table: list[list[str]]) -> list[RawRow]:
    table = list(table)
    while table and not any(cell.strip() for cell in table[-1]):
        table.pop()
    if not table:
        raise _file_problem(_("The file is empty."))
    header = [_normalise_heading(cell) for cell in table[0]]
    positions = {}
    for index, heading in enumerate(header):
        column = ALIASES.get(heading)
        if column and column not in positions:
            positions[column] = index
    problems = [
        Problem(row=1, column=column, value="", message=_("Required column is missing."))
        for column in ("code", "value")
        if column not in positions
    ]
    if problems:
        raise UploadRejected(problems)
    if len(table) == 1:
        raise _file_problem(_("The file has a header but no rows."))
    if len(table) - 1 > MAX_ROWS:
        raise _file_problem(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})

    def cell(row: list[str], column: str) -> str:
        index = positions.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    rows = []
    for number, row in enumerate(table[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        rows.append(
            RawRow(
                row=number,
                code=cell(row, "code"),
                value=cell(row, "value"),
                cause=cell(row, "cause"),
                impact=cell(row, "impact"),
                corrective_action=cell(row, "corrective_action"),
            )
        )
    return rows


def _normalise_heading(cell: str) -> str:
    return cell.strip().lstrip("\ufeff").lower().replace(" ", "_").replace("-", "_")


def rows_from_json(items: list[dict]) -> list[RawRow]:
    """Rows given as JSON objects by an API client; `row` counts from 1."""
    rows = []
    for number, item in enumerate(items, start=1):
        value = item.get("value")
        rows.append(
            RawRow(
                row=number,
                code=str(item.get("code") or "").strip(),
                value="" if value is None else str(value).strip(),
                cause=str(item.get("cause") or "").strip(),
                impact=str(item.get("impact") or "").strip(),
                corrective_action=str(item.get("corrective_action") or "").strip(),
            )
        )
    return rows


# --- validating ----------------------------------------------------------------------------


def levels_due(levels: list[ServiceLevel], *, period_start: date, period_end: date) -> dict:
    """Code → the version in force for the period. Quarterly levels are reported in the report
    of the quarter's last month only."""
    due = {}
    quarter_end = quarter_period(period_end)[1]
    for level in sorted(levels, key=lambda lv: lv.valid_from):
        if not level.in_force(period_start, period_end):
            continue
        if level.period == ServiceLevel.Period.QUARTERLY and period_end != quarter_end:
            continue
        due[level.code] = level  # the latest version in force wins on a mid-period amendment
    return due


def parse_number(text: str, *, decimal_comma: bool) -> Decimal | None:
    cleaned = text.replace("\u00a0", "").replace(" ", "").removesuffix("%")
    if decimal_comma and "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def validate_rows(
    *,
    rows: list[RawRow],
    levels: list[ServiceLevel],
    known_codes: set[str],
    period_start: date,
    period_end: date,
    decimal_comma: bool,
) -> tuple[list[Problem], list[CleanRow]]:
    """Check every row against the levels in force; collect every problem."""
    due = levels_due(levels, period_start=period_start, period_end=period_end)
    problems: list[Problem] = []
    clean: list[CleanRow] = []
    seen: dict[str, int] = {}
    for raw in rows:
        if not raw.code:
            problems.append(Problem(raw.row, "code", "", _("The code is missing.")))
            continue
        first = seen.get(raw.code)
        if first is not None:
            problems.append(
                Problem(
                    raw.row,
                    "code",
                    raw.code,
                    _("Duplicate code: already reported in row %(row)d.") % {"row": first},
                )
            )
            continue
        seen[raw.code] = raw.row
        level = due.get(raw.code)
        if level is None:
            message = (
                _("This service level is not reported in this period.")
                if raw.code in known_codes
                else _("Unknown code: no such service level in this contract.")
            )
            problems.append(Problem(raw.row, "code", raw.code, message))
            continue
        if not raw.value:
            problems.append(Problem(raw.row, "value", "", _("The value is missing.")))
            continue
        value = parse_number(raw.value, decimal_comma=decimal_comma)
        if value is None:
            problems.append(Problem(raw.row, "value", raw.value, _("The value is not a number.")))
            continue
        out_of_range = value_range_problem(level.metric_kind, value)
        if out_of_range:
            problems.append(Problem(raw.row, "value", raw.value, out_of_range))
            continue
        state = level.judge(value)
        if state != Measurement.State.MET:
            for column in ("cause", "impact", "corrective_action"):
                if not getattr(raw, column):
                    problems.append(
                        Problem(
                            raw.row,
                            column,
                            "",
                            _(
                                "The target was not met: a deviation analysis (cause, end-user "
                                "impact, corrective action) is required."
                            ),
                        )
                    )
        clean.append(
            CleanRow(
                row=raw.row,
                level=level,
                value=value,
                state=state,
                cause=raw.cause,
                impact=raw.impact,
                corrective_action=raw.corrective_action,
            )
        )
    for code in sorted(set(due) - set(seen)):
        problems.append(Problem(None, "code", code, _("No value reported for this service level.")))
    return problems, clean
