"""Reads of the simulations app: keyword-only, tenant-scoped, no side effects.

A supplier's user sees the chains of its own contracts and what hangs off them; the filter is
explicit here, and the scope guard is the net under it.
"""

from collections import Counter
from datetime import time

from django.db.models import Count, QuerySet
from django.urls import reverse

from contracts import selectors as contract_selectors
from governance.platform.access import Access
from governance.platform.queries import filtered, searched
from governance.platform.service_links import ContactEstimate
from simulations.models import (
    Chain,
    Exercise,
    ExerciseReport,
    Lesson,
    OwnerSide,
    Proposal,
    Scenario,
    SimulationRun,
    Step,
)


def chain_list(
    *, access: Access, search: str = "", contract_id: int | None = None
) -> QuerySet[Chain]:
    """The chains the user may see, with their contract and step count."""
    queryset = Chain.objects.filter(organisation=access.organisation)
    if access.is_supplier:
        queryset = queryset.filter(contract__supplier=access.supplier)
    queryset = searched(
        queryset,
        search,
        "name__icontains",
        "contract__reference__icontains",
        "contract__title__icontains",
    )
    queryset = filtered(queryset, contract_id=contract_id)
    return (
        queryset.select_related("contract", "contract__supplier")
        .annotate(step_count=Count("steps", distinct=True))
        .order_by("name", "pk")
    )


def step_list(*, chain: Chain) -> QuerySet[Step]:
    """The chain's steps in order, with their escalations."""
    return chain.steps.order_by("position").prefetch_related("escalations__target")


def scenario_list(*, chain: Chain) -> QuerySet[Scenario]:
    return chain.scenarios.prefetch_related("changes__step").order_by("name")


def run_list(*, access: Access, chain: Chain | None = None) -> QuerySet[SimulationRun]:
    """Simulation runs the user may see, newest first."""
    queryset = SimulationRun.objects.filter(organisation=access.organisation)
    if access.is_supplier:
        queryset = queryset.filter(chain__contract__supplier=access.supplier)
    if chain is not None:
        queryset = queryset.filter(chain=chain)
    return queryset.select_related("chain", "scenario").order_by("-created_at", "-pk")


def latest_runs_per_label(*, access: Access, chain: Chain) -> list[SimulationRun]:
    """The newest successful run of the current chain and of each scenario, for comparison."""
    seen: dict[str, SimulationRun] = {}
    for run in run_list(access=access, chain=chain).filter(status=SimulationRun.Status.SUCCEEDED):
        key = f"scenario-{run.scenario_id}" if run.scenario_id else "current"
        seen.setdefault(key, run)
    current = seen.pop("current", None)
    return ([current] if current else []) + sorted(seen.values(), key=lambda r: r.label)


def results_for_agenda(*, access: Access, contract=None) -> list[SimulationRun]:
    """For the tactical meeting: the newest successful run per chain and scenario label (the
    current chain, each scenario), of one contract's chains or of all the user may see. Each run
    has `headline_said()` (one sentence with its figures), `results` and `get_absolute_url()`."""
    queryset = run_list(access=access).filter(status=SimulationRun.Status.SUCCEEDED)
    if contract is not None:
        contract_id = getattr(contract, "pk", contract)
        queryset = queryset.filter(chain__contract_id=contract_id)
    queryset = queryset.select_related("organisation", "chain__contract").order_by(
        "chain__name", "chain_id", "-finished_at", "-pk"
    )
    seen: dict[tuple, SimulationRun] = {}
    for run in queryset:
        key = (run.chain_id, run.scenario_id, "" if run.scenario_id else run.label)
        seen.setdefault(key, run)
    # Per chain: the current chain first, then the scenarios by label.
    return sorted(
        seen.values(),
        key=lambda r: (r.chain.name, r.chain_id, r.scenario_id is not None, r.label),
    )


def proposal_list(
    *, access: Access, status: str = "", chain: Chain | None = None
) -> QuerySet[Proposal]:
    """Improvement proposals from simulations and exercises. They are the client's; a
    supplier's user sees only those of its own contracts whose owner side involves it (supplier
    or joint), because those go to the tactical meeting with it. Client-owned ones stay hidden."""
    queryset = Proposal.objects.filter(organisation=access.organisation)
    if access.is_supplier:
        queryset = queryset.filter(
            chain__contract__supplier=access.supplier,
            owner_side__in=[OwnerSide.SUPPLIER, OwnerSide.JOINT],
        )
    if status:
        queryset = queryset.filter(status=status)
    if chain is not None:
        queryset = queryset.filter(chain=chain)
    return queryset.select_related(
        "organisation", "chain", "chain__contract", "run", "exercise"
    ).order_by("-created_at", "-pk")


def proposals_for_agenda(*, access: Access) -> list[Proposal]:
    """Proposals awaiting the tactical meeting (proposed or on the agenda), with the same
    visibility as `proposal_list`: a supplier gets those owned by it or jointly, not the
    client's own."""
    return list(
        proposal_list(access=access).filter(
            status__in=[Proposal.Status.PROPOSED, Proposal.Status.ON_AGENDA]
        )
    )


def exercise_list(
    *, access: Access, search: str = "", status: str = "", chain: Chain | None = None
) -> QuerySet[Exercise]:
    """Exercises the user may see, latest first."""
    queryset = Exercise.objects.filter(organisation=access.organisation)
    if access.is_supplier:
        queryset = queryset.filter(chain__contract__supplier=access.supplier)
    if chain is not None:
        queryset = queryset.filter(chain=chain)
    queryset = searched(queryset, search, "title__icontains", "scenario__icontains")
    queryset = filtered(queryset, status=status)
    return queryset.select_related("chain", "chain__contract").order_by("-scheduled_for", "pk")


def lesson_trend(*, access: Access) -> dict:
    """Lessons learned per category and year across the exercises the user may see."""
    lessons = Lesson.objects.filter(organisation=access.organisation)
    if access.is_supplier:
        lessons = lessons.filter(exercise__chain__contract__supplier=access.supplier)
    counts: Counter = Counter()
    for category, day in lessons.values_list("category", "exercise__scheduled_for"):
        counts[(category, day.year)] += 1
    years = sorted({year for _category, year in counts})
    return {"years": years, "counts": counts}


def lesson_list(*, access: Access, category: str = "") -> QuerySet[Lesson]:
    lessons = Lesson.objects.filter(organisation=access.organisation)
    if access.is_supplier:
        lessons = lessons.filter(exercise__chain__contract__supplier=access.supplier)
    if category:
        lessons = lessons.filter(category=category)
    return lessons.select_related("exercise", "exercise__chain").order_by(
        "-exercise__scheduled_for", "category", "pk"
    )


def _hours_between(opens: time, closes: time) -> list[tuple[int, float]]:
    """(hour of the day, share of it) covered by opens…closes; closes at 00:00 is midnight."""
    start = opens.hour + opens.minute / 60
    end = closes.hour + closes.minute / 60 or 24.0
    if end <= start:
        return []
    covered = []
    for hour in range(int(start), min(int(end) + 1, 24)):
        share = min(end, hour + 1) - max(start, hour)
        if share > 0:
            covered.append((hour, share))
    return covered


def contacts_in_hours(
    rates: list[float], *, weekdays: list[int], opens: time, closes: time
) -> float:
    """Expected contacts a week in those weekly hours from an arrival profile (168 hourly rates,
    Monday 00:00 first); a partly covered hour counts pro rata."""
    return sum(
        rates[day * 24 + hour] * share
        for day in sorted(set(weekdays))
        for hour, share in _hours_between(opens, closes)
    )


def estimate_contacts(
    *, access: Access, service_id: int, weekdays: list[int], opens: time, closes: time
) -> ContactEstimate | None:
    """For the complaints' extension case (registered in apps.py): the contacts a week that the
    chain serving the service expects in those hours, from its arrival profile; None when no
    chain the user may see serves that service. A chain set to no particular service (it
    starts at the contract's service desk, where every end user arrives) serves each service of
    its contract, after the chains set to the service itself. With several, the one with most
    contacts."""
    chains = list(chain_list(access=access).filter(service_id=service_id))
    if not chains:
        contract_ids = contract_selectors.service_list(access=access).filter(pk=service_id)
        chains = list(
            chain_list(access=access).filter(
                service__isnull=True, contract_id__in=contract_ids.values("contract_id")
            )
        )
    chains = [c for c in chains if sum(c.arrival_profile or []) > 0]
    if not chains:
        return None
    chain = max(chains, key=lambda c: (sum(c.arrival_profile), -c.pk))
    return ContactEstimate(
        contacts_per_week=round(
            contacts_in_hours(chain.arrival_profile, weekdays=weekdays, opens=opens, closes=closes),
            2,
        ),
        source=chain.name,
        link=reverse("simulations:chain_detail", args=[access.organisation.slug, chain.pk]),
    )


def exercise_report_latest(*, access: Access, exercise: Exercise) -> ExerciseReport | None:
    """The newest report PDF of the exercise for the user's side (without the PDF bytes): the
    client's users get the form with internal notes, a supplier's users the shared form."""
    return (
        ExerciseReport.objects.filter(
            organisation=access.organisation, exercise=exercise, internal=not access.is_supplier
        )
        .defer("pdf")
        .order_by("-created_at", "-pk")
        .first()
    )
