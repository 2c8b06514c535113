"""The private tracking link and the complainant's verdict."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from complaints import services
from complaints.models import Status, Verdict
from governance.platform.access import system_access, tenant_scope
from tests.complaints.conftest import file_complaint


def track_url(complaint):
    return reverse("complaints_public:track", kwargs={"token": complaint.token})


def resolve(complaint, to=Status.RESOLVED):
    access = system_access(complaint.organisation)
    with tenant_scope(access):
        complaint = services.complaint_transition(
            access=access, complaint=complaint, to=Status.RESOLVED, text="Telefonie hersteld."
        )
        if to == Status.CLOSED:
            complaint = services.complaint_transition(
                access=access, complaint=complaint, to=Status.CLOSED
            )
    return complaint


def test_token_shows_only_its_own_complaint(world, client):
    mine = file_complaint(world.alpha, description="Mijn eigen klacht over de printer.")
    other = file_complaint(world.alpha, description="Iemand anders zijn klacht.")
    beta = file_complaint(world.beta, description="Klacht bij Beta.")
    body = client.get(track_url(mine)).content.decode()
    assert mine.reference in body
    assert "Mijn eigen klacht over de printer." in body
    assert [text for text in (other.description, beta.description) if text in body] == []


@pytest.mark.parametrize("token", ["x" * 32, "", "a" * 65, "KL-2026-000001", "1"])
def test_wrong_token_is_404(world, client, token):
    file_complaint(world.alpha)
    url = f"/k/t/{token}/" if token else "/k/t//"
    assert client.get(url).status_code == 404


def test_public_pages_show_no_sequential_ids(world, client):
    first = file_complaint(world.alpha)
    second = file_complaint(world.alpha)
    for complaint in (first, second):
        url = track_url(complaint)
        assert str(complaint.pk) not in url.replace(complaint.token, "")
        body = client.get(url).content.decode()
        assert f"/complaints/{complaint.pk}/" not in body
        assert "/o/alpha/" not in body


def test_tracking_page_never_shows_internal_notes_or_handlers(world, client):
    complaint = file_complaint(world.alpha)
    access = system_access(world.alpha)
    with tenant_scope(access):
        services.complaint_note_add(
            access=access, complaint=complaint, text="Intern: lastige klant"
        )
        services.complaint_assign(access=access, complaint=complaint, supplier=world.northwind)
        services.complaint_message_send(
            access=access, complaint=complaint, text="We bellen u morgen terug."
        )
    response = client.get(track_url(complaint))
    body = response.content.decode()
    assert "We bellen u morgen terug." in body
    assert "lastige klant" not in body
    assert "Northwind" not in body
    assert response["Referrer-Policy"] == "same-origin"


def test_no_verdict_before_resolution(world, client):
    complaint = file_complaint(world.alpha)
    response = client.post(track_url(complaint), {"resolved_for_me": "yes", "handling_score": "5"})
    assert response.status_code == 404
    with scopes_disabled():
        assert Verdict.objects.count() == 0


def test_verdict_is_stored_apart_from_the_status(world, client):
    complaint = resolve(file_complaint(world.alpha), to=Status.CLOSED)
    response = client.post(
        track_url(complaint),
        {"resolved_for_me": "no", "handling_score": "2", "comment": "Na 18:00 nog steeds dicht."},
    )
    assert response.status_code == 302
    with scopes_disabled():
        verdict = Verdict.objects.get()
        complaint.refresh_from_db()
    assert (verdict.resolved_for_me, verdict.handling_score, verdict.comment) == (
        False,
        2,
        "Na 18:00 nog steeds dicht.",
    )
    assert complaint.status == Status.CLOSED
    again = client.post(track_url(complaint), {"resolved_for_me": "yes", "handling_score": "5"})
    assert again.status_code == 404
    with scopes_disabled():
        assert Verdict.objects.count() == 1


def test_verdict_needs_a_valid_score(world, client):
    complaint = resolve(file_complaint(world.alpha))
    response = client.post(track_url(complaint), {"resolved_for_me": "yes", "handling_score": "9"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["handling_score"]
    with scopes_disabled():
        assert Verdict.objects.count() == 0


def test_resolution_mail_asks_for_the_verdict(world, django_capture_on_commit_callbacks):
    from governance.platform.models import OutboxMessage

    complaint = file_complaint(world.alpha, email="piet@example.test", language="en")
    resolve(complaint)
    with scopes_disabled():
        subjects = list(OutboxMessage.objects.order_by("pk").values_list("subject", flat=True))
        last = OutboxMessage.objects.order_by("pk").last()
    assert subjects == [
        f"Your complaint {complaint.reference} has been received",
        "Your complaint to Alpha of 4 March 2026: was it resolved for you?",
    ]
    assert f"/k/t/{complaint.token}/#verdict" in last.body_text
