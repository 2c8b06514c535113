"""The sampling plan of a stakeholder group, before sending and after (achieved margin)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

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
    # Answers a reported cell needs to detect a shortfall δ below target (80 % power), at most
    # the population: (δ, answers, census) where census means every member must answer.
    answers_for_shortfall: tuple[tuple[float, int, bool], ...]
    listed: int = 0
    # Invitations the response rate asks for before capping at the population.
    invitations_uncapped: int = 0

    @property
    def census(self) -> bool:
        """Every member of the group has to answer (the sample is the whole population)."""
        return bool(self.population) and self.answers_needed >= self.population

    @property
    def warnings(self) -> list[str]:
        """What makes the plan unreachable as it stands."""
        found = []
        if self.population and self.invitations_uncapped > self.population:
            expected = math.floor(self.population * self.answers_needed / self.invitations_uncapped)
            found.append(
                _(
                    "Even inviting all %(population)s gives about %(expected)s answers at the "
                    "expected response rate, fewer than the %(answers)s needed."
                )
                % {
                    "population": self.population,
                    "expected": expected,
                    "answers": self.answers_needed,
                }
            )
        if self.listed and self.listed < min(self.invitations_needed, self.invitations_uncapped):
            found.append(
                _(
                    "The participant list has %(listed)s people, fewer than the %(needed)s "
                    "invitations needed: add participants or accept a wider margin."
                )
                % {"listed": self.listed, "needed": self.invitations_needed}
            )
        return found


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
    uncapped = stats.invitations_needed(answers, float(plan.response_rate))
    invitations = min(uncapped, population) if population else uncapped
    return GroupPlan(
        group=plan.group,
        label=plan.get_group_display(),
        population=population,
        answers_needed=answers,
        invitations_needed=invitations,
        answers_for_shortfall=tuple(
            _capped(
                stats.answers_to_detect_shortfall(shortfall=delta, sd=float(plan.sd)),
                delta,
                population,
            )
            for delta in SHORTFALLS
        ),
        listed=listed,
        invitations_uncapped=uncapped,
    )


def _capped(answers: int, delta: float, population: int | None = None):
    """(δ, answers, census): never more answers than the group has members."""
    if population and answers >= population:
        return (delta, population, True)
    return (delta, answers, False)
