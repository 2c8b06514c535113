"""Demo gap analysis: the last closed months of every demo organisation, run synchronously."""

from datetime import date

from django.utils import timezone

from governance.platform.access import system_access, tenant_scope
from governance.platform.models import Organisation
from kto.gaps.engine import latest_closed_period, month_bounds, previous_month
from kto.gaps.models import GapAnalysisRun, GapReport
from kto.gaps.report import gap_report_pdf
from kto.gaps.services import gap_analysis_execute

MONTHS = 6


def seed(*, slugs=("zuidrand", "deltabank"), today: date | None = None) -> None:
    from contracts import selectors as contract_selectors

    today = today or timezone.localdate()
    for organisation in Organisation.objects.filter(slug__in=slugs):
        with tenant_scope(system_access(organisation)):
            last = latest_closed_period(today)[0]
            first = last
            for _month in range(MONTHS - 1):
                first = previous_month(first)[0]
            run, _created = GapAnalysisRun.objects.get_or_create(
                organisation=organisation,
                period_start=first,
                trigger=GapAnalysisRun.Trigger.COMMAND,
                defaults={"period_end": month_bounds(last)[1]},
            )
            run = gap_analysis_execute(run=run)
            if not GapReport.objects.filter(run=run).exists():
                access = system_access(organisation)
                pdf, pages = gap_report_pdf(
                    access=access,
                    contracts=list(contract_selectors.contract_list(access=access)),
                    period_start=run.last_month,
                    language=organisation.default_language,
                )
                GapReport.objects.create(organisation=organisation, run=run, pdf=pdf, pages=pages)
