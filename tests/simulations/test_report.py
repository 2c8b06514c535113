"""The exercise report PDF: asked for in a request, rendered by the worker task, stored, then
downloaded. A request never renders it."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from governance.platform.models import TaskRun
from simulations.models import ExerciseReport
from simulations.tasks import task_render_exercise_report
from tests.pdf_text import keep_pdf, pdf_text
from tests.simulations.helpers import make_chain


def url(name, org, *args):
    return reverse(f"simulations:{name}", args=[org.slug, *args])


@pytest.fixture
def alpha(world):
    return make_chain(world.alpha, world.alpha_contract, run=False)


@pytest.fixture
def no_rendering_in_requests(monkeypatch):
    """Any PDF rendering fails the test while this is active."""

    def refuse(*args, **kwargs):
        raise AssertionError("a PDF was rendered")

    monkeypatch.setattr("governance.platform.pdf.render_pdf_with_pages", refuse)
    return monkeypatch


def _request(client, world, exercise, django_capture_on_commit_callbacks, **headers):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url("exercise_report_request", world.alpha, exercise.pk), **headers)
    return response, callbacks


def test_request_queues_and_never_renders(
    world, client_as, alpha, no_rendering_in_requests, django_capture_on_commit_callbacks
):
    client = client_as(world.alice)
    assert client.get(url("exercise_pdf", world.alpha, alpha.exercise.pk)).status_code == 404
    response, callbacks = _request(
        client, world, alpha.exercise, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert len(callbacks) == 1  # the worker is asked after commit
    with scopes_disabled():
        report = ExerciseReport.objects.get()
    assert (report.status, report.internal, report.pdf) == ("queued", True, None)
    page = client.get(url("exercise_detail", world.alpha, alpha.exercise.pk)).content.decode()
    assert "The report is being prepared" in page
    status = client.get(
        url("exercise_report_status", world.alpha, alpha.exercise.pk), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-status="queued"' in status and 'hx-trigger="every 2s"' in status
    assert client.get(url("exercise_pdf", world.alpha, alpha.exercise.pk)).status_code == 404
    # With htmx the request answers with the "being prepared" state in place.
    response, _ = _request(
        client, world, alpha.exercise, django_capture_on_commit_callbacks, HTTP_HX_REQUEST="true"
    )
    assert 'data-status="queued"' in response.content.decode()


def test_worker_renders_a_valid_pdf_with_pages_per_side(
    world, client_as, alpha, django_capture_on_commit_callbacks
):
    for user in (world.alice, world.bob):
        _request(client_as(user), world, alpha.exercise, django_capture_on_commit_callbacks)
    with scopes_disabled():
        internal, shared = ExerciseReport.objects.order_by("pk")
    assert (internal.internal, shared.internal) == (True, False)
    for report in (internal, shared):
        pages = task_render_exercise_report(organisation_id=world.alpha.pk, report_id=report.pk)
        assert pages >= 1
    with scopes_disabled():
        assert list(TaskRun.objects.values_list("status", flat=True)) == ["succeeded"] * 2
        internal.refresh_from_db()
    assert internal.status == "ready" and internal.finished_at is not None
    client_pdf = client_as(world.alice).get(url("exercise_pdf", world.alpha, alpha.exercise.pk))
    supplier_pdf = client_as(world.bob).get(url("exercise_pdf", world.alpha, alpha.exercise.pk))
    for response in (client_pdf, supplier_pdf):
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response.content.startswith(b"%PDF-") and response.content.rstrip().endswith(
            b"%%EOF"
        )
    page = client_as(world.alice).get(url("exercise_detail", world.alpha, alpha.exercise.pk))
    assert 'data-testid="report-download"' in page.content.decode()
    paths = {
        name: keep_pdf(response.content, f"exercise-report-{name}")
        for name, response in (("client", client_pdf), ("supplier", supplier_pdf))
    }
    client_text, supplier_text = (pdf_text(p.read_bytes()) for p in paths.values())
    for text in (client_text, supplier_text):
        assert "Friday evening outage" in text and "Closed at 18:00" in text
    assert "Client-only exercise note" in client_text
    assert "Client-only exercise note" not in supplier_text


def test_failed_render_is_recorded(world, alpha, monkeypatch, django_capture_on_commit_callbacks):
    from governance.platform.access import system_access
    from simulations import services

    with scopes_disabled():
        report = services.exercise_report_request(
            access=system_access(world.alpha), exercise=alpha.exercise, language="en", queue=False
        )

    def broken(*args, **kwargs):
        raise RuntimeError("Pango is gone")

    monkeypatch.setattr("governance.platform.pdf.render_pdf_with_pages", broken)
    with pytest.raises(RuntimeError):
        task_render_exercise_report(organisation_id=world.alpha.pk, report_id=report.pk)
    with scopes_disabled():
        report.refresh_from_db()
    assert report.status == "failed" and "Pango is gone" in report.error


def test_others_get_404_on_report_routes(world, client_as):
    southwind = make_chain(world.beta, world.beta_southwind_contract, name="Southwind", run=False)
    for user in (world.bob, world.alice):
        client = client_as(user)
        for name in ("exercise_pdf", "exercise_report_status"):
            assert client.get(url(name, world.beta, southwind.exercise.pk)).status_code == 404
        response = client.post(url("exercise_report_request", world.beta, southwind.exercise.pk))
        assert response.status_code == 404
    with scopes_disabled():
        assert not ExerciseReport.objects.exists()
