"""KTO pages and API: isolation, audiences, suppression on the page, query counts."""

import random

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from kto.models import StakeholderGroup
from tests.kto.helpers import (
    english,  # noqa: F401 - the fixture
    make_survey,
    raw_answers,
    submit,
)

pytestmark = pytest.mark.usefixtures("english")

EU, BUSINESS, IT = StakeholderGroup.END_USERS, StakeholderGroup.BUSINESS, StakeholderGroup.IT
SECRET = "De servicedesk is na vijf uur nooit bereikbaar"


def _fill(survey, contract, counts, seed=5):
    rng = random.Random(seed)
    for group, n in counts.items():
        for _ in range(n):
            submit(survey, contract, group, raw_answers(survey, rng, open_text=SECRET))


@pytest.fixture
def answered(world):
    survey = make_survey(world.alpha, [world.alpha_contract])
    _fill(survey, world.alpha_contract, {EU: 12, BUSINESS: 6, IT: 3})
    return survey


def test_results_hide_small_group_and_its_complement(world, client_as, answered):
    url = reverse("kto:survey_results", args=["alpha", answered.pk])
    response = client_as(world.alice).get(url)
    contract = response.context["results"].contracts[0]
    assert [(g.label, g.hidden) for g in contract.groups] == [
        ("End users", False),
        ("Business", True),
        ("IT organisation", True),
    ]
    assert contract.total.respondents == 21
    body = response.content.decode()
    assert body.count("Hidden: fewer than 5 answers") == 2
    assert SECRET in body  # open answers of the end users (n ≥ k) for the client


def test_results_page_shows_intervals_and_triangle(world, client_as, answered):
    response = client_as(world.victor).get(
        reverse("kto:survey_results", args=["alpha", answered.pk])
    )
    contract = response.context["results"].contracts[0]
    figure = contract.groups[0].perception["reliability"]
    assert figure.n == 12
    assert figure.ci_low < figure.mean < figure.ci_high
    assert 'data-testid="triangle-chart"' in response.content.decode()


def test_supplier_sees_aggregates_of_own_contract_without_open_text(world, client_as, answered):
    response = client_as(world.bob).get(reverse("kto:survey_results", args=["alpha", answered.pk]))
    results = response.context["results"]
    body = response.content.decode()
    assert (results.total, results.show_open_answers) == (None, False)
    assert [c.contract.pk for c in results.contracts] == [world.alpha_contract.pk]
    assert SECRET not in body


def test_supplier_sees_only_its_own_contracts_of_a_shared_survey(world, client_as):
    survey = make_survey(world.beta, [world.beta_northwind_contract, world.beta_southwind_contract])
    _fill(survey, world.beta_northwind_contract, {EU: 6})
    _fill(survey, world.beta_southwind_contract, {EU: 7})
    response = client_as(world.dave).get(reverse("kto:survey_results", args=["beta", survey.pk]))
    results = response.context["results"]
    assert [c.contract.reference for c in results.contracts] == ["B-2"]
    assert results.total is None
    assert "B-1" not in response.content.decode()


def test_unrelated_supplier_and_other_manager_get_404(world, client_as, answered):
    urls = [
        reverse("kto:survey_results", args=["alpha", answered.pk]),
        reverse("kto:survey_detail", args=["alpha", answered.pk]),
        reverse("api:kto-survey-results", args=["alpha", answered.pk]),
        reverse("api:kto-survey-detail", args=["alpha", answered.pk]),
    ]
    for user in (world.charlie, world.dave):
        client = client_as(user)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404, 404]
    beta_url = reverse("kto:survey_results", args=["beta", answered.pk])
    assert client_as(world.charlie).get(beta_url).status_code == 404


def test_supplier_cannot_open_survey_management(world, client_as, answered):
    client = client_as(world.bob)
    assert client.get(reverse("kto:survey_detail", args=["alpha", answered.pk])).status_code == 404
    assert client.get(reverse("kto:question_list", args=["alpha"])).status_code == 404


def test_api_results_are_aggregates_only(world, client_as, answered):
    response = client_as(world.bob).get(
        reverse("api:kto-survey-results", args=["alpha", answered.pk])
    )
    data = response.json()
    assert response.status_code == 200
    assert data["total"] is None
    groups = data["contracts"][0]["groups"]
    assert [(g["label"], g["hidden"], g["respondents"]) for g in groups] == [
        ("End users", False, 12),
        ("Business", True, None),
        ("IT organisation", True, None),
    ]
    assert groups[1]["perception"] == {}
    assert SECRET not in response.content.decode()
    assert set(groups[0]["perception"]["reliability"]) == {
        "n",
        "mean",
        "ci_low",
        "ci_high",
        "distribution",
    }


def test_api_supplier_survey_has_no_targets(world, client_as, answered):
    data = (
        client_as(world.bob)
        .get(reverse("api:kto-survey-detail", args=["alpha", answered.pk]))
        .json()
    )
    assert sorted(data) == sorted(
        ["id", "title", "kind", "period_start", "period_end", "opens_on", "closes_on", "contracts"]
    )


def test_api_creates_survey_and_rejects_forged_contract(world, client_as):
    client = client_as(world.alice)
    payload = {
        "title": "API KTO",
        "kind": "periodic",
        "contracts": [world.alpha_contract.pk],
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "opens_on": "2026-04-01",
        "closes_on": "2026-04-30",
        "groups": ["end_users", "it"],
        "targets": {"reliability": 3.5},
    }
    created = client.post(
        reverse("api:kto-survey-list", args=["alpha"]), payload, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["stakeholder_groups"] == ["end_users", "it"]
    forged = client.post(
        reverse("api:kto-survey-list", args=["alpha"]),
        {**payload, "contracts": [world.beta_northwind_contract.pk]},
        content_type="application/json",
    )
    assert forged.status_code == 400
    assert list(forged.json()) == ["contracts"]


def test_api_participant_import_reports_row_errors(world, client_as):
    survey = make_survey(world.alpha, [world.alpha_contract], launched=False)
    url = reverse("api:kto-survey-participants", args=["alpha", survey.pk])
    response = client_as(world.alice).post(url, {"csv": "email,group\nbad,end_users\n"})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"row": 2, "field": "email", "message": "Not a valid e-mail address."}]
    }
    with scopes_disabled():
        assert survey.invitations.count() == 0


def test_viewer_cannot_create_or_launch(world, client_as):
    survey = make_survey(world.alpha, [world.alpha_contract], launched=False)
    client = client_as(world.victor)
    assert client.get(reverse("kto:survey_create", args=["alpha"])).status_code == 403
    assert client.post(reverse("kto:survey_launch", args=["alpha", survey.pk])).status_code == 403


def test_create_survey_through_the_form(world, client_as):
    response = client_as(world.alice).post(
        reverse("kto:survey_create", args=["alpha"]),
        {
            "kind": "baseline",
            "title": "Nulmeting",
            "contracts": [world.alpha_contract.pk],
            "groups": ["end_users", "business", "it"],
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "opens_on": "2026-04-01",
            "closes_on": "2026-04-30",
            "anonymity_mode": "k5",
            "target_reliability": "3.6",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        from kto.models import Survey

        survey = Survey.objects.get(title="Nulmeting")
        assert (survey.kind, survey.targets) == ("baseline", {"reliability": 3.6})
        assert sorted(survey.groups.values_list("group", flat=True)) == [
            "business",
            "end_users",
            "it",
        ]


def test_form_rejects_forged_contract(world, client_as):
    response = client_as(world.alice).post(
        reverse("kto:survey_create", args=["alpha"]),
        {
            "kind": "periodic",
            "title": "X",
            "contracts": [world.beta_northwind_contract.pk],
            "groups": ["end_users"],
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "opens_on": "2026-04-01",
            "closes_on": "2026-04-30",
            "anonymity_mode": "k5",
        },
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["contracts"]


@pytest.mark.parametrize("answers", [5, 40])
def test_results_query_count_does_not_grow_with_answers(
    world, client_as, answers, django_assert_num_queries
):
    survey = make_survey(world.alpha, [world.alpha_contract])
    _fill(survey, world.alpha_contract, {EU: answers, BUSINESS: answers, IT: answers})
    client = client_as(world.alice)
    url = reverse("kto:survey_results", args=["alpha", survey.pk])
    client.get(url)
    with django_assert_num_queries(18):
        client.get(url)


@pytest.mark.parametrize("answers", [5, 40])
def test_api_results_query_count_does_not_grow_with_answers(
    world, client_as, answers, django_assert_num_queries
):
    survey = make_survey(world.alpha, [world.alpha_contract])
    _fill(survey, world.alpha_contract, {EU: answers, IT: answers})
    client = client_as(world.alice)
    url = reverse("api:kto-survey-results", args=["alpha", survey.pk])
    client.get(url)
    # 16: with the practical margin δ of the result gaps and the survey's version (ETag).
    with django_assert_num_queries(16):
        client.get(url)


@pytest.mark.parametrize("surveys", [1, 3])
def test_survey_list_query_count_does_not_grow(
    world, client_as, surveys, django_assert_num_queries
):
    for n in range(surveys):
        make_survey(world.alpha, [world.alpha_contract], title=f"KTO {n}")
    client = client_as(world.alice)
    url = reverse("kto:survey_list", args=["alpha"])
    client.get(url)
    with django_assert_num_queries(11):
        response = client.get(url)
    assert len(response.context["surveys"]) == surveys


def test_survey_list_filters_by_kind_and_search(world, client_as):
    make_survey(world.alpha, [world.alpha_contract], title="Voorjaar")
    make_survey(world.alpha, [world.alpha_contract], title="Nulmeting", kind="baseline")
    client = client_as(world.alice)
    url = reverse("kto:survey_list", args=["alpha"])
    assert [s.title for s in client.get(url + "?kind=baseline").context["surveys"]] == ["Nulmeting"]
    assert [s.title for s in client.get(url + "?q=voorj").context["surveys"]] == ["Voorjaar"]


def test_detail_shows_plan_before_sending(world, client_as):
    survey = make_survey(world.alpha, [world.alpha_contract], groups=[EU], launched=False)
    with scopes_disabled():
        plan = survey.groups.get()
        plan.population = 400
        plan.save()
    response = client_as(world.alice).get(reverse("kto:survey_detail", args=["alpha", survey.pk]))
    row = response.context["plans"][0]
    # n0 = (1.96/0.25)² = 61.46 → FPC N = 400: 53.3 → 54 answers; 30 % response → 180.
    assert (row["figures"].answers_needed, row["figures"].invitations_needed) == (54, 180)
    assert row["figures"].answers_for_shortfall == ((0.25, 128, False), (0.5, 34, False))


def test_baseline_kto_proposed_before_notice_deadline(world, client_as):
    from datetime import timedelta

    from django.utils import timezone

    with scopes_disabled():
        contract = world.alpha_contract
        if not hasattr(contract, "next_notice_deadline"):
            pytest.skip("contracts has no notice deadlines yet")
        contract.end_date = timezone.localdate() + timedelta(days=200)
        contract.renewal = "tacit"
        contract.notice_period_months = 3
        contract.save()
    url = reverse("kto:survey_list", args=["alpha"])
    proposals = client_as(world.alice).get(url).context["proposals"]
    assert [p["contract"].pk for p in proposals] == [contract.pk]
    make_survey(world.alpha, [world.alpha_contract], kind="baseline")
    assert client_as(world.alice).get(url).context["proposals"] == []


def test_organisation_home_shows_kto_summary(world, client_as, answered):
    from datetime import timedelta

    from django.utils import timezone

    with scopes_disabled():
        answered.closed_on = timezone.localdate() - timedelta(days=1)
        answered.save()
    make_survey(world.alpha, [world.alpha_contract], title="Open now")
    response = client_as(world.alice).get("/o/alpha/")
    summary = response.context["kto"]
    assert (summary["open"], summary["latest"].pk, summary["total"]) == (1, answered.pk, 2)
    assert 'data-testid="kto-open">1<' in response.content.decode()
