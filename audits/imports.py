"""Reading and validating the structured findings of a supplier's internal audit report, from a
CSV or XLSX file, JSON rows (API) or the rows of the browser form.

Files are read by governance.platform.spreadsheets, like the SLA upload's
(contracts/uploads.py): the whole input is read and every problem is collected — row, column,
value, message — so the supplier sees all of them at once; the caller stores nothing unless
there is none. Nothing here writes to the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.clauses import CLAUSES
from audits.models import Result
from governance.platform import spreadsheets

LIMITS = spreadsheets.Limits(max_bytes=5 * 2**20, max_rows=1000, xlsx_max_uncompressed=50 * 2**20)
# The form refuses a larger file before it is read.
MAX_FILE_BYTES = LIMITS.max_bytes
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
SPREADSHEET = spreadsheets.Spec(
    aliases=ALIASES,
    required=REQUIRED,
    limits=LIMITS,
    too_many_parts=gettext_lazy("The .xlsx file has too many parts to be a simple list."),
    # Problems with the file as a whole belong to the form's file field.
    file_column="findings_file",
)
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


# One thing wrong with the report or its findings; `row` is the spreadsheet row (the header is
# row 1), the JSON item or the form row (both from 1), None for the input as a whole.
Problem = spreadsheets.Problem
# The file cannot be read at all; its `problems` say why.
ImportRejected = spreadsheets.Rejected


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


# --- reading -------------------------------------------------------------------------------


def read_file(*, name: str, content: bytes) -> list[RawFindingRow]:
    """The finding rows of an uploaded CSV or XLSX file; raises ImportRejected for a file that
    cannot be read at all (wrong type, too large, empty, no header, unreadable)."""
    table = spreadsheets.read_table(name=name, content=content, spec=SPREADSHEET)
    rows = []
    for number, cells in table.records():
        services = _split_services(cells.pop("services", ""))
        rows.append(RawFindingRow(row=number, services=services, **cells))
    return rows


def _split_services(text: str) -> tuple[str, ...]:
    for separator in SERVICE_SEPARATORS[1:]:
        text = text.replace(separator, SERVICE_SEPARATORS[0])
    return tuple(part.strip() for part in text.split(SERVICE_SEPARATORS[0]) if part.strip())


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
