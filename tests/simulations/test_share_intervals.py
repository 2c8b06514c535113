"""Shares get a proportion interval inside 0–100 %, and a comparison of runs that differ in
replications or horizon says so."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from governance.platform.access import system_access
from simulations import engine, reports, services
from simulations.templatetags.simfmt import ci_percent
from tests.simulations.helpers import QUICK_RUN, make_chain


def test_service_level_interval_is_wilson_with_the_effective_trials():
    # Replications at 90, 100 and 95 %: mean 0.95, variance of the mean 0.0025/3, so the
    # effective trials are 0.95·0.05/(0.0025/3) = 57 (fewer than the 300 contacts counted).
    # Wilson at p = 0.95, n = 57: centre 0.92158, half-width 0.06170 → [0.85989, 0.98328].
    # (The t-interval across the three replications was 0.95 ± 0.1242: up to 107 %.)
    summary = engine._share_summary([0.90, 1.00, 0.95], 300)
    assert summary["mean"] == pytest.approx(0.95)
    assert summary["low"] == pytest.approx(0.85989, abs=1e-5)
    assert summary["high"] == pytest.approx(0.98328, abs=1e-5)


def test_share_of_exactly_one_uses_the_counted_contacts():
    # No spread: n = 200 contacts; Wilson at p = 1: [200/(200+3.8415), 1] = [0.98115, 1].
    summary = engine._share_summary([1.0, 1.0], 200)
    assert (summary["low"], summary["high"]) == (pytest.approx(0.98115, abs=1e-5), 1.0)


def test_stored_interval_past_100_percent_is_shown_clipped():
    with translation.override("nl"):
        assert ci_percent({"mean": 0.945, "low": 0.9, "high": 1.003}) == "94,5 % [90,0–100,0 %]"


def run(label, replications, horizon_hours, warmup_hours=0):
    results = {
        "replications": replications,
        "horizon_hours": horizon_hours,
        "warmup_hours": warmup_hours,
    }
    return SimpleNamespace(label=label, display_label=label, results=results)


def test_caveats_name_different_replications_and_horizons():
    with translation.override("en"):
        caveats = reports.comparison_caveats(
            [run("Current chain", 10, 336), run("Evening staff", 20, 672, 24)]
        )
        same = reports.comparison_caveats([run("A", 10, 336), run("B", 10, 336)])
    assert caveats == [
        "These runs have different numbers of replications (Current chain: 10, Evening staff: "
        "20), so their intervals are not equally precise.",
        "These runs simulate different horizons (Current chain: 2 weeks, Evening staff: 4 "
        "weeks): weekly figures are averages over different lengths of time.",
        "These runs discard different warm-up periods (Current chain: 0 h, Evening staff: 24 h).",
    ]
    assert same == []


@pytest.fixture
def alpha(world):
    return make_chain(world.alpha, world.alpha_contract)


def test_compare_page_warns_when_runs_differ(world, client_as, alpha):
    with scopes_disabled():
        longer = {**QUICK_RUN, "replications": 3}
        scenario_run = services.simulation_run_start(
            access=system_access(world.alpha),
            chain=alpha.chain,
            scenario=alpha.scenario,
            queue=False,
            **longer,
        )
        services.simulation_run_execute(run=scenario_run)
    body = (
        client_as(world.alice)
        .get(
            reverse("simulations:chain_compare", args=["alpha", alpha.chain.pk]),
            headers={"accept-language": "en"},
        )
        .content.decode()
    )
    assert 'data-testid="comparison-caveats"' in body
    assert "(Current chain: 2, One more: 3)" in body


def test_current_chain_run_started_in_dutch_reads_english(world, alpha):
    with scopes_disabled():
        run = alpha.chain.runs.filter(scenario__isnull=True).first()
        run.label = "Huidige keten"
        run.save(update_fields=["label"])
    with translation.override("en"):
        assert run.display_label == "Current chain"
    with translation.override("nl"):
        assert run.display_label == "Huidige keten"
