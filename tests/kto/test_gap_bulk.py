"""The gap analysis on real selectors: a run over several months, drift against the previous
survey period, confirmation inside one run, and a rerun that writes nothing."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from contracts.models import Measurement, ServiceLevel, ServiceLevelDimension, SLAReport
from governance.platform.access import system_access, tenant_scope
from kto.gaps import engine, services
from kto.gaps.models import GapAnalysisRun, GapFlag, GapThreshold
from kto.gaps.rules import Drift, Flag
from kto.models import Rollup, StakeholderGroup, Survey
from kto.selectors import perception_table
from tests.kto.helpers import make_survey, raw_answers, submit

EU = StakeholderGroup.END_USERS
Q2 = (date(2026, 4, 1), date(2026, 6, 30))
Q3 = (date(2026, 7, 1), date(2026, 9, 30))
JULY, AUGUST, SEPTEMBER = date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)


def survey_for(world, period, scores, title):
    """A survey covering `period`, answered by end users with these Likert scores."""
    survey = make_survey(world.alpha, [world.alpha_contract], groups=[EU], title=title)
    with scopes_disabled():
        Survey.objects.filter(pk=survey.pk).update(period_start=period[0], period_end=period[1])
        survey.refresh_from_db()
    for score in scores:
        submit(survey, world.alpha_contract, EU, raw_answers(survey, likert=score))
    return survey


@pytest.fixture
def history(world):
    """Reliability reported green every month of Q3; users content in Q2, unhappy in Q3."""
    survey_for(world, Q2, [4, 5, 4, 5, 4, 4, 5, 4, 5, 4] * 2, "Q2")
    survey_for(world, Q3, [2, 3, 2, 2, 3, 2, 2, 3, 2, 2] * 2, "Q3")
    with scopes_disabled():
        level = ServiceLevel.objects.create(
            organisation=world.alpha,
            contract=world.alpha_contract,
            code="SD-01",
            name="Incidents resolved in time",
            metric_kind=ServiceLevel.MetricKind.PERCENTAGE,
            direction=ServiceLevel.Direction.HIGHER,
            target=Decimal("90"),
            valid_from=date(2026, 1, 1),
        )
        ServiceLevelDimension.objects.create(
            organisation=world.alpha, service_level=level, dimension="reliability"
        )
        for month in (JULY, AUGUST, SEPTEMBER):
            report = SLAReport.objects.create(
                organisation=world.alpha,
                contract=world.alpha_contract,
                period_start=month,
                period_end=engine.month_bounds(month)[1],
                status=SLAReport.Status.ACCEPTED,
                checksum=f"{month:%Y%m}",
            )
            Measurement.objects.create(
                organisation=world.alpha,
                report=report,
                service_level=level,
                value=Decimal("96"),
                state=Measurement.State.MET,
            )
    return world


def run_range(org, first, last):
    with tenant_scope(system_access(org)):
        run = GapAnalysisRun.objects.create(
            organisation=org,
            period_start=first,
            period_end=engine.month_bounds(last)[1],
            trigger=GapAnalysisRun.Trigger.COMMAND,
        )
        return services.gap_analysis_execute(run=run)


def reliability(world):
    with scopes_disabled():
        return {
            f.period_start: f
            for f in GapFlag.objects.filter(contract=world.alpha_contract, dimension="reliability")
        }


def test_drift_compares_with_the_previous_survey_period_not_the_previous_month(history):
    contract = history.alpha_contract.pk
    with tenant_scope(system_access(history.alpha)):
        table = perception_table(contract_ids=[contract], since=AUGUST, until=date(2026, 8, 31))
        august, before_august = table.cell_and_previous(
            contract, "reliability", AUGUST, date(2026, 8, 31)
        )
        july, before_july = table.cell_and_previous(
            contract, "reliability", JULY, date(2026, 7, 31)
        )
    # Q2 was not loaded for its overlap with August, but as the survey period before Q3.
    assert (august.n, before_august.n) == (20, 20)
    assert august.mean == pytest.approx(2.3)
    assert before_august.mean == pytest.approx(4.4)
    assert (july, before_july) == (august, before_august)
    # The engine's month index gives the same cells as the scan.
    assert table.month_cell_and_previous(contract, "reliability", AUGUST) == (
        august,
        before_august,
    )


def test_a_run_over_three_months_flags_confirms_and_tracks_first_seen(history):
    run = run_range(history.alpha, JULY, SEPTEMBER)
    assert run.status == GapAnalysisRun.Status.SUCCEEDED
    assert sum(run.counts.values()) == 3 * 5  # months × dimensions of the one contract
    flags = reliability(history)
    assert [flags[m].flag for m in (JULY, AUGUST, SEPTEMBER)] == [Flag.WATERMELON] * 3
    # One quarterly survey feeds all three months: the same 20 responses never confirm
    # themselves (before independent evidence was required: [False, True, True]).
    assert [flags[m].confirmed for m in (JULY, AUGUST, SEPTEMBER)] == [False, False, False]
    with scopes_disabled():
        q3 = Survey.objects.get(title="Q3")
    assert {m: flags[m].waves for m in flags} == {
        m: [
            {
                "survey": q3.pk,
                "title": "Q3",
                "period_start": "2026-07-01",
                "period_end": "2026-09-30",
                "n": 20,
            }
        ]
        for m in (JULY, AUGUST, SEPTEMBER)
    }
    assert {flags[m].first_period_start for m in flags} == {JULY}
    assert {flags[m].drift for m in flags} == {Drift.DETERIORATING}
    assert "2.30" in flags[AUGUST].reason_en and "2,30" in flags[AUGUST].reason_nl


def test_monthly_waves_confirm_a_watermelon_from_independent_samples(history):
    august = survey_for(history, (AUGUST, date(2026, 8, 31)), [2, 2, 3, 2, 1] * 3, "August")
    september = survey_for(
        history, (SEPTEMBER, date(2026, 9, 30)), [2, 3, 2, 2, 2] * 3, "September"
    )
    with scopes_disabled():
        q3 = Survey.objects.get(title="Q3")
    run_range(history.alpha, JULY, SEPTEMBER)
    flags = reliability(history)
    assert [flags[m].flag for m in (JULY, AUGUST, SEPTEMBER)] == [Flag.WATERMELON] * 3
    # August shares the quarterly wave with July; September shares it with August: each month
    # rests on a wave the month before rested on too, so nothing is confirmed yet.
    assert [(w["survey"], w["n"]) for w in flags[AUGUST].waves] == [
        (q3.pk, 20),
        (august.pk, 15),
    ]
    assert [flags[m].confirmed for m in (JULY, AUGUST, SEPTEMBER)] == [False, False, False]
    # Without the quarterly wave, August and September are two independent samples.
    with scopes_disabled():
        Rollup.objects.filter(survey=q3).delete()
    run_range(history.alpha, JULY, SEPTEMBER)
    flags = reliability(history)
    assert (flags[JULY].flag, flags[JULY].waves) == (Flag.INSUFFICIENT_DATA, [])
    assert [(w["survey"], w["title"], w["n"]) for w in flags[AUGUST].waves] == [
        (august.pk, "August", 15)
    ]
    assert [(w["survey"], w["title"], w["n"]) for w in flags[SEPTEMBER].waves] == [
        (september.pk, "September", 15)
    ]
    assert (flags[AUGUST].flag, flags[SEPTEMBER].flag) == (Flag.WATERMELON, Flag.WATERMELON)
    assert (flags[AUGUST].confirmed, flags[SEPTEMBER].confirmed) == (False, True)


def test_the_sla_state_is_the_contract_pages_judgement(history):
    """A near miss (worse than target, within the breach threshold) is amber, as the contract
    page calls it a near miss; below the breach threshold it is red."""
    with scopes_disabled():
        level = ServiceLevel.objects.get(code="SD-01")
        ServiceLevel.objects.filter(pk=level.pk).update(breach_threshold=Decimal("85"))
        level.refresh_from_db()
        for month, value in ((AUGUST, "88"), (SEPTEMBER, "80")):
            Measurement.objects.filter(report__period_start=month).update(
                value=Decimal(value), state=level.judge(Decimal(value))
            )
        stored = {
            m.report.period_start: m.state
            for m in Measurement.objects.select_related("report").filter(service_level=level)
        }
    run_range(history.alpha, JULY, SEPTEMBER)
    flags = reliability(history)
    assert stored == {
        JULY: Measurement.State.MET,
        AUGUST: Measurement.State.NEAR_MISS,
        SEPTEMBER: Measurement.State.MISSED,
    }
    tone = {"met": "green", "near_miss": "amber", "missed": "red"}
    assert {m: flags[m].sla_state for m in flags} == {m: tone[stored[m]] for m in stored}
    assert [flags[m].flag for m in (JULY, AUGUST, SEPTEMBER)] == [
        Flag.WATERMELON,
        Flag.WATERMELON,
        Flag.BOTH_RED,
    ]
    assert flags[AUGUST].levels[0]["state"] == "near_miss"
    assert (flags[JULY].sla_attainment, flags[AUGUST].sla_attainment) == (1.0, 0.0)


def test_a_rerun_over_unchanged_figures_writes_nothing(history):
    first = run_range(history.alpha, JULY, SEPTEMBER)
    before = {m: (f.run_id, f.updated_at) for m, f in reliability(history).items()}
    second = run_range(history.alpha, JULY, SEPTEMBER)
    assert second.counts == first.counts
    assert {m: (f.run_id, f.updated_at) for m, f in reliability(history).items()} == before
    with scopes_disabled():
        Measurement.objects.filter(report__period_start=AUGUST).update(
            value=Decimal("80"), state=Measurement.State.MISSED
        )
    run_range(history.alpha, JULY, SEPTEMBER)
    flags = reliability(history)
    assert flags[AUGUST].flag == Flag.BOTH_RED and flags[AUGUST].run_id != first.pk
    # September no longer follows a watermelon: it is not confirmed and first seen again.
    assert (flags[SEPTEMBER].confirmed, flags[SEPTEMBER].first_period_start) == (False, SEPTEMBER)
    assert flags[JULY].run_id == first.pk


def test_months_between_spans_year_ends():
    assert engine.months_between(date(2025, 11, 15), date(2026, 1, 3)) == [
        (date(2025, 11, 1), date(2025, 11, 30)),
        (date(2025, 12, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 31)),
    ]


def test_a_closed_survey_starts_one_run_over_its_closed_months(
    world, django_capture_on_commit_callbacks
):
    from kto.gaps.handlers import on_sla_report_accepted, on_survey_closed

    today = timezone.localdate()
    last_closed = engine.latest_closed_period(today)[0]
    first = engine.previous_month(engine.previous_month(last_closed)[0])[0]
    with django_capture_on_commit_callbacks():  # the task is queued after commit, not run here
        on_survey_closed(
            organisation_id=world.alpha.pk,
            period_start=first,
            period_end=today + timedelta(days=40),  # months not yet closed are left out
        )
        on_sla_report_accepted(organisation_id=world.alpha.pk, period_start=last_closed)
    with scopes_disabled():
        runs = list(GapAnalysisRun.objects.filter(organisation=world.alpha).order_by("pk"))
    assert [(r.trigger, r.period_start, r.period_end) for r in runs] == [
        (GapAnalysisRun.Trigger.SURVEY_CLOSED, first, engine.month_bounds(last_closed)[1]),
        (
            GapAnalysisRun.Trigger.REPORT_ACCEPTED,
            last_closed,
            engine.month_bounds(last_closed)[1],
        ),
    ]
    assert runs[0].period_label.count("–") == 1


def test_the_command_runs_a_range_of_months(history):
    out = StringIO()
    call_command(
        "gap_analysis", organisation="alpha", period="2026-07", until="2026-09", stdout=out
    )
    assert "alpha 2026-07..2026-09: succeeded" in out.getvalue()
    assert set(reliability(history)) == {JULY, AUGUST, SEPTEMBER}
    with pytest.raises(CommandError, match="--until"):
        call_command("gap_analysis", organisation="alpha", period="2026-07", until="2026-05")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("gap_analysis", organisation="alpha", period="July")


def test_a_new_threshold_or_new_answers_recompute_the_cells_they_touch(history):
    first = run_range(history.alpha, JULY, SEPTEMBER)
    with scopes_disabled():
        GapThreshold.objects.create(
            organisation=history.alpha,
            contract=history.alpha_contract,
            dimension="reliability",
            target=Decimal("2.0"),
        )
    second = run_range(history.alpha, JULY, SEPTEMBER)
    flags = reliability(history)
    # Users at 2.3 are above a target of 2.0: the report and the users agree now.
    assert {flags[m].flag for m in flags} == {Flag.ALIGNED}
    assert {flags[m].run_id for m in flags} == {second.pk}
    with scopes_disabled():
        untouched = GapFlag.objects.filter(contract=history.alpha_contract).exclude(
            dimension="reliability"
        )
        assert set(untouched.values_list("run_id", flat=True)) == {first.pk}
    with scopes_disabled():
        q3 = Survey.objects.get(title="Q3")
    for _ in range(5):
        submit(q3, history.alpha_contract, EU, raw_answers(q3, likert=1))
    third = run_range(history.alpha, JULY, SEPTEMBER)
    flags = reliability(history)
    assert {flags[m].run_id for m in flags} == {third.pk}
    assert {flags[m].n for m in flags} == {25}
