"""Importing an existing contract register: dry run, all or nothing, idempotent, every
problem by sheet, row and column; browser and API."""

import io
from datetime import date, time
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from contracts.imports import register_import
from contracts.models import Contract, Service, ServiceLevel
from governance.platform.access import access_for, tenant_scope

CONTRACTS = [
    ["reference", "title", "supplier", "start_date", "notice_period_months", "value"],
    ["IMP-1", "Werkplek", "Northwind", "2026-01-01", "6", "120000.50"],
    ["IMP-2", "Hosting", "Northwind", "01-02-2026", "3", ""],
]
SERVICES = [
    ["contract", "name", "criticality", "hours", "open_on_holidays"],
    ["IMP-1", "Servicedesk", "high", "mon-fri 08:00-18:00; sat 09:00-12:00", "no"],
]
LEVELS = [
    ["contract", "code", "name", "service", "metric_kind", "direction", "target", "dimensions"],
    [
        "IMP-1",
        "SD-AV",
        "Beschikbaarheid",
        "Servicedesk",
        "percentage",
        "higher",
        "99.5",
        "reliability:1; responsiveness:0.5",
    ],
]


def workbook(**sheets) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(world, content, *, name="register.xlsx", kind=None, dry_run=False, user=None):
    access = access_for(user or world.alice, world.alpha)
    with tenant_scope(access):
        return register_import(
            access=access, name=name, content=content, kind=kind, dry_run=dry_run
        )


def snapshot(world):
    with scopes_disabled():
        contracts = Contract.objects.filter(organisation=world.alpha, reference__startswith="IMP")
        return (
            sorted(contracts.values_list("reference", "title", "notice_period_months", "value")),
            sorted(
                Service.objects.filter(contract__in=contracts).values_list("name", "criticality")
            ),
            sorted(
                ServiceLevel.objects.filter(contract__in=contracts).values_list(
                    "code", "target", "valid_from"
                )
            ),
        )


FULL = {"contracts": CONTRACTS, "services": SERVICES, "service_levels": LEVELS}


def test_a_dry_run_checks_everything_and_stores_nothing(world):
    result = run(world, workbook(**FULL), dry_run=True)
    assert result.problems == []
    assert dict(result.counts) == {
        "contracts.created": 2,
        "services.created": 1,
        "service_levels.created": 1,
    }
    assert not result.stored
    assert snapshot(world) == ([], [], [])


def test_the_import_stores_every_row_through_the_services(world):
    result = run(world, workbook(**FULL))
    assert result.stored and result.problems == []
    with scopes_disabled():
        first = Contract.objects.get(organisation=world.alpha, reference="IMP-1")
        second = Contract.objects.get(organisation=world.alpha, reference="IMP-2")
        desk = Service.objects.get(contract=first, name="Servicedesk")
        level = ServiceLevel.objects.get(contract=first, code="SD-AV")
        hours = sorted(desk.opening_hours.values_list("weekday", "opens", "closes"))
        weights = dict(level.dimensions.values_list("dimension", "weight"))
    assert (first.supplier, first.start_date, first.value) == (
        world.northwind,
        date(2026, 1, 1),
        Decimal("120000.50"),
    )
    assert second.start_date == date(2026, 2, 1)  # DD-MM-YYYY
    assert hours == [(day, time(8), time(18)) for day in range(5)] + [(5, time(9), time(12))]
    assert (level.service, level.target, level.valid_from) == (
        desk,
        Decimal("99.5"),
        date(2026, 1, 1),  # from the contract's start
    )
    assert weights == {"reliability": Decimal("1"), "responsiveness": Decimal("0.5")}


def test_importing_the_same_file_again_changes_nothing(world):
    content = workbook(**FULL)
    run(world, content)
    before = snapshot(world)
    again = run(world, content)
    assert again.problems == []
    assert dict(again.counts) == {
        "contracts.unchanged": 2,
        "services.unchanged": 1,
        "service_levels.unchanged": 1,
    }
    assert snapshot(world) == before


def test_a_changed_row_updates_and_a_changed_level_is_refused(world):
    run(world, workbook(**FULL))
    contracts = [CONTRACTS[0], ["IMP-1", "Werkplek 2027", *CONTRACTS[1][2:]], CONTRACTS[2]]
    result = run(world, workbook(contracts=contracts))
    assert dict(result.counts) == {"contracts.updated": 1, "contracts.unchanged": 1}
    levels = [LEVELS[0], [*LEVELS[1][:6], "98", LEVELS[1][7]]]
    result = run(world, workbook(service_levels=levels))
    assert [(p["sheet"], p["row"], p["column"]) for p in result.problems] == [
        ("service_levels", 2, "code")
    ]
    with scopes_disabled():
        assert ServiceLevel.objects.get(code="SD-AV").target == Decimal("99.5")


def test_a_few_bad_rows_among_thousands_are_all_listed_and_nothing_is_stored(world):
    rows = [CONTRACTS[0]] + [
        [f"IMP-{n}", f"Contract {n}", "Northwind", "2026-01-01", "6", "1000"]
        for n in range(1, 2001)
    ]
    rows[500][2] = "Nobody Ltd"  # unknown supplier, spreadsheet row 501
    rows[1200][4] = "six"  # not a whole number, row 1201
    rows[1800][3] = "31-02-2026"  # no such date, row 1801
    services = [SERVICES[0], ["IMP-9999", "Desk", "high", "", ""]]
    result = run(world, workbook(contracts=rows, services=services))
    assert [(p["sheet"], p["row"], p["column"]) for p in result.problems] == [
        ("contracts", 501, "supplier"),
        ("contracts", 1201, "notice_period_months"),
        ("contracts", 1801, "start_date"),
        ("services", 2, "contract"),
    ]
    assert result.problems[0]["value"] == "Nobody Ltd"
    assert result.counts["contracts.created"] == 1997
    assert not result.stored
    assert snapshot(world) == ([], [], [])


def test_a_dutch_csv_of_one_kind(world):
    csv = (
        b"referentie;titel;leverancier;startdatum;opzegtermijn_maanden;waarde\n"
        b"IMP-7;Netwerk;Northwind;01-03-2026;2;1.250,75\n"
    )
    result = run(world, csv, name="contracten.csv", kind="contracts")
    assert result.problems == [] and result.stored
    with scopes_disabled():
        assert Contract.objects.get(reference="IMP-7").value == Decimal("1250.75")
    refused = run(world, csv, name="contracten.csv")
    assert [(p["column"], p["row"]) for p in refused.problems] == [("kind", None)]


def test_model_validation_is_the_forms(world):
    # The services' own checks: an end before the start, an overlapping window.
    contracts = [
        [*CONTRACTS[0], "end_date"],
        [*CONTRACTS[1], ""],
        ["IMP-2", "X", "Northwind", "2026-05-01", "1", "", "2026-01-01"],
    ]
    services = [SERVICES[0], ["IMP-1", "Desk", "high", "mon 08:00-12:00; mon 11:00-13:00", ""]]
    result = run(world, workbook(contracts=contracts, services=services))
    assert [(p["sheet"], p["row"], p["column"]) for p in result.problems] == [
        ("contracts", 3, "end_date"),
        ("services", 2, "hours"),
    ]
    assert not result.stored


def test_a_viewer_may_not_import(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run(world, workbook(**FULL), user=world.victor)


def test_the_api_imports_all_or_nothing(world, client_as):
    url = reverse("api:contract-import-list", kwargs={"org_slug": "alpha"})
    client = client_as(world.alice)
    upload = SimpleUploadedFile("register.xlsx", workbook(**FULL))
    checked = client.post(url, {"file": upload}, format="multipart")
    assert checked.status_code == 200
    assert checked.json()["dry_run"] is True and checked.json()["stored"] is False
    assert snapshot(world) == ([], [], [])
    upload = SimpleUploadedFile("register.xlsx", workbook(**FULL))
    stored = client.post(url, {"file": upload, "dry_run": "false"})
    assert stored.status_code == 200 and stored.json()["stored"] is True
    assert stored.json()["counts"]["contracts.created"] == 2
    bad = [CONTRACTS[0], ["IMP-3", "", "Northwind", "", "", ""]]
    upload = SimpleUploadedFile("register.xlsx", workbook(contracts=bad))
    refused = client.post(url, {"file": upload, "dry_run": "false"})
    assert refused.status_code == 400
    assert refused.json()["problems"][0]["column"] == "title"
    assert client_as(world.victor).post(url, {"file": upload}).status_code == 403


def test_the_browser_checks_then_imports(world, client_as):
    url = reverse("contracts:register_import", kwargs={"org_slug": "alpha"})
    client = client_as(world.alice)
    template = client.get(reverse("contracts:register_template", kwargs={"org_slug": "alpha"}))
    sheets = openpyxl.load_workbook(io.BytesIO(template.content)).sheetnames
    assert sheets == ["contracts", "services", "service_levels"]
    page = client.post(url, {"file": SimpleUploadedFile("r.xlsx", workbook(**FULL))})
    assert page.status_code == 200 and not page.context["result"].stored
    assert snapshot(world) == ([], [], [])
    page = client.post(url, {"file": SimpleUploadedFile("r.xlsx", workbook(**FULL)), "store": "on"})
    assert page.context["result"].stored
    assert page.context["counts"][0][1:] == (2, 0, 0)
    assert client_as(world.victor).get(url).status_code == 403
