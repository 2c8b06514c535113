import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from audits.models import AuditReportPDF
from audits.tasks import task_render_audit_report
from governance.platform import impact
from governance.platform.models import TaskRun
from tests.audits.helpers import make_setup
from tests.pdf_text import keep_pdf


@pytest.fixture(autouse=True)
def _no_impact_sources(monkeypatch):
    monkeypatch.setattr(impact, "_sources", [])


def test_pdf_is_requested_in_the_request_and_rendered_by_the_task(
    world, client_as, django_capture_on_commit_callbacks
):
    setup = make_setup(world)
    with scopes_disabled():
        AuditReportPDF.objects.all().delete()
    url = reverse("audits:pdf_request", args=["alpha", setup.audit.pk])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_as(world.victor).post(url)
    with scopes_disabled():
        assert (response.status_code, len(callbacks), AuditReportPDF.objects.count()) == (
            302,
            1,
            0,
        )

    report_id = task_render_audit_report(
        organisation_id=world.alpha.pk, audit_id=setup.audit.pk, language="en"
    )
    with scopes_disabled():
        report = AuditReportPDF.objects.get(pk=report_id)
        run = TaskRun.objects.get(name=task_render_audit_report.name)
    pdf = bytes(report.pdf)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert (report.pages >= 1, run.status) == (True, TaskRun.Status.SUCCEEDED)

    download = client_as(world.bob).get(
        reverse("audits:pdf_download", args=["alpha", setup.audit.pk])
    )
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
    assert download.content == pdf

    keep_pdf(pdf, "audit-report")


def test_report_of_a_shared_audit_names_the_suppliers_report_and_references(world):
    from django.template.loader import render_to_string
    from django.utils import translation

    from audits import services
    from audits.imports import RawFindingRow
    from audits.report import audit_report_context, audit_report_pdf
    from tests.audits.helpers import PDF_BYTES, TODAY, make_shared_audit, supplier

    audit = make_shared_audit(world)
    with scopes_disabled():
        result = services.shared_report_submit(
            access=supplier(world),
            audit=audit,
            name="ia-h2.pdf",
            content=PDF_BYTES,
            rows=[
                RawFindingRow(
                    row=1,
                    reference="IA-9",
                    title="Work instruction out of date",
                    grade="minor_nc",
                    clause="7.5",
                    description="Old image described.",
                )
            ],
            today=TODAY,
        )
        assert result.problems == []
        audit.refresh_from_db()
        with translation.override("en"):
            html = render_to_string("audits/report_pdf.html", audit_report_context(audit=audit))
            pdf, pages = audit_report_pdf(audit=audit, language="en")
    assert "ia-h2.pdf (" in html
    assert "Work instruction out of date</strong> <small>(supplier's report IA-9)</small>" in html
    assert (pdf.startswith(b"%PDF-"), pages) == (True, 1)
    keep_pdf(pdf, "audit-report-shared")
