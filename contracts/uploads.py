"""Reading and validating SLA report uploads (CSV, XLSX, JSON rows).

Every problem is collected — file, row, column, value, message — so the user sees all of them
at once; nothing here writes to the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models import Measurement, ServiceLevel, quarter_period, value_range_problem
from governance.platform import spreadsheets

LIMITS = spreadsheets.Limits(
    max_bytes=10 * 2**20, max_rows=50_000, xlsx_max_uncompressed=100 * 2**20
)
# The form and the API refuse a larger file before it is read.
MAX_UPLOAD_BYTES = LIMITS.max_bytes
XLSX_MAX_ENTRIES = LIMITS.xlsx_max_entries

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
# The headings of the Dutch template (Dutch Excel, ";"-separated CSV); ALIASES reads them back.
DUTCH_HEADINGS = {
    "code": "code",
    "value": "waarde",
    "cause": "oorzaak",
    "impact": "impact_eindgebruiker",
    "corrective_action": "corrigerende_maatregel",
    "name": "naam",
    "unit": "eenheid",
    "target": "doel",
}
SPREADSHEET = spreadsheets.Spec(
    aliases=ALIASES,
    required=("code", "value"),
    limits=LIMITS,
    too_many_parts=gettext_lazy("The .xlsx file has too many parts to be a simple report."),
)

# One thing wrong with an upload; `row` is the spreadsheet row (the header is row 1; JSON rows
# count from 1), None for the file as a whole.
Problem = spreadsheets.Problem
# The file cannot be read at all; its `problems` say why.
UploadRejected = spreadsheets.Rejected


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


# --- reading -------------------------------------------------------------------------------


def read_file(*, name: str, content: bytes) -> tuple[list[RawRow], bool]:
    """Rows of an uploaded file and whether numbers use a decimal comma (Dutch Excel CSV).

    Raises UploadRejected for a file that cannot be read at all."""
    table = spreadsheets.read_table(name=name, content=content, spec=SPREADSHEET)
    if len(table.rows) == 1:
        raise spreadsheets.rejected(_("The file has a header but no rows."))
    return [RawRow(row=number, **cells) for number, cells in table.records()], table.decimal_comma


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
