"""The pending pool: answers are published in steps of at least k per cell, an invitation answers
once, closing flushes the rest, and "time lost" waits for the final results."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from governance.platform.access import system_access
from governance.roof.schedule import BEAT_SCHEDULE
from kto import pool, services
from kto.api.serializers import SurveyResultsSerializer
from kto.models import (
    Invitation,
    ItemRole,
    PendingResponse,
    Response,
    Rollup,
    StakeholderGroup,
    Survey,
)
from kto.results import survey_results
from kto.tasks import task_kto_release, task_kto_release_all
from kto.tokens import INVITATION, derive_token, new_salt, token_hash
from tests.kto.helpers import make_survey, raw_answers, submit

EU, BUSINESS = StakeholderGroup.END_USERS, StakeholderGroup.BUSINESS


def _released(survey, group=EU) -> int:
    with scopes_disabled():
        return Response.objects.filter(survey=survey, group=group).count()


def _pending(survey) -> int:
    with scopes_disabled():
        return PendingResponse.objects.filter(survey=survey).count()


def _answer(survey, contract, group, count, **kwargs):
    for _ in range(count):
        submit(survey, contract, group, raw_answers(survey, **kwargs), release=False)


def test_a_cell_is_released_at_2k_waiting_keeping_k_back(world):
    survey = make_survey(world.alpha, [world.alpha_contract])
    _answer(survey, world.alpha_contract, EU, 9)
    with scopes_disabled():
        assert services.pool_release(survey=survey) == 0
        _answer(survey, world.alpha_contract, EU, 1)
        assert services.pool_release(survey=survey) == 5
    assert (_released(survey), _pending(survey)) == (5, 5)
    # Another group's four answers wait, whatever the other cell does.
    _answer(survey, world.alpha_contract, BUSINESS, 4)
    _answer(survey, world.alpha_contract, EU, 7)
    with scopes_disabled():
        assert services.pool_release(survey=survey) == 7
        assert (
            Rollup.objects.get(
                survey=survey, group=EU, role=ItemRole.PERCEPTION, dimension="reliability"
            ).n
            == 12
        )
    assert (_released(survey, BUSINESS), _pending(survey)) == (0, 9)


def test_closing_flushes_the_rest_and_makes_results_final(world):
    survey = make_survey(world.alpha, [world.alpha_contract])
    _answer(survey, world.alpha_contract, EU, 12)
    _answer(survey, world.alpha_contract, BUSINESS, 3)
    with scopes_disabled():
        services.pool_release(survey=survey)
        assert (_released(survey), _pending(survey)) == (7, 8)
        services.survey_close(survey=survey)
        survey.refresh_from_db()
    assert (_released(survey), _released(survey, BUSINESS), _pending(survey)) == (12, 3, 0)
    assert survey.final_release_on == timezone.localdate()
    # Released responses carry the release date, never the day they were given.
    with scopes_disabled():
        dates = set(Response.objects.filter(survey=survey).values_list("submitted_on", flat=True))
    assert dates == {timezone.localdate()}
    assert survey.state(timezone.localdate()) == "closed"


def test_the_hourly_release_flushes_a_survey_closed_by_its_date(world):
    survey = make_survey(world.alpha, [world.alpha_contract])
    _answer(survey, world.alpha_contract, EU, 10)
    with scopes_disabled():
        Survey.objects.filter(pk=survey.pk).update(
            closes_on=timezone.localdate() - timedelta(days=1)
        )
    assert BEAT_SCHEDULE["kto-release"]["task"] == "kto.tasks.task_kto_release_all"
    with mock.patch("kto.tasks.task_kto_release.delay") as delay:
        assert task_kto_release_all.apply().get() == 1
    [call] = delay.call_args_list
    assert call.kwargs == {"organisation_id": world.alpha.pk}
    counts = task_kto_release.apply(kwargs={"organisation_id": world.alpha.pk}).get()
    with scopes_disabled():
        survey.refresh_from_db()
    assert counts == {"released": 10, "finalised": 1}
    assert survey.final_release_on == timezone.localdate()
    assert _released(survey) == 10
    with mock.patch("kto.tasks.task_kto_release.delay") as delay:
        assert task_kto_release_all.apply().get() == 0


def _invitation(survey, contract, email="a@example.test") -> Invitation:
    salt = new_salt()
    with scopes_disabled():
        return Invitation.objects.create(
            organisation=survey.organisation,
            survey=survey,
            email=email,
            group=EU,
            contract=contract,
            status=Invitation.Status.INVITED,
            salt=salt,
            token_hash=token_hash(derive_token(INVITATION, salt)),
        )


def test_an_invitation_answers_once(world):
    survey = make_survey(world.alpha, [world.alpha_contract])
    invitation = _invitation(survey, world.alpha_contract)
    raw = raw_answers(survey)
    submit(survey, world.alpha_contract, EU, raw, invitation=invitation, release=False)
    with pytest.raises(pool.LinkProblem) as problem:
        submit(survey, world.alpha_contract, EU, raw, invitation=invitation, release=False)
    assert problem.value.reason == "used"
    assert _pending(survey) == 1


def test_a_concurrent_answer_on_the_same_link_loses_the_race(world):
    """The other submission marks the link used between our check and our mark: ours stops
    there, stores nothing, and leaves the invitation used."""
    survey = make_survey(world.alpha, [world.alpha_contract])
    invitation = _invitation(survey, world.alpha_contract)
    clean = pool._clean_answers

    def other_submission_wins(*args):
        Invitation.objects.filter(pk=invitation.pk).update(used=True)
        return clean(*args)

    with (
        mock.patch.object(pool, "_clean_answers", side_effect=other_submission_wins),
        pytest.raises(pool.LinkProblem) as problem,
    ):
        submit(survey, world.alpha_contract, EU, raw_answers(survey), invitation=invitation)
    assert problem.value.reason == "used"
    with scopes_disabled():
        invitation.refresh_from_db()
    assert (invitation.used, _pending(survey), _released(survey)) == (True, 0, 0)


def test_a_pool_that_cannot_take_the_answer_leaves_the_invitation_unused(world):
    survey = make_survey(world.alpha, [world.alpha_contract])
    invitation = _invitation(survey, world.alpha_contract)
    with (
        mock.patch.object(pool, "_pool_add", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        submit(survey, world.alpha_contract, EU, raw_answers(survey), invitation=invitation)
    with scopes_disabled():
        invitation.refresh_from_db()
    assert invitation.used is False
    assert _pending(survey) == 0


def test_bad_answers_store_nothing_and_keep_the_invitation(world):
    survey = make_survey(world.alpha, [world.alpha_contract])
    invitation = _invitation(survey, world.alpha_contract)
    raw = raw_answers(survey)
    raw[next(iter(raw))] = "9"
    with pytest.raises(ValidationError):
        submit(survey, world.alpha_contract, EU, raw, invitation=invitation)
    with scopes_disabled():
        invitation.refresh_from_db()
    assert (invitation.used, _pending(survey), _released(survey)) == (False, 0, 0)


def _time_lost(survey, contract, group, hours: list[int | None], likert=4):
    with scopes_disabled():
        item = survey.items.get(role=ItemRole.TIME_LOST)
    for value in hours:
        raw = raw_answers(survey, likert=likert)
        raw[f"item_{item.pk}"] = "" if value is None else str(value)
        submit(survey, contract, group, raw, release=False)


def test_time_lost_waits_for_final_results_and_hides_a_derivable_group(world):
    """The issue's case: a business group's 37 hours must not follow from the contract's total
    minus the end users' figure."""
    survey = make_survey(world.alpha, [world.alpha_contract], groups=[EU, BUSINESS])
    _time_lost(survey, world.alpha_contract, EU, [2, 4, 6, 8, 10, 12, None, None, None, None])
    _time_lost(survey, world.alpha_contract, BUSINESS, [37, None, None, None, None, None])
    access = system_access(world.alpha)
    with scopes_disabled():
        services.pool_release(survey=survey, flush=True)
        open_results = survey_results(access=access, survey=survey)
        [contract] = open_results.contracts
        assert [g.respondents for g in contract.groups] == [10, 6]
        # While open, no time lost anywhere (it could change by fewer than k answers).
        assert [g.time_lost for g in (*contract.groups, contract.total)] == [None] * 3
        services.survey_close(survey=survey)
        survey.refresh_from_db()
        final = survey_results(access=access, survey=survey)
        data = SurveyResultsSerializer(final).data
    [contract] = final.contracts
    end_users, business = contract.groups
    # Business has one time-lost answer: hidden; so the end users' (6 answers) must hide
    # too, or the contract total minus them would give 37; the total (7) can show.
    assert (end_users.time_lost, business.time_lost) == (None, None)
    assert (contract.total.time_lost.n, contract.total.time_lost.mean) == (7, 11.3)
    assert [g["time_lost_hours"] for g in data["contracts"][0]["groups"]] == [None, None]
    assert data["contracts"][0]["total"]["time_lost_hours"] == 11.3


def test_the_api_rounds_as_the_page_does(world):
    """n 6 → 7, mean 4.0 → 3.5714 in the issue: only the rounded 3.57 is published."""
    survey = make_survey(world.alpha, [world.alpha_contract], groups=[EU])
    for likert in (5, 5, 4, 4, 3, 3, 1):
        submit(survey, world.alpha_contract, EU, raw_answers(survey, likert=likert), release=False)
    with scopes_disabled():
        services.survey_close(survey=survey)
        survey.refresh_from_db()
        data = SurveyResultsSerializer(
            survey_results(access=system_access(world.alpha), survey=survey)
        ).data
    figure = data["contracts"][0]["groups"][0]["perception"]["reliability"]
    # mean 25/7 = 3.5714…; s = 1.3973, t(0.975, 6) = 2.4469: ± 1.2923 → [2.28, 4.86].
    assert (figure["n"], figure["mean"], figure["ci_low"], figure["ci_high"]) == (
        7,
        3.57,
        2.28,
        4.86,
    )
    assert figure["distribution"] == [0.14, 0.0, 0.29, 0.29, 0.29]
