"""The shared report in the browser and through the API: the supplier's QA uploads the PDF and
enters or imports its findings in one go; the client sees them like any other finding."""

import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from audits.models import Audit, Finding, SupplierReport
from contracts import services as contract_services
from governance.platform import impact
from tests.audits.helpers import PDF_BYTES, TODAY, make_shared_audit


@pytest.fixture(autouse=True)
def _no_impact_sources(monkeypatch):
    monkeypatch.setattr(impact, "_sources", [])


@pytest.fixture
def shared(world):
    with scopes_disabled():
        desk = contract_services.service_create(contract=world.alpha_contract, name="Servicedesk")
    alpha = make_shared_audit(world)
    beta = make_shared_audit(world, world.beta, world.beta_northwind_contract, prefix="Beta desk ")
    return alpha, beta, desk


def page_url(audit, org="alpha"):
    return reverse("audits:shared_report", args=[org, audit.pk])


def api_url(audit, org="alpha"):
    return reverse("api:audit-shared-report", kwargs={"org_slug": org, "pk": audit.pk})


def pdf(name="internal-audit.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def form_data(rows, *, total=3, **extra):
    data = {
        "actual_date": TODAY.isoformat(),
        "summary": "Internal audit H2",
        "mark_reported": "on",
        "findings-TOTAL_FORMS": str(total),
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "50",
        **extra,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"findings-{index}-{key}"] = value
    return data


def stored(audit):
    with scopes_disabled():
        audit.refresh_from_db()
        return (
            audit.status,
            SupplierReport.objects.filter(audit=audit).count(),
            list(
                Finding.objects.filter(audit=audit).order_by("pk").values_list("title", flat=True)
            ),
        )


def test_supplier_shares_report_with_typed_findings_in_the_browser(world, shared, client_as):
    alpha, _beta, desk = shared
    client = client_as(world.bob)
    page = client.get(page_url(alpha), {"rows": 3}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="finding-row-') == 3
    response = client.post(
        page_url(alpha),
        form_data(
            [
                {
                    "reference": "IA-3",
                    "title": "Escalation matrix out of date",
                    "grade": "major_nc",
                    "clause": "8.5",
                    "description": "Two of five P1 calls escalated late.",
                    "root_cause": "Matrix predates the contract change.",
                    "services": [str(desk.pk)],
                },
                {},  # an empty row is skipped
                {"title": "Clear shift handover", "grade": "strength", "description": "Kept."},
            ],
            file=pdf(),
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:audit_detail", args=["alpha", alpha.pk])
    assert stored(alpha) == (
        Audit.Status.REPORTED,
        1,
        ["Escalation matrix out of date", "Clear shift handover"],
    )
    # The client sees them on the audit page, marked as coming from the supplier's report.
    audit_page = client_as(world.alice).get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    body = audit_page.content.decode()
    assert body.count('data-testid="from-supplier-report"') == 2
    assert "(supplier's report IA-3)" in body
    assert 'data-testid="report-findings">2 findings<' in body


def test_bad_rows_in_the_browser_are_all_listed_and_nothing_is_stored(world, shared, client_as):
    alpha, _beta, _desk = shared
    response = client_as(world.bob).post(
        page_url(alpha),
        form_data(
            [
                {"title": "", "grade": "major_nc", "description": "x"},
                {"title": "No description", "grade": "minor_nc"},
                {"title": "Fine", "grade": "observation", "description": "ok"},
            ],
            file=pdf(content=b"%PDF-1.4 but cut off"),
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    problems = [(p["row"], p["label"], p["message"]) for p in response.context["problems"]]
    assert problems == [
        (None, "Internal audit report (PDF)", "The file is not a PDF document."),
        (1, "Title", "The title is missing."),
        (2, "Description", "The description is missing."),
    ]
    body = response.content.decode()
    assert body.count('data-testid="problem"') == 3
    assert "3 problems — nothing has been stored" in body
    # The typed rows come back, with their problems next to them.
    assert 'value="No description"' in body
    row_problems = {number: messages for number, _row, messages in response.context["rows"]}
    assert row_problems[2] == ["Description: The description is missing."]
    assert stored(alpha) == (Audit.Status.PLANNED, 0, [])


def test_findings_imported_from_a_file_in_the_browser(world, shared, client_as):
    alpha, _beta, _desk = shared
    csv_file = SimpleUploadedFile(
        "findings.csv",
        b"reference,title,grade,clause,description,root_cause,services\n"
        b"IA-1,Late escalation,major_nc,8.5,Late,Old matrix,Servicedesk\n"
        b"IA-2,Unknown service,minor_nc,7.2,x,,Mail\n",
        content_type="text/csv",
    )
    client = client_as(world.bob)
    response = client.post(
        page_url(alpha),
        form_data([], file=pdf(), findings_file=csv_file),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert [(p["row"], p["label"], p["value"]) for p in response.context["problems"]] == [
        (3, "Affected services", "Mail")
    ]
    assert stored(alpha) == (Audit.Status.PLANNED, 0, [])
    csv_file = SimpleUploadedFile(
        "findings.csv",
        b"reference,title,grade,clause,description,root_cause,services\n"
        b"IA-1,Late escalation,major_nc,8.5,Late,Old matrix,Servicedesk\n",
        content_type="text/csv",
    )
    response = client.post(
        page_url(alpha),
        form_data([], file=pdf(), findings_file=csv_file),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    assert stored(alpha) == (Audit.Status.REPORTED, 1, ["Late escalation"])


def test_typed_rows_and_a_file_together_are_refused(world, shared, client_as):
    alpha, _beta, _desk = shared
    csv_file = SimpleUploadedFile(
        "findings.csv", b"title,grade,description\nA,minor_nc,x\n", content_type="text/csv"
    )
    response = client_as(world.bob).post(
        page_url(alpha),
        form_data(
            [{"title": "B", "grade": "minor_nc", "description": "y"}],
            file=pdf(),
            findings_file=csv_file,
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert [p["message"] for p in response.context["problems"]] == [
        "Enter the findings in the form or import a file, not both."
    ]
    assert stored(alpha) == (Audit.Status.PLANNED, 0, [])


def test_missing_pdf_is_named_with_the_row_problems(world, shared, client_as):
    alpha, _beta, _desk = shared
    response = client_as(world.bob).post(
        page_url(alpha),
        form_data([{"title": "A", "grade": "bogus", "description": "x"}]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # "bogus" is no choice of the form: a form error, and the other problems still listed.
    assert [(p["label"], p["message"]) for p in response.context["problems"]] == [
        ("Internal audit report (PDF)", "Attach the internal audit report (PDF)."),
        ("Grade", "The grade is missing."),
    ]
    assert response.context["formset"].forms[0].errors["grade"][0].startswith("Select a valid")
    assert stored(alpha) == (Audit.Status.PLANNED, 0, [])


def test_who_may_open_the_shared_report_page(world, shared, client_as):
    alpha, beta, _desk = shared
    for user, org, audit, status in [
        (world.bob, "alpha", alpha, 200),
        (world.bob, "beta", beta, 200),
        (world.alice, "alpha", alpha, 403),  # the client sees, the supplier shares
        (world.victor, "alpha", alpha, 403),
        (world.charlie, "alpha", alpha, 404),  # another organisation
        (world.charlie, "beta", alpha, 404),
        (world.dave, "beta", beta, 404),  # a supplier without this contract
    ]:
        response = client_as(user).get(page_url(audit, org))
        assert response.status_code == status, (user.username, org)
    response = client_as(world.dave).post(page_url(beta, "beta"), form_data([], file=pdf()))
    assert (response.status_code, stored(beta)) == (404, (Audit.Status.PLANNED, 0, []))


def test_page_for_another_audit_type_sends_back_to_the_audit(world, shared, client_as):
    with scopes_disabled():
        from audits import services
        from tests.audits.helpers import supplier

        qa = services.audit_create(
            access=supplier(world), contract=world.alpha_contract, title="QA", planned_date=TODAY
        )
    response = client_as(world.bob).get(page_url(qa), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert [str(m) for m in response.context["messages"]] == [
        "Only an open audit of the type “Supplier's internal audit report (shared)” takes a "
        "report with findings."
    ]
    assert response.redirect_chain == [(reverse("audits:audit_detail", args=["alpha", qa.pk]), 302)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_template_has_the_columns(world, client_as, fmt):
    response = client_as(world.bob).get(
        reverse("audits:shared_report_template", args=["alpha"]), {"format": fmt}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="audit-findings-import.{fmt}"'
    )
    if fmt == "csv":
        header = response.content.decode("utf-8-sig").strip()
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        header = ",".join(c.value for c in sheet[1])
    assert header == "reference,title,grade,clause,description,root_cause,services"


# --- API ------------------------------------------------------------------------------------


def test_api_shares_report_with_json_findings(world, shared, client_as):
    alpha, _beta, desk = shared
    findings = [
        {
            "reference": "IA-1",
            "title": "Late escalation",
            "grade": "major_nc",
            "clause": "8.5",
            "description": "Late",
            "root_cause": "Old matrix",
            "services": [desk.pk],
        },
        {
            "title": "Handover",
            "grade": "Strength",
            "description": "Kept",
            "services": "Servicedesk",
        },
    ]
    client = client_as(world.bob)
    dry = client.post(
        api_url(alpha),
        {"file": pdf(), "findings": json.dumps(findings), "dry_run": "true"},
    )
    assert dry.status_code == 200, dry.content
    assert (dry.json()["created"], [r["grade"] for r in dry.json()["rows"]]) == (
        False,
        ["major_nc", "strength"],
    )
    assert stored(alpha) == (Audit.Status.PLANNED, 0, [])
    response = client.post(
        api_url(alpha),
        {
            "file": pdf(),
            "findings": json.dumps(findings),
            "actual_date": TODAY.isoformat(),
            "summary": "H2",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["created"], body["problems"], body["report"]["name"], len(body["findings"])) == (
        True,
        [],
        "internal-audit.pdf",
        2,
    )
    assert stored(alpha) == (Audit.Status.REPORTED, 1, ["Late escalation", "Handover"])
    # The client reads them through the API like any other finding, with their source.
    listed = (
        client_as(world.alice)
        .get(reverse("api:audit-finding-list", kwargs={"org_slug": "alpha"}), {"audit": alpha.pk})
        .json()["results"]
    )
    assert [(f["reference"], f["supplier_report"], f["services"]) for f in listed] == [
        ("IA-1", body["report"]["id"], [desk.pk]),
        ("", body["report"]["id"], [desk.pk]),
    ]
    audit = client_as(world.alice).get(
        reverse("api:audit-detail", kwargs={"org_slug": "alpha", "pk": alpha.pk})
    )
    assert [r["name"] for r in audit.json()["supplier_reports"]] == ["internal-audit.pdf"]


def test_api_bad_findings_are_all_listed_and_nothing_is_stored(world, shared, client_as):
    alpha, _beta, _desk = shared
    response = client_as(world.bob).post(
        api_url(alpha),
        {
            "file": pdf(content=b"plain text"),
            "findings": json.dumps(
                [
                    {"title": "A", "grade": "major_nc"},
                    {"grade": "minor_nc", "description": "x", "clause": "99"},
                ]
            ),
        },
    )
    assert response.status_code == 400
    assert [(p["row"], p["column"]) for p in response.json()["problems"]] == [
        (None, "file"),
        (1, "description"),
        (2, "title"),
        (2, "clause"),
    ]
    assert stored(alpha) == (Audit.Status.PLANNED, 0, [])


def test_api_imports_an_xlsx_findings_file(world, shared, client_as):
    alpha, _beta, _desk = shared
    workbook = openpyxl.Workbook()
    workbook.active.append(["titel", "zwaarte", "paragraaf", "omschrijving"])
    workbook.active.append(["Geen grondoorzaakanalyse", "Ernstige afwijking", 10.2, "Ontbreekt"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("bevindingen.xlsx", buffer.getvalue())
    response = client_as(world.bob).post(api_url(alpha), {"file": pdf(), "findings_file": upload})
    assert response.status_code == 201, response.content
    with scopes_disabled():
        assert list(Finding.objects.filter(audit=alpha).values_list("grade", "clause")) == [
            ("major_nc", "10.2")
        ]


def test_api_refuses_json_findings_and_a_file_together(world, shared, client_as):
    alpha, _beta, _desk = shared
    upload = SimpleUploadedFile("f.csv", b"title,grade,description\n")
    response = client_as(world.bob).post(
        api_url(alpha), {"file": pdf(), "findings": "[]", "findings_file": upload}
    )
    assert (response.status_code, list(response.json())) == (400, ["non_field_errors"])
    response = client_as(world.bob).post(api_url(alpha), {"file": pdf(), "findings": "{nope"})
    assert (response.status_code, list(response.json())) == (400, ["findings"])


def test_api_shared_report_isolation(world, shared, client_as):
    alpha, beta, _desk = shared
    for user, org, audit, status in [
        (world.alice, "alpha", alpha, 403),
        (world.victor, "alpha", alpha, 403),
        (world.charlie, "alpha", alpha, 404),
        (world.charlie, "beta", alpha, 404),
        (world.dave, "beta", beta, 404),
    ]:
        response = client_as(user).post(api_url(audit, org), {"file": pdf(), "findings": "[]"})
        assert response.status_code == status, (user.username, org)
    assert stored(alpha) == (Audit.Status.PLANNED, 0, [])
    assert stored(beta) == (Audit.Status.PLANNED, 0, [])
