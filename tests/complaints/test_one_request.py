"""One request to the complainant after resolution: the resolved mail points to the tracking
page, whose verdict form carries the optional questions; no separate survey invitation, no
internal codes, an honest length. The verdict and the optional answers land in one row."""

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from complaints import selectors, services
from complaints.models import Status, Verdict
from governance.platform.access import system_access, tenant_scope
from governance.platform.models import OutboxMessage
from kto.models import Invitation, Survey
from tests.complaints.conftest import file_complaint


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _resolve(complaint, text="Telefonie hersteld."):
    access = system_access(complaint.organisation)
    with tenant_scope(access):
        return services.complaint_transition(
            access=access, complaint=complaint, to=Status.RESOLVED, text=text
        )


def test_a_resolved_complaint_brings_one_request(
    world, alpha_desk, django_capture_on_commit_callbacks
):
    complaint = file_complaint(
        world.alpha, service=alpha_desk, email="piet@example.test", language="en"
    )
    with scopes_disabled():
        before = OutboxMessage.objects.filter(to=["piet@example.test"]).count()
    with django_capture_on_commit_callbacks(execute=True):
        _resolve(complaint)
    with scopes_disabled():
        after = list(OutboxMessage.objects.filter(to=["piet@example.test"]).order_by("pk"))
        surveys, invitations = Survey.objects.count(), Invitation.objects.count()
    # The acknowledgement of receipt, then exactly one message after resolution.
    assert (before, len(after), surveys, invitations) == (1, 2, 0, 0)
    request = after[-1]
    assert request.subject == (
        "Your complaint about Servicedesk of 4 March 2026: was it resolved for you?"
    )
    for internal in (complaint.reference, world.alpha_contract.reference, "KL-"):
        assert internal not in request.subject
    assert "Three short questions, about one minute" in request.body_text
    assert "five minutes" not in request.body_text
    assert f"/k/t/{complaint.token}/#verdict" in request.body_text


def test_a_second_resolution_after_reopening_brings_no_survey(
    world, alpha_desk, django_capture_on_commit_callbacks
):
    complaint = file_complaint(world.alpha, service=alpha_desk, email="an@example.test")
    access = system_access(world.alpha)
    with django_capture_on_commit_callbacks(execute=True), tenant_scope(access):
        complaint = _resolve(complaint)
        complaint = services.complaint_transition(
            access=access, complaint=complaint, to=Status.REOPENED, text="Niet opgelost."
        )
        _resolve(complaint, "Nu wel.")
    with scopes_disabled():
        assert (Survey.objects.count(), Invitation.objects.count()) == (0, 0)


def test_the_tracking_page_asks_the_optional_questions_with_the_verdict(world, client):
    complaint = _resolve(file_complaint(world.alpha, email="an@example.test"))
    url = reverse("complaints_public:track", kwargs={"token": complaint.token})
    page = client.get(url).content.decode()
    assert "Three short questions and room for a remark; it takes about a minute." in page
    assert 'name="kept_informed"' in page
    response = client.post(
        url,
        {
            "resolved_for_me": "yes",
            "handling_score": "4",
            "kept_informed": "2",
            "comment": "Traag bericht.",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        verdict = Verdict.objects.get()
    assert (
        verdict.resolved_for_me,
        verdict.handling_score,
        verdict.kept_informed,
        verdict.comment,
    ) == (True, 4, 2, "Traag bericht.")
    assert "kept informed 2 out of 5" in client.get(url).content.decode()
    client.force_login(world.alice)
    api = client.get(f"/api/v1/o/alpha/complaints/{complaint.pk}/").json()
    page = client.get(reverse("complaints:complaint_detail", args=["alpha", complaint.pk]))
    assert (api["handling_score"], api["kept_informed"]) == (4, 2)
    assert "kept informed 2 out of 5" in page.content.decode()


def test_the_optional_question_may_stay_empty_and_figures_count_every_verdict(world, client):
    first = _resolve(file_complaint(world.alpha))
    second = _resolve(file_complaint(world.alpha))
    for complaint, data in (
        (first, {"resolved_for_me": "yes", "handling_score": "5", "kept_informed": "4"}),
        (second, {"resolved_for_me": "no", "handling_score": "2", "kept_informed": ""}),
    ):
        url = reverse("complaints_public:track", kwargs={"token": complaint.token})
        assert client.post(url, data).status_code == 302
    access = system_access(world.alpha)
    with tenant_scope(access):
        summary = selectors.verdict_summary(access=access)
        informed = sorted(
            Verdict.objects.values_list("kept_informed", flat=True), key=lambda v: v or 0
        )
    assert summary == {
        "total": 2,
        "by_score": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1},
        "resolved_for_me": 1,
        "not_resolved_for_me": 1,
        "closed_not_resolved": 0,
        "mean_handling_score": 3.5,
    }
    assert informed == [None, 4]


def test_an_out_of_range_optional_answer_is_refused_and_nothing_stored(world, client):
    complaint = _resolve(file_complaint(world.alpha))
    url = reverse("complaints_public:track", kwargs={"token": complaint.token})
    response = client.post(
        url, {"resolved_for_me": "yes", "handling_score": "4", "kept_informed": "7"}
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["kept_informed"]
    with scopes_disabled():
        assert Verdict.objects.count() == 0
