"""The open register's quarterly PDF: asked for by a page or by beat, rendered by a task and
stored, then downloaded; a request never renders it."""

from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from complaints import analysis, selectors, services
from complaints.models import RegisterReport
from complaints.tasks import task_render_register_report, task_request_register_reports
from governance.platform.access import system_access, tenant_scope
from governance.platform.models import TaskRun
from tests.complaints.conftest import AMSTERDAM, file_complaint, handle
from tests.pdf_text import keep_pdf

RENDERER = "complaints.register_report.render_pdf_with_pages"


def last_quarter(organisation) -> str:
    return analysis.closed_quarters(selectors.local_today(organisation), 1)[0]


@pytest.fixture
def published(world):
    """Alpha publishes its register (k = 2) with five handled complaints, two with a verdict,
    in the quarter that closed last; Beta keeps its register to itself."""
    start, _end = analysis.quarter_bounds(last_quarter(world.alpha))
    for n in range(5):
        received = datetime.combine(start + timedelta(days=7 + n), datetime.min.time())
        received = received.replace(hour=10, tzinfo=AMSTERDAM)
        complaint = file_complaint(
            world.alpha,
            now=received,
            occurred_at=received,
            name="Jan Jansen",
            description=f"Geheime klachttekst {n}",
        )
        handle(complaint, received + timedelta(days=3), (n % 2 == 0, 4) if n < 2 else None)
    with tenant_scope(system_access(world.alpha)):
        services.complaint_settings_update(
            access=system_access(world.alpha), register_public=True, min_group_size=2
        )
    return world


def url(name, quarter, slug="alpha"):
    return reverse(f"complaints_public:{name}", kwargs={"org_slug": slug, "quarter": quarter})


def page_url(slug="alpha"):
    return reverse("complaints_public:register", kwargs={"org_slug": slug})


def reports():
    with scopes_disabled():
        return list(RegisterReport.objects.values_list("quarter", "language", "state"))


def test_the_page_asks_for_the_latest_quarter_and_no_request_renders(
    published, client, django_capture_on_commit_callbacks
):
    quarter = last_quarter(published.alpha)
    with (
        mock.patch(RENDERER, side_effect=AssertionError("rendered inside a request")) as renderer,
        django_capture_on_commit_callbacks() as callbacks,
    ):
        page = client.get(page_url())
        again = client.get(page_url())
        pdf = client.get(url("register_pdf", quarter))
        status = client.get(url("register_report_status", quarter))
    body = page.content.decode()
    assert (page.status_code, again.status_code, pdf.status_code) == (200, 200, 202)
    assert renderer.call_count == 0
    assert len(callbacks) == 1  # asked once, however often the page is seen
    assert reports() == [(quarter, "en", "pending")]
    assert f"{quarter}: " in body and "the PDF is being prepared" in body
    assert "the PDF is being prepared" in pdf.content.decode()
    assert url("register_report_status", quarter) in status.content.decode()  # htmx polls on
    assert 'data-state="pending"' in status.content.decode()


def test_the_task_renders_a_pdf_with_pages_that_the_page_then_links(
    published, client, django_capture_on_commit_callbacks
):
    quarter = last_quarter(published.alpha)
    with (
        mock.patch("complaints.tasks.task_render_register_report.apply_async") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.get(page_url())
    kwargs = enqueue.call_args.kwargs["kwargs"]
    pages = task_render_register_report(**kwargs)
    with scopes_disabled():
        report = RegisterReport.objects.get()
        run = TaskRun.objects.get(name=task_render_register_report.name)
    pdf = bytes(report.pdf)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert (report.state, report.pages, pages, run.status) == (
        "ready",
        pages,
        report.pages,
        TaskRun.Status.SUCCEEDED,
    )
    assert report.pages >= 1

    with mock.patch(RENDERER, side_effect=AssertionError("rendered inside a request")):
        download = client.get(url("register_pdf", quarter))
        status = client.get(url("register_report_status", quarter)).content.decode()
        page = client.get(page_url()).content.decode()
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
    assert download.content == pdf
    assert "hx-get" not in status and url("register_pdf", quarter) in status
    assert url("register_pdf", quarter) in page and "being prepared" not in page

    keep_pdf(pdf, "complaints-register")


def test_the_pdf_holds_aggregates_only_and_hides_small_groups(published):
    quarter = last_quarter(published.alpha)
    seen = {}

    def renderer(template, context):
        # What WeasyPrint would get, rendered as it would be (in the report's language).
        seen["html"], seen["register"] = render_to_string(template, context), context["register"]
        return b"%PDF-1.7", 1

    with tenant_scope(system_access(published.alpha)):
        services.complaint_settings_update(access=system_access(published.alpha), min_group_size=3)
        report = services.register_report_request(
            organisation=published.alpha, quarter=quarter, language="nl"
        )
        with mock.patch(RENDERER, side_effect=renderer):
            services.register_report_render(report=report)
    figures, html = seen["register"], seen["html"]
    assert (figures.handled, figures.k, figures.verdicts) == (5, 3, 0)
    assert figures.verdict_scores == dict.fromkeys(range(1, 6))  # 2 verdicts < k
    assert f"Open klachtenregister van Alpha · {quarter}</h1>" in html
    assert "Te weinig oordelen om te publiceren." in html
    for secret in ("KL-", "Jan Jansen", "Geheime klachttekst", "Opgelost."):
        assert secret not in html, secret


def test_only_closed_quarters_on_offer_and_only_when_published(published, client):
    today = selectors.local_today(published.alpha)
    current = analysis.quarter_label(today)
    too_old = analysis.closed_quarters(today, 9)[-1]
    statuses = [
        client.get(url("register_pdf", q)).status_code
        for q in (current, too_old, "2026-Q5", "26-Q1", "2099-Q1")
    ]
    hidden = client.get(url("register_pdf", last_quarter(published.beta), slug="beta"))
    fragment = client.get(url("register_report_status", last_quarter(published.alpha)))
    assert statuses == [404, 404, 404, 404, 404]
    assert hidden.status_code == 404
    assert fragment.status_code == 200  # nothing asked yet: a link that asks
    assert reports() == []


def test_a_failed_rendering_is_tried_again_only_after_a_pause(
    published, django_capture_on_commit_callbacks
):
    quarter = last_quarter(published.alpha)
    access = system_access(published.alpha)
    with tenant_scope(access):
        report = services.register_report_request(
            organisation=published.alpha, quarter=quarter, language="nl"
        )
    with mock.patch(RENDERER, side_effect=OSError("no fonts")), pytest.raises(OSError):
        task_render_register_report(organisation_id=published.alpha.pk, report_id=report.pk)
    with scopes_disabled():
        run = TaskRun.objects.get(name=task_render_register_report.name)
        report.refresh_from_db()
    assert (report.state, report.error, run.status) == (
        "failed",
        "OSError: no fonts",
        TaskRun.Status.FAILED,
    )
    later = timezone.now() + services.REGISTER_REPORT_RETRY_AFTER + timedelta(minutes=1)
    with tenant_scope(access), django_capture_on_commit_callbacks() as callbacks:
        soon = services.register_report_request(
            organisation=published.alpha, quarter=quarter, language="nl"
        )
        after_pause = services.register_report_request(
            organisation=published.alpha, quarter=quarter, language="nl", now=later
        )
    assert (soon.state, after_pause.state, len(callbacks)) == ("failed", "pending", 1)


def test_the_page_works_with_the_broker_down(published, client, django_capture_on_commit_callbacks):
    with (
        mock.patch(
            "complaints.tasks.task_render_register_report.apply_async",
            side_effect=OSError("broker down"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        page = client.get(page_url())
    assert page.status_code == 200
    assert reports() == [(last_quarter(published.alpha), "en", "pending")]


def test_beat_asks_for_each_published_register_once(published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as first:
        asked = task_request_register_reports()
    with django_capture_on_commit_callbacks() as second:
        task_request_register_reports()
    assert (asked, len(first), len(second)) == (1, 1, 0)
    assert reports() == [
        (last_quarter(published.alpha), published.alpha.default_language, "pending")
    ]
