"""Reads of the KTO: keyword-only, tenant-scoped, no side effects.

Numbers come from `Rollup` / `ScoreRollup` rows only, never from raw answers (open answers
excepted, which are text and shown only for groups of at least k). Rollups hold released
answers only (`kto.pool`), so every reader sees figures that move in steps of at least k.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django_scopes import scopes_disabled

from governance.platform.access import Access
from kto import stats
from kto.models import (
    Invitation,
    ItemRole,
    Question,
    Rollup,
    StakeholderGroup,
    Survey,
    SurveyGroup,
    SurveyKind,
)
from kto.suppression import TOTAL, respondent_counts, suppress, survey_tree


@dataclass(frozen=True)
class Perception:
    """Perceived quality of one contract and dimension over a period, from respondent-level
    scores (a respondent's mean over its items in the dimension)."""

    n: int
    mean: float
    sd: float
    ci_low: float | None  # None with a single respondent: no interval exists
    ci_high: float | None
    target: float | None
    # N when the interval uses the finite population correction (the gap rule's test does too).
    population: int | None = None


def perception_for(
    *,
    contract,
    dimension: str,
    period_start: date,
    period_end: date,
    group: str | None = None,
    confidence: float = 0.95,
) -> Perception | None:
    """Combine the perception rollups of every survey whose covered period overlaps the given
    one (all groups, or one). None when nobody answered.

    The 95 % t-interval uses the finite population correction when the figures come from a
    single survey of this one contract whose groups all have a known population N and the
    sample is over 5 % of it. `target` is the target T for the dimension of the most recent
    contributing survey that set one."""
    table = perception_table(
        contract_ids=[contract.pk],
        since=period_start,
        until=period_end,
        group=group,
        confidence=confidence,
    )
    return table.cell(contract.pk, dimension, period_start, period_end)


class PerceptionTable:
    """The perception rollups of many contracts, combined per cell in memory: the gap
    analysis asks for thousands of (contract, dimension, period) cells in a few queries.

    Surveys whose results page hides a cell (fewer than k respondents, or hidden so a smaller
    group cannot be derived) do not contribute to it: the gap analysis must not show what the
    results page hides."""

    def __init__(self, rows, surveys, contracts_of, populations, group, confidence):
        self._rows: dict[tuple[int, str], list[RollupFigures]] = {}
        for row in rows:  # newest first, so the first target found is the latest
            self._rows.setdefault((row.contract_id, row.dimension), []).append(row)
        self._surveys = surveys
        self._contracts_of = contracts_of
        self._populations = populations
        self._group = group
        self._confidence = confidence
        self._combined: dict[tuple, Perception | None] = {}
        self._pairs: dict[tuple, tuple] = {}
        self._months: dict[tuple[int, str], dict] = {}

    def cell(self, contract_id: int, dimension: str, start: date, end: date) -> Perception | None:
        return self.cell_and_previous(contract_id, dimension, start, end)[0]

    def previous(
        self, contract_id: int, dimension: str, start: date, end: date
    ) -> Perception | None:
        return self.cell_and_previous(contract_id, dimension, start, end)[1]

    def cell_and_previous(
        self, contract_id: int, dimension: str, start: date, end: date
    ) -> tuple[Perception | None, Perception | None]:
        """The cell, and the cell of the survey period before the one(s) covering
        `start`–`end` (what drift compares against; None when nothing covers the period or
        nothing came before). The same objects for months covered by the same surveys."""
        rows = self._rows.get((contract_id, dimension), ())
        current = [r for r in rows if r.period_start <= end and r.period_end >= start]
        return self._pair(contract_id, dimension, current)

    def month_cell_and_previous(
        self, contract_id: int, dimension: str, month: date
    ) -> tuple[Perception | None, Perception | None]:
        """`cell_and_previous` for the calendar month starting on `month`, from an index."""
        return self._pair(
            contract_id, dimension, self._by_month(contract_id, dimension).get(month, [])
        )

    def month_waves(self, contract_id: int, dimension: str, month: date) -> list[dict]:
        """The survey waves the calendar month starting on `month` rests on, oldest first: per
        survey its id, title, covered period (ISO dates) and respondents n. A quarterly survey
        is a wave of each month of its quarter: the same responses, not a second sample."""
        waves: dict[int, dict] = {}
        for row in self._by_month(contract_id, dimension).get(month, []):
            wave = waves.setdefault(
                row.survey_id,
                {
                    "survey": row.survey_id,
                    "title": self._surveys[row.survey_id].title,
                    "period_start": row.period_start.isoformat(),
                    "period_end": row.period_end.isoformat(),
                    "n": 0,
                },
            )
            wave["n"] += row.n
        answered = [wave for wave in waves.values() if wave["n"]]
        return sorted(answered, key=lambda w: (w["period_start"], w["survey"]))

    def _pair(self, contract_id, dimension, current) -> tuple:
        key = (contract_id, dimension, *(r.pk for r in current))
        if key not in self._pairs:
            previous = None
            if current:
                began = min(r.period_start for r in current)
                rows = self._rows.get((contract_id, dimension), ())
                before = [r for r in rows if r.period_end < began]
                if before:
                    latest = max(r.period_end for r in before)
                    previous = self._combine(
                        contract_id, dimension, [r for r in before if r.period_end == latest]
                    )
            self._pairs[key] = (self._combine(contract_id, dimension, current), previous)
        return self._pairs[key]

    def _by_month(self, contract_id: int, dimension: str) -> dict[date, list[RollupFigures]]:
        """The rows overlapping each calendar month (first day → rows, in the rows' order)."""
        key = (contract_id, dimension)
        if key not in self._months:
            months: dict[date, list[RollupFigures]] = {}
            for row in self._rows.get(key, ()):
                month = row.period_start.replace(day=1)
                while month <= row.period_end:
                    months.setdefault(month, []).append(row)
                    month = (month + timedelta(days=32)).replace(day=1)
            self._months[key] = months
        return self._months[key]

    def _combine(self, contract_id, dimension, rows) -> Perception | None:
        key = tuple(r.pk for r in rows)
        if key not in self._combined:
            self._combined[key] = self._perception(contract_id, dimension, rows)
        return self._combined[key]

    def _perception(self, contract_id, dimension, rows) -> Perception | None:
        n = sum(r.n for r in rows)
        if n == 0:
            return None
        survey_ids = {r.survey_id for r in rows}
        population = None
        if len(survey_ids) == 1:
            survey_id = next(iter(survey_ids))
            if self._contracts_of.get(survey_id) == [contract_id]:
                population = self._populations.get(survey_id)
        interval = stats.mean_interval(
            n=n,
            total=sum(r.sum_x for r in rows),
            total_sq=sum(r.sum_x2 for r in rows),
            confidence=self._confidence,
            population=population,
        )
        targets = (self._surveys[r.survey_id].target_for(dimension) for r in rows)
        finite = n >= 2
        return Perception(
            n=n,
            mean=interval.mean,
            sd=interval.sd,
            ci_low=interval.low if finite else None,
            ci_high=interval.high if finite else None,
            target=next((t for t in targets if t), None),
            population=population,
        )


class RollupFigures(NamedTuple):
    pk: int
    survey_id: int
    contract_id: int
    dimension: str
    period_start: date
    period_end: date
    n: int
    sum_x: float
    sum_x2: float


def perception_table(
    *,
    contract_ids: list[int],
    since: date,
    until: date,
    group: str | None = None,
    confidence: float = 0.95,
) -> PerceptionTable:
    """The perception rollups of the contracts whose period overlaps `since`–`until`, plus per
    (contract, dimension) the latest survey period before `since` (what drift compares with);
    one group or all, without the contributions the results pages hide. Seven queries."""
    # Complainants answering a verdict survey are a skewed sample: only KTOs count here.
    perception = Rollup.objects.filter(
        contract_id__in=contract_ids, role=ItemRole.PERCEPTION
    ).exclude(survey__kind=SurveyKind.VERDICT)
    if group is not None:
        perception = perception.filter(group=group)
    earlier = {
        (contract_id, dimension): last
        for contract_id, dimension, last in perception.filter(period_end__lt=since)
        .values_list("contract_id", "dimension")
        .annotate(last=Max("period_end"))
        .order_by()
    }
    wanted = perception.filter(period_start__lte=until, period_end__gte=since)
    if earlier:
        wanted = perception.filter(
            Q(period_start__lte=until, period_end__gte=since)
            | Q(period_end__in=set(earlier.values()), period_end__lt=since)
        )
    fields = [f for f in RollupFigures._fields if f != "pk"]
    rows = [
        RollupFigures(*row)
        for row in wanted.order_by("-period_end", "-survey_id", "pk").values_list("pk", *fields)
        if row[5] >= since or earlier.get((row[2], row[3])) == row[5]
    ]
    survey_ids = {r.survey_id for r in rows}
    surveys = {
        s.pk: s
        for s in Survey.objects.filter(pk__in=survey_ids).only(
            "id", "title", "anonymity_mode", "targets"
        )
    }
    contracts_of: dict[int, list[int]] = {}
    links = Survey.contracts.through.objects.filter(survey_id__in=survey_ids).order_by(
        "contract_id"
    )
    for survey_id, contract_id in links.values_list("survey_id", "contract_id"):
        contracts_of.setdefault(survey_id, []).append(contract_id)
    counts: dict[int, list] = {}
    for survey_id, contract_id, row_group, n in (
        Rollup.objects.filter(
            survey_id__in=survey_ids, role__in=[ItemRole.PERCEPTION, ItemRole.EXPECTATION]
        )
        .values_list("survey_id", "contract_id", "group", "n")
        .order_by()
    ):
        counts.setdefault(survey_id, []).append((contract_id, row_group, n))
    hidden = {
        survey_id: suppress(
            survey_tree(
                respondent_counts(counts.get(survey_id, [])),
                contracts_of.get(survey_id, []),
                list(StakeholderGroup.values),
            ),
            survey.k,
        )
        for survey_id, survey in surveys.items()
    }
    shown = [
        r
        for r in rows
        if (r.contract_id, group if group is not None else TOTAL) not in hidden[r.survey_id]
    ]
    populations: dict[int, int | None] = {}
    plans: dict[int, list] = {}
    groups = SurveyGroup.objects.filter(survey_id__in=survey_ids)
    if group is not None:
        groups = groups.filter(group=group)
    for survey_id, population in groups.values_list("survey_id", "population"):
        plans.setdefault(survey_id, []).append(population)
    for survey_id, values in plans.items():
        populations[survey_id] = None if any(v is None for v in values) else sum(values)
    return PerceptionTable(shown, surveys, contracts_of, populations, group, confidence)


# --- surveys ---------------------------------------------------------------------------------


def survey_list(
    *, access: Access, search: str = "", kind: str = "", state: str = ""
) -> QuerySet[Survey]:
    """The organisation's surveys; a supplier's user sees only those covering its contracts."""
    queryset = Survey.objects.filter(organisation=access.organisation)
    if access.is_supplier:
        queryset = queryset.filter(contracts__supplier=access.supplier).distinct()
    if search:
        queryset = queryset.filter(
            Q(title__icontains=search) | Q(contracts__reference__icontains=search)
        ).distinct()
    if kind:
        queryset = queryset.filter(kind=kind)
    today = timezone.localdate()
    if state == "draft":
        queryset = queryset.filter(launched_on__isnull=True, closed_on__isnull=True).exclude(
            closes_on__lt=today
        )
    elif state == "open":
        queryset = queryset.filter(
            launched_on__isnull=False, closed_on__isnull=True, closes_on__gte=today
        )
    elif state == "closed":
        queryset = queryset.filter(Q(closed_on__isnull=False) | Q(closes_on__lt=today))
    return queryset.prefetch_related("contracts").order_by("-period_end", "-pk")


def survey_contracts(*, access: Access, survey: Survey):
    """The survey's contracts the user may see (a supplier's user: its own)."""
    contracts = survey.contracts.select_related("supplier").order_by("reference")
    if access.is_supplier:
        contracts = contracts.filter(supplier=access.supplier)
    return list(contracts)


def question_list(*, access: Access, search: str = "", dimension: str = "") -> QuerySet[Question]:
    queryset = Question.objects.filter(organisation=access.organisation)
    if search:
        queryset = queryset.filter(Q(text_nl__icontains=search) | Q(text_en__icontains=search))
    if dimension:
        queryset = queryset.filter(dimension=dimension)
    return queryset.select_related("service").order_by("dimension", "code")


def invitation_counts(*, survey: Survey) -> dict[str, dict[str, int]]:
    """Per status, per group: how many participants (one query)."""
    counts: dict[str, dict[str, int]] = {}
    for row in survey.invitations.values("group", "status").annotate(
        total=Count("pk"), answered=Count("pk", filter=Q(used=True))
    ):
        per_group = counts.setdefault(row["group"], {})
        per_group[row["status"]] = row["total"]
        per_group["answered"] = per_group.get("answered", 0) + int(row["answered"] or 0)
    return counts


def invited_per_cell(*, survey: Survey) -> dict[tuple[int, str], int]:
    """Invitations actually sent per (contract, group), for response rates."""
    rows = (
        Invitation.objects.filter(survey=survey, status=Invitation.Status.INVITED)
        .values("contract_id", "group")
        .annotate(total=Count("pk"))
    )
    return {(r["contract_id"], r["group"]): r["total"] for r in rows}


def organisations_with_open_surveys(today: date | None = None) -> list[int]:
    """Organisation ids with a launched, open survey (for the hourly dispatcher, a platform
    job that looks across tenants on purpose)."""
    today = today or timezone.localdate()
    with scopes_disabled():
        return sorted(
            set(
                Survey.objects.filter(
                    launched_on__isnull=False,
                    closed_on__isnull=True,
                    opens_on__lte=today,
                    closes_on__gte=today,
                ).values_list("organisation_id", flat=True)
            )
        )


def organisations_with_campaigns() -> list[int]:
    """Organisation ids with an active repeating survey campaign (for the daily job that
    prepares the next waves, a platform job across tenants)."""
    from kto.models import SurveyCampaign

    with scopes_disabled():
        active = SurveyCampaign.objects.filter(active=True)
        return sorted(set(active.values_list("organisation_id", flat=True)))


def campaign_proposals(*, access: Access) -> list[Survey]:
    """Prepared waves of repeating campaigns that nobody launched yet, soonest first."""
    if access.is_supplier:
        return []
    return list(
        Survey.objects.filter(
            organisation=access.organisation,
            campaign__isnull=False,
            wave__gt=0,
            launched_on__isnull=True,
            closed_on__isnull=True,
            closes_on__gte=timezone.localdate(),
        ).order_by("opens_on", "pk")
    )


def organisations_with_pools(today: date | None = None) -> list[int]:
    """Organisation ids with answers waiting in a survey's pool, or with a closed survey whose
    results are not final yet (for the hourly release, a platform job across tenants)."""
    today = today or timezone.localdate()
    with scopes_disabled():
        waiting = Survey.objects.filter(final_release_on__isnull=True).filter(
            Q(pending__isnull=False) | Q(closed_on__isnull=False) | Q(closes_on__lt=today)
        )
        return sorted(set(waiting.values_list("organisation_id", flat=True)))


def baseline_proposals(*, access: Access, today: date | None = None) -> list[dict]:
    """Contracts whose renewal or notice deadline comes within the lead time and that have no
    baseline KTO covering the run-up: propose one, early enough to survey before negotiating."""
    from contracts import selectors as contract_selectors

    today = today or timezone.localdate()
    if access.is_supplier:
        return []
    lead_days = 180
    due = []
    for contract in contract_selectors.contract_list(access=access):
        deadline_of = getattr(contract, "next_notice_deadline", None)
        deadline = deadline_of(today) if callable(deadline_of) else None
        if deadline is None:
            deadline = getattr(contract, "end_date", None)
        if deadline is not None and 0 <= (deadline - today).days <= lead_days:
            due.append((contract, deadline))
    if not due:
        return []
    covered = set(
        Survey.objects.filter(
            organisation=access.organisation,
            kind=SurveyKind.BASELINE,
            contracts__in=[contract for contract, _ in due],
            closes_on__gte=today - timedelta(days=365),
        ).values_list("contracts", flat=True)
    )
    return [
        {"contract": contract, "deadline": deadline}
        for contract, deadline in due
        if contract.pk not in covered
    ]


def survey_summary(*, access: Access) -> dict:
    """For the organisation home: surveys open now, the latest closed one, and how many
    baseline KTOs are proposed ahead of contract deadlines."""
    surveys = survey_list(access=access)
    return {
        "open": survey_list(access=access, state="open").count(),
        "latest": survey_list(access=access, state="closed").first(),
        "total": surveys.count(),
        "proposals": len(baseline_proposals(access=access)),
    }


# The gap analysis reads, for the apps above kto (meetings) that may import only selectors.
from kto.gaps.selectors import confirmed_flags, gap_flag_list  # noqa: E402,F401
