"""A flag shows the survey waves it rests on, with their n, on its page and in the API."""

from django.urls import reverse

from kto.gaps.rules import Flag
from tests.kto.test_gap_engine import (
    GREEN,
    NOVEMBER,
    OCTOBER,
    UNHAPPY,
    figures,
    flags_of,
    run_gap,
)

__all__ = ["figures"]


def test_the_flag_page_and_api_show_its_waves(world, figures, client_as):
    key = world.alpha_contract.pk
    for survey, period in ((11, OCTOBER), (12, NOVEMBER)):
        figures[(key, period)] = ({"responsiveness": GREEN}, {"responsiveness": UNHAPPY})
        figures.waves[(key, period)] = survey
    run_gap(world.alpha, OCTOBER, until=NOVEMBER)
    flag = flags_of(world.alpha_contract, NOVEMBER)["responsiveness"]
    assert (flag.flag, flag.confirmed) == (Flag.WATERMELON, True)
    client = client_as(world.alice)
    page = client.get(
        reverse("kto_gap:flag", kwargs={"org_slug": "alpha", "pk": flag.pk}),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert 'data-testid="waves"' in page
    assert '<tr data-survey="12"><td>KTO 12</td><td>1 Nov 2026 – 30 Nov 2026</td>' in page
    assert '<td class="num">60</td>' in page
    assert "Weighted SLA attainment: 100 %" in page
    answer = client.get(
        reverse("api:gap-flag-detail", kwargs={"org_slug": "alpha", "pk": flag.pk})
    ).json()
    assert answer["waves"] == [
        {
            "survey": 12,
            "title": "KTO 12",
            "period_start": "2026-11-01",
            "period_end": "2026-11-30",
            "n": 60,
        }
    ]
    assert answer["sla_attainment"] == 1.0 and answer["confirmed"] is True
