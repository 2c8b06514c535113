"""The survey planner never asks more answers than a group has members (it says a census is
needed) and warns when the participant list or the group itself is too small."""

from decimal import Decimal

from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from kto.models import StakeholderGroup, SurveyGroup
from kto.planning import plan_for
from tests.kto.helpers import make_survey

IT = StakeholderGroup.IT
EU = StakeholderGroup.END_USERS


def group(population, response_rate="0.30", group=IT):
    return SurveyGroup(
        group=group,
        population=population,
        confidence=Decimal("0.95"),
        margin=Decimal("0.25"),
        margin_unit=SurveyGroup.MarginUnit.POINTS,
        sd=Decimal("1.0"),
        response_rate=Decimal(response_rate),
    )


def test_small_group_needs_a_census_and_says_the_response_cannot_reach_it():
    # n0 = (1.96·1/0.25)² = 61.47; FPC N = 25: 61.47/(1 + 60.47/25) = 17.98 → 18 answers;
    # 18/0.30 = 60 invitations, but only 25 people: about ⌊25·18/60⌋ = 7 answers expected.
    # Detecting δ 0.25 needs 128 answers and δ 0.5 needs 34: both more than 25 → all 25.
    figures = plan_for(group(25))
    assert (figures.answers_needed, figures.invitations_needed) == (18, 25)
    assert figures.answers_for_shortfall == ((0.25, 25, True), (0.5, 25, True))
    with translation.override("en"):
        assert figures.warnings == [
            "Even inviting all 25 gives about 7 answers at the expected response rate, fewer "
            "than the 18 needed."
        ]


def test_participant_list_shorter_than_the_invitations_needed_is_warned():
    # N = 4200: 61.47/(1 + 60.47/4200) = 60.59 → 61 answers; 61/0.42 = 145.2 → 146 invitations.
    figures = plan_for(group(4200, "0.42", EU), listed=114)
    assert (figures.answers_needed, figures.invitations_needed) == (61, 146)
    assert not figures.census
    with translation.override("en"):
        assert figures.warnings == [
            "The participant list has 114 people, fewer than the 146 invitations needed: add "
            "participants or accept a wider margin."
        ]
    assert plan_for(group(4200, "0.42", EU), listed=146).warnings == []


def test_survey_page_shows_the_census_and_the_warning(world, client_as):
    survey = make_survey(world.alpha, [world.alpha_contract], groups=[IT], launched=False)
    with scopes_disabled():
        plan = survey.groups.get()
        plan.population = 25
        plan.response_rate = Decimal("0.30")
        plan.save()
    body = (
        client_as(world.alice)
        .get(reverse("kto:survey_detail", args=["alpha", survey.pk]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    shortfall = body.split('data-testid="answers-for-shortfall">')[1].split("</td>")[0]
    assert shortfall == "all 25 (census) / all 25 (census)"
    assert "128" not in shortfall
    assert 'data-testid="plan-warnings-it"' in body
