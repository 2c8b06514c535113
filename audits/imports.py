"""Reading and validating the structured findings of a supplier's internal audit report, from a
CSV or XLSX file, JSON rows (API) or the rows of the browser form.

The same patterns as the SLA upload (contracts/uploads.py): the whole input is read and every
problem is collected — row, column, value, message — so the supplier sees all of them at once;
the caller stores nothing unless there is none. Nothing here writes to the database.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext as _

from audits.clauses import CLAUSES
from audits.models import Result

# openpyxl parses the workbook XML with defusedxml when it is installed; refuse to run without
# it (XML entity expansion attacks).
if not openpyxl.DEFUSEDXML:  # pragma: no cover - the dependency is pinned
    raise ImproperlyConfigured("defusedxml must be installed for safe XLSX parsing.")

MAX_FILE_BYTES = 5 * 2**20
MAX_ROWS = 1000
XLSX_MAX_ENTRIES = 100
XLSX_MAX_UNCOMPRESSED = 50 * 2**20
XLSX_MAX_RATIO = 200
MAX_TITLE = 200
MAX_REFERENCE = 40

COLUMNS = ["reference", "title", "grade", "clause", "description", "root_cause", "services"]
REQUIRED = ("title", "grade", "description")
# Dutch headings are accepted as well: suppliers fill the template in by hand.
ALIASES = {
    "reference": "reference",
    "ref": "reference",
    "number": "reference",
    "referentie": "reference",
    "kenmerk": "reference",
    "nummer": "reference",
    "title": "title",
    "titel": "title",
    "finding": "title",
    "bevinding": "title",
    "grade": "grade",
    "zwaarte": "grade",
    "classification": "grade",
    "classificatie": "grade",
    "clause": "clause",
    "iso_9001_clause": "clause",
    "paragraaf": "clause",
    "iso_9001_paragraaf": "clause",
    "norm": "clause",
    "description": "description",
    "omschrijving": "description",
    "beschrijving": "description",
    "root_cause": "root_cause",
    "cause": "root_cause",
    "grondoorzaak": "root_cause",
    "oorzaak": "root_cause",
    "services": "services",
    "affected_services": "services",
    "diensten": "services",
    "geraakte_diensten": "services",
}
# Names of several services in one cell are separated by semicolons (or put on new lines).
SERVICE_SEPARATORS = (";", "\n", "|")
GRADE_ALIASES = {
    "major": Result.MAJOR,
    "major nc": Result.MAJOR,
    "major non conformity": Result.MAJOR,
    "minor": Result.MINOR,
    "minor nc": Result.MINOR,
    "minor non conformity": Result.MINOR,
    "ofi": Result.IMPROVEMENT,
    "improvement": Result.IMPROVEMENT,
    "obs": Result.OBSERVATION,
    "ernstig": Result.MAJOR,
    "klein": Result.MINOR,
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the report or its findings. `row` is the spreadsheet row (the header
    is row 1), the JSON item or the form row (both from 1); None for the input as a whole."""

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
class RawFindingRow:
    row: int
    title: str = ""
    grade: str = ""
    clause: str = ""
    description: str = ""
    root_cause: str = ""
    # Service names (file, JSON) or ids (form, JSON).
    services: tuple = ()
    reference: str = ""


@dataclass(frozen=True)
class CleanFindingRow:
    row: int
    title: str
    grade: str
    clause: str
    description: str
    root_cause: str
    services: tuple
    reference: str


class ImportRejected(Exception):
    """The file cannot be read at all; `problems` says why."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems


def _file_problem(message: str, value: str = "") -> ImportRejected:
    return ImportRejected([Problem(row=None, column="findings_file", value=value, message=message)])


# --- reading -------------------------------------------------------------------------------


def read_file(*, name: str, content: bytes) -> list[RawFindingRow]:
    """The finding rows of an uploaded CSV or XLSX file; raises ImportRejected for a file that
    cannot be read at all (wrong type, too large, empty, no header, unreadable)."""
    lower = (name or "").lower()
    if lower.endswith((".xlsm", ".xls", ".xlsb")):
        raise _file_problem(
            _("Macro-enabled and old Excel files (.xls, .xlsm) are refused; save as .xlsx."),
            name,
        )
    if not lower.endswith((".csv", ".xlsx")):
        raise _file_problem(_("Wrong file type: upload a .csv or .xlsx file."), name)
    if len(content) > MAX_FILE_BYTES:
        raise _file_problem(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_FILE_BYTES >> 20}
        )
    if not content.strip():
        raise _file_problem(_("The file is empty."), name)
    table = _read_xlsx(content) if lower.endswith(".xlsx") else _read_csv(content)
    return _rows_from_table(table)


def _read_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise ImportRejected(
            [
                Problem(
                    row=line,
                    column="findings_file",
                    value="",
                    message=_("Wrong encoding: save the file as UTF-8 (CSV UTF-8 in Excel)."),
                )
            ]
        ) from None
    first_line = text.split("\n", 1)[0]
    # Dutch Excel writes semicolons because the comma is its decimal mark.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _read_xlsx(content: bytes) -> list[list[str]]:
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
        table = []
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            table.append(["" if v is None else _cell_text(v) for v in values])
            if len(table) > MAX_ROWS + 1:
                break
    finally:
        workbook.close()
    return table


def _guard_zip(entries: list[zipfile.ZipInfo], *, compressed_size: int) -> None:
    """Zip-bomb guard: entry count, total uncompressed size and compression ratio."""
    if len(entries) > XLSX_MAX_ENTRIES:
        raise _file_problem(_("The .xlsx file has too many parts to be a simple list."))
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
        # Excel stores the clause 8.5 as a number; keep what it shows ("8.5", "10.2").
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value).strip()


def _normalise_heading(cell: str) -> str:
    return cell.strip().lstrip("\ufeff").lower().replace(" ", "_").replace("-", "_")


def _split_services(text: str) -> tuple[str, ...]:
    for separator in SERVICE_SEPARATORS[1:]:
        text = text.replace(separator, SERVICE_SEPARATORS[0])
    return tuple(part.strip() for part in text.split(SERVICE_SEPARATORS[0]) if part.strip())


def _rows_from_table(table: list[list[str]]) -> list[RawFindingRow]:
    table = list(table)
    while table and not any(cell.strip() for cell in table[-1]):
        table.pop()
    if not table:
        raise _file_problem(_("The file is empty."))
    positions: dict[str, int] = {}
    for index, heading in enumerate(_normalise_heading(cell) for cell in table[0]):
        column = ALIASES.get(heading)
        if column and column not in positions:
            positions[column] = index
    missing = [column for column in REQUIRED if column not in positions]
    if missing:
        raise ImportRejected(
            [
                Problem(row=1, column=column, value="", message=_("Required column is missing."))
                for column in missing
            ]
        )
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
            RawFindingRow(
                row=number,
                reference=cell(row, "reference"),
                title=cell(row, "title"),
                grade=cell(row, "grade"),
                clause=cell(row, "clause"),
                description=cell(row, "description"),
                root_cause=cell(row, "root_cause"),
                services=_split_services(cell(row, "services")),
            )
        )
    return rows


def rows_from_json(items: list) -> list[RawFindingRow]:
    """Rows given as JSON objects by an API client; `row` counts from 1. `services` is a list
    of service ids or names (or one string of names separated by semicolons)."""
    rows = []
    for number, item in enumerate(items, start=1):
        item = item if isinstance(item, dict) else {}
        services = item.get("services") or ()
        if isinstance(services, str):
            services = _split_services(services)
        elif not isinstance(services, (list, tuple)):
            services = (services,)

        def text(key, item=item):
            value = item.get(key)
            return "" if value is None else str(value).strip()

        rows.append(
            RawFindingRow(
                row=number,
                reference=text("reference"),
                title=text("title"),
                grade=text("grade"),
                clause=text("clause"),
                description=text("description"),
                root_cause=text("root_cause"),
                services=tuple(services),
            )
        )
    return rows


# --- validating ----------------------------------------------------------------------------


def grade_lookup() -> dict[str, str]:
    """Every way a grade may be written → its value: the code, the English and the Dutch
    label, and a few short forms ("major", "OFI")."""
    lookup = {_normalise_grade(key): value for key, value in GRADE_ALIASES.items()}
    for result in Result:
        lookup[_normalise_grade(result.value)] = result.value
        for language in ("en", "nl"):
            with translation.override(language):
                lookup[_normalise_grade(str(result.label))] = result.value
    return lookup


def _normalise_grade(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


def parse_clause(text: str) -> str:
    """The clause code at the start of the cell: "8.5" and "8.5 Production and service
    provision" both give "8.5"."""
    return text.strip().split(" ", 1)[0].rstrip(".") if text.strip() else ""


def validate_rows(
    *, rows: list[RawFindingRow], services: list, existing_references: set[str] = frozenset()
) -> tuple[list[Problem], list[CleanFindingRow]]:
    """Check every row: title, grade (not conform), description, a known clause, the contract's
    services, and references unique within the report and the audit. Every problem is
    collected; a row with a problem yields no clean row."""
    grades = grade_lookup()
    by_id = {service.pk: service for service in services}
    by_name = {service.name.strip().lower(): service for service in services}
    known_names = ", ".join(sorted(service.name for service in services)) or "—"
    problems: list[Problem] = []
    clean: list[CleanFindingRow] = []
    seen_references: dict[str, int] = {}
    for raw in rows:
        found: list[Problem] = []

        def problem(column, value, message, raw=raw, found=found):
            found.append(Problem(raw.row, column, str(value), message))

        if not raw.title:
            problem("title", "", _("The title is missing."))
        elif len(raw.title) > MAX_TITLE:
            problem(
                "title",
                raw.title[:40] + "…",
                _("The title is longer than %(max)d characters.") % {"max": MAX_TITLE},
            )
        grade = grades.get(_normalise_grade(raw.grade)) if raw.grade else None
        if not raw.grade:
            problem("grade", "", _("The grade is missing."))
        elif grade is None:
            problem(
                "grade",
                raw.grade,
                _(
                    "Unknown grade: use major_nc, minor_nc, observation, improvement or "
                    "strength (or their names)."
                ),
            )
        elif grade == Result.CONFORM:
            problem("grade", raw.grade, _("A conform result is not a finding."))
        if not raw.description:
            problem("description", "", _("The description is missing."))
        clause = parse_clause(raw.clause)
        if clause and clause not in CLAUSES:
            problem("clause", raw.clause, _("Unknown ISO 9001 clause: use a code such as 8.5."))
        matched = []
        for token in raw.services:
            service = None
            if isinstance(token, int) or (isinstance(token, str) and token.isdigit()):
                service = by_id.get(int(token))
            if service is None and isinstance(token, str):
                service = by_name.get(token.strip().lower())
            if service is None:
                problem(
                    "services",
                    token,
                    _("Unknown service for this contract; its services are: %(names)s.")
                    % {"names": known_names},
                )
            elif service not in matched:
                matched.append(service)
        reference = raw.reference
        if len(reference) > MAX_REFERENCE:
            problem(
                "reference",
                reference,
                _("The reference is longer than %(max)d characters.") % {"max": MAX_REFERENCE},
            )
        elif reference and reference in existing_references:
            problem(
                "reference",
                reference,
                _("A finding with this reference is already recorded for this audit."),
            )
        elif reference and reference in seen_references:
            problem(
                "reference",
                reference,
                _("Duplicate reference: already used in row %(row)d.")
                % {"row": seen_references[reference]},
            )
        elif reference:
            seen_references[reference] = raw.row
        if found:
            problems += found
            continue
        clean.append(
            CleanFindingRow(
                row=raw.row,
                title=raw.title,
                grade=grade,
                clause=clause,
                description=raw.description,
                root_cause=raw.root_cause,
                services=tuple(matched),
                reference=reference,
            )
        )
    return problems, clean
