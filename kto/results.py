"""Survey results from rollups: n, response rate, mean, 95 % CI, distribution, happiness score,
the triangle (groups × dimensions) and baseline versus now — with small-cell suppression.

The suppression tree is survey → contract → stakeholder group on respondent counts; it is
computed once over every contract, so what a supplier sees (its own contracts' subtrees, never
the survey total) is a subset of what is safe to show.

Figures read released answers only (`kto.pool`), so they change in steps of at least k
respondents per cell. An optional item ("time lost") is answered by only some of a batch, so
it could change by fewer than k answers: it is shown only once the survey's results are final,
with a suppression tree of its own on its own answer counts (complementary across groups,
contracts and the total, on top of what the ratings hide). Every figure is rounded here, to
the precision the page shows, so the API, the PDFs and the charts carry no more than the page.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from governance.platform.access import Access
from governance.platform.charts import Cell as ChartCell
from governance.platform.charts import Series, fmt, heatmap, line_chart
from governance.platform.dimensions import Dimension
from kto import result_gaps, stats
from kto.models import (
    GAP_ROLE,
    LIKERT_COUNT_FIELDS,
    Answer,
    ItemRole,
    Rollup,
    ScoreRollup,
    StakeholderGroup,
    Survey,
    SurveyKind,
)
from kto.selectors import invited_per_cell, survey_contracts
from kto.suppression import TOTAL, respondent_counts, suppress, survey_tree
from kto.templatetags.kto_tags import num

# Decimals shown on the page, and therefore everywhere (means and intervals on 1–5, importance
# points, hours lost, happiness score, shares of answers and response rates).
MEAN_DECIMALS = 2
POINTS_DECIMALS = 0
HOURS_DECIMALS = 1
HAPPINESS_DECIMALS = 0
SHARE_DECIMALS = 2


@dataclass
class Figure:
    """Mean and interval of one role in one cell and dimension."""

    n: int
    mean: float
    ci_low: float | None
    ci_high: float | None
    distribution: list[float] = field(default_factory=list)  # shares of 1…5 (perception)

    @property
    def half_width(self) -> float | None:
        if self.ci_low is None or self.ci_high is None:
            return None
        return (self.ci_high - self.ci_low) / 2


@dataclass
class ResultCell:
    """One contract × group (or a contract's total) across the dimensions."""

    key: tuple
    label: str
    respondents: int
    hidden: bool
    invited: int | None = None
    perception: dict[str, Figure] = field(default_factory=dict)
    expectation: dict[str, Figure] = field(default_factory=dict)
    importance: dict[str, Figure] = field(default_factory=dict)
    time_lost: Figure | None = None
    happiness: float | None = None
    happiness_n: int = 0
    # Unrounded (n, Σx, Σx²) per (role, dimension), for the gaps between figures
    # (`kto.result_gaps`); empty for a hidden cell.
    sums: dict[tuple[str, str], tuple[int, float, float]] = field(default_factory=dict)

    @property
    def response_rate(self) -> float | None:
        if self.hidden or not self.invited:
            return None
        return round(self.respondents / self.invited, SHARE_DECIMALS)


@dataclass
class ContractResults:
    contract: object
    total: ResultCell
    groups: list[ResultCell]
    triangle: str = ""
    matrix: str = ""
    baseline_chart: str = ""
    open_answers: list[tuple[str, list[str]]] = field(default_factory=list)
    # The triangle and the SERVQUAL gap as numbers (`kto.result_gaps`): rows of
    # (label, {dimension: GapFigure}); `baseline_gaps` is the baseline's P − E of this contract.
    triangle_gaps: list = field(default_factory=list)
    servqual_gaps: list = field(default_factory=list)
    baseline_gaps: list = field(default_factory=list)
    # The overview's cells as the page writes them: each dimension's mean perception of the
    # contract's total, formatted ("—" without one); filled for the overview only.
    overview_means: list[str] = field(default_factory=list)


@dataclass
class SurveyResults:
    survey: Survey
    k: int
    dimensions: list[tuple[str, str]]
    total: ResultCell | None
    contracts: list[ContractResults]
    show_open_answers: bool
    # Every visible contract's total, for the overview; `contracts` then holds the one chosen.
    overview: list[ContractResults] = field(default_factory=list)
    chosen: int | None = None


# What the figures read of a rollup (`_fill`, `_figure`, `time_lost_hidden`).
ROLLUP_FIELDS = (
    "contract_id",
    "role",
    "dimension",
    "group",
    "n",
    "sum_x",
    "sum_x2",
    *LIKERT_COUNT_FIELDS,
)


def _round(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)


def _figure(
    rows: list[Rollup],
    population: int | None,
    with_distribution: bool,
    decimals: int = MEAN_DECIMALS,
) -> Figure | None:
    n = sum(r.n for r in rows)
    if n == 0:
        return None
    interval = stats.mean_interval(
        n=n,
        total=sum(r.sum_x for r in rows),
        total_sq=sum(r.sum_x2 for r in rows),
        population=population,
    )
    finite = n >= 2
    distribution = []
    if with_distribution:
        counts = [sum(getattr(r, name) for r in rows) for name in LIKERT_COUNT_FIELDS]
        answers = sum(counts)
        distribution = [round(c / answers, SHARE_DECIMALS) if answers else 0.0 for c in counts]
    return Figure(
        n=n,
        mean=round(interval.mean, decimals),
        ci_low=_round(interval.low, decimals) if finite else None,
        ci_high=_round(interval.high, decimals) if finite else None,
        distribution=distribution,
    )


def _fill(cell: ResultCell, rollups: list[Rollup], scores: list[ScoreRollup], population):
    if cell.hidden:
        return
    for row in rollups:
        if row.role in (ItemRole.PERCEPTION, ItemRole.EXPECTATION, GAP_ROLE) and row.n:
            n, total, total_sq = cell.sums.get((row.role, row.dimension), (0, 0.0, 0.0))
            cell.sums[(row.role, row.dimension)] = (
                n + row.n,
                total + row.sum_x,
                total_sq + row.sum_x2,
            )
    # The rows of each (role, dimension) in one pass, each list in the rollups' own order (the
    # sums add up in the same order as before, so the rounded figures cannot differ).
    by_role: dict[tuple[str, str], list[Rollup]] = {}
    for row in rollups:
        by_role.setdefault((row.role, row.dimension), []).append(row)
    for dimension in Dimension.values:
        for role, target in (
            (ItemRole.PERCEPTION, cell.perception),
            (ItemRole.EXPECTATION, cell.expectation),
            (ItemRole.IMPORTANCE, cell.importance),
        ):
            rows = by_role.get((role, dimension), [])
            points = role == ItemRole.IMPORTANCE
            figure = _figure(
                rows, population, not points, POINTS_DECIMALS if points else MEAN_DECIMALS
            )
            if figure is not None:
                target[dimension] = figure
    lost = [r for r in rollups if r.role == ItemRole.TIME_LOST]
    # Time lost is optional: the caller keeps it only where its own suppression shows it.
    cell.time_lost = _figure(lost, None, False, HOURS_DECIMALS)
    counts = [0] * 11
    for row in scores:
        counts = [a + b for a, b in zip(counts, row.counts, strict=True)]
    cell.happiness_n = sum(counts)
    cell.happiness = _round(stats.happiness_score(counts), HAPPINESS_DECIMALS)


def _state(figure: Figure | None, target: float | None) -> str:
    if figure is None or target is None or figure.ci_low is None:
        return "none"
    if figure.ci_low >= target:
        return "good"
    if figure.ci_high < target:
        return "bad"
    return "warn"


def survey_results(
    *,
    access: Access,
    survey: Survey,
    include_open: bool = True,
    contract_id: int | None = None,
    one_contract: bool = False,
    charts: bool = True,
) -> SurveyResults:
    """Everything the results page shows, as far as `access` may see it. With `one_contract`
    the groups, charts and open answers are worked out for one contract only — `contract_id`
    when the user may see it, else the first — and `overview` holds every visible contract's
    total. Without `charts` (an export) no chart is drawn."""
    k = survey.k
    group_labels = dict(StakeholderGroup.choices)
    plans = {p.group: p for p in survey.groups.all()}
    group_order = [g for g in StakeholderGroup.values if g in plans]
    all_contracts = list(survey.contracts.order_by("reference").values_list("pk", flat=True))
    visible = survey_contracts(access=access, survey=survey)
    if one_contract:
        visible_ids = [c.pk for c in visible]
        if contract_id not in visible_ids:
            contract_id = visible_ids[0] if visible_ids else None
    else:
        contract_id = None
    # Plain rows, not model instances: a survey of fifty contracts has a thousand rollups.
    rollups = list(Rollup.objects.filter(survey=survey).values_list(*ROLLUP_FIELDS, named=True))
    scores = list(ScoreRollup.objects.filter(survey=survey))
    invited = invited_per_cell(survey=survey)

    respondents = respondent_counts(
        (r.contract_id, r.group, r.n)
        for r in rollups
        if r.role in (ItemRole.PERCEPTION, ItemRole.EXPECTATION)
    )
    hidden = suppress(survey_tree(respondents, all_contracts, group_order), k)
    hidden_lost = time_lost_hidden(
        survey=survey,
        rollups=rollups,
        hidden=hidden,
        contracts=all_contracts,
        groups=group_order,
    )

    single_contract = len(all_contracts) == 1
    # Each cell reads its own rows from these instead of scanning every rollup of the survey.
    rollups_by_cell = _by_cell(rollups)
    scores_by_cell = _by_cell(scores)

    def population(groups: list[str]) -> int | None:
        if not single_contract:
            return None
        values = [plans[g].population for g in groups]
        return sum(values) if values and all(v is not None for v in values) else None

    def cell(key, label, groups, contract_ids) -> ResultCell:
        result = ResultCell(
            key=key,
            label=label,
            respondents=sum(respondents.get((c, g), 0) for c in contract_ids for g in groups),
            hidden=key in hidden,
            invited=sum(invited.get((c, g), 0) for c in contract_ids for g in groups),
        )
        _fill(
            result,
            _rows_of(rollups_by_cell, contract_ids, groups),
            _rows_of(scores_by_cell, contract_ids, groups),
            population(groups),
        )
        if key in hidden_lost:
            result.time_lost = None
        if result.happiness_n < k:
            result.happiness = None
        return result

    total = None
    if not access.is_supplier:
        total = cell((TOTAL, TOTAL), _("All contracts"), group_order, all_contracts)

    show_open = include_open and not access.is_supplier
    open_by_cell = _open_answers(survey, hidden, contract_id) if show_open else {}
    dimensions = list(Dimension.choices)
    baseline = (
        _baseline_for(access, survey, contract_id) if survey.kind == SurveyKind.PERIODIC else None
    )
    contracts, overview = [], []
    for contract in visible:
        contract_total = cell((contract.pk, TOTAL), _("All groups"), group_order, [contract.pk])
        overview.append(
            ContractResults(
                contract=contract,
                total=contract_total,
                groups=[],
                overview_means=_means(contract_total, dimensions),
            )
        )
        if contract_id is not None and contract.pk != contract_id:
            continue
        groups = [cell((contract.pk, g), group_labels[g], [g], [contract.pk]) for g in group_order]
        result = ContractResults(contract=contract, total=contract_total, groups=groups)
        if charts:
            _charts(result, survey, dimensions)
        if baseline is not None and charts:
            result.baseline_chart = _baseline_chart(baseline, result, dimensions)
        result_gaps.contract_gaps(result, survey=survey, baseline=baseline)
        result.open_answers = [
            (g.label, open_by_cell.get(g.key, [])) for g in groups if open_by_cell.get(g.key)
        ]
        contracts.append(result)
    return SurveyResults(
        survey=survey,
        k=k,
        dimensions=dimensions,
        total=total,
        contracts=contracts,
        show_open_answers=show_open,
        overview=overview,
        chosen=contract_id,
    )


def _means(cell: ResultCell, dimensions) -> list[str]:
    """Each dimension's mean perception as the overview writes it (`num:2`, else "—"), worked
    out once here rather than by a filter per cell of a fifty-contract table."""
    figures = [cell.perception.get(dimension) for dimension, _label in dimensions]
    return ["—" if not f else num(f.mean, MEAN_DECIMALS) for f in figures]


def _by_cell(rows: list) -> dict[tuple[int, str], list[tuple[int, object]]]:
    """Rows per (contract, group), each with its position in `rows`."""
    cells: dict[tuple[int, str], list[tuple[int, object]]] = {}
    for position, row in enumerate(rows):
        cells.setdefault((row.contract_id, row.group), []).append((position, row))
    return cells


def _rows_of(by_cell: dict, contract_ids, groups) -> list:
    """The rows of these contracts and groups, in their order in the survey's list (the same
    rows, in the same order, as filtering that list)."""
    found = [
        entry
        for contract_id in dict.fromkeys(contract_ids)
        for group in dict.fromkeys(groups)
        for entry in by_cell.get((contract_id, group), ())
    ]
    found.sort(key=lambda entry: entry[0])
    return [row for _position, row in found]


def time_lost_hidden(*, survey: Survey, rollups, hidden: set, contracts, groups):
    """The cells whose "time lost" must not be shown (a container of cell keys): every cell
    while the results are not final; then the cells hidden by the suppression of the time-lost
    answer counts, with the cells the ratings hide forced hidden too."""
    if survey.final_release_on is None:
        return _EVERY_CELL
    counts: dict[tuple[int, str], int] = {}
    for row in rollups:
        if row.role == ItemRole.TIME_LOST:
            key = (row.contract_id, row.group)
            counts[key] = counts.get(key, 0) + row.n
    return suppress(survey_tree(counts, contracts, groups), survey.k, forced=hidden)


class _Everything:
    def __contains__(self, key) -> bool:
        return True


_EVERY_CELL = _Everything()


def _open_answers(
    survey: Survey, hidden: set, contract_id: int | None = None
) -> dict[tuple, list[str]]:
    """Open answers of shown (contract, group) cells, shuffled so order reveals nothing."""
    # Through the open items' index: only open answers are read, never the ratings.
    open_items = survey.items.filter(role=ItemRole.OPEN).values("pk")
    rows = Answer.objects.filter(item__in=open_items, text__gt="")
    if contract_id is not None:
        rows = rows.filter(response__contract_id=contract_id)
    rows = rows.values_list("response__contract_id", "response__group", "text")
    grouped: dict[tuple, list[str]] = {}
    for contract_id, group, text in rows:
        if (contract_id, group) in hidden or (contract_id, TOTAL) in hidden:
            continue
        grouped.setdefault((contract_id, group), []).append(text)
    for texts in grouped.values():
        random.SystemRandom().shuffle(texts)
    return grouped


def _charts(result: ContractResults, survey: Survey, dimensions) -> None:
    shown = [g for g in result.groups if not g.hidden and g.perception]
    if not shown:
        return
    labels = [label for _, label in dimensions]
    result.triangle = line_chart(
        x_labels=labels,
        series=[
            Series(
                name=g.label,
                values=[g.perception[d].mean if d in g.perception else None for d, _ in dimensions],
            )
            for g in shown
        ],
        y_min=1,
        y_max=5,
        title=_("Triangle: perception per group and dimension"),
    )
    cells = {}
    for g in result.groups:
        for d, label in dimensions:
            figure = None if g.hidden else g.perception.get(d)
            cells[(g.label, label)] = ChartCell(
                text="–" if figure is None else fmt(figure.mean, 2),
                state=_state(figure, survey.target_for(d)),
            )
    result.matrix = heatmap(
        rows=[g.label for g in result.groups],
        columns=labels,
        cells=cells,
        title=_("Perception against target (groups × dimensions)"),
    )


def _baseline_for(
    access: Access, survey: Survey, contract_id: int | None = None
) -> SurveyResults | None:
    baseline = (
        Survey.objects.filter(
            organisation=survey.organisation,
            kind=SurveyKind.BASELINE,
            contracts__in=survey.contracts.all(),
            period_end__lte=survey.period_start,
        )
        .order_by("-period_end")
        .distinct()
        .first()
    )
    if baseline is None:
        return None
    return survey_results(
        access=access,
        survey=baseline,
        include_open=False,
        contract_id=contract_id,
        one_contract=contract_id is not None,
    )


def _baseline_chart(baseline: SurveyResults, now: ContractResults, dimensions) -> str:
    before = next((c for c in baseline.contracts if c.contract.pk == now.contract.pk), None)
    if before is None or before.total.hidden or now.total.hidden:
        return ""

    def means(figures):
        return [figures[d].mean if d in figures else None for d, _ in dimensions]

    return line_chart(
        x_labels=[label for _, label in dimensions],
        series=[
            Series(name=_("Expectation (baseline)"), values=means(before.total.expectation)),
            Series(name=_("Perception (baseline)"), values=means(before.total.perception)),
            Series(name=_("Perception (now)"), values=means(now.total.perception)),
        ],
        y_min=1,
        y_max=5,
        title=_("Baseline versus now"),
    )
