"""The results page shows one contract at a time beside an overview of every contract's total,
with the same number of queries for one contract as for several."""

import random

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from contracts.models import Contract
from kto.models import StakeholderGroup
from tests.kto.helpers import (
    english,  # noqa: F401 - the fixture
    make_survey,
    raw_answers,
    submit,
)

pytestmark = pytest.mark.usefixtures("english")

EU, BUSINESS = StakeholderGroup.END_USERS, StakeholderGroup.BUSINESS


def _contracts(world, count):
    contracts = [world.alpha_contract]
    with scopes_disabled():
        for n in range(2, count + 1):
            contracts.append(
                Contract.objects.create(
                    organisation=world.alpha,
                    supplier=world.alpha_contract.supplier,
                    reference=f"A-{n}",
                    title=f"Alpha {n}",
                )
            )
    return contracts


def _survey_with(world, count):
    contracts = _contracts(world, count)
    survey = make_survey(world.alpha, contracts)
    rng = random.Random(3)
    for contract in contracts:
        for group in (EU, BUSINESS):
            for _ in range(5):
                submit(survey, contract, group, raw_answers(survey, rng, open_text="open"))
    return survey, contracts


@pytest.mark.parametrize("count", [1, 3])
def test_results_queries_do_not_grow_with_contracts(
    world, client_as, count, django_assert_num_queries
):
    survey, _contracts_ = _survey_with(world, count)
    client = client_as(world.alice)
    url = reverse("kto:survey_results", args=["alpha", survey.pk])
    client.get(url)
    with django_assert_num_queries(18):
        response = client.get(url)
    assert len(response.context["results"].overview) == count


def test_results_show_the_chosen_contract_and_an_overview_of_all(world, client_as):
    survey, contracts = _survey_with(world, 3)
    client = client_as(world.alice)
    url = reverse("kto:survey_results", args=["alpha", survey.pk])

    first = client.get(url).context["results"]
    assert [c.contract.reference for c in first.overview] == ["A-1", "A-2", "A-3"]
    assert [c.total.respondents for c in first.overview] == [10, 10, 10]
    assert [c.contract.reference for c in first.contracts] == ["A-1"]
    assert [g.respondents for g in first.contracts[0].groups] == [5, 5, 0]

    response = client.get(url, {"contract": contracts[2].pk})
    chosen = response.context["results"]
    assert (chosen.chosen, [c.contract.reference for c in chosen.contracts]) == (
        contracts[2].pk,
        ["A-3"],
    )
    body = response.content.decode()
    assert body.count('data-testid="overview-A-') == 3
    assert body.count('data-testid="results-table"') == 1


def test_results_ignore_a_contract_outside_the_survey(world, client_as):
    survey, _contracts_ = _survey_with(world, 2)
    client = client_as(world.alice)
    url = reverse("kto:survey_results", args=["alpha", survey.pk])
    # Beta's contract is not the user's to see: the page falls back to the first contract.
    response = client.get(url, {"contract": world.beta_northwind_contract.pk})
    assert [c.contract.reference for c in response.context["results"].contracts] == ["A-1"]
