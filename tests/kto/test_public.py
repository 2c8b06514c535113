"""Answering by link: one submission per token, clear pages for every link that cannot be used."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from kto import services
from kto.models import PendingResponse, Response
from kto.tokens import invitation_token, open_link_token
from tests.kto.helpers import (
    english,  # noqa: F401 - the fixture
    make_survey,
    raw_answers,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def invited(world):
    survey = make_survey(world.alpha, [world.alpha_contract], launched=False)
    with scopes_disabled():
        services.participants_import(survey=survey, content=b"email,group\nj@x.nl,end_users\n")
        survey.launched_on = timezone.localdate()
        survey.save()
        invitation = survey.invitations.get()
    return (
        survey,
        invitation,
        reverse("kto_public:answer", kwargs={"token": invitation_token(invitation)}),
    )


def _responses():
    """Answers stored: released, or waiting in the survey's pool."""
    with scopes_disabled():
        return Response.objects.count() + PendingResponse.objects.count()


def test_invitation_link_opens_the_survey_in_dutch(invited, client):
    survey, _, url = invited
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Storingen en verzoeken worden in één keer goed opgelost." in body
    assert "checked" not in body  # a required rating has no default
    in_english = client.get(url + "?lang=en").content.decode()
    assert "Incidents and requests are resolved correctly the first time." in in_english


def test_answer_once_then_the_used_page(invited, client):
    survey, invitation, url = invited
    data = raw_answers(survey)
    first = client.post(url, data)
    assert first.status_code == 302
    assert first["Location"] == reverse("kto_public:thanks") + "?lang=nl"
    second = client.post(url, data)
    assert second.status_code == 410
    assert second.context["reason"] == "used"
    assert _responses() == 1
    with scopes_disabled():
        invitation.refresh_from_db()
    assert invitation.used is True


def test_missing_rating_shows_the_form_again_and_stores_nothing(invited, client):
    survey, _, url = invited
    data = raw_answers(survey)
    with scopes_disabled():
        item = survey.items.order_by("position").first()
    del data[f"item_{item.pk}"]
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["errors"] == {f"item_{item.pk}": "Beantwoord deze vraag alstublieft."}
    assert _responses() == 0


def test_tampered_token_shows_invalid_page(invited, client):
    _, _, url = invited
    tampered = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    for link in (tampered, reverse("kto_public:answer", kwargs={"token": "short"})):
        response = client.post(link, {})
        assert response.status_code == 400
        assert response.context["reason"] == "invalid"
    assert _responses() == 0


def test_expired_survey_shows_expired_page(invited, client):
    survey, _, url = invited
    with scopes_disabled():
        survey.closes_on = timezone.localdate() - timedelta(days=1)
        survey.save()
    response = client.post(url, raw_answers(survey))
    assert (response.status_code, response.context["reason"]) == (410, "expired")
    assert _responses() == 0


def test_closed_survey_shows_closed_page(invited, client):
    survey, _, url = invited
    with scopes_disabled():
        services.survey_close(survey=survey)
    response = client.post(url, raw_answers(survey))
    assert (response.status_code, response.context["reason"]) == (410, "closed")
    assert _responses() == 0


def test_open_link_answers_and_is_rate_limited(world, client):
    cache.clear()
    survey = make_survey(world.alpha, [world.alpha_contract])
    with scopes_disabled():
        services.survey_open_link_set(survey=survey, enabled=True)
    url = reverse("kto_public:open", kwargs={"token": open_link_token(survey)})
    data = raw_answers(survey)
    statuses = [client.post(url, data).status_code for _ in range(11)]
    assert statuses == [302] * 10 + [429]
    assert _responses() == 10


def test_switched_off_open_link_is_invalid(world, client):
    survey = make_survey(world.alpha, [world.alpha_contract])
    with scopes_disabled():
        services.survey_open_link_set(survey=survey, enabled=True)
        token = open_link_token(survey)
        services.survey_open_link_set(survey=survey, enabled=False)
    response = client.get(reverse("kto_public:open", kwargs={"token": token}))
    assert (response.status_code, response.context["reason"]) == (400, "invalid")


def test_thanks_page_in_english(client):
    response = client.get(reverse("kto_public:thanks") + "?lang=en")
    assert "Thank you for your answers" in response.content.decode()
