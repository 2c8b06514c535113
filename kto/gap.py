"""The gap analysis: set the supplier's SLA figures beside end-user perception and store flags.

Reads contracts through `contracts.selectors` and perception through the KTO rollups (never raw
answers). One run covers one organisation and one period; it locks the organisation row so two
concurrent runs serialise and end with one result, and it upserts one `GapFlag` per (contract,
dimension, period) so a rerun updates rather than duplicates.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from complaints import selectors as complaint_selectors
from contracts import selectors as contract_selectors
from governance.access import system_access
from governance.dimensions import Dimension
from governance.models import Organisation
from kto import selectors as kto_selectors
from kto.gap_models import GapAnalysisRun, GapFlag, GapThreshold
from kto.gap_reasons import gap_reason
from kto.gap_rules import (
    Flag,
    LevelFigure,
    Perception,
    SlaAssessment,
    Thresholds,
    assess_drift,
    assess_perception,
    assess_sla,
    classify,
    is_confirmed,
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


def latest_closed_period(today: date) -> tuple[date, date]:
    """The last complete month before `today`."""
    return previous_month(today.replace(day=1))


@dataclass(frozen=True)
class CellResult:
    contract_id: int
    dimension: str
    flag: Flag
    sla: SlaAssessment
    levels: list[dict]
    perception: Perception | None
    perception_state: str
    drift: str | None
    thresholds: Thresholds
    reason_en: str
    reason_nl: str


def thresholds_for(
    *, rows: list[GapThreshold], contract, dimension: str, survey_target
) -> Thresholds:
    """The most specific of the organisation's threshold `rows` wins (contract before
    organisation, dimension before all dimensions); T falls back to the survey's target."""
    matching = [
        r for r in rows if r.contract_id in (None, contract.pk) and r.dimension in ("", dimension)
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
    return [
        LevelFigure(
            code=r.code,
            target=float(r.target),
            actual=float(r.actual) if r.actual is not None else None,
            higher_is_better=r.direction == "higher",
        )
        for r in results
    ]


def _perception(*, contract, dimension, start, end) -> tuple[Perception | None, float | None]:
    found = kto_selectors.perception_for(
        contract=contract, dimension=dimension, period_start=start, period_end=end, group=GAP_GROUP
    )
    if found is None:
        return None, None
    perception = Perception(
        n=found.n, mean=found.mean, ci_low=found.ci_low, ci_high=found.ci_high, sd=found.sd
    )
    return perception, found.target


def gap_cell(
    *, contract, dimension: str, sla_results, thresholds: list, start: date, end: date
) -> CellResult:
    """Classify one (contract, dimension, period) from the selectors' figures."""
    figures = _level_figures(sla_results.get(dimension, []))
    sla = assess_sla(figures)
    perception, survey_target = _perception(
        contract=contract, dimension=dimension, start=start, end=end
    )
    thresholds = thresholds_for(
        rows=thresholds, contract=contract, dimension=dimension, survey_target=survey_target
    )
    state = assess_perception(perception, thresholds)
    flag = classify(sla.state, state, perception.mean if perception else None, thresholds.target)
    before_start, before_end = previous_month(start)
    previous, _target = _perception(
        contract=contract, dimension=dimension, start=before_start, end=before_end
    )
    drift = assess_drift(previous, perception, thresholds) if previous != perception else None
    reasons = {
        language: gap_reason(
            flag=flag,
            dimension=dimension,
            sla=sla,
            level_count=len(figures),
            perception_state=state,
            perception=perception,
            thresholds=thresholds,
            language=language,
        )
        for language in ("en", "nl")
    }
    return CellResult(
        contract_id=contract.pk,
        dimension=dimension,
        flag=flag,
        sla=sla,
        levels=[
            {"code": f.code, "target": f.target, "actual": f.actual, "margin": f.margin}
            for f in figures
        ],
        perception=perception,
        perception_state=state,
        drift=drift,
        thresholds=thresholds,
        reason_en=reasons["en"],
        reason_nl=reasons["nl"],
    )


def _store(
    *, run: GapAnalysisRun, contract, cell: CellResult, start: date, end: date, complaints: int
) -> GapFlag:
    previous = (
        GapFlag.objects.filter(
            contract=contract, dimension=cell.dimension, period_start=previous_month(start)[0]
        )
        .only("flag", "first_period_start")
        .first()
    )
    continues = previous is not None and previous.flag == cell.flag
    perception = cell.perception
    flag, _created = GapFlag.objects.update_or_create(
        contract=contract,
        dimension=cell.dimension,
        period_start=start,
        defaults={
            "organisation": contract.organisation,
            "period_end": end,
            "flag": cell.flag,
            "sla_state": cell.sla.state,
            "perception_state": cell.perception_state,
            "drift": cell.drift or "",
            "n": perception.n if perception else 0,
            "mean": perception.mean if perception else None,
            "sd": perception.sd if perception else None,
            "ci_low": perception.ci_low if perception else None,
            "ci_high": perception.ci_high if perception else None,
            "target": cell.thresholds.target,
            "delta": cell.thresholds.delta,
            "k": cell.thresholds.k,
            "min_margin": cell.sla.min_margin,
            "levels": cell.levels,
            "complaints": complaints,
            "confirmed": is_confirmed(cell.flag, previous.flag if previous else None),
            "first_period_start": previous.first_period_start if continues else start,
            "reason_en": cell.reason_en,
            "reason_nl": cell.reason_nl,
            "run": run,
        },
    )
    return flag


def gap_run_create(*, organisation: Organisation, period_start: date, trigger: str, user=None):
    """Queue a run (the task executes it after commit)."""
    start, end = month_bounds(period_start)
    run = GapAnalysisRun(
        organisation=organisation,
        period_start=start,
        period_end=end,
        trigger=trigger,
        requested_by=user,
    )
    run.full_clean()
    run.save()
    from kto.tasks import task_run_gap_analysis

    transaction.on_commit(
        lambda: task_run_gap_analysis.delay(organisation_id=organisation.pk, run_id=run.pk)
    )
    return run


def gap_analysis_execute(*, run: GapAnalysisRun) -> GapAnalysisRun:
    """Classify every (contract, dimension) of the run's organisation for its period."""
    GapAnalysisRun.objects.filter(pk=run.pk).update(
        status=GapAnalysisRun.Status.RUNNING, started_at=timezone.now()
    )
    try:
        with transaction.atomic():
            # Serialise runs of one organisation: the second waits and then updates in place.
            Organisation.objects.select_for_update().get(pk=run.organisation_id)
            counts = {flag.value: 0 for flag in Flag}
            thresholds = list(GapThreshold.objects.filter(organisation=run.organisation))
            access = system_access(run.organisation)
            for contract in contract_selectors.contract_list(access=access):
                sla_results = contract_selectors.sla_dimension_results(
                    contract=contract, period_start=run.period_start, period_end=run.period_end
                )
                # Context beside the two states: what users complained about in the period.
                complaints = complaint_selectors.complaint_count(
                    contract=contract, period_start=run.period_start, period_end=run.period_end
                )
                for dimension in Dimension.values:
                    cell = gap_cell(
                        contract=contract,
                        dimension=dimension,
                        sla_results=sla_results,
                        thresholds=thresholds,
                        start=run.period_start,
                        end=run.period_end,
                    )
                    _store(
                        run=run,
                        contract=contract,
                        cell=cell,
                        start=run.period_start,
                        end=run.period_end,
                        complaints=complaints,
                    )
                    counts[cell.flag] += 1
    except Exception as error:
        GapAnalysisRun.objects.filter(pk=run.pk).update(
            status=GapAnalysisRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:4000],
        )
        raise
    GapAnalysisRun.objects.filter(pk=run.pk).update(
        status=GapAnalysisRun.Status.SUCCEEDED, finished_at=timezone.now(), counts=counts
    )
    run.refresh_from_db()
    return run
