from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from contracts.models import Contract, add_months, month_period, quarter_period
from contracts.selectors import (
    LevelResult,
    contract_list,
    contract_periods_with_reports,
    on_time_rate,
    service_is_open,
    services_for_contract,
    sla_dimension_results,
)
from contracts.services import (
    service_create,
    service_level_amend,
    service_level_create,
    sla_report_upload,
)
from governance.platform.access import tenant_scope
from tests.contracts.conftest import AMS, GOOD_ROWS, MIXED_ROWS, csv_file, in_window

MARCH = date(2025, 3, 1)


def upload(access, contract, rows, period=MARCH, now=None):
    with tenant_scope(access):
        return sla_report_upload(
            access=access,
            contract=contract,
            period_start=period,
            content=csv_file(rows),
            name="r.csv",
            dry_run=False,
            now=now or in_window(period),
        )


def results(contract, period=MARCH):
    with scopes_disabled():
        return sla_dimension_results(
            contract=contract, period_start=period, period_end=month_period(period)[1]
        )


def test_sla_dimension_results_per_dimension_with_margins(sla, bob_access):
    report = upload(bob_access, sla.contract, MIXED_ROWS).report
    found = results(sla.contract)
    common = {"report_status": "submitted", "report_version": 1}
    answered = LevelResult(
        code="ANS30",
        name="Answered within 30 s",
        direction="higher",
        target=Decimal("80.0000"),
        actual=Decimal("77.0000"),
        state="near_miss",
        margin=-0.0375,
        weight=Decimal("0.60"),
        breach_threshold=Decimal("75.0000"),
        **common,
    )
    restore = LevelResult(
        code="RESTORE",
        name="Restore time",
        direction="lower",
        target=Decimal("4.0000"),
        actual=Decimal("2.0000"),
        state="met",
        margin=0.5,
        weight=Decimal("0.50"),
        breach_threshold=Decimal("8.0000"),
        **common,
    )
    resolved = LevelResult(
        code="RES",
        name="Incidents resolved in time",
        direction="higher",
        target=Decimal("95.0000"),
        actual=Decimal("90.0000"),
        state="missed",
        margin=pytest.approx(-5 / 95),
        weight=Decimal("1.00"),
        **common,
    )
    assert sorted(found) == ["empathy", "reliability", "responsiveness"]
    assert found["responsiveness"] == [answered, restore]
    assert found["reliability"] == [resolved, restore]
    assert [(r.code, r.weight) for r in found["empathy"]] == [("ANS30", Decimal("0.40"))]
    assert report.version == 1


def test_sla_dimension_results_missing_without_report(sla):
    found = results(sla.contract)
    assert [
        (r.code, r.state, r.actual, r.margin, r.report_status, r.report_version)
        for r in found["reliability"]
    ] == [
        ("RES", "missing", None, None, "missing", None),
        ("RESTORE", "missing", None, None, "missing", None),
    ]


def test_sla_dimension_results_read_the_current_version(sla, bob_access):
    upload(bob_access, sla.contract, MIXED_ROWS)
    upload(bob_access, sla.contract, GOOD_ROWS)
    found = results(sla.contract)
    assert [(r.code, r.state, r.report_version) for r in found["reliability"]] == [
        ("RES", "met", 2),
        ("RESTORE", "met", 2),
    ]


def test_sla_dimension_results_use_the_level_in_force(sla, bob_access):
    with scopes_disabled():
        service_level_amend(
            level=sla.answered,
            valid_from=date(2025, 4, 1),
            target=Decimal("90"),
            breach_threshold=None,
        )
    upload(bob_access, sla.contract, [["ANS30", "85"], *GOOD_ROWS[1:]])
    upload(
        bob_access,
        sla.contract,
        [["ANS30", "85", "a", "b", "c"], *GOOD_ROWS[1:]],
        period=date(2025, 4, 1),
    )
    march = results(sla.contract)["empathy"][0]
    april = results(sla.contract, date(2025, 4, 1))["empathy"][0]
    assert (march.target, march.state, april.target, april.state) == (
        Decimal("80.0000"),
        "met",
        Decimal("90.0000"),
        "missed",
    )


def test_sla_dimension_results_quarterly_level_only_at_quarter_end(sla, bob_access):
    with scopes_disabled():
        service_level_create(
            contract=sla.contract,
            code="AUDIT",
            name="Audit deviations",
            metric_kind="count",
            direction="lower",
            target=Decimal("5"),
            period="quarterly",
            valid_from=date(2024, 1, 1),
            dimensions={"assurance": Decimal("1")},
        )
    upload(bob_access, sla.contract, [*GOOD_ROWS, ["AUDIT", "3"]])
    assert [(r.code, r.state) for r in results(sla.contract)["assurance"]] == [("AUDIT", "met")]
    assert "assurance" not in results(sla.contract, date(2025, 2, 1))


def test_sla_dimension_results_need_a_month(sla):
    with scopes_disabled(), pytest.raises(ValueError):
        sla_dimension_results(
            contract=sla.contract, period_start=date(2025, 1, 1), period_end=date(2025, 3, 31)
        )


def test_contract_periods_with_reports(sla, bob_access):
    upload(bob_access, sla.contract, GOOD_ROWS, period=date(2025, 4, 1))
    upload(bob_access, sla.contract, GOOD_ROWS)
    with scopes_disabled():
        assert contract_periods_with_reports(contract=sla.contract) == [
            (date(2025, 3, 1), date(2025, 3, 31)),
            (date(2025, 4, 1), date(2025, 4, 30)),
        ]


def test_on_time_rate_counts_missing_and_late_periods(sla, bob_access):
    with scopes_disabled():
        sla.contract.start_date = date(2025, 1, 1)
        sla.contract.save()
    upload(bob_access, sla.contract, GOOD_ROWS, period=date(2025, 1, 1))
    upload(
        bob_access,
        sla.contract,
        GOOD_ROWS,
        period=date(2025, 2, 1),
        now=datetime(2025, 3, 20, 9, tzinfo=AMS),
    )
    upload(bob_access, sla.contract, GOOD_ROWS)
    with scopes_disabled():
        # Windows of January–April have closed by 15 May; April has no report.
        assert on_time_rate(contract=sla.contract, today=date(2025, 5, 15)) == (2, 4)


def test_service_is_open_in_the_window_and_closed_on_holidays(world):
    with scopes_disabled():
        desk = service_create(
            contract=world.alpha_contract,
            name="Desk",
            hours=[(day, time(8), time(18)) for day in range(5)],
        )
        always = service_create(
            contract=world.alpha_contract, name="Hosting", open_on_holidays=True
        )

        def at(day, hour, minute=0):
            return datetime.combine(day, time(hour, minute), tzinfo=AMS)

        checks = [
            service_is_open(service=desk, at=at(date(2025, 3, 12), 8)),  # Wednesday 08:00
            service_is_open(service=desk, at=at(date(2025, 3, 12), 18)),  # closes at 18:00
            service_is_open(service=desk, at=at(date(2025, 3, 15), 10)),  # Saturday
            service_is_open(service=desk, at=at(date(2025, 4, 21), 10)),  # Easter Monday
            # 07:30 UTC in March is 08:30 in Amsterdam: open.
            service_is_open(service=desk, at=datetime(2025, 3, 12, 7, 30, tzinfo=UTC)),
            service_is_open(service=always, at=at(date(2025, 12, 25), 3)),
        ]
    assert checks == [True, False, False, False, True, True]


def test_service_is_open_needs_an_aware_datetime(world):
    with scopes_disabled():
        desk = service_create(contract=world.alpha_contract, name="Desk")
        with pytest.raises(ValueError):
            service_is_open(service=desk, at=datetime(2025, 3, 12, 10))


def test_services_for_contract(sla):
    with scopes_disabled():
        assert [s.name for s in services_for_contract(contract=sla.contract)] == ["Servicedesk"]


def test_contract_list_filters(world, alice_access):
    with scopes_disabled():
        world.alpha_contract.status = Contract.Status.ACTIVE
        world.alpha_contract.save()
        Contract.objects.create(
            organisation=world.alpha, supplier=world.southwind, reference="A-2", title="Hosting"
        )
    with tenant_scope(alice_access):
        assert [c.reference for c in contract_list(access=alice_access, status="active")] == ["A-1"]
        assert [
            c.reference for c in contract_list(access=alice_access, supplier_id=world.southwind.pk)
        ] == ["A-2"]
        assert [c.reference for c in contract_list(access=alice_access, search="host")] == ["A-2"]


def test_periods_are_calendar_months_and_quarters():
    assert month_period(date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert quarter_period(date(2025, 5, 5)) == (date(2025, 4, 1), date(2025, 6, 30))
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
