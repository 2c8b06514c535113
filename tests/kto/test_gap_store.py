"""The gap run's writes: on PostgreSQL the flags go in by COPY (new ones straight into the
table, stored ones through a staging table and ON CONFLICT); the ORM path (`bulk_create`)
stores exactly the same values. Also the decimal boundary shortcut of the SLA state and the
webhook batch of confirmed flags."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from kto.gaps import services
from kto.gaps.engine import Changes
from kto.gaps.models import GapFlag
from kto.gaps.rules import as_decimal, decimal_below
from tests.kto.test_gap_bulk import JULY, SEPTEMBER, history, run_range  # noqa: F401

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's"
)

# What a run writes besides the figures: every column the store touches, by attname.
COMPARED = [c for c in services.FLAG_COLUMNS if c != "updated_at"]


def hand_rows(world, run_id=None) -> list[dict]:
    """Two flags with the awkward values: tabs, newlines, backslashes, quotes and accents in
    the reasons and the JSON, nulls, an empty drift, floats that need every digit."""
    base = {
        "organisation_id": world.alpha.pk,
        "contract_id": world.alpha_contract.pk,
        "period_end": date(2026, 7, 31),
        "flag": "watermelon",
        "sla_state": "green",
        "perception_state": "below",
        "drift": "",
        "n": 20,
        "mean": 0.1 + 0.2,
        "sd": 1e-300,
        "ci_low": 2.0000000000000004,
        "ci_high": 3.3,
        "p_value": 1.2345678901234567e-7,
        "q_value": 0.049999999999999996,
        "target": 3.8,
        "delta": 0.1,
        "k": 5,
        "min_margin": -0.0,
        "sla_attainment": 2 / 3,
        "levels": [
            {"code": "SD-01", "target": 95.0, "actual": 96.5, "margin": 0.015789473684210527}
        ],
        "complaints": 3,
        "waves": [
            {
                "survey": 7,
                "title": 'KTO "Q3"\t\\ één\nlijn',
                "period_start": "2026-07-01",
                "period_end": "2026-09-30",
                "n": 20,
            }
        ],
        "confirmed": True,
        "first_period_start": date(2026, 6, 1),
        "inputs": "abc123",
        "reason_en": 'Watermelon:\tgreen "in" the report\\n, red\nfor users.\r',
        "reason_nl": "Watermeloen: groen in het rapport, rood voor gebruikers — één.",
        "run_id": run_id,
    }
    empty = base | {
        "dimension": "reliability",
        "period_start": date(2026, 8, 1),
        "period_end": date(2026, 8, 31),
        "flag": "insufficient_data",
        "sla_state": "no_sla",
        "perception_state": "suppressed",
        "n": 0,
        "mean": None,
        "sd": None,
        "ci_low": None,
        "ci_high": None,
        "p_value": None,
        "q_value": None,
        "target": None,
        "min_margin": None,
        "sla_attainment": None,
        "levels": [],
        "complaints": None,
        "waves": [],
        "confirmed": False,
        "reason_en": "",
    }
    return [base | {"dimension": "responsiveness", "period_start": JULY}, empty]


def stored(world) -> list[dict]:
    with scopes_disabled():
        return list(
            GapFlag.objects.filter(organisation=world.alpha)
            .order_by("contract_id", "dimension", "period_start")
            .values(*COMPARED)
        )


def expected(rows) -> list[dict]:
    """The rows as `stored` reads them back: the compared columns, in its order."""
    ordered = sorted(rows, key=lambda r: (r["contract_id"], r["dimension"], r["period_start"]))
    return [{c: row[c] for c in COMPARED} for row in ordered]


def store(rows, *, added, orm) -> None:
    keys = frozenset((r["contract_id"], r["dimension"], r["period_start"]) for r in rows)
    services._store(
        Changes(counts={}, flags=rows, chained=[], added=keys if added else frozenset()),
        orm=orm,
    )


@pytest.mark.django_db
def test_copy_stores_exactly_the_values_given(world):
    rows = hand_rows(world)
    store(rows, added=True, orm=False)
    assert stored(world) == expected(rows)


@pytest.mark.django_db
def test_copy_and_orm_store_the_same_new_flags(world):
    rows = hand_rows(world)
    store(rows, added=True, orm=True)
    by_orm = stored(world)
    with scopes_disabled():
        GapFlag.objects.filter(organisation=world.alpha).delete()
    store(rows, added=True, orm=False)
    assert stored(world) == by_orm


@pytest.mark.django_db
def test_copy_upsert_updates_in_place_as_the_orm_does(world):
    rows = hand_rows(world)
    store(rows, added=True, orm=False)
    with scopes_disabled():
        pks = set(GapFlag.objects.values_list("pk", flat=True))
    changed = [
        rows[0] | {"flag": "watch", "mean": 3.75, "reason_nl": "Let\top\\n", "waves": []},
        rows[1] | {"n": 4, "levels": [{"code": "X", "state": None}]},
    ]
    store(changed, added=False, orm=False)
    by_copy = stored(world)
    with scopes_disabled():
        assert set(GapFlag.objects.values_list("pk", flat=True)) == pks  # updated, not added
    store(rows, added=False, orm=False)  # back as it was, then the same change by the ORM
    store(changed, added=False, orm=True)
    assert stored(world) == by_copy == expected(changed)


@pytest.mark.django_db
def test_a_run_stores_the_same_flags_either_way(history, monkeypatch):  # noqa: F811
    """The whole run (three months, drift, confirmation) through the COPY path and through
    the ORM path gives the same flags."""
    run_range(history.alpha, JULY, SEPTEMBER)
    by_copy = stored(history)
    # Reliability is a watermelon in the three months of Q3 (see test_gap_bulk).
    assert [r["flag"] for r in by_copy if r["dimension"] == "reliability"] == ["watermelon"] * 3
    with scopes_disabled():
        GapFlag.objects.filter(organisation=history.alpha).delete()
    original = services._store
    monkeypatch.setattr(services, "_store", lambda changes: original(changes, orm=True))
    run_range(history.alpha, JULY, SEPTEMBER)
    by_orm = stored(history)
    for rows in (by_copy, by_orm):
        for row in rows:
            row.pop("run_id")
    assert by_orm == by_copy


@pytest.mark.parametrize(
    ("value", "bound"),
    [
        (0.0, 0.0),
        (-0.0, 0.0),
        (1e-10, 0.0),
        (-1e-10, 0.0),
        (-6e-10, 0.0),
        (0.02 - 1e-10, 0.02),
        (0.0199999994, 0.02),
        (3.8 - 0.1, 3.7),
        (0.5, 0.02),
        (-0.3, 0.0),
        (1e12 + 0.5, 1e12),
        (0.0199999995, Decimal("0.02")),
    ],
)
def test_decimal_below_agrees_with_the_decimal_comparison(value, bound):
    assert decimal_below(value, bound) == (as_decimal(value) < as_decimal(bound))
