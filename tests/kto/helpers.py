"""Helpers for KTO tests: a survey in tenant Alpha, answers, submissions."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from kto import services
from kto.models import ItemRole, QuestionKind, StakeholderGroup, Survey, SurveyKind

ALL_GROUPS = [StakeholderGroup.END_USERS, StakeholderGroup.BUSINESS, StakeholderGroup.IT]


def make_survey(
    organisation,
    contracts,
    *,
    kind=SurveyKind.PERIODIC,
    groups=ALL_GROUPS,
    launched=True,
    targets=None,
    title="KTO Q3",
) -> Survey:
    today = timezone.localdate()
    with scopes_disabled():
        survey = services.survey_create(
            organisation=organisation,
            kind=kind,
            title=title,
            contracts=contracts,
            period_start=today - timedelta(days=90),
            period_end=today - timedelta(days=1),
            opens_on=today - timedelta(days=2),
            closes_on=today + timedelta(days=14),
            groups=groups,
            targets=targets if targets is not None else {"reliability": 3.5},
        )
        if launched:
            survey.launched_on = today - timedelta(days=2)
            survey.save(update_fields=["launched_on"])
    return survey


def raw_answers(survey, rng=None, *, likert=None, open_text="") -> dict:
    """A complete, valid set of answers; random unless `likert` fixes every Likert value."""
    rng = rng or random.Random(1)
    raw = {}
    with scopes_disabled():
        items = list(survey.items.select_related("question"))
    points = [item for item in items if item.role == ItemRole.IMPORTANCE]
    for item in items:
        kind = item.question.kind
        name = f"item_{item.pk}"
        if kind == QuestionKind.LIKERT:
            raw[name] = str(likert if likert is not None else rng.randint(1, 5))
        elif kind == QuestionKind.SCALE:
            raw[name] = str(rng.randint(0, 10))
        elif kind == QuestionKind.TIME_LOST:
            raw[name] = str(rng.randint(0, 12)) if rng.random() < 0.7 else ""
        elif kind == QuestionKind.OPEN:
            raw[name] = open_text
    if points:
        shares = [20] * len(points)
        shares[0] += 100 - sum(shares)
        for item, share in zip(points, shares, strict=True):
            raw[f"item_{item.pk}"] = str(share)
    return raw


def submit(survey, contract, group, raw, invitation=None, language="nl", *, release=True):
    """Answer, then (by default) release the pool at once, for tests about what happens to a
    released answer; `release=False` leaves it pending as a real submission does."""
    with scopes_disabled():
        services.response_submit(
            survey=survey,
            contract=contract,
            group=group,
            language=language,
            raw_answers=raw,
            invitation=invitation,
        )
        if release:
            release_pool(survey)


def release_pool(survey) -> int:
    """Release every pending answer of the survey now, whatever the batch size (tests only:
    the service releases a cell in steps of at least k)."""
    with scopes_disabled():
        return services.pool_release(survey=survey, flush=True)


def route_samples(world) -> dict:
    """Objects of tenant Alpha for the route walk (idempotent): a draft survey covering
    Alpha's contract and a question of Alpha's bank."""
    from kto.models import Question

    with scopes_disabled():
        survey = Survey.objects.filter(organisation=world.alpha, title="Route walk").first()
        if survey is None:
            survey = make_survey(
                world.alpha, [world.alpha_contract], launched=False, title="Route walk"
            )
        question = Question.objects.filter(organisation=world.alpha).order_by("pk").first()
    return {"survey": survey, "question": question}


@pytest.fixture
def english(client):
    """Messages in English: the active language and the test client's browser language."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
