"""The gap analysis engine: set the supplier's SLA figures beside end-user perception.

Reads contracts through `contracts.selectors` and perception through the KTO rollups (never raw
answers), in bulk, and classifies every (contract, dimension, month) whose inputs changed. The
cells of one month are judged together (Benjamini–Hochberg over the organisation's month), so a
cell's inputs include its q-value: a change elsewhere in the month that moves it rewrites it. It
writes nothing: `kto.gaps.services` runs it and upserts one `GapFlag` per (contract, dimension,
period), so a rerun updates rather than duplicates.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import translation

from contracts import selectors as contract_selectors
from governance.platform.dimensions import Dimension
from kto import selectors as kto_selectors
from kto.gaps.models import GapAnalysisRun, GapFlag, GapSettings, GapThreshold
from kto.gaps.reasons import Phrasebook, reason_text
from kto.gaps.rules import (
    Evidence,
    Flag,
    LevelFigure,
    Perception,
    SlaAssessment,
    Thresholds,
    assess_drift,
    assess_perception,
    assess_sla,
    classify,
    evidence,
    is_confirmed,
    judge_family,
)
from kto.models import StakeholderGroup

logger = logging.getLogger(__name__)

DEFAULT_DELTA = 0.1
DEFAULT_K = 5
# Perception is what end users experience; business and IT answers feed the triangle instead.
GAP_GROUP = StakeholderGroup.END_USERS


def month_bounds(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return start, end


def previous_month(start: date) -> tuple[date, date]:
    return month_bounds(start - timedelta(days=1))


def months_between(first: date, last: date) -> list[tuple[date, date]]:
    """The month periods from the month of `first` to the month of `last`, oldest first."""
    periods = [month_bounds(first)]
    while periods[-1][1] < month_bounds(last)[0]:
        periods.append(month_bounds(periods[-1][1] + timedelta(days=1)))
    return periods


def latest_closed_period(today: date) -> tuple[date, date]:
    """The last complete month before `today`."""
    return previous_month(today.replace(day=1))


@dataclass(frozen=True)
class CellResult:
    contract_id: int
    dimension: str
    period_start: date
    period_end: date
    flag: Flag
    sla: SlaAssessment
    levels: list[dict]
    perception: Perception | None
    perception_state: str
    drift: str | None
    thresholds: Thresholds
    evidence: Evidence | None
    waves: list[dict]


def thresholds_for(
    *, rows: list[GapThreshold], contract_id: int, dimension: str, survey_target
) -> Thresholds:
    """The most specific of the organisation's threshold `rows` wins (contract before
    organisation, dimension before all dimensions); T falls back to the survey's target."""
    matching = [
        r for r in rows if r.contract_id in (None, contract_id) and r.dimension in ("", dimension)
    ]

    def specificity(row):
        return (row.contract_id is not None, row.dimension != "")

    ordered = sorted(matching, key=specificity, reverse=True)
    target = next((float(r.target) for r in ordered if r.target is not None), None)
    if target is None and survey_target is not None:
        target = float(survey_target)
    best = ordered[0] if ordered else None
    return Thresholds(
        target=target,
        delta=float(best.delta) if best else DEFAULT_DELTA,
        k=best.k if best else DEFAULT_K,
    )


def _level_figures(results) -> list[LevelFigure]:
    """The levels with the contract's own judgement of each figure (met, near miss, missed)."""
    return [
        LevelFigure(
            code=r.code,
            target=float(r.target),
            actual=float(r.actual) if r.actual is not None else None,
            higher_is_better=r.direction == "higher",
            state=r.state if r.actual is not None else None,
            weight=float(r.weight),
        )
        for r in results
    ]


def _waves_text(waves: list[dict]) -> str:
    """What confirmation depends on in a cell: the survey waves it rests on."""
    return ";".join(
        f"{w['survey']}:{w['n']}:{w['period_start']}:{w['period_end']}:{w['title']}" for w in waves
    )


def _perception_text(p) -> str:
    if p is None:
        return "-"
    population = getattr(p, "population", None)
    return f"{p.n}:{p.mean!r}:{p.sd!r}:{p.ci_low!r}:{p.ci_high!r}:{p.target!r}:{population}"


def _evidence_text(found: Evidence | None) -> str:
    """What a cell's decision takes from its month beyond its own figures: its q-value and
    the size of the family it was judged in (the p-value follows from its own figures)."""
    if found is None or found.q_value is None:
        return "-"
    return f"{found.p_value!r}:{found.q_value!r}:{found.family}"


def _digest(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()[:12]


class GapEngine:
    """Classifies the cells of one organisation for a list of months from figures read in
    bulk: the SLA figures, the perception table and the thresholds, each in a few queries.

    The cells of a month are judged together: `judge_month` tests each against its target and
    adjusts the p-values over the month's family (Benjamini–Hochberg), from the perception
    table already in memory. `inputs` is a digest of everything a cell's figures derive from,
    its q-value included; a cell whose digest equals the stored one need not be computed
    again, nor its SLA measurements read."""

    def __init__(self, *, organisation, contract_ids: list[int], periods):
        self.periods = periods
        self.sla = contract_selectors.sla_figures(contract_ids=contract_ids, periods=periods)
        self.perception = kto_selectors.perception_table(
            contract_ids=contract_ids, since=periods[0][0], until=periods[-1][1], group=GAP_GROUP
        )
        self.threshold_rows = list(GapThreshold.objects.filter(organisation=organisation))
        self.amber_margin = GapSettings.amber_margin_for(organisation)
        self._thresholds: dict[tuple, Thresholds] = {}
        self._perceived: dict[tuple, tuple] = {}
        self._judged: dict[tuple[int, str, date], Evidence | None] = {}
        self._results: dict[tuple[int, date], dict] = {}
        self._cells: dict[tuple[int, str, date], tuple] = {}
        self._waves: dict[tuple[int, str, date], list[dict]] = {}

    def thresholds(self, contract_id: int, dimension: str, survey_target) -> Thresholds:
        key = (contract_id, dimension, survey_target)
        if key not in self._thresholds:
            self._thresholds[key] = thresholds_for(
                rows=self.threshold_rows,
                contract_id=contract_id,
                dimension=dimension,
                survey_target=survey_target,
            )
        return self._thresholds[key]

    def _perception(self, contract_id: int, dimension: str, start: date) -> tuple:
        """(pair, perception, previous, thresholds, evidence before the month's correction,
        drift, digest) of a month; months covered by the same surveys share them (the table
        returns the same pair)."""
        cell = self._cells.get((contract_id, dimension, start))
        if cell is not None:
            return cell
        pair = self.perception.month_cell_and_previous(contract_id, dimension, start)
        found = self._perceived.get(id(pair))
        if found is None:
            perception, previous = pair
            thresholds = self.thresholds(
                contract_id, dimension, perception.target if perception else None
            )
            # The pair is kept in the memo, so no other object can take over its id.
            found = self._perceived[id(pair)] = (
                pair,
                perception,
                previous,
                thresholds,
                evidence(perception, thresholds),
                # Drift: against the survey period before the one(s) covering this month.
                assess_drift(previous, perception, thresholds),
                _digest(
                    f"{_perception_text(perception)}|{_perception_text(previous)}|"
                    f"{thresholds.target!r}:{thresholds.delta!r}:{thresholds.k}"
                ),
            )
        self._cells[(contract_id, dimension, start)] = found
        return found

    def judge_month(self, contract_ids: list[int], start: date) -> None:
        """Test every cell of the organisation's month against its target and adjust the
        p-values over the month's family: the cells with a target and at least k respondents."""
        keys = [(c, d, start) for c in contract_ids for d in Dimension.values]
        alone = [self._perception(c, d, start)[4] for c, d, _start in keys]
        self._judged.update(zip(keys, judge_family(alone), strict=True))

    def sla_digest(self, contract_id: int, start: date) -> str:
        signature = self.sla.signature_text(contract_id, start)
        return _digest(f"{signature}|{self.amber_margin!r}")

    def waves(self, contract_id: int, dimension: str, start: date) -> list[dict]:
        """The survey waves (id, title, period, n) the month's perception rests on."""
        key = (contract_id, dimension, start)
        if key not in self._waves:
            self._waves[key] = self.perception.month_waves(contract_id, dimension, start)
        return self._waves[key]

    def inputs(self, sla_digest: str, contract_id: int, dimension: str, start: date, complaints):
        """32 characters: digests of the SLA signature with the amber margin (computed once
        per contract and month) and of the perception side with the cell's place in its
        month's family (`judge_month` first) and the survey waves confirmation compares, and
        the complaint count."""
        perceived = self._perception(contract_id, dimension, start)[6]
        judged = _evidence_text(self._judged[(contract_id, dimension, start)])
        waves = _waves_text(self.waves(contract_id, dimension, start))
        return f"{sla_digest}{_digest(f'{perceived}|{judged}|{waves}')}{complaints:08x}"

    def read_sla(self, keys) -> None:
        """Read the SLA results of these (contract, month) keys, in one query."""
        self._results.update(self.sla.results(k for k in keys if k not in self._results))

    def cell(self, contract_id: int, dimension: str, start: date, end: date) -> CellResult:
        if (contract_id, start) not in self._results:
            self.read_sla([(contract_id, start)])
        figures = _level_figures(self._results[(contract_id, start)].get(dimension, ()))
        sla = assess_sla(figures, self.amber_margin)
        _pair, perception, _previous, thresholds, _alone, drift, _digest = self._perception(
            contract_id, dimension, start
        )
        judged = self._judged[(contract_id, dimension, start)]
        state = assess_perception(perception, thresholds, judged)
        flag = classify(sla.state, state)
        return CellResult(
            contract_id=contract_id,
            dimension=dimension,
            period_start=start,
            period_end=end,
            flag=flag,
            sla=sla,
            levels=[
                {
                    "code": f.code,
                    "target": f.target,
                    "actual": f.actual,
                    "margin": f.margin,
                    "state": f.state if f.actual is not None else None,
                    "weight": f.weight,
                }
                for f in figures
            ],
            perception=perception,
            perception_state=state,
            drift=drift,
            thresholds=thresholds,
            evidence=judged,
            waves=self.waves(contract_id, dimension, start),
        )


def _reasons(cells: list[CellResult]) -> dict[str, list[str]]:
    """Each cell's reason in English and Dutch (one language switch per language)."""
    found = {}
    for language in ("en", "nl"):
        with translation.override(language):
            phrases = Phrasebook()
            found[language] = [
                reason_text(
                    phrases,
                    flag=cell.flag,
                    dimension=cell.dimension,
                    sla=cell.sla,
                    level_count=len(cell.levels),
                    perception_state=cell.perception_state,
                    perception=cell.perception,
                    thresholds=cell.thresholds,
                    evidence=cell.evidence,
                )
                for cell in cells
            ]
    return found


# What a cell's figures decide; the reasons are written from them, in two languages.
FIGURE_FIELDS = [
    "period_end",
    "flag",
    "sla_state",
    "perception_state",
    "drift",
    "n",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "p_value",
    "q_value",
    "target",
    "delta",
    "k",
    "min_margin",
    "sla_attainment",
    "levels",
    "complaints",
    "waves",
    "confirmed",
    "first_period_start",
]


def _figures(cell: CellResult, complaints: int) -> dict:
    perception = cell.perception
    found = cell.evidence
    return {
        "period_end": cell.period_end,
        "flag": cell.flag.value,
        "sla_state": cell.sla.state.value,
        "perception_state": cell.perception_state.value,
        "drift": cell.drift.value if cell.drift else "",
        "n": perception.n if perception else 0,
        "mean": perception.mean if perception else None,
        "sd": perception.sd if perception else None,
        # The interval the rule judged with (never zero-width); the KTO's for a lone answer.
        "ci_low": found.ci_low if found else perception.ci_low if perception else None,
        "ci_high": found.ci_high if found else perception.ci_high if perception else None,
        "p_value": found.p_value if found else None,
        "q_value": found.q_value if found else None,
        "target": cell.thresholds.target,
        "delta": cell.thresholds.delta,
        "k": cell.thresholds.k,
        "min_margin": cell.sla.min_margin,
        "sla_attainment": cell.sla.attainment,
        "levels": cell.levels,
        "complaints": complaints,
        "waves": cell.waves,
    }


@dataclass(frozen=True)
class Changes:
    """What one run has to write: the count of every flag over its months, the flags whose
    inputs changed (figures and reasons recomputed, as column values by field attname) and
    those of which only the chain moved (confirmation and 'first seen', because an earlier
    month changed)."""

    counts: dict[str, int]
    flags: list[dict]
    chained: list[GapFlag]
    # Of `flags`, the keys (contract, dimension, period) no flag was stored for.
    added: frozenset = frozenset()


def classify_changed(
    *, run: GapAnalysisRun, engine: GapEngine, contract_ids: list[int], complaints: dict
) -> Changes:
    """Classify every (contract, dimension, month) whose inputs changed since it was stored,
    carry confirmation and 'first seen' through the months in order (starting from what is
    stored for the month before the first), and count the flags. Writes nothing."""
    periods = engine.periods
    stored = {
        (contract_id, dimension, start): (pk, inputs, flag, confirmed, first_seen, waves)
        for pk, contract_id, dimension, start, inputs, flag, confirmed, first_seen, waves in (
            GapFlag.objects.filter(
                organisation_id=run.organisation_id,
                period_start__gte=previous_month(periods[0][0])[0],
                period_start__lte=periods[-1][0],
            )
            .order_by()
            .values_list(
                "pk",
                "contract_id",
                "dimension",
                "period_start",
                "inputs",
                "flag",
                "confirmed",
                "first_period_start",
                "waves",
            )
        )
    }
    dimensions = Dimension.values
    for start, _end in periods:
        engine.judge_month(contract_ids, start)
    digests = {}
    for contract_id in contract_ids:
        for start, _end in periods:
            sla_digest = engine.sla_digest(contract_id, start)
            context = min(complaints.get((contract_id, start), 0), 2**32 - 1)
            for dimension in dimensions:
                digests[(contract_id, dimension, start)] = engine.inputs(
                    sla_digest, contract_id, dimension, start, context
                )
    changed = [key for key, digest in digests.items() if stored.get(key, (0, ""))[1] != digest]
    engine.read_sla({(contract_id, start) for contract_id, _dimension, start in changed})
    ends = dict(periods)
    cells = {(c, d, start): engine.cell(c, d, start, ends[start]) for c, d, start in changed}
    counts = {flag.value: 0 for flag in Flag}
    written, chained = [], []
    before = previous_month(periods[0][0])[0]
    for contract_id in contract_ids:
        for dimension in dimensions:
            _pk, _inputs, previous_flag, _confirmed, previous_first, previous_waves = stored.get(
                (contract_id, dimension, before), (None, "", None, False, None, [])
            )
            for start, _end in periods:
                key = (contract_id, dimension, start)
                cell = cells.get(key)
                flag = cell.flag.value if cell else stored[key][2]
                waves = cell.waves if cell else stored[key][5]
                first_seen = previous_first if previous_flag == flag else start
                # Confirmed only by an independent sample: the previous month's waves and
                # this month's share no survey.
                confirmed = is_confirmed(Flag(flag), previous_flag, waves, previous_waves)
                counts[flag] += 1
                if cell:
                    written.append((cell, confirmed, first_seen, digests[key]))
                elif stored[key][3:5] != (confirmed, first_seen):
                    chained.append(
                        GapFlag(
                            pk=stored[key][0], confirmed=confirmed, first_period_start=first_seen
                        )
                    )
                previous_flag, previous_first, previous_waves = flag, first_seen, waves
    reasons = _reasons([cell for cell, *_rest in written])
    rows = [
        {
            "organisation_id": run.organisation_id,
            "contract_id": cell.contract_id,
            "dimension": cell.dimension,
            "period_start": cell.period_start,
            "confirmed": confirmed,
            "first_period_start": first_seen,
            "inputs": digest,
            "reason_en": reasons["en"][index],
            "reason_nl": reasons["nl"][index],
            "run_id": run.pk,
            **_figures(cell, complaints.get((cell.contract_id, cell.period_start), 0)),
        }
        for index, (cell, confirmed, first_seen, digest) in enumerate(written)
    ]
    added = frozenset(
        (cell.contract_id, cell.dimension, cell.period_start)
        for cell, *_rest in written
        if (cell.contract_id, cell.dimension, cell.period_start) not in stored
    )
    return Changes(counts=counts, flags=rows, chained=chained, added=added)
