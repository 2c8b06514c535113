"""The gap matrix's badges and the gap-flag API written in Python: the same output as the
template and the serializer they replace, against hand-written values, and the API's queries
the same for one flag as for a page of many."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled
from rest_framework import serializers

from contracts.models import Contract
from kto.gaps.api import GapFlagSerializer
from kto.gaps.badges import FlagBadges
from kto.gaps.models import GapFlag
from kto.gaps.rules import Drift, Flag
from kto.gaps.selectors import gap_flag_list
from tests.kto.flags import make_flag
from tests.kto.helpers import english  # noqa: F401 - the fixture

ALPHA = SimpleNamespace(slug="alpha")


def _cell(pk=7, flag=Flag.WATERMELON, confirmed=False, drift=""):
    return GapFlag(pk=pk, flag=flag, confirmed=confirmed, drift=drift)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_badges_equal_the_included_template_for_every_flag_and_drift(language):
    cells = [None] + [
        _cell(pk=n, flag=flag, confirmed=confirmed, drift=drift)
        for n, (flag, confirmed, drift) in enumerate(
            (flag, confirmed, drift)
            for flag in Flag.values
            for confirmed in (False, True)
            for drift in ("", *Drift.values)
        )
    ]
    with translation.override(language):
        badge = FlagBadges("alpha")
        for cell in cells:
            expected = render_to_string(
                "kto/gap/_flag_badge.html", {"cell": cell, "organisation": ALPHA}
            )
            assert badge(cell) == expected, cell and (cell.flag, cell.confirmed, cell.drift)


def test_badges_against_hand_written_html():
    with translation.override("en"):
        badge = FlagBadges("alpha")
        confirmed = badge(_cell(pk=7, confirmed=True, drift=Drift.DETERIORATING))
        plain = badge(_cell(pk=8, flag=Flag.BOTH_RED, drift=Drift.STABLE))
        empty = badge(None)
    assert confirmed == (
        '<a href="/o/alpha/gaps/flags/7/" class="flag flag-watermelon"'
        ' title="Watermelon · confirmed">Watermelon ✓</a>'
        ' <small class="drift" title="Deteriorating">↘</small>\n'
    )
    assert plain == (
        '<a href="/o/alpha/gaps/flags/8/" class="flag flag-both_red" title="Both red">'
        "Both red</a>\n"
    )
    assert empty == '<span class="flag flag-none">–</span>\n'


@pytest.mark.usefixtures("english")
def test_the_matrix_page_writes_each_cell_as_the_template_would(world, client_as):
    for dimension, drift in (("responsiveness", Drift.IMPROVING), ("reliability", "")):
        make_flag(world, dimension=dimension, drift=drift, confirmed=dimension == "reliability")
    response = client_as(world.alice).get(
        reverse("kto_gap:matrix", kwargs={"org_slug": "alpha"}), {"period": "2026-10-01"}
    )
    body = response.content.decode()
    [row] = response.context["rows"]
    assert f'<a href="/o/alpha/gaps/contracts/{world.alpha_contract.pk}/">A-1</a>' in body
    for cell in row["cells"]:
        html = render_to_string(
            "kto/gap/_flag_badge.html", {"cell": cell, "organisation": world.alpha}
        )
        assert f"<td>{html}</td>" in body
    assert body.count('class="flag flag-watermelon"') == 2
    assert body.count('class="flag flag-none"') == len(row["cells"]) - 2


WAVES = [
    {"survey": 12, "title": "KTO 12", "period_start": "2026-10-01", "period_end": "2026-10-31"}
    | {"n": 60}
]
LEVELS = [{"code": "P1", "name": "Priority 1", "met": True, "margin": 0.25, "weight": 2}]


def _evidence_flag(world, **changes):
    return make_flag(
        world,
        levels=LEVELS,
        waves=WAVES,
        p_value=0.000123456,
        q_value=0.0012345678,
        min_margin=0.25,
        sla_attainment=1.0,
        drift=Drift.DETERIORATING,
        confirmed=True,
        **changes,
    )


def test_the_api_flag_against_hand_written_values(world, client_as):
    flag = _evidence_flag(world)
    answer = (
        client_as(world.alice)
        .get(reverse("api:gap-flag-detail", kwargs={"org_slug": "alpha", "pk": flag.pk}))
        .json()
    )
    assert answer == {
        "id": flag.pk,
        "contract": world.alpha_contract.pk,
        "contract_reference": "A-1",
        "dimension": "responsiveness",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "flag": "watermelon",
        "confirmed": True,
        "first_period_start": "2026-10-01",
        "sla_state": "green",
        "min_margin": 0.25,
        "sla_attainment": 1.0,
        "levels": LEVELS,
        "perception_state": "below",
        "drift": "deteriorating",
        "n": 60,
        "waves": WAVES,
        "mean": 2.95,
        "ci_low": 2.72,
        "ci_high": 3.18,
        "p_value": 0.0001235,
        "q_value": 0.001235,
        "target": 3.5,
        "delta": 0.1,
        "k": 5,
        "reason_en": "Watermelon: the desk reports green, users score 2.95.",
        "reason_nl": "Watermeloen: de servicedesk rapporteert groen, gebruikers geven 2,95.",
    }


def test_the_lean_flag_equals_the_generic_serializer(world):
    flags = [
        _evidence_flag(world),
        # Nothing judged: no figures, no drift, no waves; below the anonymity floor.
        make_flag(
            world,
            dimension="reliability",
            n=2,
            mean=None,
            ci_low=None,
            ci_high=None,
            target=None,
            flag=Flag.INSUFFICIENT_DATA,
            perception_state="insufficient",
        ),
        _evidence_flag(world, dimension="competence", n=3, k=5),
    ]
    with scopes_disabled():
        rows = list(GapFlag.objects.filter(pk__in=[f.pk for f in flags]).select_related("contract"))
    serializer = GapFlagSerializer()
    for row in rows:
        generic = serializers.ModelSerializer.to_representation(serializer, row)
        assert serializer.lean_representation(row) == generic
        assert list(serializer.lean_representation(row)) == GapFlagSerializer.Meta.fields


def _flags(world, count: int, contracts: int = 1) -> None:
    """`count` flags spread over `contracts` contracts, the dimensions and months from 2020."""
    with scopes_disabled():
        owned = [world.alpha_contract] + [
            Contract.objects.create(
                organisation=world.alpha,
                supplier=world.alpha_contract.supplier,
                reference=f"A-{n}",
                title=f"Alpha {n}",
            )
            for n in range(2, contracts + 1)
        ]
    dimensions = ["responsiveness", "reliability", "competence", "empathy", "tangibles"]
    cells = [(c, d) for c in owned for d in dimensions]
    rows = []
    for n in range(count):
        contract, dimension = cells[n % len(cells)]
        month = n // len(cells)
        start = date(2020 + month // 12, month % 12 + 1, 1)
        rows.append(
            GapFlag(
                organisation=world.alpha,
                contract=contract,
                dimension=dimension,
                period_start=start,
                period_end=start,
                flag=[Flag.WATERMELON, Flag.ALIGNED, Flag.WATCH][n % 3],
                sla_state="green",
                perception_state="below",
                delta=0.1,
                k=5,
                first_period_start=start,
                levels=LEVELS,
                waves=WAVES,
                reason_en="en",
                reason_nl="nl",
            )
        )
    with scopes_disabled():
        GapFlag.objects.bulk_create(rows)


@pytest.mark.parametrize("count", [1, 120])
def test_api_flag_list_queries_do_not_grow_with_flags(world, client_as, count):
    _flags(world, count, contracts=1 if count == 1 else 3)
    client = client_as(world.alice)
    url = reverse("api:gap-flag-list", kwargs={"org_slug": "alpha"})
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url).json()
    assert len(queries) == 6
    assert answer["count"] == count and len(answer["results"]) == min(count, 50)


def _all_pages(client, url, **params) -> list[int]:
    ids, page = [], 1
    while True:
        answer = client.get(url, {**params, "page": page}).json()
        ids += [row["id"] for row in answer["results"]]
        if not answer["next"]:
            return ids
        page += 1


def test_api_pages_follow_the_list_order_without_gaps_or_repeats(world, client_as):
    _flags(world, 120, contracts=3)
    client = client_as(world.alice)
    url = reverse("api:gap-flag-list", kwargs={"org_slug": "alpha"})
    access = SimpleNamespace(organisation=world.alpha, is_supplier=False)
    with scopes_disabled():
        expected = list(gap_flag_list(access=access).values_list("pk", flat=True))
        by_flag = list(
            gap_flag_list(access=access).order_by("flag", "pk").values_list("pk", flat=True)
        )
        empathy = list(
            gap_flag_list(access=access, dimension="empathy").values_list("pk", flat=True)
        )
    assert _all_pages(client, url) == expected
    # A sort on a column with ties: every flag once, in the order's groups (ties by id).
    assert _all_pages(client, url, ordering="flag") == by_flag
    assert _all_pages(client, url, dimension="empathy") == empathy
