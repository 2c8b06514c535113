"""The demo's gap analysis shows every kind of flag the story needs, whatever today's date is:
the SLA story months and the quarterly KTOs move with the date, and must keep meeting."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from audits import demo as audits_demo
from complaints import demo as complaints_demo
from contracts import demo as contracts_demo
from kto import demo as kto_demo
from kto.gaps import demo as gap_demo
from kto.gaps.engine import previous_month
from kto.gaps.models import GapFlag
from kto.gaps.rules import Flag
from meetings import demo as meetings_demo
from simulations import demo as simulations_demo

SHOWN = {Flag.WATERMELON, Flag.HIDDEN_SUCCESS, Flag.BOTH_RED, Flag.INSUFFICIENT_DATA}


# The first, second and last month of a quarter, and a year's end.
@pytest.mark.parametrize(
    "today", [date(2027, 1, 15), date(2027, 5, 1), date(2027, 3, 31), date(2027, 12, 31)]
)
def test_demo_shows_each_kind_of_flag_on_any_date(db, today, monkeypatch):
    # Only what the gap analysis reads, seeded as on `today`.
    for module in (audits_demo, complaints_demo, simulations_demo, meetings_demo):
        monkeypatch.setattr(module, "seed", lambda **_: None)
    for module in (contracts_demo, kto_demo, gap_demo):
        monkeypatch.setattr(
            module, "seed", lambda _seed=module.seed, **kwargs: _seed(**kwargs, today=today)
        )
    call_command("seed_demo", stdout=io.StringIO())
    with scopes_disabled():
        shown = set(
            GapFlag.objects.filter(organisation__slug="zuidrand").values_list("flag", flat=True)
        )
    assert shown >= SHOWN
    # Confirmed only on independent evidence: the months of one quarterly KTO never confirm
    # each other, the first month of the next quarter's KTO does (the quarter's boundary lies
    # in every six months the demo analyses).
    with scopes_disabled():
        flags = {
            (f.contract_id, f.dimension, f.period_start): f
            for f in GapFlag.objects.filter(organisation__slug="zuidrand")
        }
    confirmed = [f for f in flags.values() if f.confirmed]
    assert any(f.flag == Flag.WATERMELON for f in confirmed)
    for found in confirmed:
        before = flags[(found.contract_id, found.dimension, previous_month(found.period_start)[0])]
        assert before.flag == found.flag
        assert {w["survey"] for w in before.waves}.isdisjoint(w["survey"] for w in found.waves)
