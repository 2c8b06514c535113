"""The gap analysis reacts to other apps: new figures start a run; audits ask for impact."""

from collections import defaultdict
from datetime import date

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts import selectors as contract_selectors
from governance.platform.access import system_access, tenant_scope
from governance.platform.impact import ImpactFigure
from governance.platform.models import Organisation
from kto.gaps.engine import latest_closed_period, month_bounds
from kto.gaps.models import GapAnalysisRun, GapFlag
from kto.gaps.rules import Flag
from kto.gaps.services import gap_run_create

# How much a flag weighs as end-user impact (0–1) when an audit ranks its findings.
FLAG_SEVERITY = {Flag.BOTH_RED: 1.0, Flag.WATERMELON: 0.9, Flag.WATCH: 0.5}


def _start_run(organisation_id: int, first: date, last: date, trigger: str) -> None:
    organisation = Organisation.objects.get(pk=organisation_id)
    with tenant_scope(system_access(organisation)):
        gap_run_create(
            organisation=organisation, period_start=first, period_end=last, trigger=trigger
        )


def on_sla_report_accepted(*, organisation_id: int, period_start: date, **_payload) -> None:
    _start_run(organisation_id, period_start, period_start, GapAnalysisRun.Trigger.REPORT_ACCEPTED)


def on_survey_closed(
    *, organisation_id: int, period_start: date, period_end: date | None = None, **_payload
) -> None:
    """One run over every closed month the survey covers."""
    last = min(
        month_bounds(period_end or period_start)[0],
        latest_closed_period(timezone.localdate())[0],
    )
    if month_bounds(period_start)[0] <= last:
        _start_run(organisation_id, period_start, last, GapAnalysisRun.Trigger.SURVEY_CLOSED)


def gap_impact(*, organisation, service_ids: list[int], since: date, until: date):
    """Gap flags of the contracts behind these services (see gap_impact_many)."""
    key = tuple(sorted(service_ids))
    return gap_impact_many(organisation=organisation, service_sets=[key], since=since, until=until)[
        key
    ]


def gap_impact_many(
    *, organisation, service_sets: list[tuple[int, ...]], since: date, until: date
) -> dict[tuple[int, ...], list[ImpactFigure]]:
    """Gap flags of the contracts behind each set of services, as end-user impact for audits:
    two queries for any number of sets (the services' contracts, the flags counted per
    contract and kind)."""
    access = system_access(organisation)
    wanted = sorted({pk for ids in service_sets for pk in ids})
    contract_of = dict(
        contract_selectors.service_list(access=access)
        .filter(pk__in=wanted)
        .values_list("pk", "contract_id")
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for contract_id, flag, n in (
        GapFlag.objects.filter(
            organisation=organisation,
            contract_id__in=sorted(set(contract_of.values())),
            period_start__gte=month_bounds(since)[0],
            period_start__lte=until,
            flag__in=list(FLAG_SEVERITY),
        )
        .values_list("contract_id", "flag")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[contract_id][flag] = n
    answers = {}
    for ids in service_sets:
        per_flag: dict[str, int] = defaultdict(int)
        for contract_id in {contract_of[pk] for pk in ids if pk in contract_of}:
            for flag, n in counts.get(contract_id, {}).items():
                per_flag[flag] += n
        if not per_flag:
            answers[ids] = []
            continue
        answers[ids] = [
            ImpactFigure(
                source="kto",
                label=_("Gap flags (watermelon, both red, watch) in the period"),
                value=sum(per_flag.values()),
                unit="",
                severity=max(FLAG_SEVERITY[flag] for flag in per_flag),
            )
        ]
    return answers
