"""The organisation's amber margin: the page, the API and the rule 0 ≤ margin < 1, the rerun a
change starts, and its effect on the SLA state of a run."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from kto.gaps.models import GapAnalysisRun, GapSettings
from kto.gaps.rules import SlaState
from tests.kto.test_gap_engine import NOVEMBER, UNHAPPY, FakeLevel, figures, flags_of, run_gap
from tests.kto.test_gap_settings import flag, queued

__all__ = ["figures", "queued"]


def page_url(org="alpha") -> str:
    return reverse("kto_gap:amber_margin", kwargs={"org_slug": org})


def settings_url(org="alpha") -> str:
    return reverse("kto_gap:settings", kwargs={"org_slug": org})


def api_url(org="alpha") -> str:
    return reverse("api:gap-settings", kwargs={"org_slug": org})


def stored(organisation):
    with scopes_disabled():
        return list(
            GapSettings.objects.filter(organisation=organisation).values_list(
                "amber_margin", flat=True
            )
        )


def test_the_default_is_zero_and_shown_on_the_settings_page(world, client_as):
    client = client_as(world.alice)
    body = client.get(settings_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page_url() in body and 'name="amber_margin"' in body
    assert client.get(api_url()).json() == {"amber_margin": "0.0000"}


def test_manager_sets_the_margin_and_a_change_reruns_flagged_months(
    world, client_as, queued, django_capture_on_commit_callbacks
):
    flag(world, world.alpha_contract, NOVEMBER)
    client = client_as(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url(), {"amber_margin": "0.02"})
    assert response.status_code == 302 and response["Location"] == settings_url()
    assert stored(world.alpha) == [Decimal("0.0200")]
    assert len(queued) == 1
    with scopes_disabled():
        assert GapAnalysisRun.objects.get().trigger == GapAnalysisRun.Trigger.THRESHOLDS_CHANGED
    # Saved unchanged: nothing to rerun.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_url(), {"amber_margin": "0.02"})
    assert len(queued) == 1


@pytest.mark.parametrize("value", ["1", "-0.01", "1.5"])
def test_a_margin_outside_0_to_1_is_refused_everywhere(world, client_as, value):
    client = client_as(world.alice)
    response = client.post(page_url(), {"amber_margin": value})
    assert response.status_code == 400
    answer = client.put(api_url(), {"amber_margin": value}, content_type="application/json")
    assert answer.status_code == 400 and "amber_margin" in answer.json()
    assert stored(world.alpha) == []


def test_api_manager_changes_viewer_reads_supplier_404(world, client_as):
    answer = client_as(world.alice).patch(
        api_url(), {"amber_margin": "0.015"}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json() == {"amber_margin": "0.0150"}
    viewer = client_as(world.victor)
    assert viewer.get(api_url()).json() == {"amber_margin": "0.0150"}
    assert viewer.post(page_url(), {"amber_margin": "0"}).status_code == 403
    put = viewer.put(api_url(), {"amber_margin": "0"}, content_type="application/json")
    assert put.status_code == 403
    for actor in (world.bob, world.charlie):
        assert client_as(actor).get(api_url()).status_code == 404
        assert client_as(actor).post(page_url(), {"amber_margin": "0"}).status_code == 404
    assert stored(world.alpha) == [Decimal("0.0150")]


def test_the_margin_applies_to_a_run(world, figures):
    # Met by 1.05 %: green by default, amber under a margin of 2 %.
    narrow = [FakeLevel("SD-01", Decimal("95"), Decimal("96"))]
    figures[(world.alpha_contract.pk, NOVEMBER)] = (
        {"responsiveness": narrow},
        {"responsiveness": UNHAPPY},
    )
    run_gap(world.alpha, NOVEMBER)
    assert flags_of(world.alpha_contract, NOVEMBER)["responsiveness"].sla_state == SlaState.GREEN
    with scopes_disabled():
        GapSettings.objects.create(organisation=world.alpha, amber_margin=Decimal("0.02"))
    run_gap(world.alpha, NOVEMBER)  # the margin is part of the cell's inputs: recomputed
    assert flags_of(world.alpha_contract, NOVEMBER)["responsiveness"].sla_state == SlaState.AMBER
