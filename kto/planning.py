"""The sampling plan of a stakeholder group, before sending and after (achieved margin)."""

from __future__ import annotations

from dataclasses import dataclass

from kto import stats
from kto.models import SurveyGroup

# The gap rule's practical margin δ on a 1–5 scale (REFERENCE.md §2).
DEFAULT_SHORTFALL = 0.1
SHORTFALLS = (0.25, 0.5)


@dataclass(frozen=True)
class GroupPlan:
    group: str
    label: str
    population: int | None
    answers_needed: int
    invitations_needed: int
    # Answers a reported cell needs to detect a shortfall δ below target (80 % power).
    answers_for_shortfall: tuple[tuple[float, int], ...]


def plan_for(plan: SurveyGroup, *, listed: int = 0) -> GroupPlan:
    """Answers and invitations needed for the plan; N is the population when known, else the
    number of listed participants (when any)."""
    population = plan.population or (listed or None)
    confidence = float(plan.confidence)
    if plan.margin_unit == SurveyGroup.MarginUnit.PROPORTION:
        answers = stats.sample_size_proportion(
            margin=float(plan.margin), confidence=confidence, population=population
        )
    else:
        answers = stats.sample_size_mean(
            margin=float(plan.margin),
            sd=float(plan.sd),
            confidence=confidence,
            population=population,
        )
    invitations = stats.invitations_needed(answers, float(plan.response_rate))
    if population:
        invitations = min(invitations, population)
    return GroupPlan(
        group=plan.group,
        label=plan.get_group_display(),
        population=population,
        answers_needed=answers,
        invitations_needed=invitations,
        answers_for_shortfall=tuple(
            (delta, stats.answers_to_detect_shortfall(shortfall=delta, sd=float(plan.sd)))
            for delta in SHORTFALLS
        ),
    )
