"""Helpers for simulation tests: a small chain with a scenario, a finished run and an exercise."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django_scopes import scopes_disabled

from governance.platform.access import system_access
from simulations import services
from simulations.models import (
    Action,
    Chain,
    Exercise,
    ExerciseReport,
    Party,
    Scenario,
    SimulationRun,
    Step,
)

QUICK_RUN = {"replications": 2, "horizon_days": 2, "warmup_hours": 0, "seed": 3}


@dataclass
class ChainSet:
    chain: Chain
    desk: Step
    second: Step
    scenario: Scenario
    run: SimulationRun
    exercise: Exercise
    action: Action


def make_chain(organisation, contract, *, name="Alpha incident chain", run=True) -> ChainSet:
    """A two-step chain (desk open on weekdays, second line always), one scenario, one finished
    run and one held exercise with an action and a lesson."""
    access = system_access(organisation)
    with scopes_disabled():
        chain = services.chain_create(
            access=access, contract=contract, name=name, internal_notes="Client-only remark"
        )
        services.chain_set_profile(
            chain=chain, rates=[20.0] * 168, source=Chain.ProfileSource.ENTERED
        )
        desk = services.step_create(
            chain=chain,
            name="Desk",
            party=Party.SUPPLIER,
            capacity=3,
            mean_seconds=120.0,
            opening_hours="mon-fri 08:00-18:00",
            target_wait_seconds=20,
            target_share=Decimal("80"),
        )
        second = services.step_create(
            chain=chain, name="Second line", party=Party.CLIENT, capacity=2, mean_seconds=600.0
        )
        services.escalation_set(source=desk, target=second, probability=Decimal("0.2"))
        scenario = services.scenario_save(
            chain=chain, name="One more", changes={desk.pk: {"extra_staff": 1}}
        )
        finished = None
        if run:
            finished = services.simulation_run_start(
                access=access, chain=chain, queue=False, **QUICK_RUN
            )
            finished = services.simulation_run_execute(run=finished)
        exercise = services.exercise_save(
            chain=chain,
            title="Friday evening outage",
            kind=Exercise.Kind.TABLETOP,
            scenario="P1 at 20:00",
            scheduled_for=date(2025, 11, 14),
            recurs_yearly=True,
            internal_notes="Client-only exercise note",
        )
        action = services.exercise_part_add(
            exercise=exercise,
            kind="action",
            step=desk,
            bottleneck="Closed at 18:00",
            action="Extend hours",
            owner_side="supplier",
        )
        services.exercise_part_add(
            exercise=exercise, kind="lesson", category="capacity", text="Nobody answers"
        )
    return ChainSet(chain, desk, second, scenario, finished, exercise, action)


def route_samples(world) -> dict:
    """Alpha's objects for the route walk, and a Beta chain whose name must never leak."""
    alpha = make_chain(world.alpha, world.alpha_contract)
    make_chain(world.beta, world.beta_northwind_contract, name="Beta desk chain", run=False)
    with scopes_disabled():
        proposal = services.proposal_create(
            access=system_access(world.alpha),
            chain=alpha.chain,
            finding="exercise_action",
            exercise=alpha.exercise,
            action=alpha.action,
            title="Extend the desk hours",
            rationale="Nobody answers after 18:00",
            owner_side="joint",
        )
        # Stored report PDFs for both sides, so the download route has something to give.
        for internal in (True, False):
            ExerciseReport.objects.create(
                organisation=world.alpha,
                exercise=alpha.exercise,
                internal=internal,
                language="en",
                status=ExerciseReport.Status.READY,
                pdf=b"%PDF-1.4 sample\n%%EOF\n",
                pages=1,
            )
    return {
        "simulation_proposal": proposal,
        "chain": alpha.chain,
        "step": alpha.desk,
        "scenario": alpha.scenario,
        "simulation_run": alpha.run,
        "exercise": alpha.exercise,
        "exercise_action": alpha.action,
    }
