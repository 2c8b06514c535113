"""The SLA reporting calendar as a supplier KPI: periods due, on-time rates and reminders,
checked against figures worked out by hand."""

from datetime import date

import pytest
from django_scopes import scopes_disabled

from contracts.models import Contract, ReportReminder, SLAReport, month_period
from contracts.reminders import report_reminders_send
from contracts.reporting import Step, on_time_rates, periods_due
from governance.platform.access import system_access, tenant_scope
from governance.platform.models import LanguagePreference, OutboxMessage, SupplierMembership
from tests.conftest import make_user

# Windows of every contract here: days 1–10 after the period, late reports until day 40.
TODAY = date(2026, 4, 5)


def report(contract, period_start, *, is_late=False, version=1, status="submitted", current=True):
    last = month_period(period_start)[1]
    return SLAReport.objects.create(
        organisation_id=contract.organisation_id,
        contract=contract,
        period_start=period_start,
        period_end=last,
        version=version,
        status=status,
        is_late=is_late,
        is_current=current,
        source_file=b"",
        checksum="0" * 64,
    )


@pytest.fixture
def calendar(world):
    """A-1 (Alpha, Northwind) from January 2026: January on time, February missing.
    B-1 (Beta, Northwind) from December 2025: December late, January and February on time.
    B-2 (Beta, Southwind) from January 2026: nothing reported."""
    with scopes_disabled():
        for contract, start in (
            (world.alpha_contract, date(2026, 1, 1)),
            (world.beta_northwind_contract, date(2025, 12, 1)),
            (world.beta_southwind_contract, date(2026, 1, 1)),
        ):
            Contract.objects.filter(pk=contract.pk).update(
                status=Contract.Status.ACTIVE, start_date=start
            )
            contract.refresh_from_db()
        report(world.alpha_contract, date(2026, 1, 1))
        # A draft never counts, and a second version does not change the first one's verdict.
        report(world.alpha_contract, date(2026, 2, 1), status="draft")
        report(world.beta_northwind_contract, date(2025, 12, 1), is_late=True)
        report(world.beta_northwind_contract, date(2026, 1, 1))
        report(world.beta_northwind_contract, date(2026, 2, 1), status="superseded", current=False)
        report(world.beta_northwind_contract, date(2026, 2, 1), version=2, is_late=True)
    return world


def northwind(world):
    return [world.alpha_contract, world.beta_northwind_contract]


def test_periods_due_name_the_step_of_each_unreported_period(calendar):
    with scopes_disabled():
        rows = periods_due(contracts=northwind(calendar), today=TODAY)
    assert [(r.contract.reference, r.period_label, r.step) for r in rows] == [
        ("A-1", "2026-02", Step.LATE),
        ("A-1", "2026-03", Step.DUE),
        ("B-1", "2026-03", Step.DUE),
    ]
    late = rows[0]
    assert (late.opens, late.closes, late.late_until) == (
        date(2026, 3, 1),
        date(2026, 3, 10),
        date(2026, 4, 9),
    )


def test_periods_past_the_late_limit_show_as_missed_for_three_months(calendar):
    with scopes_disabled():
        rows = periods_due(contracts=[calendar.beta_southwind_contract], today=TODAY)
    # January's late limit (12 March) lies within three months of 5 April.
    assert [(r.period_label, r.step) for r in rows] == [
        ("2026-01", Step.MISSED),
        ("2026-02", Step.LATE),
        ("2026-03", Step.DUE),
    ]
    with scopes_disabled():
        later = periods_due(contracts=[calendar.beta_southwind_contract], today=date(2026, 6, 20))
    assert [(r.period_label, r.step) for r in later][:1] == [("2026-02", Step.MISSED)]


def test_on_time_rates_per_client_supplier_and_month(calendar):
    with scopes_disabled():
        rates = on_time_rates(contracts=northwind(calendar), today=TODAY, months=4)
    # Closed windows: A-1 Jan (on time), Feb (missing); B-1 Dec (late), Jan, Feb (on time).
    assert (rates["total"].on_time, rates["total"].due, rates["total"].percent) == (3, 5, 60)
    alpha = rates["organisations"][calendar.alpha.pk]
    beta = rates["organisations"][calendar.beta.pk]
    assert (alpha.on_time, alpha.due, alpha.percent) == (1, 2, 50)
    assert (beta.on_time, beta.due, beta.percent) == (2, 3, 67)
    assert rates["suppliers"][calendar.northwind.pk].due == 5
    assert [(f"{m:%Y-%m}", r.on_time, r.due, r.percent) for m, r in rates["trend"]] == [
        ("2025-12", 0, 1, 0),
        ("2026-01", 2, 2, 100),
        ("2026-02", 1, 2, 50),
        ("2026-03", 0, 0, None),
    ]


def _send(world, today):
    with tenant_scope(system_access(world.beta)):
        return report_reminders_send(organisation=world.beta, today=today)


def test_reminders_go_once_per_step_in_each_recipients_language(calendar):
    world = calendar
    with scopes_disabled():
        erin = make_user("erin")
        SupplierMembership.objects.create(user=erin, supplier=world.southwind)
        LanguagePreference.objects.create(user=world.dave, language="en")
    # Beta on 5 April: B-1 March window open (bob); B-2 January past its limit (charlie, the
    # contract manager), February late and March open (dave in English, erin in Dutch).
    assert _send(world, TODAY) == 4
    with scopes_disabled():
        steps = sorted(
            ReportReminder.objects.values_list("contract__reference", "period_start", "step")
        )
        messages = list(OutboxMessage.objects.order_by("pk"))
    assert steps == [
        ("B-1", date(2026, 3, 1), "opened"),
        ("B-2", date(2026, 1, 1), "escalated"),
        ("B-2", date(2026, 2, 1), "late"),
        ("B-2", date(2026, 3, 1), "opened"),
    ]
    assert sorted(tuple(m.to) for m in messages) == [
        ("bob@example.test",),
        ("charlie@example.test",),
        ("dave@example.test",),
        ("dave@example.test",),
        ("erin@example.test",),
        ("erin@example.test",),
    ]
    to_dave = [m.subject for m in messages if m.to == ["dave@example.test"]]
    assert sorted(to_dave) == [
        "SLA report late: B-2 Beta hosting, 2026-02",
        "SLA report window open: B-2 Beta hosting, 2026-03",
    ]
    # The same day again, or a second worker: nothing new.
    assert _send(world, TODAY) == 0
    with scopes_disabled():
        assert OutboxMessage.objects.count() == 6
    # A week later: March is late for both, February is past its limit (9 April).
    assert _send(world, date(2026, 4, 12)) == 3
    assert _send(world, date(2026, 4, 12)) == 0
    with scopes_disabled():
        assert ReportReminder.objects.count() == 7
        assert OutboxMessage.objects.count() == 6 + 4


def test_a_report_submitted_in_its_window_stops_the_late_reminder(calendar):
    world = calendar
    assert _send(world, TODAY) == 4
    with scopes_disabled():
        report(world.beta_northwind_contract, date(2026, 3, 1))
    assert _send(world, date(2026, 4, 12)) == 2  # B-2 only: February escalated, March late
    with scopes_disabled():
        assert not ReportReminder.objects.filter(
            contract=world.beta_northwind_contract, step="late"
        ).exists()


def test_supplier_on_time_per_supplier_as_each_user_may_see_it(calendar):
    from contracts.selectors import supplier_on_time
    from governance.platform.access import access_for

    world = calendar
    with tenant_scope(system_access(world.beta)):
        rows = supplier_on_time(access=system_access(world.beta), today=TODAY, months=3)
    # B-1: December late, January and February on time; B-2: January and February missing.
    assert [
        (r["supplier"].name, r["contracts"], r["rate"].on_time, r["rate"].due, r["rate"].percent)
        for r in rows
    ] == [("Northwind", 1, 2, 3, 67), ("Southwind", 1, 0, 2, 0)]
    assert [(f"{m:%Y-%m}", r.on_time, r.due) for m, r in rows[0]["trend"]] == [
        ("2026-01", 1, 1),
        ("2026-02", 1, 1),
        ("2026-03", 0, 0),
    ]
    bob = access_for(world.bob, world.beta)
    with tenant_scope(bob):
        own = supplier_on_time(access=bob, today=TODAY)
    assert [(r["supplier"].name, r["rate"].due) for r in own] == [("Northwind", 3)]


def test_the_contract_list_shows_each_suppliers_rate(calendar, client_as):
    from contracts.selectors import supplier_on_time

    client = client_as(calendar.charlie)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get("/o/beta/contracts/")
    with tenant_scope(system_access(calendar.beta)):
        expected = supplier_on_time(access=system_access(calendar.beta), today=date.today())
    shown = response.context["on_time"]
    assert [(r["supplier"].name, r["rate"].on_time, r["rate"].due) for r in shown] == [
        (r["supplier"].name, r["rate"].on_time, r["rate"].due) for r in expected
    ]
    # B-1 reported January and February 2026 on time; B-2 never reported.
    assert [(r["supplier"].name, r["rate"].on_time) for r in shown] == [
        ("Northwind", 2),
        ("Southwind", 0),
    ]
    body = response.content.decode()
    assert "SLA reports on time, per supplier" in body
    for row in shown:
        assert f"<td>{row['rate'].on_time} / {row['rate'].due}</td>" in body
    assert "<svg" in body


def test_the_daily_task_sends_each_step_once_for_every_organisation(calendar):
    from contracts.tasks import task_send_report_reminders

    first = task_send_report_reminders.apply().get()
    with scopes_disabled():
        recorded = ReportReminder.objects.count()
        organisations = set(ReportReminder.objects.values_list("organisation__slug", flat=True))
    assert first == recorded
    assert organisations == {"alpha", "beta"}
    assert task_send_report_reminders.apply().get() == 0
