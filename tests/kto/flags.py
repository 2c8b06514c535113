"""A stored gap flag to act on (the agenda, a SIP, comments), without running the analysis."""

from datetime import date

from django_scopes import scopes_disabled

from kto.gaps.models import GapFlag
from kto.gaps.rules import Flag

OCTOBER = date(2026, 10, 1)


def make_flag(world, *, contract=None, dimension="responsiveness", levels=(), **changes):
    """A watermelon on Alpha's contract A-1 (or `contract`) for October 2026: SLA green, users
    below target (mean 2.95 against 3.5, n = 60); `levels` as the engine stores them."""
    contract = contract or world.alpha_contract
    fields = {
        "organisation": contract.organisation,
        "contract": contract,
        "dimension": dimension,
        "period_start": OCTOBER,
        "period_end": date(2026, 10, 31),
        "flag": Flag.WATERMELON,
        "sla_state": "green",
        "perception_state": "below",
        "n": 60,
        "mean": 2.95,
        "ci_low": 2.72,
        "ci_high": 3.18,
        "target": 3.5,
        "delta": 0.1,
        "k": 5,
        "first_period_start": OCTOBER,
        "levels": list(levels),
        "reason_en": "Watermelon: the desk reports green, users score 2.95.",
        "reason_nl": "Watermeloen: de servicedesk rapporteert groen, gebruikers geven 2,95.",
    } | changes
    with scopes_disabled():
        return GapFlag.objects.create(**fields)
