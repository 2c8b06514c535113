"""Agendas filled from data: routing by tier, graceful degradation, escalation, carried actions."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import NoReverseMatch
from django_scopes import scopes_disabled

import complaints.selectors
import kto.selectors
from contracts.models import Measurement, Service, ServiceLevel, SLAReport
from governance.platform.access import system_access
from meetings import services, sources
from meetings.models import ActionItem, AgendaItem, Meeting, Source, Tier
from tests.audits.helpers import make_setup
from tests.complaints.helpers import route_samples as complaint_samples

# Far enough after the audit helpers' TODAY (2026-11-16) that the corrective action (due
# TODAY + 14) and the route-walk complaint (received now) are overdue.
GENERATED_ON = date.today() + timedelta(days=120)


def when(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def make_level(world, code="AVAIL", target="99.5"):
    service, _ = Service.objects.get_or_create(
        contract=world.alpha_contract, name="Werkplek", defaults={"organisation": world.alpha}
    )
    return ServiceLevel.objects.create(
        organisation=world.alpha,
        contract=world.alpha_contract,
        service=service,
        code=code,
        name="Availability",
        metric_kind="percentage",
        direction="higher",
        target=Decimal(target),
        valid_from=date(2024, 1, 1),
    )


def make_report(world, period_start, *, status="accepted", values=(), version=1, current=True):
    period_end = (period_start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(1)
    report = SLAReport.objects.create(
        organisation=world.alpha,
        contract=world.alpha_contract,
        period_start=period_start,
        period_end=period_end,
        version=version,
        is_current=current,
        status=status,
        source_name="r.csv",
        source_file=b"x",
        checksum="0" * 64,
    )
    for level, value in values:
        state = level.judge(Decimal(value))
        Measurement.objects.create(
            organisation=world.alpha,
            report=report,
            service_level=level,
            value=Decimal(value),
            state=state,
            deviation_cause="Storing" if state != "met" else "",
            deviation_impact="Uitval" if state != "met" else "",
            deviation_action="Herstel" if state != "met" else "",
        )
    return report


@pytest.fixture
def seeded(world):
    """Fixed data of every kind the tiers route, on Alpha's contract A-1."""
    world.alpha.default_language = "en"  # agenda texts are written in the organisation's language
    world.alpha.save()
    with scopes_disabled():
        audit = make_setup(world)  # a major finding with a corrective action (due 2026-11-30)
        complaint_samples(world)  # a complaint on "Walk desk" and an improvement proposal
        level = make_level(world)
        missed = make_report(world, date(2026, 9, 1), values=[(level, "97.0")])
        disputed = make_report(world, date(2026, 8, 1), status="disputed", values=[(level, "99.9")])
        contract = world.alpha_contract
        contract.end_date = GENERATED_ON + timedelta(days=200)
        contract.renewal = "tacit"
        contract.notice_period_months = 3
        contract.status = "active"
        contract.save()
        access = system_access(world.alpha)
        series = {
            tier: services.series_create(
                access=access, contract=contract, tier=tier, title=f"A-1 {tier}"
            )
            for tier in Tier.values
        }
    return SimpleNamespace(
        audit=audit, level=level, missed=missed, disputed=disputed, series=series, access=access
    )


def generated_keys(series, *, on=GENERATED_ON):
    with scopes_disabled():
        meeting = services.meeting_schedule(series=series, starts_at=when(on + timedelta(days=7)))
        services.agenda_generate(meeting=meeting, today=on)
        return sorted(
            (i.source, i.key) for i in meeting.items.exclude(source=Source.TEMPLATE)
        ), meeting


def test_agenda_routes_each_item_to_its_tier(seeded, world):
    with scopes_disabled():
        finding = seeded.audit.finding
        action = seeded.audit.action
        from complaints.models import Complaint, ImprovementProposal

        complaint_pk = Complaint.objects.get(organisation=world.alpha).pk
        proposal_pk = ImprovementProposal.objects.get(organisation=world.alpha).pk
        deadline = world.alpha_contract.next_notice_deadline(GENERATED_ON)
    operational, _ = generated_keys(seeded.series[Tier.OPERATIONAL])
    tactical, _ = generated_keys(seeded.series[Tier.TACTICAL])
    strategic, _ = generated_keys(seeded.series[Tier.STRATEGIC])
    assert operational == sorted(
        [
            (Source.SLA_MISSED, f"measurement:{world.alpha_contract.pk}:AVAIL:2026-09"),
            (Source.OVERDUE_ACTION, f"corrective_action:{action.pk}"),
            (Source.OVERDUE_COMPLAINT, f"complaint:{complaint_pk}"),
        ]
    )
    assert tactical == sorted(
        [
            (Source.DISPUTED_REPORT, f"sla_report:{world.alpha_contract.pk}:2026-08"),
            (Source.COMPLAINT_TREND, f"complaint_trend:{world.alpha_contract.pk}"),
            (Source.PROPOSAL, f"proposal:{proposal_pk}"),
            (Source.AUDIT_FINDING, f"finding:{finding.pk}"),
        ]
    )
    assert strategic == [
        (Source.CONTRACT, f"contract_deadline:{world.alpha_contract.pk}:{deadline.isoformat()}")
    ]


def test_agenda_items_link_to_their_data_and_need_preparation(seeded, world):
    _keys, meeting = generated_keys(seeded.series[Tier.OPERATIONAL])
    with scopes_disabled():
        item = meeting.items.get(source=Source.SLA_MISSED)
        prep_due = item.prep_due
    assert (item.link, item.needs_preparation, item.client_only) == (
        f"/o/alpha/contracts/reports/{seeded.missed.pk}/",
        True,
        False,
    )
    assert item.detail == "Deviation analysis: Storing · Uitval · Herstel"
    assert prep_due is not None


def test_improvement_proposals_are_client_only_items(seeded, world):
    _keys, meeting = generated_keys(seeded.series[Tier.TACTICAL])
    with scopes_disabled():
        flags = sorted((i.source, i.client_only) for i in meeting.items.exclude(source="template"))
    assert flags == sorted(
        [
            (Source.COMPLAINT_TREND, False),
            (Source.DISPUTED_REPORT, False),
            (Source.PROPOSAL, True),
            (Source.AUDIT_FINDING, False),
        ]
    )


def test_every_source_runs_without_error(seeded, caplog):
    """A renamed upstream selector or page fails here instead of quietly emptying an agenda."""
    for tier in Tier.values:
        generated_keys(seeded.series[tier])
    assert [r.getMessage() for r in caplog.records if r.name == "meetings.sources"] == []


def test_a_missing_upstream_selector_is_logged_as_an_error(seeded, world, monkeypatch, caplog):
    monkeypatch.delattr(complaints.selectors, "overdue_complaints")
    keys, _ = generated_keys(seeded.series[Tier.OPERATIONAL])
    assert sorted(source for source, _key in keys) == sorted(
        [Source.SLA_MISSED, Source.OVERDUE_ACTION]
    )
    [record] = [r for r in caplog.records if r.name == "meetings.sources"]
    assert (record.levelname, record.getMessage(), record.exc_info[0]) == (
        "ERROR",
        "Agenda source overdue_complaints failed",
        AttributeError,
    )


def test_link_to_raises_for_an_unknown_route():
    assert sources.link_to("alpha", "kto:survey_list") == "/o/alpha/kto/"
    with pytest.raises(NoReverseMatch):
        sources.link_to("alpha", "kto:no_such_page")


def test_confirmed_gap_flags_become_agenda_items(seeded, world, monkeypatch):
    flag = SimpleNamespace(
        pk=7,
        contract_id=world.alpha_contract.pk,
        dimension="reliability",
        period_start=date(2026, 9, 1),
        get_flag_display=lambda: "Watermelon",
        get_dimension_display=lambda: "Reliability",
    )
    calls = []

    def confirmed_flags(*, access, limit=10):
        calls.append((access.organisation.slug, limit))
        return [flag]

    monkeypatch.setattr(kto.selectors, "confirmed_flags", confirmed_flags)
    keys, meeting = generated_keys(seeded.series[Tier.TACTICAL])
    with scopes_disabled():
        item = meeting.items.get(source=Source.GAP_FLAG)
    assert (calls, item.key, item.title) == (
        [("alpha", 50)],
        f"gap_flag:{world.alpha_contract.pk}:reliability",
        "Confirmed gap: Watermelon on Reliability (2026-09)",
    )


def test_a_failing_source_does_not_block_the_agenda(seeded, world, monkeypatch):
    def broken(**_kwargs):
        raise RuntimeError("upstream in flux")

    monkeypatch.setattr(complaints.selectors, "overdue_complaints", broken)
    keys, _ = generated_keys(seeded.series[Tier.OPERATIONAL])
    assert sorted(s for s, _k in keys) == sorted([Source.SLA_MISSED, Source.OVERDUE_ACTION])


def test_regenerating_updates_items_instead_of_duplicating(seeded, world):
    with scopes_disabled():
        meeting = services.meeting_schedule(
            series=seeded.series[Tier.OPERATIONAL], starts_at=when(GENERATED_ON)
        )
        services.agenda_generate(meeting=meeting, today=GENERATED_ON)
        first = meeting.items.count()
        item = meeting.items.get(source=Source.SLA_MISSED)
        item.supplier_results = "Root cause: storage failure"
        item.save()
        services.agenda_generate(meeting=meeting, today=GENERATED_ON)
        item.refresh_from_db()
        assert (meeting.items.count(), item.supplier_results) == (
            first,
            "Root cause: storage failure",
        )


def hold(meeting, *, resolved: bool):
    services.meeting_mark_held(meeting=meeting)
    for item in meeting.items.exclude(key=""):
        services.item_record(item=item, minutes="", outcome="information", resolved=resolved)


def test_item_unresolved_for_n_meetings_escalates_to_the_next_tier(seeded, world):
    operational = seeded.series[Tier.OPERATIONAL]
    tactical = seeded.series[Tier.TACTICAL]
    key = f"measurement:{world.alpha_contract.pk}:AVAIL:2026-09"
    with scopes_disabled():
        operational.escalate_after = 2
        operational.save()
        first = services.meeting_schedule(series=operational, starts_at=when(date(2026, 10, 5)))
        services.agenda_generate(meeting=first, today=date(2026, 10, 1))
        hold(first, resolved=False)
        early = services.meeting_schedule(series=tactical, starts_at=when(date(2026, 10, 20)))
        services.agenda_generate(meeting=early, today=date(2026, 10, 15))
        second = services.meeting_schedule(series=operational, starts_at=when(date(2026, 11, 5)))
        services.agenda_generate(meeting=second, today=date(2026, 11, 1))
        hold(second, resolved=False)
        later = services.meeting_schedule(series=tactical, starts_at=when(date(2026, 11, 20)))
        services.agenda_generate(meeting=later, today=date(2026, 11, 15))
        streaks = [first.items.get(key=key).streak, second.items.get(key=key).streak]
        escalated_early = early.items.filter(source=Source.ESCALATED).count()
        escalated = later.items.get(source=Source.ESCALATED, key=key)
        origin = second.items.get(key=key)
    assert (streaks, escalated_early) == ([1, 2], 0)
    assert (escalated.escalated_from_id, escalated.streak) == (origin.pk, 1)
    assert escalated.title.startswith("Escalated from A-1 operational: AVAIL")


def test_resolved_item_does_not_escalate(seeded, world):
    operational = seeded.series[Tier.OPERATIONAL]
    with scopes_disabled():
        first = services.meeting_schedule(series=operational, starts_at=when(date(2026, 10, 5)))
        services.agenda_generate(meeting=first, today=date(2026, 10, 1))
        hold(first, resolved=False)
        second = services.meeting_schedule(series=operational, starts_at=when(date(2026, 11, 5)))
        services.agenda_generate(meeting=second, today=date(2026, 11, 1))
        hold(second, resolved=True)
        third = services.meeting_schedule(series=operational, starts_at=when(date(2026, 12, 7)))
        services.agenda_generate(meeting=third, today=date(2026, 12, 1))
        later = services.meeting_schedule(
            series=seeded.series[Tier.TACTICAL], starts_at=when(date(2026, 11, 20))
        )
        services.agenda_generate(meeting=later, today=date(2026, 11, 15))
        key = f"measurement:{world.alpha_contract.pk}:AVAIL:2026-09"
        assert (
            third.items.get(key=key).streak,
            later.items.filter(source="escalated").count(),
        ) == (
            1,
            0,
        )


def test_open_actions_carry_over_and_closed_ones_do_not(world):
    access = system_access(world.alpha)
    with scopes_disabled():
        series = services.series_create(
            access=access, contract=world.alpha_contract, tier="operational", title="Ops"
        )
        first = services.meeting_schedule(series=series, starts_at=when(date(2026, 10, 5)))
        services.meeting_mark_held(meeting=first)
        still_open = services.action_create(
            meeting=first,
            title="Fix the queue",
            owner_side="supplier",
            owner_name="Bob",
            due_date=date(2026, 10, 20),
        )
        in_progress = services.action_create(
            meeting=first,
            title="Draft a process",
            owner_side="client",
            owner_name="Alice",
            due_date=date(2026, 10, 25),
        )
        services.action_set_status(action=in_progress, status=ActionItem.Status.IN_PROGRESS)
        done = services.action_create(
            meeting=first,
            title="Send the report",
            owner_side="supplier",
            owner_name="Bob",
            due_date=date(2026, 10, 10),
        )
        services.action_set_status(action=done, status=ActionItem.Status.DONE)
        second = services.meeting_schedule(series=series, starts_at=when(date(2026, 11, 5)))
        services.agenda_generate(meeting=second, today=date(2026, 11, 1))
        carried = sorted(
            second.items.filter(source=Source.CARRIED_ACTION).values_list("key", flat=True)
        )
        services.meeting_mark_held(meeting=second)
        services.action_set_status(action=still_open, status=ActionItem.Status.DONE)
        third = services.meeting_schedule(series=series, starts_at=when(date(2026, 12, 7)))
        services.agenda_generate(meeting=third, today=date(2026, 12, 1))
        carried_later = list(
            third.items.filter(source=Source.CARRIED_ACTION).values_list("key", flat=True)
        )
    assert carried == sorted([f"action:{still_open.pk}", f"action:{in_progress.pk}"])
    assert carried_later == [f"action:{in_progress.pk}"]


def test_held_meeting_agenda_cannot_be_regenerated(world):
    from django.core.exceptions import ValidationError

    with scopes_disabled():
        series = services.series_create(
            access=system_access(world.alpha), contract=None, tier="strategic", title="Org"
        )
        meeting = services.meeting_schedule(series=series, starts_at=when(date(2026, 10, 5)))
        services.meeting_mark_held(meeting=meeting)
        with pytest.raises(ValidationError):
            services.agenda_generate(meeting=meeting)
        assert (meeting.status, AgendaItem.objects.filter(meeting=meeting).count()) == (
            Meeting.Status.HELD,
            0,
        )
