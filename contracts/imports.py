"""Importing an organisation's existing contract register from a workbook.

One .xlsx with a sheet per kind — `contracts`, `services`, `service_levels` (Dutch names
`contracten`, `diensten`, `servicelevels` too) — or one .csv/.xlsx of a single kind. Every row goes
through the same services as the browser forms (`contract_create`, `service_create`,
`service_level_add`, …), so the same validation holds. The import is all or nothing: the rows
are written in one transaction, which is rolled back when any row has a problem or for a dry
run; every problem is listed by sheet, row and column.

Rows are matched on their natural keys — a contract on its reference, a service on (contract,
name), a service level on (contract, code) — so importing the same file again changes nothing:
a row equal to what is stored is *unchanged*, a contract or service that differs is *updated*.
A service level that differs from the version in force is a problem: changing an agreed level
is an amendment from a date, made on the contract page, so the old target keeps its periods.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts import services
from contracts.models import Contract, Service, ServiceLevel
from contracts.permissions import may_manage_contract
from governance.platform.access import Access
from governance.platform.dimensions import Dimension
from governance.platform.models import Supplier
from governance.platform.spreadsheets import (
    Limits,
    Problem,
    Rejected,
    Spec,
    Table,
    read_table,
    sheet_titles,
)

KINDS = ("contracts", "services", "service_levels")
SHEET_NAMES = {
    "contracts": "contracts",
    "contracten": "contracts",
    "services": "services",
    "diensten": "services",
    "service_levels": "service_levels",
    "servicelevels": "service_levels",
}
LIMITS = Limits(max_bytes=10 * 2**20, max_rows=20_000, xlsx_max_uncompressed=100 * 2**20)
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
WEEKDAYS |= {"ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4, "za": 5, "zo": 6}

COLUMNS = {
    "contracts": {
        "reference": ("referentie",),
        "title": ("titel",),
        "supplier": ("leverancier",),
        "status": (),
        "start_date": ("startdatum",),
        "end_date": ("einddatum",),
        "notice_period_months": ("opzegtermijn_maanden",),
        "renewal": ("verlenging",),
        "renewal_term_months": ("verlengingstermijn_maanden",),
        "value": ("waarde",),
        "currency": ("valuta",),
        "description": ("omschrijving",),
    },
    "services": {
        "contract": (),
        "name": ("naam",),
        "criticality": ("kritiekheid",),
        "open_on_holidays": ("open_op_feestdagen",),
        "hours": ("openingstijden",),
        "description": ("omschrijving",),
    },
    "service_levels": {
        "contract": (),
        "code": (),
        "name": ("naam",),
        "service": ("dienst",),
        "metric_kind": ("metric", "soort"),
        "unit": ("eenheid",),
        "direction": ("richting",),
        "target": ("norm",),
        "breach_threshold": ("ondergrens",),
        "period": ("meetperiode",),
        "valid_from": ("geldig_vanaf",),
        "dimensions": ("dimensies",),
    },
}
REQUIRED = {
    "contracts": ("reference", "title", "supplier"),
    "services": ("contract", "name"),
    "service_levels": ("contract", "code", "name", "metric_kind", "direction", "target"),
}
SHEET_LABELS = {
    "contracts": gettext_lazy("contracts"),
    "services": gettext_lazy("services"),
    "service_levels": gettext_lazy("service levels"),
}


def spec(kind: str) -> Spec:
    aliases = {}
    for column, more in COLUMNS[kind].items():
        for alias in (column, *more):
            aliases[alias] = column
    return Spec(
        aliases=aliases,
        required=REQUIRED[kind],
        limits=LIMITS,
        too_many_parts=gettext_lazy("The workbook has more parts than a register export."),
        file_column="file",
    )


@dataclass
class ImportResult:
    dry_run: bool
    problems: list[dict] = field(default_factory=list)
    # "<kind>.created" / ".updated" / ".unchanged" → count
    counts: Counter = field(default_factory=Counter)

    @property
    def stored(self) -> bool:
        return not self.dry_run and not self.problems


class _RowProblems(Exception):
    def __init__(self, found: dict[str, list[str]]):
        self.found = found


# --- reading --------------------------------------------------------------------------------


def read_tables(*, name: str, content: bytes, kind: str | None) -> dict[str, Table]:
    """The tables of the upload by kind: each known sheet of a workbook, or the one table of a
    file of `kind`. Raises Rejected."""
    if kind:
        return {kind: read_table(name=name, content=content, spec=spec(kind))}
    if not (name or "").lower().endswith(".xlsx"):
        raise Rejected([Problem(None, "kind", "", _("Say which kind of rows a .csv file holds."))])
    if len(content) > LIMITS.max_bytes:
        read_table(name=name, content=content, spec=spec("contracts"))  # refuses, with the size
    tables = {}
    for title in sheet_titles(content=content, spec=spec("contracts")):
        found = SHEET_NAMES.get(title.strip().lower().replace(" ", "_"))
        if found is not None and found not in tables:
            tables[found] = read_table(name=name, content=content, spec=spec(found), sheet=title)
    if not tables:
        raise Rejected(
            [
                Problem(
                    None,
                    "file",
                    name,
                    _("The workbook has no sheet named contracts, services or service_levels."),
                )
            ]
        )
    return tables


# --- values -----------------------------------------------------------------------------------


def _date(text: str) -> date | None:
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("Write a date as YYYY-MM-DD or DD-MM-YYYY."))


def _decimal(text: str, comma: bool) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text.replace(".", "").replace(",", ".") if comma else text)
    except InvalidOperation:
        raise ValueError(_("Write a number.")) from None


def _integer(text: str) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(_("Write a whole number.")) from None


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("", "0", "no", "nee", "false", "onwaar"):
        return False
    if lowered in ("1", "yes", "ja", "true", "waar"):
        return True
    raise ValueError(_("Write yes or no."))


def _hours(text: str) -> list[tuple[int, time, time]]:
    """ "mon-fri 08:00-18:00; sat 09:00-12:00" as (weekday, opens, closes) intervals."""
    hours = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        try:
            days, span = part.split()
            first, _dash, last = days.lower().partition("-")
            opens, closes = (time.fromisoformat(t) for t in span.split("-"))
            start, end = WEEKDAYS[first], WEEKDAYS[last or first]
        except (ValueError, KeyError):
            message = _("Write opening hours as “mon-fri 08:00-18:00; sat 09:00-12:00”.")
            raise ValueError(message) from None
        hours += [(day, opens, closes) for day in range(start, end + 1)]
    return hours


def _dimensions(text: str, comma: bool) -> dict[str, Decimal]:
    """ "reliability:1; responsiveness:0.5" as {dimension: weight}."""
    found = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, _colon, weight = part.partition(":")
        if name.strip() not in Dimension.values:
            raise ValueError(
                _("Unknown dimension %(name)s; choose from %(names)s.")
                % {"name": name.strip(), "names": ", ".join(Dimension.values)}
            )
        found[name.strip()] = _decimal(weight.strip() or "1", comma)
    return found


def _values(record: dict[str, str], parsers: dict) -> dict:
    """The row's values by column, each through its parser; all problems at once."""
    values, problems = {}, {}
    for column, text in record.items():
        parser = parsers.get(column)
        try:
            values[column] = parser(text) if parser else text
        except ValueError as error:
            problems[column] = [str(error)]
    if problems:
        raise _RowProblems(problems)
    return values


def _set(values: dict) -> dict:
    """Only the columns the row fills: an empty cell keeps the stored value or the default."""
    return {column: value for column, value in values.items() if value not in ("", None)}


# --- the rows ---------------------------------------------------------------------------------


def _contract_row(access, record, comma, contracts) -> str:
    values = _values(
        record,
        {
            "start_date": _date,
            "end_date": _date,
            "notice_period_months": _integer,
            "renewal_term_months": _integer,
            "value": lambda text: _decimal(text, comma),
        },
    )
    supplier_name = values.pop("supplier")
    reference = values.pop("reference")
    fields = _set(values)
    contract = contracts.get(reference)
    if contract is None:
        supplier = Supplier.objects.filter(name__iexact=supplier_name).first()
        if supplier is None:
            raise _RowProblems({"supplier": [_("No supplier of this name is known to Regie.")]})
        contracts[reference] = services.contract_create(
            organisation=access.organisation, supplier=supplier, reference=reference, **fields
        )
        return "created"
    if contract.supplier.name.lower() != supplier_name.lower():
        raise _RowProblems({"supplier": [_("A contract keeps its supplier.")]})
    if all(getattr(contract, name) == value for name, value in fields.items()):
        return "unchanged"
    services.contract_update(contract=contract, **fields)
    return "updated"


def _stored(contract: Contract, what: str) -> dict:
    """The contract's stored services by name, or its latest level version by code, read once
    per contract and import (rows created by this import are matched by their keys)."""
    cache = contract.__dict__.setdefault("_import_cache", {})
    if what not in cache:
        if what == "services":
            rows = Service.objects.filter(contract=contract).prefetch_related("opening_hours")
            cache[what] = {service.name: service for service in rows}
        else:
            rows = (
                ServiceLevel.objects.filter(contract=contract)
                .order_by("code", "valid_from")
                .prefetch_related("dimensions")
            )
            cache[what] = {level.code: level for level in rows}
    return cache[what]


def _contract_of(record, contracts) -> Contract:
    contract = contracts.get(record.pop("contract"))
    if contract is None:
        raise _RowProblems({"contract": [_("No contract with this reference.")]})
    return contract


def _service_row(access, record, comma, contracts) -> str:
    contract = _contract_of(record, contracts)
    values = _values(record, {"open_on_holidays": _boolean, "hours": _hours})
    hours = values.pop("hours", [])
    fields = _set(values)
    fields.setdefault("open_on_holidays", values.get("open_on_holidays", False))
    service = _stored(contract, "services").get(fields["name"])
    if service is None:
        _stored(contract, "services")[fields["name"]] = services.service_create(
            contract=contract, hours=hours, **fields
        )
        return "created"
    stored = [(h.weekday, h.opens, h.closes) for h in service.opening_hours.all()]
    same = all(getattr(service, name) == value for name, value in fields.items())
    if same and sorted(stored) == sorted(hours):
        return "unchanged"
    services.service_update(service=service, hours=hours, **fields)
    return "updated"


def _level_row(access, record, comma, contracts) -> str:
    contract = _contract_of(record, contracts)
    values = _values(
        record,
        {
            "target": lambda text: _decimal(text, comma),
            "breach_threshold": lambda text: _decimal(text, comma),
            "valid_from": _date,
            "dimensions": lambda text: _dimensions(text, comma),
        },
    )
    dimensions = values.pop("dimensions", None) or {}
    service_name = values.pop("service", "")
    fields = _set(values)
    if service_name:
        fields["service"] = Service.objects.filter(contract=contract, name=service_name).first()
        if fields["service"] is None:
            raise _RowProblems({"service": [_("The contract has no service of this name.")]})
    current = _stored(contract, "levels").get(fields["code"])
    if current is None:
        fields.setdefault("valid_from", contract.start_date or date.today())
        level = services.service_level_add(contract=contract, dimensions=dimensions, **fields)
        _stored(contract, "levels")[level.code] = level
        return "created"
    fields.pop("valid_from", None)
    stored = {m.dimension: m.weight for m in current.dimensions.all()}
    same = all(getattr(current, name) == value for name, value in fields.items())
    if same and (not dimensions or stored == dimensions):
        return "unchanged"
    raise _RowProblems(
        {"code": [_("This level differs from the one agreed; amend it on the contract page.")]}
    )


ROWS = {"contracts": _contract_row, "services": _service_row, "service_levels": _level_row}


def register_import(
    *, access: Access, name: str, content: bytes, kind: str | None = None, dry_run: bool = True
) -> ImportResult:
    """Import the file's rows (see the module); all or nothing, every problem listed."""
    access.require(may_manage_contract(access))
    result = ImportResult(dry_run=dry_run)
    try:
        tables = read_tables(name=name, content=content, kind=kind)
    except Rejected as rejected:
        result.problems = [{"sheet": kind or "", **p.as_dict()} for p in rejected.problems]
        return result
    with transaction.atomic():
        contracts = {
            c.reference: c for c in Contract.objects.filter(organisation=access.organisation)
        }
        for sheet in KINDS:
            table = tables.get(sheet)
            if table is None:
                continue
            for row, record in table.records():
                missing = {
                    column: [_("This field is required.")]
                    for column in REQUIRED[sheet]
                    if not record.get(column)
                }
                if missing:
                    _add(result, sheet, row, record, missing)
                    continue
                try:
                    with transaction.atomic():
                        outcome = ROWS[sheet](access, dict(record), table.decimal_comma, contracts)
                except _RowProblems as found:
                    _add(result, sheet, row, record, found.found)
                    continue
                except ValidationError as error:
                    _add(result, sheet, row, record, _by_field(error))
                    continue
                result.counts[f"{sheet}.{outcome}"] += 1
        if result.problems or dry_run:
            transaction.set_rollback(True)
    return result


def _by_field(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"": error.messages}


def _add(result, sheet, row, record, found):
    for column, messages in found.items():
        column = column if column != "__all__" else ""
        for message in messages:
            result.problems.append(
                {
                    "sheet": sheet,
                    "row": row,
                    "column": column,
                    "value": record.get(column, ""),
                    "message": message,
                }
            )
