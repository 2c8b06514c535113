"""The complaint API: internal list and actions, verdict figures, the public submission."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from complaints import services
from complaints.models import Attachment, Complaint, Status
from governance.platform.access import system_access, tenant_scope
from governance.platform.models import OutboxMessage
from tests.complaints.conftest import categories, file_complaint


def submit_url(slug="alpha"):
    return reverse("complaints_public_api:submit", kwargs={"org_slug": slug})


def test_public_submission_returns_reference_and_link(world, client, alpha_desk):
    category = categories(world.alpha)[0]
    response = client.post(
        submit_url(),
        {
            "service": alpha_desk.pk,
            "category": category.pk,
            "description": "Portaal gaf een foutmelding.",
            "channel": "portal",
            "impact": "low",
            "email": "kees@example.test",
            "language": "en",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    with scopes_disabled():
        complaint = Complaint.objects.get()
        assert OutboxMessage.objects.count() == 1
    assert response.json() == {
        "reference": complaint.reference,
        "tracking_url": f"http://testserver/k/t/{complaint.token}/",
        "status": "received",
    }


def test_public_submission_refuses_bad_input(world, client, beta_desk):
    category = categories(world.alpha)[0]
    response = client.post(
        submit_url(),
        {
            "service": beta_desk.pk,
            "category": category.pk,
            "description": "x",
            "channel": "phone",
            "impact": "low",
            "name": "A\r\nB",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert sorted(response.json()) == ["name"]
    response = client.post(
        submit_url(),
        {
            "service": beta_desk.pk,
            "category": category.pk,
            "description": "x",
            "channel": "phone",
            "impact": "low",
        },
        content_type="application/json",
    )
    assert response.json() == {"service": ["Unknown service."]}
    response = client.post(
        submit_url(),
        {
            "category": category.pk,
            "description": "x",
            "channel": "phone",
            "impact": "low",
            "occurred_at": "2020-01-01T10:00:00+01:00",
        },
        content_type="application/json",
    )
    assert response.json() == {"occurred_at": ["Complaints can be filed up to a year later."]}
    with scopes_disabled():
        assert Complaint.objects.count() == 0


def multipart(category, service=None, **extra):
    """A public API submission as multipart/form-data (the Django client's default)."""
    data = {
        "category": category.pk,
        "description": "De servicedesk nam om 20:00 niet op.",
        "channel": "phone",
        "impact": "high",
        "email": "kees@example.test",
        **extra,
    }
    if service is not None:
        data["service"] = service.pk
    return data


def stored():
    with scopes_disabled():
        return (
            Complaint.objects.count(),
            Attachment.objects.count(),
            OutboxMessage.objects.count(),
        )


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


def test_public_submission_stores_checked_attachments(world, client, alpha_desk):
    category = categories(world.alpha)[0]
    files = [
        SimpleUploadedFile("scherm.png", PNG, content_type="application/octet-stream"),
        SimpleUploadedFile("../brief.pdf", PDF, content_type="application/pdf"),
    ]
    response = client.post(submit_url(), multipart(category, alpha_desk, attachments=files))
    assert response.status_code == 201
    with scopes_disabled():
        complaint = Complaint.objects.get()
        rows = list(
            Attachment.objects.filter(complaint=complaint).values_list(
                "filename", "mime_type", "size"
            )
        )
        content = bytes(Attachment.objects.get(filename="scherm.png").content)
    assert response.json()["reference"] == complaint.reference
    assert rows == [
        ("scherm.png", "image/png", len(PNG)),
        ("brief.pdf", "application/pdf", len(PDF)),
    ]
    assert content == PNG
    assert stored() == (1, 2, 1)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "scan.pdf",
            PDF + b"0" * 1000,
            "scan.pdf is too large (1.1\xa0KB); the limit is 1000\xa0bytes per file.",
        ),
        (
            "invoice.pdf",
            b"MZ\x90\x00\x03" + b"\x00" * 64,
            "invoice.pdf is not a PDF, PNG or JPEG file.",
        ),
        (
            "report.pdf",
            PNG,
            "report.pdf does not contain what its name says (it is not a .pdf file).",
        ),
    ],
)
def test_public_submission_refuses_oversized_or_disguised_attachment(
    world, client, alpha_desk, settings, django_capture_on_commit_callbacks, name, content, message
):
    settings.COMPLAINTS_ATTACHMENT_MAX_BYTES = 1000
    category = categories(world.alpha)[0]
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(submit_url(), multipart(category, alpha_desk, attachments=[upload]))
    assert response.status_code == 400
    assert response.json() == {"attachments": [message]}
    assert stored() == (0, 0, 0)


def test_public_submission_refuses_too_many_attachments_and_json_files(world, client):
    category = categories(world.alpha)[0]
    files = [SimpleUploadedFile(f"p{n}.png", PNG, content_type="image/png") for n in range(4)]
    too_many = client.post(submit_url(), multipart(category, attachments=files))
    as_json = client.post(
        submit_url(),
        {**multipart(category), "attachments": ["JVBERi0xLjcK"]},
        content_type="application/json",
    )
    assert (too_many.status_code, too_many.json()) == (
        400,
        {"attachments": ["Attach at most 3 files."]},
    )
    assert as_json.status_code == 400
    assert list(as_json.json()) == ["attachments"]
    assert stored() == (0, 0, 0)


def test_public_submission_with_attachments_shares_the_rate_limit(world, client, settings):
    settings.COMPLAINTS_RATE_LIMITS = {"address": (1, 3600), "organisation": (100, 3600)}
    category = categories(world.alpha)[0]

    def send():
        upload = SimpleUploadedFile("scherm.png", PNG, content_type="image/png")
        return client.post(submit_url(), multipart(category, attachments=[upload]))

    first, second = send(), send()
    assert (first.status_code, second.status_code) == (201, 429)
    assert second.json() == {"detail": "Too many complaints from this address; try again later."}
    assert stored() == (1, 1, 1)


def test_public_submission_is_rate_limited(world, client, settings):
    settings.COMPLAINTS_RATE_LIMITS = {"address": (1, 3600), "organisation": (100, 3600)}
    category = categories(world.alpha)[0]
    payload = {"category": category.pk, "description": "x", "channel": "phone", "impact": "low"}
    first = client.post(submit_url(), payload, content_type="application/json")
    second = client.post(submit_url(), payload, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 429)


def test_manager_moves_a_complaint_through_the_api(world, client_as):
    complaint = file_complaint(world.alpha)
    client = client_as(world.alice)
    url = reverse("api:complaint-transition", kwargs={"org_slug": "alpha", "pk": complaint.pk})
    refused = client.post(url, {"to": "closed"}, content_type="application/json")
    done = client.post(url, {"to": "resolved", "text": "Klaar."}, content_type="application/json")
    assert refused.status_code == 400
    assert (done.status_code, done.json()["status"], done.json()["resolution"]) == (
        200,
        "resolved",
        "Klaar.",
    )
    viewer = client_as(world.victor).post(url, {"to": "closed"}, content_type="application/json")
    assert viewer.status_code == 403


def test_verdict_figures_count_closed_but_not_resolved(world, client_as):
    access = system_access(world.alpha)
    with tenant_scope(access):
        for resolved_for_me, score, close in [(False, 2, True), (True, 5, True), (False, 1, False)]:
            complaint = file_complaint(world.alpha)
            complaint = services.complaint_transition(
                access=access, complaint=complaint, to=Status.RESOLVED, text="x"
            )
            if close:
                complaint = services.complaint_transition(
                    access=access, complaint=complaint, to=Status.CLOSED
                )
            services.verdict_submit(
                complaint=complaint, resolved_for_me=resolved_for_me, handling_score=score
            )
    data = (
        client_as(world.alice)
        .get(reverse("api:complaint-verdicts", kwargs={"org_slug": "alpha"}))
        .json()
    )
    assert data == {
        "total": 3,
        "by_score": {"1": 1, "2": 1, "3": 0, "4": 0, "5": 1},
        "resolved_for_me": 1,
        "not_resolved_for_me": 2,
        "closed_not_resolved": 1,
        "mean_handling_score": 2.67,
    }


def test_schema_documents_the_complaint_api(db, client):
    schema = client.get(reverse("api_schema")).content.decode()
    for path in (
        "/api/v1/o/{org_slug}/complaints/",
        "/api/v1/o/{org_slug}/complaints/{id}/transition/",
        "/api/v1/o/{org_slug}/complaints/verdicts/",
        "/api/v1/o/{org_slug}/complaints/statistics/",
        "/api/v1/o/{org_slug}/complaints/proposals/",
        "/api/v1/k/{org_slug}/complaints/",
        "/api/v1/k/{org_slug}/register/",
    ):
        assert path in schema, path


def test_schema_documents_attachments_as_multipart_files(db, client):
    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()
    body = schema["paths"]["/api/v1/k/{org_slug}/complaints/"]["post"]["requestBody"]["content"]
    upload = schema["components"]["schemas"]["PublicComplaintUpload"]["properties"]
    assert sorted(body) == [
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ]
    assert body["multipart/form-data"]["schema"]["$ref"].endswith("/PublicComplaintUpload")
    assert upload["attachments"]["items"] == {"type": "string", "format": "binary"}
    # The refusal of control characters is not published as a pattern the name must match.
    assert "pattern" not in upload["name"]
