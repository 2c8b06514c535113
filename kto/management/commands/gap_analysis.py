"""Run the gap analysis now, for operators: `manage.py gap_analysis --organisation zuidrand`."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from governance.platform.access import system_access, tenant_scope
from governance.platform.models import Organisation
from kto.gaps.engine import latest_closed_period, month_bounds
from kto.gaps.models import GapAnalysisRun
from kto.gaps.services import gap_analysis_execute


class Command(BaseCommand):
    help = "Run the gap analysis for one or every organisation and a month (default: last month)."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="slug; every organisation when omitted")
        parser.add_argument("--period", help="YYYY-MM; the last closed month when omitted")
        parser.add_argument("--until", help="YYYY-MM: every month from --period to this one")

    def handle(self, *args, organisation=None, period=None, until=None, **options):
        start = (
            self._month("--period", period)
            if period
            else latest_closed_period(timezone.localdate())[0]
        )
        end = month_bounds(self._month("--until", until) if until else start)[1]
        if end < start:
            raise CommandError("--until lies before --period.")
        organisations = Organisation.objects.all()
        if organisation:
            organisations = organisations.filter(slug=organisation)
            if not organisations.exists():
                raise CommandError(f"--organisation {organisation!r}: no such organisation.")
        for org in organisations:
            with tenant_scope(system_access(org)):
                run = GapAnalysisRun.objects.create(
                    organisation=org,
                    period_start=start,
                    period_end=end,
                    trigger=GapAnalysisRun.Trigger.COMMAND,
                )
                run = gap_analysis_execute(run=run)
            counts = ", ".join(f"{flag} {n}" for flag, n in run.counts.items() if n)
            months = f"{start:%Y-%m}" + (f"..{end:%Y-%m}" if until else "")
            self.stdout.write(f"{org.slug} {months}: {run.status} ({counts or 'no cells'})")

    @staticmethod
    def _month(option: str, value: str) -> date:
        try:
            return month_bounds(date.fromisoformat(f"{value}-01"))[0]
        except ValueError:
            raise CommandError(f"{option} {value!r}: use YYYY-MM.") from None
