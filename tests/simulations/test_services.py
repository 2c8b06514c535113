"""Services of the simulations app: bad models refused before anything runs, runs, exercises."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from governance.platform.access import system_access
from governance.platform.models import OutboxMessage
from simulations import services
from simulations.models import Chain, Exercise, Party, SimulationRun, Step
from simulations.tasks import task_simulation_run
from tests.simulations.helpers import QUICK_RUN, make_chain


@pytest.fixture
def chain_set(world):
    return make_chain(world.alpha, world.alpha_contract, run=False)


def start(world, chain, **changes):
    return services.simulation_run_start(
        access=system_access(world.alpha), chain=chain, queue=False, **{**QUICK_RUN, **changes}
    )


def refused(world, chain) -> list[str]:
    with pytest.raises(ValidationError) as caught, scopes_disabled():
        start(world, chain)
    with scopes_disabled():
        assert SimulationRun.objects.count() == 0
    return caught.value.messages


def test_zero_capacity_with_arrivals_is_refused_before_running(world, chain_set):
    with scopes_disabled():
        Step.objects.filter(pk=chain_set.second.pk).update(capacity=0)
    assert refused(world, chain_set.chain) == [
        "Second line: receives contacts but has no staff at any time."
    ]


def test_escalations_above_one_are_refused_before_running(world, chain_set):
    with scopes_disabled():
        third = services.step_create(
            chain=chain_set.chain, name="Third", party=Party.SUPPLIER, capacity=5, mean_seconds=60
        )
        chain_set.desk.escalations.update(probability=Decimal("0.7"))
        chain_set.desk.escalations.create(
            organisation=world.alpha, target=third, probability=Decimal("0.6")
        )
    assert refused(world, chain_set.chain) == [
        "Desk: escalation probabilities add up to 1.30, more than 1."
    ]


def test_escalation_service_refuses_a_sum_above_one(world, chain_set):
    with scopes_disabled():
        third = services.step_create(
            chain=chain_set.chain, name="Third", party=Party.SUPPLIER, capacity=5, mean_seconds=60
        )
        with pytest.raises(ValidationError, match="more than 1"):
            services.escalation_set(source=chain_set.desk, target=third, probability=Decimal("0.9"))


def test_negative_times_are_refused_before_running(world, chain_set):
    with scopes_disabled():
        Step.objects.filter(pk=chain_set.desk.pk).update(mean_seconds=-5)
    assert refused(world, chain_set.chain) == ["Desk: the mean service time must be positive."]


def test_negative_time_on_a_step_names_the_field(world, chain_set):
    with scopes_disabled(), pytest.raises(ValidationError) as caught:
        services.step_update(step=chain_set.desk, mean_seconds=-1.0)
    assert list(caught.value.message_dict) == ["mean_seconds"]


def test_unstable_load_is_refused_before_running(world, chain_set):
    with scopes_disabled():
        Step.objects.filter(pk=chain_set.second.pk).update(mean_seconds=60000)
    messages = refused(world, chain_set.chain)
    assert len(messages) == 1
    assert messages[0].startswith("Second line: unstable")


def test_run_start_stores_a_queued_run_with_its_model(world, chain_set):
    with scopes_disabled():
        run = start(world, chain_set.chain, scenario=chain_set.scenario)
    assert run.status == SimulationRun.Status.QUEUED
    assert run.label == "One more"
    # The scenario's extra agent is on the desk in its opening hours; the second line as is.
    desk = [[0, 0]] + [
        point
        for day in range(5)
        for point in ([day * 86400 + 8 * 3600, 4], [day * 86400 + 18 * 3600, 0])
    ]
    assert [row["staffing"] for row in run.model["steps"]] == [desk, [[0, 2]]]
    assert run.model["steps"][0]["escalations"] == [[1, 0.2]]


def test_run_start_queues_the_worker_after_commit(
    world, chain_set, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        task_simulation_run,
        "apply_async",
        lambda kwargs, retry, task_id=None: queued.append(kwargs),
    )
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        run = services.simulation_run_start(
            access=system_access(world.alpha), chain=chain_set.chain, **QUICK_RUN
        )
    assert queued == [{"organisation_id": world.alpha.pk, "run_id": run.pk}]
    with scopes_disabled():
        run.refresh_from_db()
    assert run.status == SimulationRun.Status.QUEUED
    assert run.results == {}


def test_task_runs_the_simulation_and_stores_results(world, chain_set):
    with scopes_disabled():
        run = start(world, chain_set.chain)
    task_simulation_run.apply(kwargs={"organisation_id": world.alpha.pk, "run_id": run.pk})
    with scopes_disabled():
        run.refresh_from_db()
    assert run.status == SimulationRun.Status.SUCCEEDED
    assert run.progress == 1.0
    assert [s["name"] for s in run.results["steps"]] == ["Desk", "Second line"]
    assert run.results["seeds"] == [3000, 3001]
    assert run.results["unreachable_per_week"]["mean"] > 0  # the desk is closed at night
    assert run.results["closing_times"][0]["closing_hour"] == 19


def test_task_does_not_rerun_a_finished_run(world, chain_set):
    with scopes_disabled():
        run = services.simulation_run_execute(run=start(world, chain_set.chain))
        results = run.results
    task_simulation_run.apply(kwargs={"organisation_id": world.alpha.pk, "run_id": run.pk})
    with scopes_disabled():
        run.refresh_from_db()
    assert run.results == results


def test_profile_grid_accepts_decimal_commas_and_names_bad_lines():
    grid = "\n".join(["1,5 " + " ".join(["2"] * 23)] * 7)
    assert services.parse_profile_grid(grid)[:2] == [1.5, 2.0]
    with pytest.raises(ValidationError, match="Line 1 has 3 values"):
        services.parse_profile_grid("\n".join(["1 2 3"] * 7))
    with pytest.raises(ValidationError, match="Give 7 lines"):
        services.parse_profile_grid("1")


def test_profile_from_timestamps_averages_per_weekday_and_hour():
    lines = ["time", "2026-03-02 09:10", "2026-03-02 09:40", "2026-03-09 09:05", "2026-03-15 10:00"]
    rates = services.profile_from_timestamps("\n".join(lines), time_zone="Europe/Amsterdam")
    # Two weeks covered (Monday 2 to Sunday 15 March): Monday 09:00 had 3, Sunday 10:00 one.
    assert rates[9] == 1.5
    assert rates[6 * 24 + 10] == 0.5
    assert sum(rates) == 2.0


def test_profile_from_timestamps_names_a_bad_line():
    with pytest.raises(ValidationError, match="Line 3"):
        services.profile_from_timestamps(
            "2026-03-02 09:10\n2026-03-02 09:40\nyesterday", time_zone="UTC"
        )


def test_held_yearly_exercise_gets_next_due_date(world, chain_set):
    with scopes_disabled():
        exercise = services.exercise_record_held(exercise=chain_set.exercise, summary="Done")
    assert exercise.status == Exercise.Status.HELD
    assert exercise.next_due == date(2026, 11, 14)


def test_reminder_goes_once_through_the_outbox(world, chain_set):
    with scopes_disabled():
        services.exercise_record_held(exercise=chain_set.exercise, summary="Done")
        assert (
            services.exercise_reminders_send(organisation=world.alpha, today=date(2026, 10, 1)) == 0
        )
        assert (
            services.exercise_reminders_send(organisation=world.alpha, today=date(2026, 10, 20))
            == 1
        )
        assert (
            services.exercise_reminders_send(organisation=world.alpha, today=date(2026, 10, 21))
            == 0
        )
        messages = list(OutboxMessage.objects.filter(organisation=world.alpha))
    assert [m.to for m in messages] == [["alice@example.test"]]
    assert "Alpha incident chain" in messages[0].subject
    assert "Friday evening outage" in messages[0].body_text


def test_no_reminder_when_the_next_exercise_is_planned(world, chain_set):
    with scopes_disabled():
        services.exercise_record_held(exercise=chain_set.exercise, summary="Done")
        services.exercise_save(
            chain=chain_set.chain,
            title="Next one",
            kind=Exercise.Kind.LIVE,
            scenario="Again",
            scheduled_for=date(2026, 11, 1),
        )
        assert (
            services.exercise_reminders_send(organisation=world.alpha, today=date(2026, 10, 20))
            == 0
        )


def test_chain_on_another_organisations_contract_is_refused(world):
    with scopes_disabled(), pytest.raises(ValidationError) as caught:
        services.chain_create(
            access=system_access(world.alpha), contract=world.beta_northwind_contract, name="X"
        )
    assert list(caught.value.message_dict) == ["contract"]
    with scopes_disabled():
        assert Chain.objects.count() == 0


def test_daily_reminder_job_fans_out_per_organisation(world, monkeypatch):
    from simulations import tasks

    queued = []
    monkeypatch.setattr(tasks.task_exercise_reminders, "delay", lambda **kw: queued.append(kw))
    assert tasks.task_exercise_reminders_all.apply().get() == 2
    assert sorted(k["organisation_id"] for k in queued) == sorted([world.alpha.pk, world.beta.pk])


def test_reminder_task_enters_the_organisations_scope(world, chain_set):
    from simulations import tasks

    with scopes_disabled():
        services.exercise_record_held(exercise=chain_set.exercise, summary="Done")
    sent = tasks.task_exercise_reminders.apply(kwargs={"organisation_id": world.alpha.pk}).get()
    assert sent == 1
