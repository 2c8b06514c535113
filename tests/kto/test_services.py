"""Submission, rollups and perception_for."""

import math
import random
from collections import defaultdict
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from kto import services, stats
from kto.models import (
    GAP_ROLE,
    Answer,
    ItemRole,
    Question,
    Response,
    Rollup,
    ScoreRollup,
    StakeholderGroup,
    SurveyItem,
    SurveyKind,
)
from kto.selectors import perception_for
from tests.kto.helpers import (
    ALL_GROUPS,
    english,  # noqa: F401 - the fixture
    make_survey,
    raw_answers,
    submit,
)

pytestmark = pytest.mark.usefixtures("english")

EU = StakeholderGroup.END_USERS


def test_periodic_template_items(world):
    survey = make_survey(world.alpha, [world.alpha_contract])
    with scopes_disabled():
        roles = list(survey.items.values_list("question__code", "role", "required"))
    assert roles[:2] == [
        ("rel-first-time", ItemRole.PERCEPTION, True),
        ("rel-promises", ItemRole.PERCEPTION, True),
    ]
    assert roles[-3:] == [
        ("overall-score", ItemRole.SCORE, True),
        ("time-lost", ItemRole.TIME_LOST, False),
        ("open-improve", ItemRole.OPEN, False),
    ]
    assert len(roles) == 13


def test_baseline_template_asks_expectation_perception_and_importance(world):
    survey = make_survey(world.alpha, [world.alpha_contract], kind=SurveyKind.BASELINE)
    with scopes_disabled():
        counts = defaultdict(int)
        for role in survey.items.values_list("role", flat=True):
            counts[role] += 1
    assert dict(counts) == {
        ItemRole.EXPECTATION: 10,
        ItemRole.PERCEPTION: 10,
        ItemRole.IMPORTANCE: 5,
        ItemRole.SCORE: 1,
        ItemRole.OPEN: 1,
    }


def test_question_bank_install_is_idempotent(world):
    with scopes_disabled():
        first = services.question_bank_install(organisation=world.alpha)
        second = services.question_bank_install(organisation=world.alpha)
        total = Question.objects.filter(organisation=world.alpha).count()
    assert (first, second, total) == (22, 0, 22)


def test_mirrored_wording_for_business_and_it(world):
    make_survey(world.alpha, [world.alpha_contract])
    with scopes_disabled():
        question = Question.objects.get(organisation=world.alpha, code="resp-speed")
    assert question.text(language="nl", group=EU) == "Mijn melding wordt snel opgepakt."
    assert question.text(language="en", group=StakeholderGroup.BUSINESS) == (
        "End users experience that their calls are picked up quickly."
    )


def test_survey_create_rejects_another_organisations_contract(world):
    with pytest.raises(ValidationError) as error, scopes_disabled():
        make_survey(world.alpha, [world.beta_northwind_contract])
    assert error.value.message_dict == {
        "contracts": ["A contract belongs to another organisation."]
    }


def test_submission_requires_every_rating(world):
    survey = make_survey(world.alpha, [world.alpha_contract])
    raw = raw_answers(survey)
    with scopes_disabled():
        first_item = survey.items.order_by("position").first()
    del raw[f"item_{first_item.pk}"]
    with pytest.raises(ValidationError) as error:
        submit(survey, world.alpha_contract, EU, raw)
    assert error.value.message_dict == {f"item_{first_item.pk}": ["Please answer this question."]}
    with scopes_disabled():
        assert (Response.objects.count(), Rollup.objects.count()) == (0, 0)


def test_submission_rejects_out_of_range_rating(world):
    survey = make_survey(world.alpha, [world.alpha_contract])
    raw = raw_answers(survey)
    with scopes_disabled():
        item = survey.items.order_by("position").first()
    raw[f"item_{item.pk}"] = "6"
    with pytest.raises(ValidationError) as error:
        submit(survey, world.alpha_contract, EU, raw)
    assert error.value.message_dict == {f"item_{item.pk}": ["Choose a value from 1 to 5."]}


def test_importance_points_must_add_up_to_100(world):
    survey = make_survey(world.alpha, [world.alpha_contract], kind=SurveyKind.BASELINE)
    raw = raw_answers(survey)
    with scopes_disabled():
        item = survey.items.filter(role=ItemRole.IMPORTANCE).first()
    raw[f"item_{item.pk}"] = "0"
    with pytest.raises(ValidationError) as error:
        submit(survey, world.alpha_contract, EU, raw)
    assert list(error.value.message_dict) == ["points"]


def test_first_answer_locks_the_anonymity_mode(world):
    survey = make_survey(world.alpha, [world.alpha_contract])
    submit(survey, world.alpha_contract, EU, raw_answers(survey))
    with scopes_disabled():
        survey.refresh_from_db()
        assert survey.anonymity_locked is True
        with pytest.raises(ValidationError) as error:
            services.survey_update(survey=survey, anonymity_mode="k10")
    assert error.value.message_dict == {
        "anonymity_mode": ["The anonymity mode is locked: answers have already arrived."]
    }


def test_anonymity_mode_can_change_before_answers(world):
    survey = make_survey(world.alpha, [world.alpha_contract])
    with scopes_disabled():
        services.survey_update(survey=survey, anonymity_mode="k10")
        survey.refresh_from_db()
    assert (survey.anonymity_mode, survey.k) == ("k10", 10)


def _recompute(survey):
    """Rollups recomputed from the raw answers, independently of the service."""
    expected = defaultdict(lambda: [0, 0.0, 0.0, [0] * 5])
    scores = defaultdict(lambda: [0] * 11)
    with scopes_disabled():
        answers = Answer.objects.filter(response__survey=survey).select_related(
            "item__question", "response"
        )
        per_respondent = defaultdict(list)
        for answer in answers:
            item = answer.item
            key = (
                answer.response.contract_id,
                item.role,
                item.question.dimension,
                answer.response.group,
            )
            if item.role == ItemRole.SCORE:
                scores[(answer.response.contract_id, item.pk, answer.response.group)][
                    answer.value
                ] += 1
            elif item.role != ItemRole.OPEN:
                per_respondent[(answer.response_id, key)].append(answer.value)
        means = {}
        for (respondent, key), values in per_respondent.items():
            x = sum(values) / len(values)
            means[(respondent, key)] = x
            row = expected[key]
            row[0] += 1
            row[1] += x
            row[2] += x * x
            if key[1] in (ItemRole.PERCEPTION, ItemRole.EXPECTATION):
                for v in values:
                    row[3][v - 1] += 1
        # The paired gap: a respondent's perception minus its expectation in a dimension.
        for (respondent, key), perceived in means.items():
            contract_id, role, dimension, group = key
            expected_key = (respondent, (contract_id, ItemRole.EXPECTATION, dimension, group))
            if role != ItemRole.PERCEPTION or expected_key not in means:
                continue
            d = perceived - means[expected_key]
            row = expected[(contract_id, GAP_ROLE, dimension, group)]
            row[0] += 1
            row[1] += d
            row[2] += d * d
    return expected, scores


@pytest.mark.parametrize("kind", [SurveyKind.PERIODIC, SurveyKind.BASELINE])
def test_rollups_equal_recomputation_after_random_submissions(world, kind):
    survey = make_survey(world.alpha, [world.alpha_contract], kind=kind)
    rng = random.Random(42)
    for _ in range(40):
        submit(survey, world.alpha_contract, rng.choice(ALL_GROUPS), raw_answers(survey, rng))
    expected, expected_scores = _recompute(survey)
    with scopes_disabled():
        rollups = {
            (r.contract_id, r.role, r.dimension, r.group): r
            for r in Rollup.objects.filter(survey=survey)
        }
        score_rollups = {
            (r.contract_id, r.item_id, r.group): r.counts
            for r in ScoreRollup.objects.filter(survey=survey)
        }
    assert set(rollups) == set(expected)
    for key, (n, sx, sx2, counts) in expected.items():
        row = rollups[key]
        assert row.n == n
        assert row.sum_x == pytest.approx(sx)
        assert row.sum_x2 == pytest.approx(sx2)
        if key[1] in (ItemRole.PERCEPTION, ItemRole.EXPECTATION):
            assert row.counts == counts
    assert score_rollups == dict(expected_scores)


def test_rollup_score_is_the_respondents_mean_over_the_dimension(world):
    survey = make_survey(world.alpha, [world.alpha_contract])
    raw = raw_answers(survey, likert=4)
    with scopes_disabled():
        first, second = survey.items.filter(question__dimension="reliability").order_by("position")
    raw[f"item_{first.pk}"] = "2"  # items 2 and 4 → respondent score 3
    submit(survey, world.alpha_contract, EU, raw)
    with scopes_disabled():
        row = Rollup.objects.get(survey=survey, role=ItemRole.PERCEPTION, dimension="reliability")
    assert (row.n, row.sum_x, row.sum_x2, row.counts) == (1, 3.0, 9.0, [0, 1, 0, 1, 0])


def test_perception_for_combines_overlapping_surveys_and_groups(world):
    first = make_survey(world.alpha, [world.alpha_contract], targets={"reliability": 3.8})
    second = make_survey(world.alpha, [world.alpha_contract], title="Second", targets={})
    values = {EU: [2, 3, 4, 5, 4], StakeholderGroup.BUSINESS: [3, 3, 4, 2, 3]}
    for survey in (first, second):
        for group, scores in values.items():
            for score in scores:
                submit(survey, world.alpha_contract, group, raw_answers(survey, likert=score))
    today = timezone.localdate()
    with scope(organisation=world.alpha.pk, supplier=None):
        everyone = perception_for(
            contract=world.alpha_contract,
            dimension="reliability",
            period_start=today - timedelta(days=30),
            period_end=today,
        )
        end_users = perception_for(
            contract=world.alpha_contract,
            dimension="reliability",
            period_start=today - timedelta(days=30),
            period_end=today,
            group=EU,
        )
        nothing = perception_for(
            contract=world.alpha_contract,
            dimension="reliability",
            period_start=today + timedelta(days=1),
            period_end=today + timedelta(days=30),
        )
    data = [float(v) for v in [2, 3, 4, 5, 4, 3, 3, 4, 2, 3] * 2]
    interval = stats.mean_interval(n=20, total=sum(data), total_sq=sum(v * v for v in data))
    assert (everyone.n, everyone.target) == (20, 3.8)
    assert everyone.mean == pytest.approx(interval.mean)
    assert (everyone.ci_low, everyone.ci_high) == (
        pytest.approx(interval.low),
        pytest.approx(interval.high),
    )
    assert (end_users.n, end_users.mean) == (10, pytest.approx(3.6))
    assert nothing is None


def test_perception_for_uses_fpc_for_a_single_survey_with_known_population(world):
    survey = make_survey(world.alpha, [world.alpha_contract], groups=[EU])
    with scopes_disabled():
        plan = survey.groups.get()
        plan.population = 40
        plan.save()
    scores = [1, 2, 3, 4, 5, 3, 4, 2, 5, 4]
    for score in scores:
        submit(survey, world.alpha_contract, EU, raw_answers(survey, likert=score))
    today = timezone.localdate()
    with scope(organisation=world.alpha.pk, supplier=None):
        found = perception_for(
            contract=world.alpha_contract,
            dimension="empathy",
            period_start=today - timedelta(days=10),
            period_end=today,
        )
    free = stats.mean_interval(
        n=10, total=float(sum(scores)), total_sq=float(sum(s * s for s in scores))
    )
    factor = math.sqrt((40 - 10) / 39)
    assert (found.ci_high - found.mean) == pytest.approx(free.half_width * factor)
    assert found.target is None


def test_perception_for_supplier_scope_sees_only_its_contracts(world):
    survey = make_survey(world.beta, [world.beta_northwind_contract, world.beta_southwind_contract])
    for contract in (world.beta_northwind_contract, world.beta_southwind_contract):
        for _ in range(5):
            submit(survey, contract, EU, raw_answers(survey, likert=4))
    today = timezone.localdate()
    with scope(organisation=world.beta.pk, supplier=world.southwind.pk):
        other = perception_for(
            contract=world.beta_northwind_contract,
            dimension="reliability",
            period_start=today - timedelta(days=30),
            period_end=today,
        )
        own = perception_for(
            contract=world.beta_southwind_contract,
            dimension="reliability",
            period_start=today - timedelta(days=30),
            period_end=today,
        )
    assert (other, own.n) == (None, 5)


def test_service_specific_questions_join_the_survey(world):
    with scopes_disabled():
        service = world.alpha_contract.services.create(organisation=world.alpha, name="Servicedesk")
        services.question_create(
            organisation=world.alpha,
            code="desk-phone",
            dimension="empathy",
            kind="likert",
            text_nl="De servicedesk is telefonisch goed bereikbaar.",
            text_en="The service desk is easy to reach by phone.",
            service=service,
        )
    today = timezone.localdate()
    with scopes_disabled():
        survey = services.survey_create(
            organisation=world.alpha,
            kind=SurveyKind.PERIODIC,
            title="Desk",
            contracts=[world.alpha_contract],
            services=[service],
            period_start=today,
            period_end=today,
            opens_on=today,
            closes_on=today,
            groups=[EU],
        )
        last = SurveyItem.objects.filter(survey=survey).order_by("position").last()
    assert (last.question.code, last.role, last.required) == ("desk-phone", "perception", True)


def test_perception_for_withholds_a_group_the_results_page_hides(world):
    """End users (n = 8) are hidden as the complement of business (n = 3): otherwise business
    could be derived from the contract total minus the end users."""
    survey = make_survey(
        world.alpha, [world.alpha_contract], groups=[EU, StakeholderGroup.BUSINESS]
    )
    for _ in range(8):
        submit(survey, world.alpha_contract, EU, raw_answers(survey, likert=4))
    for _ in range(3):
        submit(
            survey, world.alpha_contract, StakeholderGroup.BUSINESS, raw_answers(survey, likert=2)
        )
    today = timezone.localdate()
    period = {"period_start": today - timedelta(days=30), "period_end": today}
    with scope(organisation=world.alpha.pk, supplier=None):
        end_users = perception_for(
            contract=world.alpha_contract, dimension="reliability", group=EU, **period
        )
        everyone = perception_for(contract=world.alpha_contract, dimension="reliability", **period)
    assert end_users is None
    assert (everyone.n, everyone.mean) == (11, pytest.approx((8 * 4 + 3 * 2) / 11))


def test_a_group_without_answers_does_not_hide_the_others(world):
    survey = make_survey(world.alpha, [world.alpha_contract])  # three groups, only end users answer
    for _ in range(6):
        submit(survey, world.alpha_contract, EU, raw_answers(survey, likert=4))
    today = timezone.localdate()
    with scope(organisation=world.alpha.pk, supplier=None):
        found = perception_for(
            contract=world.alpha_contract,
            dimension="tangibles",
            period_start=today - timedelta(days=30),
            period_end=today,
            group=EU,
        )
    assert (found.n, found.mean) == (6, 4.0)


def test_perception_leaves_out_complainants_verdict_surveys(world):
    periodic = make_survey(world.alpha, [world.alpha_contract], groups=[EU])
    verdict = make_survey(
        world.alpha, [world.alpha_contract], groups=[EU], kind=SurveyKind.VERDICT, title="Oordeel"
    )
    for _ in range(6):
        submit(periodic, world.alpha_contract, EU, raw_answers(periodic, likert=4))
        submit(verdict, world.alpha_contract, EU, raw_answers(verdict, likert=1))
    today = timezone.localdate()
    with scope(organisation=world.alpha.pk, supplier=None):
        found = perception_for(
            contract=world.alpha_contract,
            dimension="responsiveness",
            period_start=today - timedelta(days=10),
            period_end=today,
        )
    assert (found.n, found.mean) == (6, 4.0)
