"""The supplier's own internal audit report: the PDF with its structured findings, shared in one
go (form rows, CSV/XLSX import or JSON rows); every problem listed, nothing stored on any."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scopes_disabled

from audits import imports, selectors, services
from audits.imports import RawFindingRow
from audits.models import Audit, Finding, Level, Result, SupplierReport
from contracts import services as contract_services
from governance.platform import impact
from tests.audits.helpers import PDF_BYTES, TODAY, make_shared_audit, manager, supplier, viewer


@pytest.fixture(autouse=True)
def _no_impact_sources(monkeypatch):
    monkeypatch.setattr(impact, "_sources", [])


@pytest.fixture
def shared(world):
    """A planned shared-report audit of Alpha's contract, which has two services."""
    with scopes_disabled():
        desk = contract_services.service_create(contract=world.alpha_contract, name="Servicedesk")
        hosting = contract_services.service_create(contract=world.alpha_contract, name="Hosting")
    audit = make_shared_audit(world)
    return audit, desk, hosting


def _share(world, audit, **kwargs):
    kwargs.setdefault("name", "internal-audit-h2.pdf")
    kwargs.setdefault("content", PDF_BYTES)
    kwargs.setdefault("today", TODAY)
    with scopes_disabled():
        return services.shared_report_submit(access=supplier(world), audit=audit, **kwargs)


def _nothing_stored(audit):
    with scopes_disabled():
        audit.refresh_from_db()
        return (
            audit.status,
            SupplierReport.objects.filter(audit=audit).count(),
            Finding.objects.filter(audit=audit).count(),
        )


def test_report_and_form_rows_are_stored_in_one_go(world, shared):
    audit, desk, hosting = shared
    held = TODAY - timedelta(days=10)
    result = _share(
        world,
        audit,
        actual_date=held,
        summary="Internal audit of the service desk, H2.",
        rows=[
            RawFindingRow(
                row=1,
                reference="IA-7",
                title="Escalation matrix out of date",
                grade="major_nc",
                clause="8.5",
                description="Two of five P1 calls escalated late.",
                root_cause="Matrix predates the contract change.",
                services=(desk.pk,),
            ),
            RawFindingRow(
                row=3,
                title="Knowledge articles for key users",
                grade="improvement",
                description="FAQ could go to key users.",
                services=(desk.pk, hosting.pk),
            ),
        ],
    )
    assert result.problems == []
    with scopes_disabled():
        audit.refresh_from_db()
        report = SupplierReport.objects.get(audit=audit)
        findings = list(Finding.objects.filter(audit=audit).order_by("pk"))
        stored = [
            (
                f.reference,
                f.title,
                f.grade,
                f.clause,
                f.root_cause,
                sorted(s.name for s in f.services.all()),
                f.supplier_report_id,
                f.created_by_id,
                f.status,
            )
            for f in findings
        ]
    assert (audit.status, audit.actual_date, audit.summary) == (
        Audit.Status.REPORTED,
        held,
        "Internal audit of the service desk, H2.",
    )
    assert (report.name, report.size, bytes(report.content)) == (
        "internal-audit-h2.pdf",
        len(PDF_BYTES),
        PDF_BYTES,
    )
    assert stored == [
        (
            "IA-7",
            "Escalation matrix out of date",
            "major_nc",
            "8.5",
            "Matrix predates the contract change.",
            ["Servicedesk"],
            report.pk,
            world.bob.pk,
            "open",
        ),
        (
            "",
            "Knowledge articles for key users",
            "improvement",
            "",
            "",
            ["Hosting", "Servicedesk"],
            report.pk,
            world.bob.pk,
            "open",
        ),
    ]
    assert [f.pk for f in result.findings] == [f.pk for f in findings]


def test_bad_rows_and_file_list_every_problem_and_store_nothing(world, shared):
    audit, desk, _hosting = shared
    result = _share(
        world,
        audit,
        content=b"not a pdf",
        rows=[
            RawFindingRow(row=1, reference="IA-1", grade="major_nc", description="x"),
            RawFindingRow(row=2, reference="IA-1", title="t", grade="severe", description="x"),
            RawFindingRow(row=3, title="t", grade="conform", clause="11.9", description=""),
            RawFindingRow(row=4, title="t", grade="minor_nc", description="x", services=("Mail",)),
            RawFindingRow(row=5, title="fine", grade="strength", description="x"),
        ],
    )
    assert [(p.row, p.column, p.value, p.message) for p in result.problems] == [
        (None, "file", "internal-audit-h2.pdf", "The file is not a PDF document."),
        (1, "title", "", "The title is missing."),
        (
            2,
            "grade",
            "severe",
            "Unknown grade: use major_nc, minor_nc, observation, improvement or strength (or "
            "their names).",
        ),
        (2, "reference", "IA-1", "Duplicate reference: already used in row 1."),
        (3, "grade", "conform", "A conform result is not a finding."),
        (3, "description", "", "The description is missing."),
        (3, "clause", "11.9", "Unknown ISO 9001 clause: use a code such as 8.5."),
        (
            4,
            "services",
            "Mail",
            "Unknown service for this contract; its services are: Hosting, Servicedesk.",
        ),
    ]
    assert [r.row for r in result.rows] == [5]
    assert _nothing_stored(audit) == (Audit.Status.PLANNED, 0, 0)


def test_dutch_excel_csv_is_imported_with_dutch_headings_and_grades(world, shared):
    audit, _desk, _hosting = shared
    csv_text = (
        "Kenmerk;Titel;Zwaarte;Paragraaf;Omschrijving;Grondoorzaak;Geraakte diensten\n"
        'IA-1;Terugbelafspraken niet vastgelegd;Kleine afwijking;7.5;Op papier;Geen veld;"Servicedesk; hosting"\n'  # noqa: E501
        "IA-2;Overdracht tussen diensten;Sterk punt;8.5 Productie en dienstverlening;"
        "Consequent gevolgd;;\n"
        ";;;;;;\n"
    )
    result = _share(
        world,
        audit,
        findings_file=("bevindingen.csv", ("\ufeff" + csv_text).encode("utf-8")),
        mark_reported=False,
    )
    assert result.problems == []
    with scopes_disabled():
        rows = [
            (f.reference, f.grade, f.clause, sorted(s.name for s in f.services.all()))
            for f in Finding.objects.filter(audit=audit).order_by("reference")
        ]
        audit.refresh_from_db()
    assert rows == [
        ("IA-1", Result.MINOR, "7.5", ["Hosting", "Servicedesk"]),
        ("IA-2", Result.STRENGTH, "8.5", []),
    ]
    # Without mark_reported the audit stays in progress, dated today.
    assert (audit.status, audit.actual_date) == (Audit.Status.IN_PROGRESS, TODAY)


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_import_keeps_clauses_typed_as_numbers(world, shared):
    audit, _desk, _hosting = shared
    content = _xlsx(
        [
            ["title", "grade", "clause", "description", "services"],
            ["Late escalation", "Major nonconformity", 8.5, "Late", "Servicedesk"],
            ["No root cause analysis", "minor", 10.2, "Missing", None],
        ]
    )
    result = _share(world, audit, findings_file=("findings.xlsx", content))
    assert result.problems == []
    with scopes_disabled():
        rows = list(
            Finding.objects.filter(audit=audit).order_by("pk").values_list("grade", "clause")
        )
    assert rows == [("major_nc", "8.5"), ("minor_nc", "10.2")]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "findings.csv",
            b"title,description\nx,y\n",
            [(1, "grade", "Required column is missing.")],
        ),
        (
            "findings.txt",
            b"title,grade,description\n",
            [(None, "findings_file", "Wrong file type: upload a .csv or .xlsx file.")],
        ),  # noqa: E501
        (
            "findings.xlsm",
            b"PK...",
            [
                (
                    None,
                    "findings_file",
                    "Macro-enabled and old Excel files (.xls, .xlsm) are refused; save as .xlsx.",
                )
            ],
        ),
        (
            "findings.xlsx",
            b"not a zip",
            [(None, "findings_file", "This is not a valid .xlsx file.")],
        ),  # noqa: E501
        (
            "findings.csv",
            "title,grade,description\ncafé,minor_nc,x\n".encode("latin-1"),
            [(2, "findings_file", "Wrong encoding: save the file as UTF-8 (CSV UTF-8 in Excel).")],
        ),
    ],
)
def test_unreadable_findings_file_is_refused_as_a_whole(world, shared, name, content, expected):
    audit, _desk, _hosting = shared
    result = _share(world, audit, findings_file=(name, content))
    assert [(p.row, p.column, p.message) for p in result.problems] == expected
    assert _nothing_stored(audit) == (Audit.Status.PLANNED, 0, 0)


def test_only_the_contracts_supplier_shares_its_report(world, shared):
    audit, _desk, _hosting = shared
    for access in (manager(world), viewer(world)):
        with scopes_disabled(), pytest.raises(PermissionDenied):
            services.shared_report_submit(
                access=access, audit=audit, name="r.pdf", content=PDF_BYTES, rows=[]
            )
    assert _nothing_stored(audit) == (Audit.Status.PLANNED, 0, 0)


def test_findings_come_with_a_report_only_for_shared_report_audits(world, shared):
    with scopes_disabled():
        qa = services.audit_create(
            access=supplier(world),
            contract=world.alpha_contract,
            title="QA audit",
            planned_date=TODAY,
        )
    result = _share(
        world, qa, rows=[RawFindingRow(row=1, title="t", grade="minor", description="d")]
    )
    assert [(p.column, p.message) for p in result.problems] == [
        (
            "audit",
            "Findings come with the report only for an audit of the type “Supplier's internal "
            "audit report (shared)”; record the findings of other audits on the audit page.",
        )
    ]
    assert _nothing_stored(qa) == (Audit.Status.PLANNED, 0, 0)


def test_a_second_report_adds_findings_but_never_a_reference_twice(world, shared):
    audit, _desk, _hosting = shared
    first = _share(
        world,
        audit,
        rows=[RawFindingRow(row=1, reference="IA-1", title="t", grade="minor", description="d")],
    )  # noqa: E501
    assert first.problems == []
    again = _share(
        world,
        audit,
        name="addendum.pdf",
        rows=[
            RawFindingRow(row=1, reference="IA-1", title="t", grade="minor", description="d"),
            RawFindingRow(row=2, reference="IA-2", title="u", grade="observation", description="e"),
        ],
    )
    assert [(p.row, p.column, p.message) for p in again.problems] == [
        (1, "reference", "A finding with this reference is already recorded for this audit.")
    ]
    assert _nothing_stored(audit) == (Audit.Status.REPORTED, 1, 1)
    fixed = _share(
        world,
        audit,
        name="addendum.pdf",
        rows=[
            RawFindingRow(row=1, reference="IA-2", title="u", grade="observation", description="e")
        ],  # noqa: E501
    )
    assert (fixed.problems, _nothing_stored(audit)) == ([], (Audit.Status.REPORTED, 2, 2))


def test_dry_run_validates_and_stores_nothing(world, shared):
    audit, desk, _hosting = shared
    result = _share(
        world,
        audit,
        dry_run=True,
        json_rows=[{"title": "t", "grade": "major_nc", "description": "d", "services": [desk.pk]}],
    )
    assert (result.problems, [(r.grade, r.services) for r in result.rows]) == (
        [],
        [("major_nc", (desk,))],
    )
    assert (result.report, _nothing_stored(audit)) == (None, (Audit.Status.PLANNED, 0, 0))


def test_dates_in_the_future_and_open_checklist_items_are_problems(world, shared):
    audit, _desk, _hosting = shared
    with scopes_disabled():
        services.checklist_item_add(access=supplier(world), audit=audit, question="Own question?")
    result = _share(world, audit, actual_date=TODAY + timedelta(days=1), rows=[])
    assert [(p.column, p.message) for p in result.problems] == [
        ("actual_date", "The internal audit cannot lie in the future."),
        (
            "mark_reported",
            "1 checklist item(s) have no result yet; record them before reporting the audit.",
        ),
    ]
    assert _nothing_stored(audit) == (Audit.Status.PLANNED, 0, 0)


def test_shared_findings_are_ranked_and_prioritised_like_any_other(world, shared, monkeypatch):
    audit, desk, hosting = shared
    from governance.platform.impact import ImpactFigure

    severity = {desk.pk: 0.8, hosting.pk: 0.1}
    monkeypatch.setattr(
        impact,
        "_sources",
        [
            lambda *, organisation, service_ids, since, until: [
                ImpactFigure("fake", "complaints", 1.0, "", max(severity[i] for i in service_ids))
            ]
        ],
    )
    _share(
        world,
        audit,
        rows=[
            RawFindingRow(
                row=1,
                reference="IA-1",
                title="Hosting",
                grade="minor",
                description="d",
                services=(hosting.pk,),
            ),  # noqa: E501
            RawFindingRow(
                row=2,
                reference="IA-2",
                title="Desk",
                grade="minor",
                description="d",
                services=(desk.pk,),
            ),  # noqa: E501
        ],
    )
    access = supplier(world)
    with scopes_disabled():
        before = [r.finding.title for r in selectors.bottleneck_ranking(access=access)]
        hosting_finding = Finding.objects.get(audit=audit, reference="IA-1")
        services.finding_set_priority(access=manager(world), finding=hosting_finding, priority=5)
        after = [(r.finding.title, r.score) for r in selectors.bottleneck_ranking(access=access)]
    assert before == ["Desk", "Hosting"]
    # Hosting, prioritised: (1.0 + 0.1) / 2 = 0.55, ranked before the desk's 0.8, which the
    # client has not prioritised (measured impact alone never outranks a priority).
    assert after == [("Hosting", pytest.approx(0.55)), ("Desk", pytest.approx(0.8))]


def test_level_of_the_shared_audit_is_kept(world, shared):
    audit, _desk, _hosting = shared
    _share(world, audit, rows=[])
    with scopes_disabled():
        audit.refresh_from_db()
    assert (audit.level, audit.status) == (Level.BOTH, Audit.Status.REPORTED)


def test_a_reference_stored_meanwhile_by_someone_else_is_a_problem_not_an_error(
    world, shared, monkeypatch
):
    audit, _desk, _hosting = shared
    validate = imports.validate_rows

    def and_meanwhile(**kwargs):
        # Another submission for this audit stores IA-1 between validation and storage.
        outcome = validate(**kwargs)
        with scopes_disabled():
            Finding.objects.create(
                organisation=audit.organisation,
                audit=audit,
                reference="IA-1",
                title="Stored meanwhile",
                description="d",
                grade=Result.MINOR,
            )
        return outcome

    monkeypatch.setattr(imports, "validate_rows", and_meanwhile)
    result = _share(
        world,
        audit,
        rows=[RawFindingRow(row=1, reference="IA-1", title="t", grade="minor", description="d")],
    )
    assert [(p.column, p.message) for p in result.problems] == [
        ("", "A finding with this reference is already recorded for this audit.")
    ]
    assert (result.report, result.findings) == (None, [])
    with scopes_disabled():
        assert list(Finding.objects.filter(audit=audit).values_list("title", flat=True)) == [
            "Stored meanwhile"
        ]
        assert SupplierReport.objects.filter(audit=audit).count() == 0
