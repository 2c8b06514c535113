"""Writes of the gap analysis: queue a run, execute it, upsert its flags.

One run covers one organisation and one period; it locks the organisation row so two concurrent
runs serialise and end with one result, and it upserts one `GapFlag` per (contract, dimension,
period) so a rerun updates rather than duplicates. The computation is `kto.gaps.engine`.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from complaints import selectors as complaint_selectors
from contracts import selectors as contract_selectors
from governance.access import system_access
from governance.models import Organisation
from governance.tasking import enqueue_on_commit
from kto.gaps.engine import (
    FIGURE_FIELDS,
    Changes,
    GapEngine,
    classify_changed,
    month_bounds,
    months_between,
)
from kto.gaps.models import GapAnalysisRun, GapFlag
from kto.gaps.rules import Flag


def _store(changes: Changes) -> None:
    """Upsert the recomputed flags; of the others only the chain moved (an earlier month
    changed): confirmation and 'first seen'."""
    GapFlag.objects.bulk_create(
        changes.flags,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["contract", "dimension", "period_start"],
        update_fields=[
            "organisation",
            *FIGURE_FIELDS,
            "inputs",
            "reason_en",
            "reason_nl",
            "run",
            "updated_at",
        ],
    )
    GapFlag.objects.bulk_update(
        changes.chained, ["confirmed", "first_period_start"], batch_size=1000
    )


def gap_run_create(
    *,
    organisation: Organisation,
    period_start: date,
    trigger: str,
    user=None,
    period_end: date | None = None,
):
    """Queue a run for the month of `period_start`, or every month up to that of `period_end`
    (the task executes it after commit)."""
    start = month_bounds(period_start)[0]
    end = month_bounds(period_end or period_start)[1]
    run = GapAnalysisRun(
        organisation=organisation,
        period_start=start,
        period_end=end,
        trigger=trigger,
        requested_by=user,
    )
    run.full_clean()
    run.save()
    enqueue_on_commit(
        "kto.gaps.tasks.task_run_gap_analysis",
        kwargs={"organisation_id": organisation.pk, "run_id": run.pk},
    )
    return run


def gap_analysis_execute(*, run: GapAnalysisRun) -> GapAnalysisRun:
    """Classify every (contract, dimension) of the run's organisation for each month of the
    run's period. Reads in bulk; recomputes and writes only cells whose inputs changed."""
    GapAnalysisRun.objects.filter(pk=run.pk).update(
        status=GapAnalysisRun.Status.RUNNING, started_at=timezone.now()
    )
    try:
        with transaction.atomic():
            # Serialise runs of one organisation: the second waits and then updates in place.
            organisation = Organisation.objects.select_for_update().get(pk=run.organisation_id)
            periods = months_between(run.period_start, run.period_end)
            access = system_access(organisation)
            contract_ids = list(
                contract_selectors.contract_list(access=access).values_list("pk", flat=True)
            )
            counts = {flag.value: 0 for flag in Flag}
            if contract_ids:
                engine = GapEngine(
                    organisation=organisation, contract_ids=contract_ids, periods=periods
                )
                # Context beside the two states: what users complained about in each month.
                complaints = complaint_selectors.complaint_counts_by_month(
                    organisation=organisation,
                    contract_ids=contract_ids,
                    since=periods[0][0],
                    until=periods[-1][1],
                )
                changes = classify_changed(
                    run=run, engine=engine, contract_ids=contract_ids, complaints=complaints
                )
                _store(changes)
                counts = changes.counts
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
