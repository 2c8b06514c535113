"""The complaint API: internal list and actions, verdict figures, the public submission."""

from django.urls import reverse
from django_scopes import scopes_disabled

from complaints import services
from complaints.models import Complaint, Status
from governance.access import system_access, tenant_scope
from governance.models import OutboxMessage
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
    with scopes_disabled():
        assert Complaint.objects.count() == 0


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
        "/api/v1/o/{org_slug}/complaints/proposals/",
        "/api/v1/k/{org_slug}/complaints/",
        "/api/v1/k/{org_slug}/register/",
    ):
        assert path in schema, path
