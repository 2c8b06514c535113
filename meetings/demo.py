"""Demo meetings (idempotent): for Zuidrand's workplace contract a series per tier; the tactical
one with a past meeting (minutes, a decision, open and done actions) and an upcoming one whose
agenda is filled from the other apps' demo data, with one pre-read still missing; and a SIP
whose progress is measured from the SLA reports after its baseline month."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from contracts.selectors import contract_list, level_history, service_level_list
from governance.platform.access import Access, system_access
from governance.platform.models import Organisation
from meetings import services
from meetings.models import SIP, MeetingSeries, Tier

CONTRACT = "ZR-2024-001"
MANAGER = "manager@zuidrand.example"
SUPPLIER = "supplier@noordlicht.example"
SIP_LEVEL = "SD-ANS30"

SERIES = [
    (
        Tier.OPERATIONAL,
        "Operationeel overleg servicedesk",
        1,
        [("client", "Servicecoördinator"), ("supplier", "Teamleider servicedesk")],
    ),
    (
        Tier.TACTICAL,
        "Tactisch overleg werkplek en servicedesk",
        3,
        [
            ("client", "Contractmanager"),
            ("client", "Informatiemanager"),
            ("supplier", "Servicemanager"),
        ],
    ),
    (
        Tier.STRATEGIC,
        "Strategisch overleg Noordlicht IT",
        6,
        [("client", "Directeur bedrijfsvoering"), ("supplier", "Accountdirecteur")],
    ),
]

ATTENDEES = [
    ("client", "Contractmanager", "Marieke de Vries", MANAGER, True),
    ("client", "Informatiemanager", "Otto Bakker", "owner@zuidrand.example", False),
    ("supplier", "Servicemanager", "Noor Smit", SUPPLIER, True),
]


def seed(*, today: date | None = None) -> None:
    organisation = Organisation.objects.filter(slug="zuidrand").first()
    if organisation is None:
        return
    access = system_access(organisation)
    contract = contract_list(access=access).filter(reference=CONTRACT).first()
    if contract is None:
        return
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=[MANAGER, SUPPLIER])
    }
    today = today or timezone.localdate()
    zone = ZoneInfo(organisation.time_zone)
    series = {}
    for tier, title, cadence, roles in SERIES:
        found = MeetingSeries.objects.filter(
            organisation=organisation, contract=contract, tier=tier
        ).first()
        series[tier] = found or services.series_create(
            access=access,
            contract=contract,
            tier=tier,
            title=title,
            cadence_months=cadence,
            chair=users.get(MANAGER),
            location="Provinciehuis Zuidrand, kamer 2.14",
            required_roles=roles,
        )
    # The SIP first, so the agendas generated below show its progress.
    if users.get(MANAGER) and users.get(SUPPLIER):
        _sip(access, contract, users, today)
    if not series[Tier.TACTICAL].meetings.exists():
        _tactical(series[Tier.TACTICAL], today, zone)
    for tier, weeks in ((Tier.OPERATIONAL, 2), (Tier.STRATEGIC, 8)):
        if not series[tier].meetings.exists():
            meeting = services.meeting_schedule(
                series=series[tier], starts_at=_at(today + timedelta(weeks=weeks), zone)
            )
            services.agenda_generate(meeting=meeting, today=today)


def _at(day: date, zone, hour: int = 10) -> datetime:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=zone)


def _delivered_before(meeting, zone) -> None:
    """The pre-reads of a meeting already held: the client's on time, the supplier's too but
    for the first item, which came two days late (the series' timeliness figure)."""
    items = meeting.items.filter(needs_preparation=True, prep_due__isnull=False)
    for n, item in enumerate(items.order_by("position")):
        due = datetime.combine(item.prep_due, time(12), tzinfo=zone)
        item.supplier_results = "Resultaten en afwijkingsanalyse van de periode."
        item.supplier_delivered_at = due + timedelta(days=2 if n == 0 else -1)
        item.client_impact = "Hinder voor medewerkers beperkt tot de maandagochtend."
        item.client_delivered_at = due - timedelta(days=1)
        item.save()


def _tactical(series: MeetingSeries, today: date, zone) -> None:
    past_day = today - timedelta(weeks=7)
    past = services.meeting_schedule(series=series, starts_at=_at(past_day, zone))
    services.agenda_generate(meeting=past, today=past_day - timedelta(days=7))
    for side, role, name, email, _attended in ATTENDEES:
        services.attendance_add(meeting=past, side=side, role=role, name=name, email=email)
    past.status = past.Status.PUBLISHED
    past.save(update_fields=["status"])
    _delivered_before(past, zone)
    services.meeting_mark_held(meeting=past)
    services.attendance_record(
        meeting=past,
        attended_ids={
            a.pk for a, row in zip(past.attendance.order_by("pk"), ATTENDEES, strict=True) if row[4]
        },
    )
    items = list(past.items.order_by("position"))
    for item in items:
        if item.source == "template":
            services.item_record(item=item, minutes="", outcome="information", resolved=True)
    discussed = [i for i in items if i.source != "template"] or items[2:3]
    decision = discussed[0]
    services.item_record(
        item=decision,
        minutes=(
            "Noordlicht licht de oorzaak toe; Zuidrand benoemt de hinder voor medewerkers. "
            "Besloten: de telefonische bereikbaarheid wordt een serviceverbeterprogramma."
        ),
        outcome="decision",
        resolved=False,
    )
    services.action_create(
        meeting=past,
        item=decision,
        title="Plan voor extra bezetting servicedesk op maandagochtend opstellen",
        owner_side="supplier",
        owner_name="Noor Smit",
        due_date=today + timedelta(days=10),
    )
    services.action_create(
        meeting=past,
        item=decision,
        title="Piketregeling tweede en derde lijn samen evalueren",
        owner_side="joint",
        owner_name="Marieke de Vries",
        supplier_owner_name="Noor Smit",
        due_date=today + timedelta(days=21),
    )
    done = services.action_create(
        meeting=past,
        item=decision,
        title="Klachten over bereikbaarheid per week aanleveren",
        owner_side="client",
        owner_name="Marieke de Vries",
        due_date=past_day + timedelta(days=14),
    )
    services.action_set_status(action=done, status="done")
    services.minutes_approve(meeting=past, access=system_access(series.organisation))

    upcoming = services.meeting_schedule(
        series=series, starts_at=_at(today + timedelta(weeks=3), zone)
    )
    services.agenda_generate(meeting=upcoming, today=today)
    for side, role, name, email, _attended in ATTENDEES:
        services.attendance_add(meeting=upcoming, side=side, role=role, name=name, email=email)
    supplier = Access(
        organisation=series.organisation, user_id=None, supplier=series.contract.supplier
    )
    prepared = list(upcoming.items.filter(needs_preparation=True).order_by("position"))
    # Every pre-read delivered but the supplier's last one: the agenda shows that one missing.
    for item in prepared[:-1]:
        services.item_prepare(
            item=item,
            access=supplier,
            supplier_results=(
                "Oorzaak: onderbezetting bij ziekte; maatregel: flexibele schil van twee "
                "medewerkers vanaf volgende maand."
            ),
        )
    for item in prepared:
        services.item_prepare(
            item=item,
            access=system_access(series.organisation),
            client_impact=(
                "Medewerkers wachten op maandagochtend gemiddeld een kwartier; bij de "
                "burgerbalie loopt de wachtrij daardoor op."
            ),
        )
    if prepared:
        prepared[0].client_notes = "Intern: bij herhaling boeteclausule ter sprake brengen."
        prepared[0].save(update_fields=["client_notes"])
    if not prepared:
        services.agenda_item_add(
            meeting=upcoming,
            title="Trendrapport capaciteit servicedesk",
            needs_preparation=True,
        )


def _sip(access, contract, users, today: date) -> None:
    if SIP.objects.filter(organisation=access.organisation, contract=contract).exists():
        return
    level = (
        service_level_list(access=access)
        .filter(contract=contract, code=SIP_LEVEL, valid_to__isnull=True)
        .first()
    )
    if level is None:
        return
    history = level_history(level=level)
    baseline_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    for _ in range(5):
        baseline_month = (baseline_month - timedelta(days=1)).replace(day=1)
    at_baseline = [r["value"] for r in history if r["period"] == baseline_month]
    sip = services.sip_create(
        access=access,
        contract=contract,
        title="Telefonische bereikbaarheid servicedesk",
        goal=(
            "Medewerkers bereiken de servicedesk binnen 30 seconden, ook op maandagochtend; "
            "zichtbaar in de SLA én in de beleving (KTO)."
        ),
        client_owner=users[MANAGER],
        supplier_owner=users[SUPPLIER],
        service_level=level,
        sla_baseline=at_baseline[0] if at_baseline else level.target - Decimal("5"),
        sla_target=min(level.target + Decimal("5"), Decimal("100")),
        dimension="responsiveness",
        perception_baseline=Decimal("3.20"),
        perception_target=Decimal("3.80"),
        baseline_period=baseline_month,
    )
    services.milestone_add(
        sip=sip, title="Flexibele schil ingezet", due_date=baseline_month + timedelta(days=75)
    )
    services.milestone_add(
        sip=sip, title="Terugbelfunctie live", due_date=today + timedelta(days=60)
    )
