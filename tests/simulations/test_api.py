"""The simulations API: reads per audience, starting a run, forged ids and bad models."""

from django.urls import reverse
from django_scopes import scopes_disabled

from simulations.models import SimulationRun, Step
from tests.simulations.helpers import QUICK_RUN, make_chain


def api(name, org="alpha", **kwargs):
    return reverse(f"api:{name}", kwargs={"org_slug": org, **kwargs})


def test_supplier_gets_chain_and_exercise_without_internal_notes(world, client_as):
    alpha = make_chain(world.alpha, world.alpha_contract)
    client = client_as(world.bob)
    chain = client.get(api("simulation-chain-detail", pk=alpha.chain.pk)).json()
    assert "internal_notes" not in chain
    assert chain["name"] == "Alpha incident chain"
    exercise = client.get(api("exercise-detail", pk=alpha.exercise.pk)).json()
    assert "internal_notes" not in exercise
    assert [a["owner_side"] for a in exercise["actions"]] == ["supplier"]
    manager = client_as(world.alice).get(api("simulation-chain-detail", pk=alpha.chain.pk)).json()
    assert manager["internal_notes"] == "Client-only remark"


def test_steps_list_in_chain_order_with_escalations(world, client_as):
    alpha = make_chain(world.alpha, world.alpha_contract)
    rows = client_as(world.alice).get(api("simulation-step-list") + f"?chain={alpha.chain.pk}")
    results = rows.json()["results"]
    assert [s["name"] for s in results] == ["Desk", "Second line"]
    assert results[0]["escalations"] == [{"target": alpha.second.pk, "probability": "0.2000"}]


def test_run_results_are_readable(world, client_as):
    alpha = make_chain(world.alpha, world.alpha_contract)
    run = client_as(world.bob).get(api("simulation-run-detail", pk=alpha.run.pk)).json()
    assert run["status"] == "succeeded"
    assert [s["name"] for s in run["results"]["steps"]] == ["Desk", "Second line"]


def test_manager_starts_a_run_that_is_queued(world, client_as):
    alpha = make_chain(world.alpha, world.alpha_contract, run=False)
    response = client_as(world.alice).post(
        api("simulation-run-list"),
        {"chain": alpha.chain.pk, "scenario": alpha.scenario.pk, **QUICK_RUN},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "queued"
    assert response.json()["label"] == "One more"


def test_forged_chain_id_is_400_and_nothing_stored(world, client_as):
    beta = make_chain(world.beta, world.beta_northwind_contract, name="Beta desk chain", run=False)
    response = client_as(world.alice).post(
        api("simulation-run-list"),
        {"chain": beta.chain.pk, **QUICK_RUN},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["chain"]
    with scopes_disabled():
        assert SimulationRun.objects.count() == 0


def test_scenario_of_another_chain_is_400(world, client_as):
    one = make_chain(world.alpha, world.alpha_contract, name="One", run=False)
    two = make_chain(world.alpha, world.alpha_contract, name="Two", run=False)
    response = client_as(world.alice).post(
        api("simulation-run-list"),
        {"chain": one.chain.pk, "scenario": two.scenario.pk, **QUICK_RUN},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["scenario"]


def test_bad_model_is_400_with_the_reason(world, client_as):
    alpha = make_chain(world.alpha, world.alpha_contract, run=False)
    with scopes_disabled():
        Step.objects.filter(pk=alpha.desk.pk).update(mean_seconds=-1)
    response = client_as(world.alice).post(
        api("simulation-run-list"),
        {"chain": alpha.chain.pk, **QUICK_RUN},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"__all__": ["Desk: the mean service time must be positive."]}


def test_supplier_and_viewer_cannot_start_runs(world, client_as):
    alpha = make_chain(world.alpha, world.alpha_contract, run=False)
    for user in (world.bob, world.victor):
        response = client_as(user).post(
            api("simulation-run-list"),
            {"chain": alpha.chain.pk, **QUICK_RUN},
            content_type="application/json",
        )
        assert response.status_code == 403, user.username
