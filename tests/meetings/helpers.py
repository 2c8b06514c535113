"""Helpers for meeting tests: a tactical series of Alpha's contract with a held meeting (minutes,
an open action) and an upcoming one, and a SIP on the contract's sample service level."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django_scopes import scopes_disabled

from governance.platform.access import system_access
from meetings import services
from meetings.models import (
    SIP,
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingDocument,
    MeetingSeries,
    SIPMilestone,
    Tier,
)
from tests.contracts.samples import contract_samples


@dataclass
class MeetingSet:
    series: MeetingSeries
    past: Meeting
    upcoming: Meeting
    item: AgendaItem
    internal_item: AgendaItem
    action: ActionItem
    sip: SIP
    milestone: SIPMilestone
    document: MeetingDocument


def at(year, month, day, hour=10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def sip_fields(world, level, **changes) -> dict:
    """What `sip_create` takes for a programme of Alpha on `level`, with `changes`."""
    return {
        "access": system_access(world.alpha),
        "contract": world.alpha_contract,
        "title": "Desk reachability",
        "goal": "Reach the desk",
        "client_owner": world.alice,
        "supplier_owner": world.bob,
        "service_level": level,
        "sla_baseline": Decimal("85"),
        "sla_target": Decimal("95"),
        "dimension": "responsiveness",
        "perception_baseline": Decimal("3.1"),
        "perception_target": Decimal("3.8"),
        "baseline_period": date(2024, 12, 1),
    } | changes


def make_meetings(world, organisation=None, contract=None, *, title="Alpha tactical") -> MeetingSet:
    organisation = organisation or world.alpha
    contract = contract or world.alpha_contract
    access = system_access(organisation)
    with scopes_disabled():
        level = (
            contract_samples(world)["service_level"] if contract == world.alpha_contract else None
        )
        series = services.series_create(
            access=access,
            contract=contract,
            tier=Tier.TACTICAL,
            title=title,
            required_roles=[("client", "Contract manager"), ("supplier", "Service manager")],
        )
        past = services.meeting_schedule(series=series, starts_at=at(2026, 1, 15))
        item = services.agenda_item_add(
            meeting=past, title="Desk availability", needs_preparation=True
        )
        item.client_notes = "Internal: budget pressure on our side"
        item.save()
        internal_item = services.agenda_item_add(meeting=past, title="Client-only business case")
        internal_item.client_only = True
        internal_item.save()
        services.meeting_mark_held(meeting=past)
        services.item_record(item=item, minutes="Discussed", outcome="decision", resolved=False)
        action = services.action_create(
            meeting=past,
            item=item,
            title="Extend desk hours",
            owner_side="supplier",
            owner_name="S. Manager",
            due_date=date(2026, 2, 15),
        )
        upcoming = services.meeting_schedule(series=series, starts_at=at(2099, 3, 16))
        sip = milestone = None
        if level is not None:
            sip = services.sip_create(**sip_fields(world, level, access=access, contract=contract))
            milestone = services.milestone_add(
                sip=sip, title="Evening shift", due_date=date(2026, 3, 1)
            )
        document = MeetingDocument.objects.create(
            organisation=organisation,
            meeting=past,
            kind="minutes",
            audience="client",
            status="ready",
            pdf=b"%PDF-1.7 sample",
        )
    return MeetingSet(
        series=series,
        past=past,
        upcoming=upcoming,
        item=item,
        internal_item=internal_item,
        action=action,
        sip=sip,
        milestone=milestone,
        document=document,
    )


def route_samples(world) -> dict:
    """Alpha's meeting objects for the route walk (and Beta data that must not leak)."""
    with scopes_disabled():
        existing = MeetingSeries.objects.filter(organisation=world.alpha).first()
    if existing is None:
        found = make_meetings(world)
        make_meetings(
            world, world.beta, world.beta_southwind_contract, title="Beta hosting tactical"
        )
    else:
        with scopes_disabled():
            past = existing.meetings.order_by("starts_at").first()
            found = MeetingSet(
                series=existing,
                past=past,
                upcoming=existing.meetings.order_by("starts_at").last(),
                item=past.items.get(title="Desk availability"),
                internal_item=past.items.get(title="Client-only business case"),
                action=past.actions.first(),
                sip=SIP.objects.filter(organisation=world.alpha).first(),
                milestone=SIPMilestone.objects.filter(organisation=world.alpha).first(),
                document=past.documents.first(),
            )
    return {
        "meeting_series": found.series,
        "meeting": found.past,
        "meeting_upcoming": found.upcoming,
        "agenda_item": found.item,
        "meeting_action": found.action,
        "sip": found.sip,
        "sip_milestone": found.milestone,
        "meeting_document": found.document,
    }
