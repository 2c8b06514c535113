from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from contracts.models import Contract, ServiceLevel
from contracts.services import service_level_create


def contract(**fields):
    return Contract(
        reference="X",
        title="X",
        start_date=date(2024, 1, 1),
        end_date=date(2026, 12, 31),
        notice_period_months=6,
        **fields,
    )


def test_notice_deadline_explicit_renewal():
    # 30 June 2026 is a Tuesday: six months before 31 December 2026.
    assert contract(renewal="explicit").next_notice_deadline(date(2026, 1, 1)) == date(2026, 6, 30)


def test_notice_deadline_moves_to_the_previous_working_day():
    # 31 May 2026 is a Sunday → Friday 29 May.
    c = contract(renewal="explicit")
    c.end_date = date(2026, 11, 30)
    assert c.next_notice_deadline(date(2026, 1, 1)) == date(2026, 5, 29)


def test_notice_deadline_tacit_renewal_rolls_over_after_a_missed_deadline():
    c = contract(renewal="tacit", renewal_term_months=12)
    # The 2026 deadline has passed: the contract renews to 31 Dec 2027; notice by 30 June 2027.
    assert c.next_notice_deadline(date(2026, 8, 1)) == date(2027, 6, 30)
    assert c.current_end_date(date(2026, 8, 1)) == date(2027, 12, 31)


def test_notice_deadline_none_without_renewal_or_after_it_passed():
    assert contract(renewal="none").next_notice_deadline(date(2026, 1, 1)) is None
    assert contract(renewal="explicit").next_notice_deadline(date(2026, 8, 1)) is None


@pytest.mark.parametrize(
    ("direction", "breach", "actual", "state", "margin"),
    [
        ("higher", "75", "80", "met", 0.0),
        ("higher", "75", "77", "near_miss", -0.0375),
        ("higher", "75", "74", "missed", -0.075),
        ("higher", None, "79.9", "missed", pytest.approx(-0.00125)),
        ("lower", "90", "70", "met", 0.125),
        ("lower", "90", "85", "near_miss", -0.0625),
        ("lower", "90", "95", "missed", -0.1875),
    ],
)
def test_level_judges_state_and_signed_margin(direction, breach, actual, state, margin):
    target = Decimal("80")
    level = ServiceLevel(
        direction=direction,
        target=target,
        breach_threshold=Decimal(breach) if breach else None,
    )
    assert (level.judge(Decimal(actual)), level.margin(Decimal(actual))) == (state, margin)


def test_breach_threshold_on_the_better_side_is_refused(world):
    with scopes_disabled(), pytest.raises(ValidationError) as error:
        service_level_create(
            contract=world.alpha_contract,
            code="X",
            name="X",
            metric_kind="percentage",
            direction="higher",
            target=Decimal("80"),
            breach_threshold=Decimal("85"),
            valid_from=date(2025, 1, 1),
        )
    assert list(error.value.message_dict) == ["breach_threshold"]


def test_overlapping_versions_of_a_code_are_refused(world):
    common = {
        "contract": world.alpha_contract,
        "code": "X",
        "name": "X",
        "metric_kind": "percentage",
        "direction": "higher",
        "target": Decimal("80"),
    }
    with scopes_disabled():
        service_level_create(valid_from=date(2025, 1, 1), **common)
        with pytest.raises(ValidationError) as error:
            service_level_create(valid_from=date(2025, 6, 1), **common)
    assert list(error.value.message_dict) == ["valid_from"]
