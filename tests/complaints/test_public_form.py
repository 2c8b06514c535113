"""The public complaint form: bad input, anti-abuse, reference, tracking link and the
acknowledgement through the outbox."""

import io
import re
import time
from datetime import datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from complaints import antiabuse, public_views
from complaints.models import Attachment, Complaint, ComplaintEvent
from governance.platform.models import OutboxMessage
from tests.complaints.conftest import AMSTERDAM, categories, file_complaint, form_data

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64
EXE = b"MZ\x90\x00\x03" + b"\x00" * 64


def form_url(slug="alpha"):
    return reverse("complaints_public:form", kwargs={"org_slug": slug})


def stored():
    with scopes_disabled():
        return (
            Complaint.objects.count(),
            Attachment.objects.count(),
            ComplaintEvent.objects.count(),
            OutboxMessage.objects.count(),
        )


def errors_of(response) -> dict:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


@pytest.fixture
def category(world):
    return categories(world.alpha)[0]


def test_submission_gives_reference_tracking_link_and_acknowledgement(
    world, client, alpha_desk, category, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            form_url(), form_data(category, alpha_desk, email="jan@example.test", name="Jan")
        )
    with scopes_disabled():
        complaint = Complaint.objects.get()
        message = OutboxMessage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/k/t/{complaint.token}/?new=1"
    assert complaint.reference == f"KL-{complaint.received_at.astimezone(AMSTERDAM).year}-000001"
    assert len(complaint.token) == 32  # 24 random bytes = 192 bits
    assert complaint.outside_window is True  # 20:00 on a Wednesday, desk open 08–18
    assert message.to == ["jan@example.test"]
    assert complaint.reference in message.subject
    assert f"/k/t/{complaint.token}/" in message.body_text
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert complaint.reference in page.content.decode()


def test_submission_works_with_the_broker_down(
    world, client, alpha_desk, category, django_capture_on_commit_callbacks
):
    with (
        mock.patch(
            "governance.platform.tasks.task_relay_outbox.apply_async",
            side_effect=OSError("broker down"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(form_url(), form_data(category, email="an@example.test"))
    assert response.status_code == 302
    with scopes_disabled():
        assert list(OutboxMessage.objects.values_list("status", flat=True)) == ["pending"]
        assert Complaint.objects.count() == 1


def test_references_are_sequential_per_organisation_and_year(world, alpha_desk):
    first = file_complaint(world.alpha, now=datetime(2026, 12, 31, 23, 30, tzinfo=AMSTERDAM))
    second = file_complaint(world.alpha, now=datetime(2026, 12, 31, 23, 45, tzinfo=AMSTERDAM))
    beta = file_complaint(world.beta, now=datetime(2026, 12, 31, 23, 50, tzinfo=AMSTERDAM))
    next_year = file_complaint(world.alpha, now=datetime(2027, 1, 1, 0, 10, tzinfo=AMSTERDAM))
    assert [first.reference, second.reference, beta.reference, next_year.reference] == [
        "KL-2026-000001",
        "KL-2026-000002",
        "KL-2026-000001",
        "KL-2027-000001",
    ]


def test_too_long_description_is_refused(world, client, category):
    response = client.post(form_url(), form_data(category, description="x" * 4001))
    assert response.status_code == 200
    assert errors_of(response) == {
        "description": ["Ensure this value has at most 4000 characters (it has 4001)."]
    }
    assert stored() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Jan\r\nBcc: victim@example.test"),
        ("email", "jan@example.test\r\nBcc: victim@example.test"),
        ("email", "jan@example.test\nSubject: spam"),
    ],
)
def test_line_breaks_in_name_or_email_are_refused(world, client, category, field, value):
    response = client.post(form_url(), form_data(category, **{field: value}))
    assert response.status_code == 200
    assert list(errors_of(response)) == [field]
    assert stored() == (0, 0, 0, 0)


def test_service_of_another_organisation_is_refused(world, client, category, beta_desk):
    response = client.post(form_url(), form_data(category, beta_desk))
    assert errors_of(response) == {
        "service": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert stored() == (0, 0, 0, 0)


def test_category_of_another_organisation_is_refused(world, client, category):
    other = categories(world.beta)[0]
    response = client.post(form_url(), form_data(other))
    assert list(errors_of(response)) == ["category"]
    assert stored() == (0, 0, 0, 0)


def test_oversized_attachment_is_refused(world, client, category, settings):
    settings.COMPLAINTS_ATTACHMENT_MAX_BYTES = 1000
    upload = SimpleUploadedFile("scan.pdf", PDF + b"0" * 1000, content_type="application/pdf")
    response = client.post(form_url(), {**form_data(category), "attachments": [upload]})
    assert errors_of(response) == {
        "attachments": ["scan.pdf is too large (1.1\xa0KB); the limit is 1000\xa0bytes per file."]
    }
    assert stored() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invoice.pdf", EXE, "invoice.pdf is not a PDF, PNG or JPEG file."),
        ("photo.png", b"<svg onload=alert(1)>", "photo.png is not a PDF, PNG or JPEG file."),
        (
            "report.pdf",
            PNG,
            "report.pdf does not contain what its name says (it is not a .pdf file).",
        ),
    ],
)
def test_disguised_attachment_is_refused(world, client, category, name, content, message):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(form_url(), {**form_data(category), "attachments": [upload]})
    assert errors_of(response) == {"attachments": [message]}
    assert stored() == (0, 0, 0, 0)


def test_too_many_attachments_are_refused(world, client, category):
    files = [SimpleUploadedFile(f"p{n}.png", PNG, content_type="image/png") for n in range(4)]
    response = client.post(form_url(), {**form_data(category), "attachments": files})
    assert errors_of(response) == {"attachments": ["Attach at most 3 files."]}
    assert stored() == (0, 0, 0, 0)


def test_checked_attachments_are_stored_with_their_real_type(world, client, category):
    files = [
        SimpleUploadedFile("../../etc/scan.PDF", PDF, content_type="text/html"),
        SimpleUploadedFile("photo.jpeg", b"\xff\xd8\xff\xe0" + b"1" * 20, content_type="x/y"),
    ]
    response = client.post(form_url(), {**form_data(category), "attachments": files})
    assert response.status_code == 302
    with scopes_disabled():
        rows = list(Attachment.objects.values_list("filename", "mime_type", "size"))
    assert rows == [("scan.PDF", "application/pdf", len(PDF)), ("photo.jpeg", "image/jpeg", 24)]


def test_filled_honeypot_is_silently_discarded(world, client, category):
    response = client.post(
        form_url(), form_data(category, website="http://spam.example", email="a@example.test")
    )
    assert response.status_code == 200
    assert response.templates[0].name == "complaints/public/discarded.html"
    assert stored() == (0, 0, 0, 0)


def test_submission_faster_than_a_person_keeps_the_input_and_asks_to_resend(
    world, client, category
):
    started = antiabuse.started_token(time.time())
    data = form_data(category, started=started, email="a@example.test")
    response = client.post(form_url(), data)
    assert response.templates[0].name == "complaints/public/form.html"
    assert stored() == (0, 0, 0, 0)
    body = response.content.decode()
    assert "Thank you" not in body
    assert str(public_views.TOO_FAST_MESSAGE) in body
    form = response.context["form"]
    assert form["description"].value() == data["description"]
    assert form["email"].value() == "a@example.test"
    # The original start record goes back with it, so a resend after a few seconds is taken.
    assert form["started"].value() == started
    resent = client.post(form_url(), {**data, "started": antiabuse.started_token(time.time() - 30)})
    assert resent.status_code == 302
    assert stored()[0] == 1


def test_forged_start_record_gets_a_fresh_one_and_stores_nothing(world, client, category):
    response = client.post(form_url(), form_data(category, started="1700000000"))
    assert response.templates[0].name == "complaints/public/form.html"
    assert response.context["form"]["started"].value() != "1700000000"
    assert not antiabuse.filled_too_fast(
        response.context["form"]["started"].value(), now=time.time() + 60
    )
    assert stored() == (0, 0, 0, 0)


def test_error_summary_on_top_links_to_each_field(world, client, category):
    response = client.post(form_url(), form_data(category, description="", email="not-an-email"))
    body = response.content.decode()
    summary = body.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert body.index('data-testid="error-summary"') < body.index('name="description"')
    links = re.findall(r'<a href="#(id_[a-z_]+)">', summary)
    assert links == ["id_description", "id_email"]


def test_brand_on_public_pages_leads_to_the_organisations_form(world, client, category):
    body = client.get(form_url()).content.decode()
    assert f'<a href="{form_url()}" class="brand">' in body
    assert '<a href="/" class="brand">' not in body


def test_rate_limit_per_address_answers_429(world, client, category, settings):
    settings.COMPLAINTS_RATE_LIMITS = {"address": (2, 3600), "organisation": (100, 3600)}
    statuses = [client.post(form_url(), form_data(category)).status_code for _n in range(3)]
    assert statuses == [302, 302, 429]
    third = client.post(form_url(), form_data(category, description="Nog steeds stuk."))
    assert third.status_code == 429
    assert "Many complaints have reached us from your connection" in third.content.decode()
    assert third.context["form"]["description"].value() == "Nog steeds stuk."
    with scopes_disabled():
        assert Complaint.objects.count() == 2
    other_address = client.post(form_url(), form_data(category), REMOTE_ADDR="10.9.9.9")
    assert other_address.status_code == 302


def test_rate_limit_per_organisation_answers_429(world, client, category, settings):
    settings.COMPLAINTS_RATE_LIMITS = {"address": (100, 3600), "organisation": (2, 3600)}
    statuses = [
        client.post(form_url(), form_data(category), REMOTE_ADDR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    beta_category = categories(world.beta)[0]
    assert client.post(form_url("beta"), form_data(beta_category)).status_code == 302


def test_form_needs_csrf_token(world, category):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(form_url(), form_data(category))
    assert response.status_code == 403
    assert stored() == (0, 0, 0, 0)


def test_form_speaks_dutch_and_english(world, client, category):
    dutch = client.get(form_url(), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    english = client.get(form_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "What happened?" in english
    assert "What happened?" not in dutch
    assert "Wat is er gebeurd?" in dutch
    assert "Bereikbaarheid" in dutch and "Reachability" in english


def test_consent_needs_a_way_to_contact(world, client, category):
    response = client.post(form_url(), form_data(category, consent_to_contact="on"))
    assert list(errors_of(response)) == ["consent_to_contact"]
    assert stored() == (0, 0, 0, 0)


def test_unknown_organisation_is_404(db, client):
    assert client.get(form_url("nobody")).status_code == 404


def test_export_escapes_formulas(world, client_as, alpha_desk):
    file_complaint(world.alpha, service=alpha_desk, description='=HYPERLINK("http://x")')
    client = client_as(world.alice)
    response = client.get(
        reverse("complaints:complaint_export", kwargs={"org_slug": "alpha"}) + "?format=csv"
    )
    text = response.content.decode("utf-8-sig")
    assert '\'=HYPERLINK(""http://x"")' in text
    xlsx = client.get(
        reverse("complaints:complaint_export", kwargs={"org_slug": "alpha"}) + "?format=xlsx"
    )
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=16).value == '\'=HYPERLINK("http://x")'


def test_a_posted_complaint_costs_the_same_queries_however_many_are_stored(
    world, client, alpha_desk, category
):
    """The public intake reads the organisation, its procedure settings and the chosen service
    (with its hours) and category once each, and stores the complaint with one statement for
    its reference: the same queries for the first complaint as for the sixth."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_of_one_post():
        with CaptureQueriesContext(connection) as captured:
            response = client.post(form_url(), form_data(category, alpha_desk))
        assert response.status_code == 302
        return [q["sql"] for q in captured.captured_queries]

    first = queries_of_one_post()
    for _n in range(4):
        file_complaint(world.alpha, service=alpha_desk)
    sixth = queries_of_one_post()
    assert len(first) == len(sixth)
    statements = [sql.split()[0] for sql in sixth if not sql.startswith(("SAVEPOINT", "RELEASE"))]
    # organisation, settings, service, its hours, category; the reference, the complaint, its
    # history row, the first timeline entry
    assert statements == ["SELECT"] * 5 + ["INSERT"] * 4
    with scopes_disabled():
        assert Complaint.objects.count() == 6
