"""The triangle and the SERVQUAL gap as numbers on the results page, on constructed data.

Reliability has two statements; each respondent gives both the same value, so its score is
that value. Hand computation (t quantiles from the t table, 95 % two-sided):

Triangle, perception on reliability:
  end users 2, 3, 3, 4, 3   mean 3.0, Σ(x−x̄)² = 2,   s² = 0.5
  business  4, 4, 5, 3, 4   mean 4.0, Σ(x−x̄)² = 2,   s² = 0.5
  IT        5, 5, 5, 4, 5   mean 4.8, Σ(x−x̄)² = 0.8, s² = 0.2
  business − users: v = 0.1 + 0.1, ν = 0.04 / (0.01/4 + 0.01/4) = 8, t(8) = 2.306004,
    half = 2.306004 · √0.2 = 1.031276 → 1.00 [−0.03; 2.03], not flagged (0 inside)
  IT − users: v = 0.04 + 0.1, ν = 0.0196 / (0.0016/4 + 0.01/4) = 6.758621, t = 2.381852,
    half = 2.381852 · √0.14 = 0.891207 → 1.80 [0.91; 2.69], flagged at δ = 0.1

Baseline, end users on reliability (expectation, perception per respondent):
  E 5, 4, 4, 5, 4; P 3, 3, 4, 4, 2; d = P − E = −2, −1, 0, −1, −2
  paired: mean −1.2, s_d² = 2.8/4 = 0.7, half = t(4) · √(0.7/5) = 2.776445 · 0.374166
    = 1.038851 → −1.20 [−2.24; −0.16], flagged
  Welch (without paired scores): P s² = 0.7, E s² = 0.3; v = 0.14 + 0.06,
    ν = 0.04 / (0.0196/4 + 0.0036/4) = 6.896552, t = 2.371834, half = 1.060716
    → −1.20 [−2.26; −0.14]
"""

from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from scipy import stats as scipy_stats

from kto import services, stats
from kto.gaps.models import GapThreshold
from kto.models import GAP_ROLE, ItemRole, QuestionKind, Rollup, StakeholderGroup, SurveyKind
from kto.result_gaps import GapFigure
from kto.results import survey_results
from tests.kto.helpers import (
    english,  # noqa: E402,F401 - the fixture
    raw_answers,
    submit,
)

pytestmark = pytest.mark.usefixtures("english")

USERS, BUSINESS, IT = StakeholderGroup.END_USERS, StakeholderGroup.BUSINESS, StakeholderGroup.IT


def _survey(world, kind, groups, *, period=(date(2026, 1, 1), date(2026, 3, 31)), title="KTO"):
    with scopes_disabled():
        survey = services.survey_create(
            organisation=world.alpha,
            kind=kind,
            title=title,
            contracts=[world.alpha_contract],
            period_start=period[0],
            period_end=period[1],
            opens_on=date(2026, 4, 1),
            closes_on=date(2099, 4, 30),
            groups=groups,
            targets={"reliability": 3.5},
        )
        survey.launched_on = date(2026, 4, 1)
        survey.save(update_fields=["launched_on"])
        return survey


def _answer(survey, group, reliability, expectation=None):
    """One respondent: every Likert item 3, except reliability perception (and expectation)."""
    raw = raw_answers(survey, likert=3)
    with scopes_disabled():
        items = list(survey.items.select_related("question"))
    for item in items:
        if item.question.kind != QuestionKind.LIKERT or item.question.dimension != "reliability":
            continue
        if item.role == ItemRole.PERCEPTION:
            raw[f"item_{item.pk}"] = str(reliability)
        elif item.role == ItemRole.EXPECTATION:
            raw[f"item_{item.pk}"] = str(expectation)
    submit(survey, survey_contract(survey), group, raw, release=False)


def survey_contract(survey):
    with scopes_disabled():
        return survey.contracts.get()


def _release(survey):
    with scopes_disabled():
        services.pool_release(survey=survey, flush=True)


def _results(world, survey):
    from governance.platform.access import system_access

    with scopes_disabled():
        return survey_results(
            access=system_access(world.alpha), survey=survey, one_contract=True
        ).contracts[0]


def _triangle(world, groups=(USERS, BUSINESS, IT), it_answers=(5, 5, 5, 4, 5)):
    survey = _survey(world, SurveyKind.PERIODIC, list(groups))
    for value in (2, 3, 3, 4, 3):
        _answer(survey, USERS, value)
    for value in (4, 4, 5, 3, 4):
        _answer(survey, BUSINESS, value)
    for value in it_answers:
        _answer(survey, IT, value)
    _release(survey)
    return survey


def test_welch_and_paired_intervals_match_hand_and_scipy():
    welch = stats.welch_difference(n1=5, mean1=4.8, sd1=0.2**0.5, n2=5, mean2=3.0, sd2=0.5**0.5)
    assert welch.df == pytest.approx(6.758621, abs=1e-6)
    assert (welch.low, welch.high) == pytest.approx((0.908793, 2.691207), abs=1e-6)
    independent = scipy_stats.ttest_ind([5, 5, 5, 4, 5], [2, 3, 3, 4, 3], equal_var=False)
    assert (welch.low, welch.high) == pytest.approx(tuple(independent.confidence_interval()))
    # d = −2, −1, 0, −1, −2: Σd = −6, Σd² = 10.
    paired = stats.paired_difference(n=5, total=-6, total_sq=10)
    assert (paired.difference, paired.df) == (pytest.approx(-1.2), 4)
    assert (paired.low, paired.high) == pytest.approx((-2.238851, -0.161149), abs=1e-6)
    related = scipy_stats.ttest_rel([3, 3, 4, 4, 2], [5, 4, 4, 5, 4]).confidence_interval()
    assert (paired.low, paired.high) == pytest.approx(tuple(related))
    # Identical differences: the spread floor keeps the interval open.
    flat = stats.paired_difference(n=5, total=-5, total_sq=5, min_sd=0.5)
    assert flat.high - flat.low == pytest.approx(2 * 2.776445 * 0.5 / 5**0.5, abs=1e-6)


def test_triangle_gap_per_dimension_with_its_welch_interval(world):
    survey = _triangle(world)
    result = _results(world, survey)
    rows = {label: row["reliability"] for label, row in result.triangle_gaps}
    assert rows == {
        "Business − end users": GapFigure(1.0, -0.03, 2.03, 0.1, "welch", False),
        "IT organisation − end users": GapFigure(1.8, 0.91, 2.69, 0.1, "welch", True),
    }


def test_triangle_flag_follows_the_gap_analysis_delta(world):
    survey = _triangle(world)
    with scopes_disabled():
        GapThreshold.objects.create(
            organisation=world.alpha,
            contract=world.alpha_contract,
            dimension="reliability",
            delta="1.80",
        )
    it_row = dict(_results(world, survey).triangle_gaps)["IT organisation − end users"]
    # Exactly δ still counts (decimal comparison); above it, no flag.
    assert (it_row["reliability"].delta, it_row["reliability"].flagged) == (1.8, True)
    with scopes_disabled():
        GapThreshold.objects.filter(contract=world.alpha_contract).update(delta="1.81")
    it_row = dict(_results(world, survey).triangle_gaps)["IT organisation − end users"]
    assert (it_row["reliability"].delta, it_row["reliability"].flagged) == (1.81, False)


def test_a_hidden_group_gives_no_gap(world):
    """Four IT answers: IT is hidden, and so (complementary) is the next smallest group."""
    survey = _triangle(world, it_answers=(5, 5, 5, 4))
    result = _results(world, survey)
    hidden = {cell.key[1] for cell in result.groups if cell.hidden}
    assert IT in hidden
    labels = [label for label, _ in result.triangle_gaps]
    assert "IT organisation − end users" not in labels
    for group, label in ((BUSINESS, "Business − end users"), (USERS, None)):
        if group in hidden:
            assert label not in labels
    assert all(cell.sums == {} for cell in result.groups if cell.hidden)


def _baseline(world):
    survey = _survey(
        world,
        SurveyKind.BASELINE,
        [USERS],
        period=(date(2025, 10, 1), date(2025, 12, 31)),
        title="Baseline",
    )
    for expectation, perception in zip((5, 4, 4, 5, 4), (3, 3, 4, 4, 2), strict=True):
        _answer(survey, USERS, perception, expectation)
    _release(survey)
    return survey


def test_baseline_gap_is_paired_per_respondent(world, client_as):
    survey = _baseline(world)
    result = _results(world, survey)
    rows = {label: row["reliability"] for label, row in result.servqual_gaps}
    expected = GapFigure(-1.2, -2.24, -0.16, 0.1, "paired", True)
    assert rows == {"End users": expected, "All groups": expected}
    client = client_as(world.alice)
    page = client.get(reverse("kto:survey_results", args=["alpha", survey.pk])).content.decode()
    assert "-1.20</strong> <small>[-2.24; -0.16]</small>" in page
    assert page.count('data-testid="servqual-gap"') == 2


def test_baseline_gap_falls_back_to_welch_without_paired_scores(world):
    survey = _baseline(world)
    with scopes_disabled():
        Rollup.objects.filter(survey=survey, role=GAP_ROLE).delete()
    rows = dict(_results(world, survey).servqual_gaps)
    assert rows["End users"]["reliability"] == GapFigure(-1.2, -2.26, -0.14, 0.1, "welch", True)


def test_periodic_results_show_the_baseline_gap(world, client_as):
    _baseline(world)
    survey = _triangle(world)
    result = _results(world, survey)
    assert [(label, row["reliability"]) for label, row in result.baseline_gaps] == [
        ("All groups", GapFigure(-1.2, -2.24, -0.16, 0.1, "paired", True))
    ]
    client = client_as(world.alice)
    page = client.get(reverse("kto:survey_results", args=["alpha", survey.pk])).content.decode()
    assert page.count('data-testid="baseline-gap"') == 1
    assert page.count('data-testid="triangle-gap"') == 2
    assert "+1.80</strong> <small>[0.91; 2.69]</small>" in page
