"""Pages of the simulations app: who sees what, forms, progress polling, N+1 guards."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from governance.platform.access import system_access
from simulations import services
from simulations.models import Chain, SimulationRun
from tests.simulations.helpers import QUICK_RUN, make_chain


def url(name, org, *args):
    return reverse(f"simulations:{name}", args=[org.slug, *args])


@pytest.fixture
def alpha(world):
    return make_chain(world.alpha, world.alpha_contract)


def test_chain_list_queries_do_not_grow_with_chains(world, client_as, django_assert_num_queries):
    client = client_as(world.alice)
    make_chain(world.alpha, world.alpha_contract, name="One", run=False)
    with django_assert_num_queries(9):
        response = client.get(url("chain_list", world.alpha))
    assert [c.name for c in response.context["chains"]] == ["One"]
    make_chain(world.alpha, world.alpha_contract, name="Two", run=False)
    make_chain(world.alpha, world.alpha_contract, name="Three", run=False)
    with django_assert_num_queries(9):
        response = client.get(url("chain_list", world.alpha))
    assert [c.name for c in response.context["chains"]] == ["One", "Three", "Two"]


def test_exercise_and_lesson_lists_do_not_grow(world, client_as, django_assert_num_queries):
    client = client_as(world.alice)
    make_chain(world.alpha, world.alpha_contract, name="One", run=False)
    counts = []
    for name in ("Two", "Three"):
        with django_assert_num_queries(8):
            client.get(url("exercise_list", world.alpha))
        # The lessons, their recurrences, last year's exercises and their open actions.
        with django_assert_num_queries(12):
            response = client.get(url("lesson_trend", world.alpha))
        counts.append(len(response.context["lessons"]))
        make_chain(world.alpha, world.alpha_contract, name=name, run=False)
    assert counts == [1, 2]


def test_supplier_sees_chain_but_not_the_clients_notes(world, client_as, alpha):
    client = client_as(world.bob)
    body = client.get(url("chain_detail", world.alpha, alpha.chain.pk)).content.decode()
    assert "Alpha incident chain" in body
    assert "Client-only remark" not in body
    exercise = client.get(url("exercise_detail", world.alpha, alpha.exercise.pk)).content.decode()
    assert "Friday evening outage" in exercise
    assert "Client-only exercise note" not in exercise
    manager = client_as(world.alice).get(url("chain_detail", world.alpha, alpha.chain.pk))
    assert "Client-only remark" in manager.content.decode()


def test_unrelated_supplier_gets_404_on_chains_runs_and_exercises(world, client_as):
    southwind = make_chain(world.beta, world.beta_southwind_contract, name="Southwind chain")
    client = client_as(world.bob)  # Northwind: engaged by Beta, but not on this contract
    for name, pk in [
        ("chain_detail", southwind.chain.pk),
        ("chain_compare", southwind.chain.pk),
        ("run_detail", southwind.run.pk),
        ("run_progress", southwind.run.pk),
        ("exercise_detail", southwind.exercise.pk),
        ("exercise_pdf", southwind.exercise.pk),
        ("step_edit", southwind.desk.pk),
    ]:
        assert client.get(url(name, world.beta, pk)).status_code == 404, name
    for name in ("simulation-chain", "simulation-run", "exercise"):
        pk = {"simulation-chain": southwind.chain.pk, "simulation-run": southwind.run.pk}.get(
            name, southwind.exercise.pk
        )
        api = reverse(f"api:{name}-detail", kwargs={"org_slug": "beta", "pk": pk})
        assert client.get(api).status_code == 404, name
    listing = client.get(url("chain_list", world.beta)).content.decode()
    assert "Southwind chain" not in listing
    assert (
        client_as(world.charlie)
        .get(url("chain_detail", world.beta, southwind.chain.pk))
        .status_code
        == 200
    )


def test_viewer_reads_but_cannot_start_a_run(world, client_as, alpha):
    client = client_as(world.victor)
    assert client.get(url("run_detail", world.alpha, alpha.run.pk)).status_code == 200
    response = client.post(url("run_start", world.alpha, alpha.chain.pk), QUICK_RUN)
    assert response.status_code == 403
    with scopes_disabled():
        assert SimulationRun.objects.count() == 1


def test_starting_a_run_queues_it_and_never_simulates_in_the_request(
    world, client_as, alpha, monkeypatch
):
    monkeypatch.setattr(
        "simulations.engine.simulate",
        lambda *a, **k: pytest.fail("a request ran a simulation"),
    )
    client = client_as(world.alice)
    response = client.post(
        url("run_start", world.alpha, alpha.chain.pk),
        {**QUICK_RUN, "scenario": alpha.scenario.pk},
    )
    with scopes_disabled():
        run = SimulationRun.objects.get(scenario=alpha.scenario)
    assert response.status_code == 302
    assert response["Location"] == url("run_detail", world.alpha, run.pk)
    assert run.status == SimulationRun.Status.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert url("run_progress", world.alpha, run.pk) in page


def test_bad_model_is_explained_on_the_start_page_and_nothing_runs(world, client_as, alpha):
    with scopes_disabled():
        alpha.second.__class__.objects.filter(pk=alpha.second.pk).update(capacity=0)
    client = client_as(world.alice)
    response = client.post(url("run_start", world.alpha, alpha.chain.pk), QUICK_RUN)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Second line: receives contacts but has no staff at any time."
    ]
    with scopes_disabled():
        assert SimulationRun.objects.count() == 1  # only the fixture's


def test_progress_asks_htmx_to_reload_when_the_run_is_done(world, client_as, alpha):
    client = client_as(world.alice)
    with scopes_disabled():
        queued = services.simulation_run_start(
            access=system_access(world.alpha), chain=alpha.chain, queue=False, **QUICK_RUN
        )
    polling = client.get(url("run_progress", world.alpha, queued.pk), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in polling
    assert 'hx-trigger="every 1s"' in polling.content.decode()
    done = client.get(url("run_progress", world.alpha, alpha.run.pk), HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()


def test_run_page_shows_results_and_charts(world, client_as, alpha):
    response = client_as(world.alice).get(url("run_detail", world.alpha, alpha.run.pk))
    body = response.content.decode()
    assert [row.name for row in response.context["rows"]] == ["Desk", "Second line"]
    assert body.count("<svg") == 4
    assert 'data-testid="closing-times"' in body


def test_compare_shows_current_chain_and_scenario(world, client_as, alpha):
    with scopes_disabled():
        run = services.simulation_run_start(
            access=system_access(world.alpha),
            chain=alpha.chain,
            scenario=alpha.scenario,
            queue=False,
            **QUICK_RUN,
        )
        services.simulation_run_execute(run=run)
    response = client_as(world.alice).get(url("chain_compare", world.alpha, alpha.chain.pk))
    assert [row["run"].label for row in response.context["rows"]] == ["Current chain", "One more"]
    assert response.content.decode().count("<svg") == 4


def test_chain_form_refuses_a_forged_contract(world, client_as):
    client = client_as(world.alice)
    response = client.post(
        url("chain_create", world.alpha),
        {"contract": world.beta_northwind_contract.pk, "name": "Forged"},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["contract"]
    with scopes_disabled():
        assert Chain.objects.count() == 0


def test_step_form_refuses_escalations_above_one(world, client_as, alpha):
    client = client_as(world.alice)
    data = {
        "name": "Desk",
        "party": "supplier",
        "capacity": 3,
        "distribution": "exponential",
        "mean_seconds": 120,
        f"escalate_{alpha.second.pk}": "1.5",
    }
    response = client.post(url("step_edit", world.alpha, alpha.desk.pk), data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [f"escalate_{alpha.second.pk}"]


def test_manager_builds_a_chain_through_the_forms(world, client_as):
    client = client_as(world.alice)
    response = client.post(
        url("chain_create", world.alpha), {"contract": world.alpha_contract.pk, "name": "New"}
    )
    with scopes_disabled():
        chain = Chain.objects.get(name="New")
    assert response["Location"] == url("chain_detail", world.alpha, chain.pk)
    for name, capacity in (("Desk", 5), ("Back office", 2)):
        response = client.post(
            url("step_create", world.alpha, chain.pk),
            {
                "name": name,
                "party": "client",
                "capacity": capacity,
                "distribution": "exponential",
                "mean_seconds": 300,
                "opening_hours": "mon-fri 08:00-18:00",
            },
        )
        assert response.status_code == 302
    grid = "\n".join([" ".join(["10"] * 24)] * 7)
    assert (
        client.post(url("chain_profile", world.alpha, chain.pk), {"grid": grid}).status_code == 302
    )
    with scopes_disabled():
        desk, back = chain.steps.order_by("position")
    response = client.post(
        url("step_edit", world.alpha, desk.pk),
        {
            "name": "Desk",
            "party": "client",
            "capacity": 5,
            "distribution": "exponential",
            "mean_seconds": 300,
            "opening_hours": "mon-fri 08:00-18:00",
            f"escalate_{back.pk}": "0.25",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert [(e.target.name, str(e.probability)) for e in desk.escalations.all()] == [
            ("Back office", "0.2500")
        ]
        chain.refresh_from_db()
        assert services.chain_problems(chain=chain) == []
        assert sum(chain.arrival_profile) == 1680


def test_bad_opening_hours_are_explained_on_the_step_form(world, client_as, alpha):
    response = client_as(world.alice).post(
        url("step_create", world.alpha, alpha.chain.pk),
        {
            "name": "Night",
            "party": "client",
            "capacity": 1,
            "distribution": "fixed",
            "mean_seconds": 60,
            "opening_hours": "every day",
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["opening_hours"]


def test_supplier_records_a_lesson_but_cannot_plan(world, client_as, alpha):
    client = client_as(world.bob)
    response = client.post(
        reverse("simulations:exercise_part_add", args=["alpha", alpha.exercise.pk, "lesson"]),
        {"lesson-category": "tooling", "lesson-text": "Ticket tool down"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert sorted(alpha.exercise.lessons.values_list("text", flat=True)) == [
            "Nobody answers",
            "Ticket tool down",
        ]
    assert client.get(url("exercise_create", world.alpha, alpha.chain.pk)).status_code == 403
