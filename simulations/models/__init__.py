"""The simulations app's models: the delivery chain and its simulation runs (`chains`), the
exercises held with both sides (`exercises`) and the improvement proposals made from either
(`proposals`). Tables and the app label are those of the single module this package replaced."""

from simulations.models.chains import (
    CURRENT_CHAIN,
    STEP_SETTINGS,
    Chain,
    Escalation,
    Party,
    Scenario,
    ScenarioChange,
    SimulationRun,
    Step,
    flat_profile,
)
from simulations.models.exercises import (
    Action,
    Exercise,
    ExercisePart,
    ExerciseReport,
    Inject,
    Lesson,
    Observation,
    OwnerSide,
    Participant,
)
from simulations.models.proposals import Proposal

__all__ = [
    "CURRENT_CHAIN",
    "STEP_SETTINGS",
    "Action",
    "Chain",
    "Escalation",
    "Exercise",
    "ExercisePart",
    "ExerciseReport",
    "Inject",
    "Lesson",
    "Observation",
    "OwnerSide",
    "Participant",
    "Party",
    "Proposal",
    "Scenario",
    "ScenarioChange",
    "SimulationRun",
    "Step",
    "flat_profile",
]
