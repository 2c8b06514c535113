"""Differencing attacks on published survey figures (Hypothesis).

Hypothesis draws a survey's answers (two contracts × three stakeholder groups, a rating and an
optional "time lost" each) and how often the hourly release runs; after every release and after
closing, every published view is read: the results page's figures, the API (client and
supplier), and the gap analysis inputs. Then every pair of readings is differenced:

- the same figure in two reads in time (also across views: page, API, supplier, gap);
- a total against its shown parts (group vs contract total, contract vs the survey's total),
  i.e. what is left for the hidden parts, in one read and between reads;
- the API against the page, and the gap inputs against the page, which must be identical.

No difference may cover more than zero and fewer than k answers.
"""

from itertools import combinations

import pytest
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.models import Contract
from governance.platform.access import access_for, system_access
from kto import services
from kto.api.serializers import SurveyResultsSerializer
from kto.models import ItemRole, StakeholderGroup
from kto.results import survey_results
from kto.selectors import perception_table
from kto.suppression import TOTAL
from tests.kto.helpers import ALL_GROUPS, make_survey, raw_answers

K = 5
DIMENSION = "reliability"

answers = st.lists(
    st.tuples(
        st.integers(0, 1),  # contract
        st.sampled_from(ALL_GROUPS),
        st.integers(1, 5),  # every rating
        st.one_of(st.none(), st.integers(0, 40)),  # hours lost, optional
    ),
    min_size=1,
    max_size=36,
)


def _contracts(world) -> list[Contract]:
    """Two fresh contracts of Alpha (Northwind's and Southwind's), so that no survey of an
    earlier example adds to the gap analysis inputs of this one."""
    with scopes_disabled():
        number = Contract.objects.filter(organisation=world.alpha).count()
        return [
            Contract.objects.create(
                organisation=world.alpha,
                supplier=supplier,
                reference=f"D-{number + offset}",
                title="Differencing",
            )
            for offset, supplier in enumerate((world.northwind, world.southwind))
        ]


def _raw(survey, likert: int, hours) -> dict:
    raw = raw_answers(survey, likert=likert)
    with scopes_disabled():
        lost = survey.items.get(role=ItemRole.TIME_LOST)
    raw[f"item_{lost.pk}"] = "" if hours is None else str(hours)
    return raw


def _page_figures(results, view: str) -> dict[tuple, tuple[int, float | None]]:
    """(view, cell key, figure) → (n, shown value) of every figure shown."""
    figures = {}
    cells = [results.total] if results.total else []
    for contract in results.contracts:
        cells += [*contract.groups, contract.total]
    for cell in cells:
        if cell.hidden:
            continue
        figures[(view, cell.key, "respondents")] = (cell.respondents, None)
        perception = cell.perception.get(DIMENSION)
        if perception is not None:
            figures[(view, cell.key, "perception")] = (perception.n, perception.mean)
        if cell.time_lost is not None:
            figures[(view, cell.key, "time_lost")] = (cell.time_lost.n, cell.time_lost.mean)
    return figures


def _api_matches_page(api: dict, results) -> None:
    """The API carries exactly the page's (rounded) figures, cell by cell."""
    pairs = [(api["total"], results.total)] if results.total else []
    for data, contract in zip(api["contracts"], results.contracts, strict=True):
        pairs += list(zip(data["groups"], contract.groups, strict=True))
        pairs.append((data["total"], contract.total))
    for data, cell in pairs:
        assert data["hidden"] == cell.hidden
        if cell.hidden:
            assert data["respondents"] is None and data["perception"] == {}
            continue
        assert data["respondents"] == cell.respondents
        figure = cell.perception.get(DIMENSION)
        shown = data["perception"].get(DIMENSION)
        if figure is None:
            assert shown is None
        else:
            assert (shown["mean"], shown["ci_low"]) == (figure.mean, figure.ci_low)
        lost = None if cell.time_lost is None else cell.time_lost.mean
        assert data["time_lost_hours"] == lost


def _gap_figures(survey, contracts, page) -> dict:
    table = perception_table(
        contract_ids=[c.pk for c in contracts],
        since=survey.period_start,
        until=survey.period_end,
        group=StakeholderGroup.END_USERS,
    )
    figures = {}
    for contract in contracts:
        cell = table.cell(contract.pk, DIMENSION, survey.period_start, survey.period_end)
        key = (contract.pk, StakeholderGroup.END_USERS)
        on_page = page.get(("page", key, "perception"))
        if cell is None:
            assert on_page is None
            continue
        assert on_page == (cell.n, round(cell.mean, 2))
        figures[("gap", key, "perception")] = (cell.n, round(cell.mean, 2))
    return figures


def _leftovers(figures: dict, contracts) -> dict:
    """What a reader can compute for the hidden parts of each shown total: the total's n minus
    its shown parts, keyed by the total and the set of hidden parts."""
    derived = {}
    tree = {(TOTAL, TOTAL): [(c.pk, TOTAL) for c in contracts]}
    for contract in contracts:
        tree[(contract.pk, TOTAL)] = [(contract.pk, g) for g in ALL_GROUPS]
    views = {key[0] for key in figures}
    for view in views:
        for figure in ("respondents", "perception", "time_lost"):
            for parent, children in tree.items():
                total = figures.get((view, parent, figure))
                if total is None:
                    continue
                shown = [c for c in children if (view, c, figure) in figures]
                rest = total[0] - sum(figures[(view, c, figure)][0] for c in shown)
                hidden = frozenset(set(children) - set(shown))
                derived[(view, parent, figure, hidden)] = rest
    return derived


def _assert_no_small_difference(a: int, b: int, what) -> None:
    assert not 0 < abs(a - b) < K, f"{what}: {a} → {b} isolates {abs(a - b)} answers"


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=answers, every=st.integers(1, 8))
def test_no_published_views_difference_to_fewer_than_k_answers(world, plan, every):
    contracts = _contracts(world)
    with scopes_disabled():
        survey = make_survey(world.alpha, contracts, title=f"Differencing {len(plan)}")
    assert survey.k == K
    manager = system_access(world.alpha)
    supplier = access_for(world.bob, world.alpha)
    readings: list[dict] = []

    def read() -> None:
        with scopes_disabled():
            results = survey_results(access=manager, survey=survey)
            page = _page_figures(results, "page")
            _api_matches_page(
                SurveyResultsSerializer(
                    survey_results(access=manager, survey=survey, include_open=False)
                ).data,
                results,
            )
            supplier_results = survey_results(access=supplier, survey=survey)
            seen = _page_figures(supplier_results, "page")
            # The supplier's figures are the page's own, for its contract only.
            assert seen == {k: v for k, v in page.items() if k[1][0] == contracts[0].pk}
            gap = _gap_figures(survey, contracts, page)
        readings.append({**page, **gap})

    with scopes_disabled():
        for number, (contract, group, likert, hours) in enumerate(plan, start=1):
            services.response_submit(
                survey=survey,
                contract=contracts[contract],
                group=group,
                language="nl",
                raw_answers=_raw(survey, likert, hours),
            )
            if number % every == 0:
                services.pool_release(survey=survey)
                read()
        services.survey_close(survey=survey)
    read()

    # Everything answered is published in the end, where the cells are large enough.
    final = readings[-1]
    if len(plan) >= K:
        assert final[("page", (TOTAL, TOTAL), "respondents")][0] == len(plan)

    # In time: the same figure (and the same leftover of a total) in any two reads.
    for first, second in combinations(readings, 2):
        for key in first.keys() & second.keys():
            _assert_no_small_difference(first[key][0], second[key][0], key)
        left_first, left_second = _leftovers(first, contracts), _leftovers(second, contracts)
        for key in left_first.keys() & left_second.keys():
            _assert_no_small_difference(left_first[key], left_second[key], key)
    # Within one read: what a total leaves for its hidden parts is none or at least k answers.
    for reading in readings:
        for key, rest in _leftovers(reading, contracts).items():
            assert rest == 0 or rest >= K, f"{key} leaves {rest} answers"
    # Across views: the page and the gap inputs of one cell agree in every read (checked in
    # `read`), so differencing them gives nothing; the same holds for the API and the page.
