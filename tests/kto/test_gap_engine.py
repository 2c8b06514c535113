"""The gap engine and its storage, with the contracts and KTO selectors replaced by figures
chosen per test (the selectors have their own tests)."""

import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from governance.platform.access import system_access, tenant_scope
from kto.gaps import engine, services
from kto.gaps.models import GapAnalysisRun, GapFlag, GapReport, GapThreshold
from kto.gaps.rules import Flag

OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)


@dataclass(frozen=True)
class FakeLevel:
    code: str
    target: Decimal
    actual: Decimal | None
    direction: str = "higher"
    # None: judged from target and figure alone (met or missed), as without a breach threshold.
    state: str | None = None
    weight: Decimal = Decimal("1.00")


@dataclass(frozen=True)
class FakePerception:
    n: int
    mean: float
    sd: float
    ci_low: float
    ci_high: float
    target: float | None = 3.5


GREEN = [FakeLevel("SD-01", Decimal("90"), Decimal("95"))]
RED = [FakeLevel("SD-01", Decimal("90"), Decimal("80"))]
UNHAPPY = FakePerception(n=60, mean=2.95, sd=0.89, ci_low=2.72, ci_high=3.18)
HAPPY = FakePerception(n=60, mean=4.22, sd=0.70, ci_low=4.05, ci_high=4.40)


class Table(dict):
    def __init__(self):
        super().__init__()
        self.waves = {}


@pytest.fixture
def figures(monkeypatch):
    """`figures[(contract_pk, period_start)] = (levels by dimension, perception by dimension)`;
    `figures.waves[(contract_pk, period_start)] = survey id` reuses a survey over months."""
    table = Table()
    waves = table.waves

    class Sla:
        """The figures chosen per test; their repr is the signature a rerun compares."""

        def signature_text(self, contract_id, start):
            return repr(table.get((contract_id, start), ({}, {}))[0])

        def results(self, keys):
            return {key: table.get(key, ({}, {}))[0] for key in keys}

    class Perceptions:
        """Each month stands for one survey period; drift compares with the month before."""

        def cell(self, contract_id, dimension, start, end):
            return table.get((contract_id, start), ({}, {}))[1].get(dimension)

        def previous(self, contract_id, dimension, start, end):
            if self.cell(contract_id, dimension, start, end) is None:
                return None
            earlier = sorted(
                (month, figures[1][dimension])
                for (pk, month), figures in table.items()
                if pk == contract_id and month < start and dimension in figures[1]
            )
            return earlier[-1][1] if earlier else None

        def month_cell_and_previous(self, contract_id, dimension, month):
            cell = (contract_id, dimension, month, None)
            return self.cell(*cell), self.previous(*cell)

        def month_waves(self, contract_id, dimension, month):
            """One wave of its own per month, unless `waves` names the survey for it."""
            found = self.cell(contract_id, dimension, month, None)
            if found is None:
                return []
            survey = waves.get((contract_id, month), month.toordinal())
            return [
                {
                    "survey": survey,
                    "title": f"KTO {survey}",
                    "period_start": month.isoformat(),
                    "period_end": engine.month_bounds(month)[1].isoformat(),
                    "n": found.n,
                }
            ]

    monkeypatch.setattr(engine.contract_selectors, "sla_figures", lambda **_: Sla())
    monkeypatch.setattr(engine.kto_selectors, "perception_table", lambda **_: Perceptions())
    return table


def run_gap(org, period, until=None):
    with tenant_scope(system_access(org)):
        run = GapAnalysisRun.objects.create(
            organisation=org,
            period_start=period,
            period_end=engine.month_bounds(until or period)[1],
            trigger=GapAnalysisRun.Trigger.COMMAND,
        )
        return services.gap_analysis_execute(run=run)


def flags_of(contract, period):
    with scopes_disabled():
        return {
            f.dimension: f for f in GapFlag.objects.filter(contract=contract, period_start=period)
        }


def test_run_classifies_every_dimension_of_every_contract(world, figures):
    figures[(world.alpha_contract.pk, NOVEMBER)] = (
        {"responsiveness": GREEN, "reliability": RED},
        {"responsiveness": UNHAPPY, "reliability": HAPPY},
    )
    run = run_gap(world.alpha, NOVEMBER)
    assert run.status == GapAnalysisRun.Status.SUCCEEDED
    flags = flags_of(world.alpha_contract, NOVEMBER)
    assert {d: f.flag for d, f in flags.items()} == {
        "responsiveness": Flag.WATERMELON,
        "reliability": Flag.HIDDEN_SUCCESS,
        "assurance": Flag.INSUFFICIENT_DATA,
        "empathy": Flag.INSUFFICIENT_DATA,
        "tangibles": Flag.INSUFFICIENT_DATA,
    }
    assert run.counts["watermelon"] == 1 and run.counts["insufficient_data"] == 3
    watermelon = flags["responsiveness"]
    assert (watermelon.n, watermelon.mean, round(watermelon.ci_high, 2), watermelon.target) == (
        60,
        2.95,
        3.18,
        3.5,
    )
    # The month's family is the two cells with answers: q = min(2·p/1, 2·p(2)/2) = 2·p.
    assert watermelon.p_value < 1e-5
    assert watermelon.q_value == pytest.approx(2 * watermelon.p_value)
    assert flags["reliability"].p_value > 0.99 and flags["assurance"].p_value is None
    assert "2.95" in watermelon.reason_en and "2,95" in watermelon.reason_nl
    assert watermelon.levels == [
        {
            "code": "SD-01",
            "target": 90.0,
            "actual": 95.0,
            "margin": 5 / 90,
            "state": "met",
            "weight": 1.0,
        }
    ]


def test_rerun_updates_in_place(world, figures):
    key = (world.alpha_contract.pk, NOVEMBER)
    figures[key] = ({"responsiveness": GREEN}, {"responsiveness": UNHAPPY})
    run_gap(world.alpha, NOVEMBER)
    first = flags_of(world.alpha_contract, NOVEMBER)["responsiveness"]
    run_gap(world.alpha, NOVEMBER)
    with scopes_disabled():
        assert GapFlag.objects.count() == 5
    figures[key] = ({"responsiveness": GREEN}, {"responsiveness": HAPPY})
    run_gap(world.alpha, NOVEMBER)
    again = flags_of(world.alpha_contract, NOVEMBER)["responsiveness"]
    assert (again.pk, again.flag) == (first.pk, Flag.ALIGNED)


def test_only_the_runs_organisation_is_touched(world, figures):
    run_gap(world.alpha, NOVEMBER)
    with scopes_disabled():
        assert set(GapFlag.objects.values_list("organisation__slug", flat=True)) == {"alpha"}
        assert GapFlag.objects.count() == 5


def test_watermelon_is_confirmed_in_the_second_consecutive_period(world, figures):
    for period in (OCTOBER, NOVEMBER):
        figures[(world.alpha_contract.pk, period)] = (
            {"responsiveness": GREEN},
            {"responsiveness": UNHAPPY},
        )
    run_gap(world.alpha, OCTOBER)
    assert flags_of(world.alpha_contract, OCTOBER)["responsiveness"].confirmed is False
    run_gap(world.alpha, NOVEMBER)
    november = flags_of(world.alpha_contract, NOVEMBER)["responsiveness"]
    assert (november.confirmed, november.first_period_start) == (True, OCTOBER)


def test_a_quarterly_survey_reused_over_two_months_does_not_confirm(world, figures):
    key = world.alpha_contract.pk
    for period in (OCTOBER, NOVEMBER):
        figures[(key, period)] = ({"responsiveness": GREEN}, {"responsiveness": UNHAPPY})
        figures.waves[(key, period)] = 4  # one survey covers the quarter: the same n = 60
    run_gap(world.alpha, OCTOBER)
    run_gap(world.alpha, NOVEMBER)
    november = flags_of(world.alpha_contract, NOVEMBER)["responsiveness"]
    assert (november.flag, november.confirmed) == (Flag.WATERMELON, False)
    assert november.waves == [
        {
            "survey": 4,
            "title": "KTO 4",
            "period_start": "2026-11-01",
            "period_end": "2026-11-30",
            "n": 60,
        }
    ]


def test_two_independent_waves_confirm_and_the_flag_shows_them(world, figures):
    key = world.alpha_contract.pk
    for survey, period in ((11, OCTOBER), (12, NOVEMBER)):
        figures[(key, period)] = ({"responsiveness": GREEN}, {"responsiveness": UNHAPPY})
        figures.waves[(key, period)] = survey
    run_gap(world.alpha, OCTOBER)
    run_gap(world.alpha, NOVEMBER)
    october = flags_of(world.alpha_contract, OCTOBER)["responsiveness"]
    november = flags_of(world.alpha_contract, NOVEMBER)["responsiveness"]
    assert (october.confirmed, november.confirmed) == (False, True)
    assert [(w["survey"], w["title"], w["n"]) for w in october.waves] == [(11, "KTO 11", 60)]
    assert [(w["survey"], w["title"], w["n"]) for w in november.waves] == [(12, "KTO 12", 60)]
    # October's sample turns out to be November's survey: the rerun takes the confirmation back.
    figures.waves[(key, OCTOBER)] = 12
    run_gap(world.alpha, OCTOBER, until=NOVEMBER)
    november = flags_of(world.alpha_contract, NOVEMBER)["responsiveness"]
    assert (november.confirmed, november.first_period_start) == (False, OCTOBER)


def test_drift_is_stored(world, figures):
    figures[(world.alpha_contract.pk, OCTOBER)] = ({}, {"responsiveness": HAPPY})
    figures[(world.alpha_contract.pk, NOVEMBER)] = ({}, {"responsiveness": UNHAPPY})
    run_gap(world.alpha, NOVEMBER)
    assert flags_of(world.alpha_contract, NOVEMBER)["responsiveness"].drift == "deteriorating"


def test_contract_threshold_overrides_the_organisation_default(world, figures):
    figures[(world.alpha_contract.pk, NOVEMBER)] = (
        {"responsiveness": GREEN},
        {"responsiveness": UNHAPPY},
    )
    with scopes_disabled():
        GapThreshold.objects.create(organisation=world.alpha, target=Decimal("2.5"))
        GapThreshold.objects.create(
            organisation=world.alpha,
            contract=world.alpha_contract,
            dimension="responsiveness",
            target=Decimal("3.5"),
            delta=Decimal("0.6"),
        )
    run_gap(world.alpha, NOVEMBER)
    flag = flags_of(world.alpha_contract, NOVEMBER)["responsiveness"]
    assert (flag.flag, flag.target, flag.delta) == (Flag.WATCH, 3.5, 0.6)


# Alone p = 0.038: a watermelon only while the month has other evidence of shortfall.
BORDERLINE = FakePerception(n=60, mean=3.29, sd=0.9, ci_low=3.06, ci_high=3.52)


def test_a_change_in_one_cell_that_flips_another_cells_correction_rewrites_it(world, figures):
    key = (world.alpha_contract.pk, NOVEMBER)
    levels = {"responsiveness": GREEN, "reliability": GREEN}
    # Two judged cells: p = 0.038 and p < 0.00001; BH at 0.05 rejects both (0.038 ≤ 2·0.05/2).
    figures[key] = (levels, {"responsiveness": BORDERLINE, "reliability": UNHAPPY})
    first = run_gap(world.alpha, NOVEMBER)
    before = flags_of(world.alpha_contract, NOVEMBER)["responsiveness"]
    assert (before.flag, before.q_value) == (Flag.WATERMELON, pytest.approx(before.p_value))
    # Reliability's users turn content: the borderline cell's own figures stay as they were,
    # but its q becomes 2 · 0.038 = 0.076, over 0.05, and p > 0.01: no longer a flag.
    figures[key] = (levels, {"responsiveness": BORDERLINE, "reliability": HAPPY})
    second = run_gap(world.alpha, NOVEMBER)
    after = flags_of(world.alpha_contract, NOVEMBER)["responsiveness"]
    assert (after.pk, after.run_id, after.flag) == (before.pk, second.pk, Flag.ALIGNED)
    assert (after.p_value, after.q_value) == (before.p_value, pytest.approx(2 * before.p_value))
    assert after.perception_state == "inconclusive"
    # Back again: rewritten again, and a rerun without change writes nothing.
    figures[key] = (levels, {"responsiveness": BORDERLINE, "reliability": UNHAPPY})
    third = run_gap(world.alpha, NOVEMBER)
    written = {d: f.run_id for d, f in flags_of(world.alpha_contract, NOVEMBER).items()}
    assert (written["responsiveness"], written["reliability"]) == (third.pk, third.pk)
    assert written["tangibles"] == first.pk  # no answers: its inputs never changed
    run_gap(world.alpha, NOVEMBER)
    assert {d: f.run_id for d, f in flags_of(world.alpha_contract, NOVEMBER).items()} == written


def test_a_month_is_judged_apart_from_the_months_around_it(world, figures):
    # October's strong shortfall does not lend November's borderline cell its evidence.
    figures[(world.alpha_contract.pk, OCTOBER)] = (
        {"reliability": GREEN},
        {"reliability": UNHAPPY},
    )
    figures[(world.alpha_contract.pk, NOVEMBER)] = (
        {"responsiveness": GREEN},
        {"responsiveness": BORDERLINE},
    )
    with tenant_scope(system_access(world.alpha)):
        run = GapAnalysisRun.objects.create(
            organisation=world.alpha,
            period_start=OCTOBER,
            period_end=date(2026, 11, 30),
            trigger=GapAnalysisRun.Trigger.COMMAND,
        )
        services.gap_analysis_execute(run=run)
    november = flags_of(world.alpha_contract, NOVEMBER)["responsiveness"]
    # Alone in its month: q = p = 0.038, a watermelon by itself.
    assert (november.q_value, november.flag) == (november.p_value, Flag.WATERMELON)
    assert flags_of(world.alpha_contract, OCTOBER)["reliability"].q_value == pytest.approx(
        flags_of(world.alpha_contract, OCTOBER)["reliability"].p_value
    )


def test_failed_run_records_the_error(world, figures, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("selector exploded")

    monkeypatch.setattr(engine.contract_selectors, "sla_figures", broken)
    with pytest.raises(RuntimeError):
        run_gap(world.alpha, NOVEMBER)
    with scopes_disabled():
        run = GapAnalysisRun.objects.get()
        assert (run.status, run.error) == ("failed", "RuntimeError: selector exploded")
        assert GapFlag.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_end_with_one_result(world, figures):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with row locks and concurrent connections")
    figures[(world.alpha_contract.pk, NOVEMBER)] = (
        {"responsiveness": GREEN},
        {"responsiveness": UNHAPPY},
    )
    errors = []

    def one_run():
        try:
            run_gap(world.alpha, NOVEMBER)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with scopes_disabled():
        assert GapFlag.objects.filter(organisation=world.alpha).count() == 5
        assert GapAnalysisRun.objects.filter(status="succeeded").count() == 3


def gap_route_samples(world) -> dict:
    """A flag on Alpha's Northwind contract and an Alpha run, for the route walk."""
    with scopes_disabled():
        run = GapAnalysisRun.objects.create(
            organisation=world.alpha,
            period_start=OCTOBER,
            period_end=date(2026, 10, 31),
            trigger=GapAnalysisRun.Trigger.COMMAND,
            status=GapAnalysisRun.Status.SUCCEEDED,
            counts={"watermelon": 1},
        )
        flag = GapFlag.objects.create(
            organisation=world.alpha,
            contract=world.alpha_contract,
            dimension="responsiveness",
            period_start=OCTOBER,
            period_end=date(2026, 10, 31),
            flag=Flag.WATERMELON,
            sla_state="green",
            perception_state="below",
            n=60,
            mean=2.95,
            ci_low=2.72,
            ci_high=3.18,
            target=3.5,
            delta=0.1,
            k=5,
            first_period_start=OCTOBER,
            reason_en="Watermelon.",
            reason_nl="Watermeloen.",
            run=run,
        )
        GapReport.objects.create(organisation=world.alpha, run=run, pdf=b"%PDF-1.7", pages=1)
    return {"gap_flag": flag, "gap_run": run}


def test_complaint_volume_is_stored_as_context(world, figures, monkeypatch):
    seen = []

    def counts(*, organisation, contract_ids, since, until):
        seen.append((organisation, contract_ids, since, until))
        return {(world.alpha_contract.pk, NOVEMBER): 7}

    monkeypatch.setattr(services.complaint_selectors, "complaint_counts_by_month", counts)
    run_gap(world.alpha, NOVEMBER)
    assert seen == [(world.alpha, [world.alpha_contract.pk], NOVEMBER, date(2026, 11, 30))]
    assert {f.complaints for f in flags_of(world.alpha_contract, NOVEMBER).values()} == {7}
