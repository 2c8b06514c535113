"""Chains feed the contract's service levels: predicted attainment against the target in force."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from contracts.models import ServiceLevel
from governance.platform.access import system_access
from simulations import levels, services
from simulations.models import SimulationRun
from tests.simulations.helpers import QUICK_RUN, make_chain


def url(name, org, *args):
    return reverse(f"simulations:{name}", args=[org.slug, *args])


@pytest.fixture
def linked(world):
    """Alpha's chain; SD-ANSWER was 80 % until a month ago and is 90 % since (an amendment)."""
    alpha = make_chain(world.alpha, world.alpha_contract, run=False)
    amended = timezone.localdate() - timedelta(days=30)
    with scopes_disabled():
        common = {
            "organisation": world.alpha,
            "contract": world.alpha_contract,
            "code": "SD-ANSWER",
            "name": "Answered within 20 s",
            "metric_kind": "percentage",
            "unit": "%",
            "direction": "higher",
        }
        ServiceLevel.objects.create(
            **common, target=80, valid_from=date(2020, 1, 1), valid_to=amended - timedelta(days=1)
        )
        ServiceLevel.objects.create(**common, target=90, valid_from=amended)
        ServiceLevel.objects.create(
            organisation=world.alpha,
            contract=world.alpha_contract,
            code="SD-WAIT",
            name="Mean wait",
            metric_kind="duration",
            unit="min",
            direction="lower",
            target="0.5",
            valid_from=date(2020, 1, 1),
        )
    alpha.amended = amended
    return alpha


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("Answered within 20 s", 20),
        ("Gesprekken binnen 30 seconden aangenomen", 30),
        ("Picked up within 2 min", 120),
        ("P2 resolved within 4 h", 14400),
        ("Binnen 1,5 uur opgelost", 5400),
        ("First-time fix", None),
    ],
)
def test_seconds_named_in_a_level(text, seconds):
    assert levels.seconds_named(text) == seconds


def test_verdict_uses_the_confidence_interval():
    summary = {"mean": 85.0, "low": 83.0, "high": 87.0}
    assert levels.verdict(summary, 80, higher_is_better=True) == "met"
    assert levels.verdict(summary, 90, higher_is_better=True) == "missed"
    assert levels.verdict(summary, 86, higher_is_better=True) == "uncertain"
    assert levels.verdict(summary, 90, higher_is_better=False) == "met"
    assert levels.verdict(summary, 80, higher_is_better=False) == "missed"
    assert levels.verdict({"mean": None}, 80, higher_is_better=True) is None


def _fake_run(chain, desk_key, codes):
    """A finished run's model and results, hand-made: 85 % [83–87] within 20 s, mean wait 24 s
    [20–33]."""
    step = {
        "key": desk_key,
        "name": "Desk",
        "service_level": {"mean": 0.85, "low": 0.83, "high": 0.87},
        "within": 20,
        "mean_wait": {"mean": 24.0, "low": 20.0, "high": 33.0},
    }
    return SimulationRun(
        organisation=chain.organisation,
        chain=chain,
        label="Current chain",
        status=SimulationRun.Status.SUCCEEDED,
        model={"steps": [{"key": desk_key, "service_level_code": code} for code in codes]},
        results={"steps": [step]},
    )


def test_prediction_against_the_version_in_force(linked):
    with scopes_disabled():
        run = _fake_run(linked.chain, "d", ["SD-ANSWER"])
        before = levels.predictions(run, day=linked.amended - timedelta(days=1))
        now = levels.predictions(run)
    assert [(p.level.target, p.state) for p in before] == [(80, "met")]
    assert [(p.level.target, p.state) for p in now] == [(90, "missed")]
    assert now[0].predicted == {"mean": 85.0, "low": 83.0, "high": 87.0}
    assert now[0].predicted_text == "85.0 % [83.0–87.0]"
    assert now[0].target_text == "90.0 %"


def test_duration_level_compares_the_mean_wait_in_its_unit(linked):
    with scopes_disabled():
        (prediction,) = levels.predictions(_fake_run(linked.chain, "d", ["SD-WAIT"]))
    # 24 s [20–33] is 0.4 min [0.333–0.55] against at most 0.5 min: the interval straddles it.
    assert prediction.predicted["mean"] == pytest.approx(0.4)
    assert prediction.predicted["high"] == pytest.approx(0.55)
    assert prediction.state == "uncertain"
    assert prediction.measure == "mean_wait"


def test_run_snapshot_takes_time_from_the_name_and_share_from_the_level(linked):
    with scopes_disabled():
        desk = services.step_update(
            step=linked.desk, service_level_code="SD-ANSWER", target_wait_seconds=None
        )
        snapshot = services.chain_snapshot(chain=linked.chain)
    row = snapshot["steps"][0]
    assert row["service_level_code"] == "SD-ANSWER"
    assert row["target_wait"] == 20  # from "Answered within 20 s"
    assert row["target_share"] == 0.9  # the version in force replaces the step's free 80 %
    assert desk.target_share == 80


def test_unknown_code_is_refused(linked):
    with scopes_disabled(), pytest.raises(ValidationError) as error:
        services.step_update(step=linked.desk, service_level_code="NOPE")
    assert "no service level with code NOPE" in str(error.value)


def test_manager_links_a_step_and_the_run_shows_the_level(world, client_as, linked):
    client = client_as(world.alice)
    form = client.get(url("step_edit", world.alpha, linked.desk.pk)).context["form"]
    assert ("SD-ANSWER", "SD-ANSWER · Answered within 20 s") in form.fields[
        "service_level_code"
    ].choices
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data.update(service_level_code="SD-ANSWER", escalate_0="0")
    data[f"escalate_{linked.second.pk}"] = "0.2"
    response = client.post(url("step_edit", world.alpha, linked.desk.pk), data)
    assert response.status_code == 302, response.context["form"].errors
    page = client.get(url("chain_detail", world.alpha, linked.chain.pk)).content.decode()
    assert "SD-ANSWER: 90" in page
    with scopes_disabled():
        run = services.simulation_run_execute(
            run=services.simulation_run_start(
                access=system_access(world.alpha), chain=linked.chain, queue=False, **QUICK_RUN
            )
        )
        headline = run.headline()
    body = client.get(url("run_detail", world.alpha, run.pk)).content.decode()
    assert 'data-testid="level-predictions"' in body
    assert (
        "SD-ANSWER"
        in client.get(url("chain_compare", world.alpha, linked.chain.pk)).content.decode()
    )
    assert "SD-ANSWER (Desk): " in headline and "against 90.0 % in force" in headline
