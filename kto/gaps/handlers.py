"""The gap analysis reacts to other apps: new figures start a run; audits ask for impact."""

from datetime import date

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
    """Gap flags of the contracts behind these services, as end-user impact for audits."""
    access = system_access(organisation)
    contract_ids = sorted(
        {
            s.contract_id
            for s in contract_selectors.service_list(access=access)
            if s.pk in service_ids
        }
    )
    flags = list(
        GapFlag.objects.filter(
            organisation=organisation,
            contract_id__in=contract_ids,
            period_start__gte=month_bounds(since)[0],
            period_start__lte=until,
            flag__in=list(FLAG_SEVERITY),
        )
    )
    if not flags:
        return []
    worst = max(flags, key=lambda f: FLAG_SEVERITY[f.flag])
    return [
        ImpactFigure(
            source="kto",
            label=_("Gap flags (watermelon, both red, watch) in the period"),
            value=len(flags),
            unit="",
            severity=FLAG_SEVERITY[worst.flag],
        )
    ]
